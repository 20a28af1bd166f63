"""Swedish dates in running text: month names, ISO dates, "3 mars 2025" and "mars 2025".

Only real calendar dates are returned ("2023-02-30" is not one); every pattern is anchored
on digits or month names, so scanning arbitrary text stays linear.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

__all__ = [
    "MONTH_NAMES",
    "MONTH_PATTERN",
    "MONTH_YEAR_PATTERN",
    "FoundDate",
    "find_dates",
    "strip_dates",
    "strip_month_years",
    "valid_iso",
]

MONTH_NAMES: tuple[str, ...] = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
"""The Swedish month names, lower case, January first."""

MONTH_PATTERN: str = "|".join(MONTH_NAMES)
"""A regex alternation of the month names, to embed in a group: `rf"(?:{MONTH_PATTERN})"`."""

MONTH_YEAR_PATTERN: str = rf"(?:{MONTH_PATTERN})\s+(?:19|20)\d\d"
"""A month and a year without a day ("mars 2025"), as a regex to embed."""

_MONTH_NUMBER = {name: number for number, name in enumerate(MONTH_NAMES, start=1)}
_ISO_DATE = re.compile(r"(?<![\w-])((?:19|20)\d\d)([-.])(\d\d)\2(\d\d)(?!\d)")
# "3 mars 2025", "1:a april 2024" (the ordinal suffix of "1:a", "2:e").
_LONG_DATE = re.compile(
    rf"(?<![\w])(\d{{1,2}})(?::[ae])?\s+({MONTH_PATTERN})\s+((?:19|20)\d\d)(?!\d)", re.IGNORECASE
)
_MONTH_YEAR = re.compile(MONTH_YEAR_PATTERN, re.IGNORECASE)


class FoundDate(NamedTuple):
    """A full date found in a text: where it is and what day it names."""

    start: int
    end: int
    iso: str
    """YYYY-MM-DD."""


def valid_iso(year: int, month: int, day: int) -> str:
    """The ISO string of a real calendar date, or "" when there is no such day."""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def find_dates(text: str) -> list[FoundDate]:
    """Valid full dates in `text` ("2025-03-03", "2025.03.03", "3 mars 2025"), in text order."""
    found: list[FoundDate] = []
    for match in _ISO_DATE.finditer(text):
        iso = valid_iso(int(match[1]), int(match[3]), int(match[4]))
        if iso:
            found.append(FoundDate(match.start(), match.end(), iso))
    for match in _LONG_DATE.finditer(text):
        iso = valid_iso(int(match[3]), _MONTH_NUMBER[match[2].lower()], int(match[1]))
        if iso:
            found.append(FoundDate(match.start(), match.end(), iso))
    found.sort()
    return found


def strip_dates(text: str) -> str:
    """`text` with every full date replaced by a space."""
    for found in reversed(find_dates(text)):
        text = text[: found.start] + " " + text[found.end :]
    return text


def strip_month_years(text: str) -> str:
    """`text` with every month-and-year ("mars 2025") replaced by a space."""
    return _MONTH_YEAR.sub(" ", text)
