"""Finding headings among the lines of a document: the one set of rules every step uses.

A heading is one of
- a Markdown heading ("## Bakgrund"), at its own level;
- a recommendation label ("Rekommendation 2: ...", "1. Rekommendation: ...", "Revisionens
  rekommendation – ..."), at `LABEL_LEVEL`; the text after the label is not the heading;
- a line set in bold as a whole ("**Bakgrund**"), at `BOLD_LEVEL`, unless it is a list item;
- a numbered title ("2.1 Organisation och ansvar"), one level per number part, with its
  continuation when the title wraps onto the next line;
- a short isolated line that reads like a title ("Sammanfattande inställning"), at
  `PLAIN_LEVEL`.
Table-of-contents entries (dot leaders, a page number) are never headings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.text.bullets import MarkerKind
from ingest.text.lines import (
    Line,
    awaits_continuation,
    ends_sentence,
    is_toc_line,
)

__all__ = [
    "BOLD_LEVEL",
    "LABEL_LEVEL",
    "PLAIN_LEVEL",
    "Heading",
    "RecommendationLabel",
    "heading_at",
    "opens_like_numbered_title",
    "recommendation_label",
]

BOLD_LEVEL = 4
"""A bold line heads a sub-section: below Markdown's usual `#`, `##` and `###`."""
PLAIN_LEVEL = 5
"""An isolated plain line is the weakest sign of a heading, so it nests below all others."""
LABEL_LEVEL = 6
"""A recommendation label opens the innermost section: the recommendation and its answer."""

_MAX_HEADING_CHARS = 160
"""Longer lines are paragraphs, however they are set."""
_MAX_NUMBERED_WORDS = 14
"""A numbered line with more words is a numbered list item, not a chapter title."""
_MAX_PLAIN_CHARS = 80
_MAX_PLAIN_WORDS = 10
"""An unmarked title is short: longer isolated lines are one-line paragraphs."""

_NUMBERED = re.compile(r"(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+[A-ZÅÄÖ].{1,100}")
# "Rekommendation 1: ...", "1. Rekommendation: ...", "Revisionens rekommendation – ...", and
# a numbered label alone on its line ("Rekommendation 2") whose text follows.
_LABEL = re.compile(
    r"(?:(?P<lead>\d{1,2})[.)]\s*)?(?:[^\W\d_]{2,30}s\s+)?rekommendation"
    r"(?:\s+(?:nr\.?\s*)?(?P<n>\d{1,2}[a-z]?))?"
    r"(?:\s*(?::|\s[-–—])\s*|(?(n)\s*$|(?!)))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Heading:
    """A heading found at a line."""

    level: int
    """1 is outermost."""
    text: str
    """The title without markup; a wrapped numbered title joined into one line."""
    lines: int = 1
    """How many lines the heading takes (2 when a numbered title wraps)."""
    rest: str = ""
    """For a recommendation label: the text after it on the same line."""


@dataclass(frozen=True)
class RecommendationLabel:
    """A "Rekommendation N:" label opening a line."""

    number: str
    """The recommendation's number as written ("2", "3a"), or ""."""
    end: int
    """Where the recommendation's own text starts."""


def recommendation_label(text: str) -> RecommendationLabel | None:
    """The recommendation label opening `text` (a line without markup), or None."""
    match = _LABEL.match(text)
    if match is None:
        return None
    return RecommendationLabel(match["lead"] or match["n"] or "", match.end())


def opens_like_numbered_title(text: str) -> bool:
    """Whether `text` opens like a numbered title ("2.1 Organisation ..."), whatever follows."""
    return _NUMBERED.match(text) is not None


def heading_at(lines: Sequence[Line], index: int) -> Heading | None:
    """The heading at `lines[index]`, or None when that line is not one."""
    line = lines[index]
    text = line.text
    if line.md_level:
        return Heading(line.md_level, text)
    label = recommendation_label(text)
    if label is not None:
        title = f"Rekommendation {label.number}".strip()
        return Heading(LABEL_LEVEL, title, rest=text[label.end :].strip())
    if len(text) > _MAX_HEADING_CHARS or is_toc_line(text):
        return None
    following = lines[index + 1] if index + 1 < len(lines) else None
    if line.bold:
        return None if _is_bullet_item(line) else Heading(BOLD_LEVEL, text)
    numbered = _NUMBERED.fullmatch(text)
    if numbered:
        return _numbered_heading(line, following, numbered[1].count(".") + 1)
    if _is_plain_heading(line, following):
        return Heading(PLAIN_LEVEL, text)
    return None


def _is_bullet_item(line: Line) -> bool:
    return line.marker is not None and line.marker.kind in (MarkerKind.GLYPH, MarkerKind.DASH)


def _numbered_heading(line: Line, following: Line | None, level: int) -> Heading | None:
    """A numbered title: it stands after a blank line, ends no sentence and is short."""
    text = line.text
    direct = following if following is not None and not following.blank_before else None
    if (
        not line.blank_before
        or ends_sentence(text, colon=True)
        or len(text.split()) > _MAX_NUMBERED_WORDS
        # A wrapped table-of-contents entry: the page number is on the next line.
        or (direct is not None and is_toc_line(direct.text))
    ):
        return None
    if direct is not None and awaits_continuation(text):
        return Heading(level, f"{text} {direct.text}", lines=2)
    return Heading(level, text)


def _is_plain_heading(line: Line, following: Line | None) -> bool:
    """A short capitalised line between blank lines, heading something that follows."""
    text = line.text
    return (
        following is not None  # nothing follows, so it heads nothing
        and line.blank_before
        and following.blank_before
        and len(text) <= _MAX_PLAIN_CHARS
        and len(text.split()) <= _MAX_PLAIN_WORDS
        and text[0].isupper()
        and line.marker is None
        and not ends_sentence(text, colon=True)
        and not awaits_continuation(text)
        and not text[-1].isdigit()
        and any(char.isalpha() for char in text)
        and not following.text[0].islower()
    )
