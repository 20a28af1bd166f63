"""Bullets: every glyph real documents use opens the same item."""

from __future__ import annotations

import pytest

from ingest.text.bullets import (
    BULLET,
    BULLET_CHARS,
    INLINE_BULLET,
    MarkerKind,
    list_marker,
    strip_bullet,
    tidy_bullet,
)

GLYPHS = ["•", "►", "▪", "◦", "■", "●", "–", "—", "−", "-", "*", "\\-", "\uf0b7", "·"]


@pytest.mark.parametrize("glyph", GLYPHS)
def test_every_glyph_gives_the_same_item_text(glyph: str) -> None:
    line = f"{glyph} säkerställa att rutinen följs"
    marker = list_marker(line)
    assert marker is not None and marker.label == glyph
    assert line[marker.end :] == "säkerställa att rutinen följs"
    assert strip_bullet(line) == "säkerställa att rutinen följs"
    assert line[0] in BULLET_CHARS or line.startswith("\\-")


def test_dashes_are_one_family_and_symbols_keep_their_own() -> None:
    families = {list_marker(f"{dash} text").family for dash in ("-", "–", "—", "−", "*", "\\-")}
    assert families == {"dash"}
    assert list_marker("► text").family != list_marker("• text").family
    assert list_marker("\uf0b7 text").family == list_marker(f"{BULLET} text").family


def test_a_dash_needs_a_space_or_a_letter_after_it() -> None:
    assert list_marker("-säkerställa att") is not None
    assert list_marker("-5 procent") is None
    assert list_marker("- 5 procent") is not None
    assert list_marker("►") is not None  # a symbol alone: its text is on the next line


@pytest.mark.parametrize(
    ("line", "kind", "number", "label"),
    [
        ("3. Förbättra kontrollen", MarkerKind.NUMBER, 3, "3."),
        ("12) Förbättra kontrollen", MarkerKind.NUMBER, 12, "12)"),
        ("(2) Förbättra kontrollen", MarkerKind.NUMBER, 2, "(2)"),
        ("b) Förbättra kontrollen", MarkerKind.LETTER, 0, "b)"),
        ("o Förbättra kontrollen", MarkerKind.CIRCLE, 0, "o"),
    ],
)
def test_numbers_and_letters_are_markers_with_their_label(
    line: str, kind: MarkerKind, number: int, label: str
) -> None:
    marker = list_marker(line)
    assert marker is not None
    assert (marker.kind, marker.number, marker.label) == (kind, number, label)
    assert line[marker.end :] == "Förbättra kontrollen"
    assert strip_bullet(line) == line  # a numbered item keeps its number


@pytest.mark.parametrize("line", ["2024 års granskning", "Organisation", "ordet", "a)b", "#"])
def test_ordinary_lines_have_no_marker(line: str) -> None:
    assert list_marker(line) is None and strip_bullet(line) == line


def test_tidy_bullet_writes_one_space_and_the_standard_glyph() -> None:
    assert tidy_bullet("  \uf0b7Text") == f"  {BULLET} Text"
    assert tidy_bullet("►    Text") == "► Text"
    assert tidy_bullet("-    Text") == "- Text"
    assert tidy_bullet("- Text") == "- Text"
    assert tidy_bullet("-5 grader") == "-5 grader"


def test_inline_bullets_split_items_written_on_one_line() -> None:
    pieces = INLINE_BULLET.split("följande: - stärka kontrollen • följa upp − rapportera")
    assert [piece.strip() for piece in pieces] == [
        "följande:",
        "stärka kontrollen",
        "följa upp",
        "rapportera",
    ]
    assert INLINE_BULLET.search("IT-system och e-post") is None
    assert INLINE_BULLET.search("2 * 3") is None
