"""Reading recommendation text off lines: where an item goes on and where it stops.

Recommendations are read from the shared `ingest.text.lines.Line`s; this module holds what
every shape (labels, lists, inline lists, headings) needs to put an item's lines together,
and the value they all produce, a `Candidate`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.recommendations.phrases import BODY_RE
from ingest.text.headings import recommendation_label
from ingest.text.lines import Line, awaits_continuation, ends_sentence, opens_with_label

MAX_ITEM_CHARS = 1200
"""A recommendation is at most a short paragraph; a longer "item" is running text that a
list reading failed to stop, so it is neither extended further nor kept."""

_DEFAULT_WIDTH = 80
"""Line width assumed when a text has too few long lines to measure its own."""
_MIN_MEASURED_LINES = 5
_MIN_MEASURED_CHARS = 30
_FULL_LINE_QUANTILE = 0.9
"""A full line is as long as the 90th percentile of lines of 30 characters or more (shorter
ones are headings and list stubs): wrapped paragraphs fill their lines, short lines end them."""

_SHORT_LINE = 0.75
"""A line ending before this share of the width ended its paragraph (a proportional font
makes the measured width approximate, so a line only a little short proves nothing)."""

_LIST_TAIL = re.compile(r"(?:\s*[;,]\s*(?:och|samt|eller)?|\s+(?:och|samt|eller))$")
_ANSWER_LABELS = (
    "ställningstagande", "svar", "kommentar", "yttrande", r"åtgärd(?:er)?",
    r"planerade?\s+åtgärd(?:er)?", r"vidtagna\s+åtgärder", "ansvarig", "tidplan", "tidsplan",
)
"""The words (regular expressions) that open a reply's own label, after an optional
genitive: "Nämndens ställningstagande och åtgärder:", "Planerad åtgärd:", "Svar:"."""
# Such a label after a finished sentence starts the reply's answer.
_ANSWER_LABEL = re.compile(
    rf"(?<=[.!?])\s+(?:[\w-]+s\s+)?(?:{'|'.join(_ANSWER_LABELS)})\b[^.:!?]{{0,40}}:", re.I
)
_SUBJECT_START = re.compile(r"(?:Vi|Nämnden|Styrelsen|Förvaltningen|Det|Detta|Dessa)\b")


@dataclass
class Candidate:
    """A recommendation before its addressee is settled."""

    text: str
    page: int | None
    section: str
    group: int
    """Items of one list, label run or heading run share a group and an addressee."""
    own: tuple[str, ...] = ()
    """Bodies the item names itself as subject ("Kommunstyrelsen bör ...")."""
    lead: tuple[str, ...] = ()
    """Bodies named by the lead-in."""
    order: int = 0
    """Index of the line the candidate was read from, for keeping document order."""
    mention: bool = False
    """Read from a reply naming a recommendation ("rekommendationen att …"), not stating it."""


def line_width(lines: Sequence[Line]) -> int:
    """A typical full line length: lines ending before it closed their paragraph.

    Only lines the next line follows directly are measured: a paragraph written on one line
    (Word, Markdown) is followed by a blank line and says nothing about where text wraps.
    """
    lengths = sorted(
        len(line.text)
        for line, following in zip(lines, lines[1:], strict=False)
        if len(line.text) >= _MIN_MEASURED_CHARS and not following.blank_before
    )
    if len(lengths) < _MIN_MEASURED_LINES:
        return _DEFAULT_WIDTH
    return lengths[int(len(lengths) * _FULL_LINE_QUANTILE)]


def marker_text(line: Line) -> str:
    """The text of a list item line after its marker."""
    return line.text[line.marker.end :].strip() if line.marker else line.text


def is_boundary(line: Line) -> bool:
    """Lines that never continue a recommendation: headings, labels, list markers."""
    return bool(
        line.md_level
        or line.bold
        or recommendation_label(line.text)
        or opens_with_label(line.text)
        or line.marker
    )


def _would_fit(previous: Line, line: Line, width: int) -> bool:
    """Whether the first word of `line` had room on `previous`: then a paragraph ended."""
    first = line.text.split(" ", 1)[0]
    return len(previous.text) + 1 + len(first) <= width


def continues(text: str, previous: Line, line: Line, width: int, strict: bool) -> bool:
    """Whether `line` continues a recommendation whose text so far is `text`."""
    if is_boundary(line):
        return False
    if not text:
        return True
    if line.blank_before:
        # A blank line (or a page break) inside a sentence: conversion artefact.
        return not ends_sentence(text) and (line.text[:1].islower() or awaits_continuation(text))
    if (
        line.text[:1].isupper()
        and not awaits_continuation(text)
        and len(previous.text) + 1 + len(line.text.split(" ", 1)[0]) <= _SHORT_LINE * width
    ):
        # A line well short of the width ended its paragraph, with or without a full stop:
        # an unpunctuated last item and the paragraph after it, with no blank line between.
        return False
    if ends_sentence(previous.text) and line.text[:1].isupper():
        if _would_fit(previous, line, width):
            return False
        if strict and (_SUBJECT_START.match(line.text) or BODY_RE.match(line.text)):
            return False
    return True


def finish(text: str) -> str:
    """Whitespace collapsed, the reply's answer after it cut off ("… Nämndens
    ställningstagande och åtgärder: …"), list punctuation (";", ", och") and stray emphasis
    trimmed."""
    text = " ".join(text.split()).strip(" *_")
    answer = _ANSWER_LABEL.search(text)
    if answer:
        text = text[: answer.start()]
    text = _LIST_TAIL.sub("", text)
    return text.strip()


def plausible(text: str) -> bool:
    """Two words or more, not too long, and not a question."""
    words = [word for word in text.split() if any(char.isalpha() for char in word)]
    return len(words) >= 2 and len(text) <= MAX_ITEM_CHARS and not text.endswith("?")
