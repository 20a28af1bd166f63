"""Where a Swedish sentence, list item or table cell ends: the one set of boundary rules.

Every line break ends a piece. Within a line, a piece ends at
* a sentence end: ".", "!" or "?", then a space and an upper-case letter, a digit, a
  quote, a parenthesis or a bullet, unless the full stop closes an abbreviation
  ("bl.a. Kommunstyrelsen", "enl. 3 kap.");
* a table cell: the " | " between the cells of a row;
* an inline bullet: "… följande: • Rutiner • Kontroller";
* an inline reply label, where a reply says what follows: "… avtalsuppföljning Åtgärd: …".
A line that opens with a bullet or an item number ("1. ", "2) ") is a list item, and so is
a piece that opens with a bullet: list items count as sentences whether or not they end
with a full stop.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.text.bullets import DASH_BULLETS, SYMBOL_BULLETS, list_marker, strip_bullet

ABBREVIATIONS: tuple[str, ...] = (
    "bl.a", "t.ex", "s.k", "m.m", "dvs", "ca", "nr", "kap", "jfr", "resp", "p.g.a", "enl",
    "fr.o.m", "t.o.m", "f.d", "inkl", "exkl", "ang", "s", "sid", "st", "p", "jan", "feb",
    "aug", "sept", "okt", "nov", "dec", "skr", "Skr", "prop", "Prop", "dnr", "Dnr",
)  # fmt: skip
"""Abbreviations whose full stop ends no sentence, even before a capital or a digit."""

REPLY_LABELS: tuple[str, ...] = (
    "Åtgärd", "Åtgärder", "Planerade åtgärder", "Vidtagna åtgärder", "Svar", "Kommentar",
    "Ansvarig", "Tidplan", "Tidsplan", "Uppföljning", "Rekommendation",
)  # fmt: skip
"""Labels a reply puts before its parts; one inside a line opens a new piece."""

_UPPER = "A-ZÀ-ÖØ-Þ"
_SYMBOLS = re.escape(SYMBOL_BULLETS)
_OPENERS = f"{_UPPER}0-9\"'»«“”„(\\[{_SYMBOLS}{re.escape(DASH_BULLETS)}\\\\"
_NOT_ABBREVIATION = "".join(rf"(?<!\b{re.escape(a)}\.)" for a in ABBREVIATIONS)
_SENTENCE_END = rf"(?<=[.!?]){_NOT_ABBREVIATION}\s+(?=[{_OPENERS}])"
# Only bullet symbols separate items inside a line: a dash there is punctuation
# ("Arbetet – som pågår – ska vara klart").
_INLINE_BULLET = rf"\s+(?=[{_SYMBOLS}]\s)"
_LABEL = rf"\s+(?=(?:{'|'.join(REPLY_LABELS)})(?:\s+\d{{1,2}})?\s*:)"
_CELL = r"\s+\|\s+"
_BOUNDARY = re.compile(f"{_SENTENCE_END}|{_CELL}|{_INLINE_BULLET}|{_LABEL}")
_VERBATIM_BOUNDARY = re.compile(f"{_SENTENCE_END}|{_INLINE_BULLET}|{_LABEL}")
_ENDS_SENTENCE = ".!?"


def split_sentences(text: str, *, verbatim: bool = False) -> list[str]:
    """The sentences, list items and table cells of `text`, in order, without list markers.

    With `verbatim`, nothing but the whitespace at a boundary is dropped: pieces keep
    their bullets and item numbers and a table row stays one piece, so joining the pieces
    with spaces gives the text back up to whitespace.
    """
    return [piece for line in text.splitlines() for piece, _ in _pieces(line, verbatim)]


def complete_sentences(text: str) -> list[str]:
    """The whole sentences and list items of `text`: what can be quoted as a statement.

    Lines that end no sentence and are no list item (headings, letterheads, text an
    excerpt cut off) are left out, and so are pieces that end no sentence, unless they
    belong to a list item.
    """
    result: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if list_marker(stripped) is None and stripped[-1] not in _ENDS_SENTENCE:
            continue
        result.extend(
            piece for piece, item in _pieces(stripped) if item or piece[-1] in _ENDS_SENTENCE
        )
    return result


def _pieces(line: str, verbatim: bool = False) -> Iterator[tuple[str, bool]]:
    """(piece, whether it is a list item) for every piece of one line."""
    line = line.strip()
    marker = list_marker(line)
    body = line[marker.end :] if marker else line
    boundary = _VERBATIM_BOUNDARY if verbatim else _BOUNDARY
    for index, raw in enumerate(boundary.split(body)):
        piece = raw.strip()
        bullet = False
        if verbatim:
            if index == 0 and marker:
                piece = f"{line[: marker.end]}{piece}".strip()
        else:
            bulleted = strip_bullet(piece).strip()
            bullet, piece = bulleted != piece, bulleted
        if piece:
            yield piece, bool(marker) or bullet
