"""Month names and date finding in Swedish text."""

from __future__ import annotations

import re

import pytest

from ingest.text.dates import (
    MONTH_NAMES,
    MONTH_PATTERN,
    find_dates,
    strip_dates,
    strip_month_years,
    valid_iso,
)


def test_month_names_are_the_twelve_swedish_months_in_order() -> None:
    assert len(MONTH_NAMES) == 12
    assert MONTH_NAMES[0] == "januari" and MONTH_NAMES[2] == "mars"
    assert MONTH_NAMES[-1] == "december"


def test_month_pattern_matches_each_month_as_a_whole_word() -> None:
    pattern = re.compile(rf"\b(?:{MONTH_PATTERN})\b", re.IGNORECASE)
    for name in MONTH_NAMES:
        assert pattern.fullmatch(name) and pattern.fullmatch(name.capitalize())
    assert pattern.search("marsvin") is None
    assert pattern.search("senast i maj") is not None


@pytest.mark.parametrize(
    ("text", "written", "iso"),
    [
        ("Datum: 2025-03-03", "2025-03-03", "2025-03-03"),
        ("daterad 2025.03.04", "2025.03.04", "2025-03-04"),
        ("Malmö den 3 mars 2025.", "3 mars 2025", "2025-03-03"),
        ("1:a april 2024", "1:a april 2024", "2024-04-01"),
        ("12 DECEMBER 2019", "12 DECEMBER 2019", "2019-12-12"),
    ],
)
def test_full_dates_are_found_in_each_way_of_writing(text: str, written: str, iso: str) -> None:
    (found,) = find_dates(text)
    assert found.iso == iso
    assert text[found.start : found.end] == written


def test_impossible_and_partial_dates_are_not_dates() -> None:
    assert find_dates("2023-02-30, 31 april 2024, 2024-1-5, 12024-01-05") == []
    assert find_dates("mars 2025") == []
    assert valid_iso(2024, 2, 29) == "2024-02-29" and valid_iso(2023, 2, 29) == ""


def test_dates_come_in_text_order_with_their_positions() -> None:
    text = "Beslut 4 maj 2021, inkom 2021-03-02."
    found = find_dates(text)
    assert [date.iso for date in found] == ["2021-05-04", "2021-03-02"]
    assert all(text[date.start : date.end] for date in found)
    assert found[0].start < found[1].start


def test_stripping_dates_and_month_years_leaves_the_words() -> None:
    assert strip_dates("Beslut 4 maj 2021 i KS").split() == ["Beslut", "i", "KS"]
    assert strip_month_years("Rapport mars 2025 om bisysslor").split() == [
        "Rapport",
        "om",
        "bisysslor",
    ]
