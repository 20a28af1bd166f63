"""The one heading detector structure and recommendation extraction share."""

from __future__ import annotations

import pytest

from ingest.text.headings import (
    BOLD_LEVEL,
    LABEL_LEVEL,
    PLAIN_LEVEL,
    Heading,
    heading_at,
    opens_like_numbered_title,
    recommendation_label,
)
from ingest.text.lines import read_lines


def _headings(text: str) -> list[Heading | None]:
    lines = read_lines(text)
    return [heading_at(lines, index) for index in range(len(lines))]


def test_each_kind_of_heading_gets_its_level() -> None:
    text = (
        "## Yttrande\n\n**Bakgrund**\n\n2.1. Organisation och ansvar\n\nText här.\n\n"
        "Sammanfattande inställning\n\nNämnden välkomnar granskningen.\n"
    )
    found = [(h.level, h.text) for h in _headings(text) if h]
    assert found == [
        (2, "Yttrande"),
        (BOLD_LEVEL, "Bakgrund"),
        (2, "2.1. Organisation och ansvar"),
        (PLAIN_LEVEL, "Sammanfattande inställning"),
    ]


def test_a_wrapped_numbered_title_takes_its_continuation() -> None:
    (first, _, _) = _headings("3.2 Uppföljning av\navtal och leverantörer\n\nText.\n")
    assert first == Heading(2, "3.2 Uppföljning av avtal och leverantörer", lines=2)


@pytest.mark.parametrize(
    "text",
    [
        "1. Inledning ........................ 5\n\nText.",
        "2.1 Organisation och ansvar är\ninte tydligt ........ 6\n\nText.",
        "3. Nämnden har tagit del av rapporten.\n\nText.",
        "**► Säkerställa rutinen**\n\nText.",
        "Nämnden rekommenderas att\n\nsäkerställa rutinen.",
        "Rubrik\nfortsätter på raden under",
    ],
    ids=["toc", "wrapped-toc", "sentence", "bold-item", "open-end", "not-isolated"],
)
def test_lines_that_are_not_headings(text: str) -> None:
    assert _headings(text)[0] is None


def test_an_isolated_line_before_lower_case_text_is_no_heading() -> None:
    assert _headings("Kontrollen\n\nfortsätter i nästa stycke.")[0] is None


@pytest.mark.parametrize(
    ("line", "number", "rest"),
    [
        ("Rekommendation 1: Tydliggöra ansvaret.", "1", "Tydliggöra ansvaret."),
        ("1. Rekommendation: Tydliggöra ansvaret.", "1", "Tydliggöra ansvaret."),
        ("Revisionens rekommendation – Se över rutinen", "", "Se över rutinen"),
        ("Rekommendation nr 3a: Följ upp", "3a", "Följ upp"),
        ("Rekommendation 2", "2", ""),
    ],
)
def test_recommendation_labels_head_their_own_section(line: str, number: str, rest: str) -> None:
    label = recommendation_label(line)
    assert label is not None and label.number == number
    assert line[label.end :].strip() == rest
    (heading,) = _headings(line)
    assert heading is not None and heading.level == LABEL_LEVEL and heading.rest == rest
    assert heading.text == f"Rekommendation {number}".strip()


def test_prose_about_recommendations_has_no_label() -> None:
    assert recommendation_label("Rekommendationen följs upp i år.") is None
    assert recommendation_label("Rekommendation") is None


def test_numbered_title_openings() -> None:
    assert opens_like_numbered_title("4.2 Brottsförebyggande rådet")
    assert not opens_like_numbered_title("2024 års granskning")
