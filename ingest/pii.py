"""Find and mask personal data in text: Swedish identity numbers and e-mail addresses.

A personnummer is accepted in the shapes YYMMDD-NNNN, YYMMDD+NNNN (born 100 or more years
ago), YYYYMMDD-NNNN and YYYYMMDDNNNN, and only when its date exists and its last digit is
the Luhn check digit of the other nine. A samordningsnummer is the same with 60 added to
the day. Numbers inside longer codes ("KS-2023-00730", "850101-1234-5"), after a case
label ("dnr 190315-0012") or with an impossible date (organisationsnummer such as
212000-1124, phone numbers) are not personal data and are left alone.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

PiiKind = Literal["personnummer", "samordningsnummer", "e-postadress"]

PLACEHOLDERS: dict[PiiKind, str] = {
    "personnummer": "[personnummer]",
    "samordningsnummer": "[samordningsnummer]",
    "e-postadress": "[e-postadress]",
}

_DASHES = "\\-\u2010\u2011\u2013"  # hyphen, Unicode hyphen, non-breaking hyphen, en dash

_IDENTITY = re.compile(
    rf"""
    (?<![\w+{_DASHES}/.@])                  # not the tail of a longer number or code
    (?:
        (?P<century>18|19|20)(?P<yy4>[0-9]{{2}})(?P<mm4>[0-9]{{2}})(?P<dd4>[0-9]{{2}})
        (?P<sep4>[{_DASHES}]?)(?P<tail4>[0-9]{{4}})
      |
        (?P<yy2>[0-9]{{2}})(?P<mm2>[0-9]{{2}})(?P<dd2>[0-9]{{2}})
        (?P<sep2>[{_DASHES}+])(?P<tail2>[0-9]{{4}})
    )
    (?![\w{_DASHES}/+@]|[.,][0-9])          # nor the head of one
    """,
    re.VERBOSE,
)

_EMAIL = re.compile(
    r"(?<![\w.+\-@])[\w+\-]+(?:\.[\w+\-]+)*@(?:[^\W_](?:[\w\-]*[^\W_])?\.)+[A-Za-z]{2,24}"
    r"(?![\w\-@]|\.[^\W_])"
)

# A number right after one of these labels is a case number, whatever its shape.
_CASE_LABEL = re.compile(
    r"\b(?:dnr|diarienr|diarienummer|ärendenr|ärendenummer)\.?:?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data found in a text: what it is, where, and a masked form."""

    kind: PiiKind
    start: int
    end: int
    masked: str

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end

    @property
    def placeholder(self) -> str:
        """What `mask_pii` puts in its place, e.g. "[personnummer]"."""
        return PLACEHOLDERS[self.kind]


def luhn_valid(digits: str) -> bool:
    """True if the last digit is the Luhn check digit of the others."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _date_exists(years: Sequence[int], month: int, day: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    return any(day <= calendar.monthrange(year, month)[1] for year in years)


def _identity_kind(match: re.Match[str]) -> PiiKind | None:
    """The kind of identity number the match is, or None if it is not a valid one."""
    if match["century"]:
        yy, mm, dd, tail = match["yy4"], match["mm4"], match["dd4"], match["tail4"]
        years = [int(match["century"] + yy)]
    else:
        yy, mm, dd, tail = match["yy2"], match["mm2"], match["dd2"], match["tail2"]
        # "-": younger than 100, so born 19YY or 20YY; "+": 100 or older, 18YY or 19YY.
        centuries = (18, 19) if match["sep2"] == "+" else (19, 20)
        years = [century * 100 + int(yy) for century in centuries]
    if not luhn_valid(yy + mm + dd + tail):
        return None
    day = int(dd)
    if _date_exists(years, int(mm), day):
        return "personnummer"
    if day > 60 and _date_exists(years, int(mm), day - 60):
        return "samordningsnummer"
    return None


def _mask_identity(text: str) -> str:
    return re.sub("[0-9]", "X", text)


def _mask_email(text: str) -> str:
    local, _, domain = text.partition("@")
    return f"{local[0]}…@{domain}"


def find_pii(text: str) -> list[PiiMatch]:
    """Every personnummer, samordningsnummer and e-mail address in `text`, in order."""
    found: list[PiiMatch] = []
    for match in _IDENTITY.finditer(text):
        kind = _identity_kind(match)
        if kind is None or _CASE_LABEL.search(text, max(0, match.start() - 20), match.start()):
            continue
        found.append(PiiMatch(kind, match.start(), match.end(), _mask_identity(match[0])))
    for match in _EMAIL.finditer(text):
        found.append(
            PiiMatch("e-postadress", match.start(), match.end(), _mask_email(match[0]))
        )
    found.sort(key=lambda m: (m.start, -m.end))
    kept: list[PiiMatch] = []
    for item in found:
        if not kept or item.start >= kept[-1].end:
            kept.append(item)
    return kept


def mask_pii(text: str, matches: Sequence[PiiMatch] | None = None) -> str:
    """`text` with each piece of personal data replaced by its placeholder.

    `matches` (from `find_pii(text)`) saves a second search when the caller has them.
    """
    if matches is None:
        matches = find_pii(text)
    parts: list[str] = []
    position = 0
    for item in matches:
        parts.append(text[position : item.start])
        parts.append(item.placeholder)
        position = item.end
    parts.append(text[position:])
    return "".join(parts)
