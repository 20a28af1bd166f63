"""Page markers: one pattern for every variant, and the helpers that read it."""

from __future__ import annotations

import pytest

from ingest.text.pages import (
    PAGE_MARKER,
    is_page_marker,
    marker_page,
    markers_on_own_lines,
    page_marker,
    split_at_page_markers,
)


@pytest.mark.parametrize(
    ("line", "page"),
    [
        ("<!-- sida 5 -->", 5),
        ("<!--sida 5-->", 5),
        ("<!-- page 12 -->", 12),
        ("<!-- Sida 05 -->", 5),
        ("  <!-- side 7 -->  ", 7),
    ],
)
def test_every_variant_is_a_page_marker(line: str, page: int) -> None:
    assert marker_page(line) == page and is_page_marker(line)


@pytest.mark.parametrize(
    "line", ["<!-- kommentar -->", "sida 5", "<!-- sida 5 --> text", "<!-- sida -->", ""]
)
def test_other_lines_are_not_page_markers(line: str) -> None:
    assert marker_page(line) is None and not is_page_marker(line)


def test_the_normalised_marker_round_trips() -> None:
    assert page_marker(3) == "<!-- sida 3 -->"
    assert marker_page(page_marker(123)) == 123
    assert PAGE_MARKER.fullmatch(page_marker(9))


def test_a_line_is_split_at_its_markers() -> None:
    assert split_at_page_markers("utan markör") == [(0, "utan markör")]
    line = "slut <!--page 3-->  början"
    assert split_at_page_markers(line) == [(0, "slut "), (5, 3), (20, "början")]
    assert line[20:] == "början"
    assert split_at_page_markers("<!-- sida 1 --><!-- sida 2 -->") == [
        (0, ""),
        (0, 1),
        (15, ""),
        (15, 2),
        (30, ""),
    ]


def test_markers_are_moved_to_their_own_lines_in_normalised_form() -> None:
    text = markers_on_own_lines("a<!--Sida 02-->b")
    assert text.split("\n") == ["a", "<!-- sida 2 -->", "b"]
