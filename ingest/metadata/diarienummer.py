"""Registration numbers (diarienummer): which one is the document's own, which it refers to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.metadata.cleanup import HEADER_CHARS, normalise
from ingest.vocabulary import REPLY_TYPES, DocType

_LETTERHEAD_NUMBERED = (*REPLY_TYPES, DocType.PROTOKOLL)
"""Types whose letterhead carries their own number, unlabelled, at the very top."""
_LETTERHEAD_CHARS = 300
"""How much of the top of a reply or minutes is its letterhead."""
_LABEL_VALUE_CHARS = 80
"""How far after a "Dnr" label its number may stand (the label's line or the next)."""
_THEIR_LABEL_CHARS = 30
"""How far before a number an "Er beteckning" label makes it the addressee's."""

_DNR_RE = re.compile(
    r"(?<![\w/.-])(?:"
    r"(?P<pre>[A-ZÅÄÖ]{1,6})(?P<sep>[- /])(?P<year>(?:19|20)\d\d)[-/]"
    r"(?P<num>\d{1,6})(?P<suf>\.\d{1,6})?"
    r"|(?P<rpre>[A-ZÅÄÖ][a-zåäö]{1,5})/(?P<rnum>\d{1,6})-(?P<ryear>(?:19|20)\d\d)"
    r")(?![\w-]|[/.]\d)"
)


@dataclass(frozen=True)
class Dnr:
    """A registration number found in a text."""

    text: str
    """As written, whitespace collapsed."""
    key: str
    """The same number however it is written ("KS 2021/0042" and "KS-2021-42" agree)."""
    start: int
    end: int


def iter_dnr(text: str) -> Iterator[Dnr]:
    """Registration numbers in `text`, skipping a date written after a body ("KF 2021-03")."""
    for m in _DNR_RE.finditer(text):
        if m.group("pre"):
            num = m.group("num")
            if m.group("sep") == " " and len(num) == 2 and 1 <= int(num) <= 12:
                continue
            key = f"{m.group('pre')}|{m.group('year')}|{num.lstrip('0')}{m.group('suf') or ''}"
        else:
            key = f"{m.group('rpre').upper()}|{m.group('ryear')}|{m.group('rnum').lstrip('0')}"
        yield Dnr(" ".join(m.group(0).split()), key, m.start(), m.end())


def _distinct(text: str, seen: set[str]) -> list[str]:
    """Registration numbers in `text` not already `seen`, first appearance first."""
    out: list[str] = []
    for d in iter_dnr(text):
        if d.key not in seen:
            seen.add(d.key)
            out.append(d.text)
    return out


def find_diarienummer(text: str) -> list[str]:
    """Every registration number in `text`, in order of first appearance, deduplicated."""
    return _distinct(text, set())


_DNR_LABEL = re.compile(
    r"(?<![\w])(?:(?P<their>Er|Ert|Eder)\s+)?"
    r"(?:diarienummer|diarienr|dnr|vår\s+beteckning|vårt\s+diarienummer|vårt\s+dnr|"
    r"ärendenummer|ärendenr)\b[.:]?",
    re.IGNORECASE,
)
_THEIR_LABEL_BEFORE = re.compile(
    r"\b(?:er|ert|eder)\s+(?:referens|beteckning|dnr|diarienummer)\b[.:]?\s*$", re.I
)


def own_diarienummer(text: str, doc_type: str = DocType.OTHER, title: str = "") -> str:
    """The document's own number: after a Dnr label, else atop a reply, else in its title.

    A number after "Er beteckning"/"Er referens" is the addressee's and never own.
    """
    header = normalise(text)[:HEADER_CHARS]
    for m in _DNR_LABEL.finditer(header):
        if m.group("their"):
            continue
        # The value sits on the label's line or the next non-empty one.
        value = header[m.end() : m.end() + _LABEL_VALUE_CHARS].lstrip(" :.\n")
        window = "\n".join(value.split("\n")[:2])
        found = next(iter_dnr(window), None)
        if found is not None:
            return found.text
    if doc_type in _LETTERHEAD_NUMBERED:
        for d in iter_dnr(header[:_LETTERHEAD_CHARS]):
            before = header[max(0, d.start - _THEIR_LABEL_CHARS) : d.start]
            if not _THEIR_LABEL_BEFORE.search(before):
                return d.text
    found = next(iter_dnr(title), None)
    return found.text if found is not None else ""


def refers_to(text: str, own: str) -> tuple[str, ...]:
    """Registration numbers other than the document's own, first appearance first."""
    own_key = next((d.key for d in iter_dnr(own)), None)
    return tuple(_distinct(text, set() if own_key is None else {own_key}))
