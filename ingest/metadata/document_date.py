"""The document's own date, chosen among the dates its header mentions.

Finding and reading dates is `ingest.text.dates`; this module decides which one dates the
document: the one labelled "Datum", else one standing on its own line, else the first one,
never a deadline or a reference ("senast den ...", "daterad ...").
"""

from __future__ import annotations

import re

from ingest.metadata.cleanup import HEADER_CHARS, header_lines, normalise
from ingest.text.dates import find_dates

_LABEL_WINDOW_LINES = 3
"""A "Datum" label's value is on its line or one of the two lines after it."""
_LABEL_WINDOW_CHARS = 300
_STANDALONE_CHARS = 3000
"""How much of the header is searched for a date standing on its own line."""
_FIRST_DATE_CHARS = 1500
"""How much of the header the last resort, the first date, may come from."""
_CONTEXT_CHARS = 30
"""How much text before a date tells a deadline or a reference ("senast den")."""

_DATE_LABEL = re.compile(
    r"(?:^|(?<=[ ]{2}))[ #*]*(?:datum|sammanträdesdatum|beslutsdatum)[ *]*:?[ *]*(?=$|\d)",
    re.IGNORECASE | re.MULTILINE,
)
_NOT_DOC_DATE = re.compile(
    r"(?:senast|daterad|daterat|dat\.|per|inkommen|inkom|från\s+och\s+med|fr\.\s?o\.\s?m\.?|"
    r"till\s+och\s+med|t\.\s?o\.\s?m\.?|sedan|före|efter|innan|mellan)\s*(?:den\s*)?$",
    re.IGNORECASE,
)


_PLACE_AND_DEN = re.compile(r"(?:[A-ZÅÄÖ][\w-]{1,20},?)?(?:\s*den)?")


def _is_doc_date_context(text: str, start: int) -> bool:
    """False for deadlines and references ("senast den ...", "daterad ...", "per ...")."""
    return _NOT_DOC_DATE.search(text[max(0, start - _CONTEXT_CHARS) : start]) is None


def infer_date(text: str) -> str:
    """The document's date: next to a "Datum" label, else a date on its own line, else the
    first date of the header; a bare month and year gives nothing."""
    header = normalise(text)[:HEADER_CHARS]
    for m in _DATE_LABEL.finditer(header):
        window_end = m.end()
        for _ in range(_LABEL_WINDOW_LINES):
            nl = header.find("\n", window_end + 1)
            window_end = len(header) if nl < 0 else nl
        found = find_dates(header[m.end() : min(window_end, m.end() + _LABEL_WINDOW_CHARS)])
        if found:
            return found[0].iso
    for line in header_lines(header, _STANDALONE_CHARS):
        for start, end, iso in find_dates(line.text):
            rest = (line.text[:start] + line.text[end:]).strip(" ,.;:-–")
            standalone = rest == "" or _PLACE_AND_DEN.fullmatch(rest)
            if standalone and _is_doc_date_context(line.text, start):
                return iso
    first = header[:_FIRST_DATE_CHARS]
    for start, _end, iso in find_dates(first):
        if _is_doc_date_context(first, start):
            return iso
    return ""
