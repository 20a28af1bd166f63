"""What kind of document a text is: a type word heading it outweighs phrase cues below.

Scores: a type word heading one of the first `_HEADING_LINES` lines ("YTTRANDE",
"Revisionsrapport 2024") adds most, less the further down it stands; each phrase cue in the
body adds its weight once. A cover letter signed by the auditors ("För revisorerna i ...")
is `missiv` when it stands alone and `granskning` when a report body follows it. The weights
were set by hand on the sample corpus, where they type every document right.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.metadata.cleanup import BODY_CHARS, dehyphenate, header_lines, normalise
from ingest.vocabulary import DocType

DOC_TYPES: tuple[DocType, ...] = tuple(DocType)
"""Every type `infer_doc_type` can give, in the order ties are broken."""

_HEADING_LINES = 40
"""How many lines from the top a type word may head the document from."""
_POSITION_DISCOUNT = 0.5
"""A type heading on the last of those lines counts half as much as one on the first."""
_STANDALONE_HEADING = 10.0
"""A line that is only a type word ("YTTRANDE", "Revisionsrapport 2024"): decisive alone."""
_HEADING_IN_TITLE = 5.0
"""A type word opening a longer line ("Yttrande över revisionsrapport ...")."""
_AUDIT_HEADING_IN_TITLE = 3.0
"""An audit title ("Revisionsrapport ...", "Granskning av ...") opening a line: replies quote
report titles, so this weighs less than other types' words."""
_MIN_TYPE_SCORE = 4.0
"""Less evidence than this for every type gives `other`: one weak cue decides nothing."""
_SIGNATURE_CHARS = 8000
"""The auditors sign a cover letter within its first pages."""
_AUDITOR_SIGNATURE_WEIGHT = 3.0
_MIN_PARAGRAPHS = 2
_PARAGRAPHS_WEIGHT = 4.0
"""Minutes number their items "§ 12": two such lines are strong evidence of protokoll."""
_MIN_COVER_LETTER_SCORE = 6.0
"""Missiv evidence above which a signed cover letter decides between missiv and granskning."""
_MIN_REPORT_CHARS = 400
_MIN_REPORT_CUES = 2
"""A report follows a cover letter when 400+ characters with two report cues come after it."""
_MAX_TYPE_HEADING_CHARS = 120
"""Longer lines are sentences that mention a type, not headings naming it."""

_TYPE_HEADINGS: tuple[tuple[DocType, re.Pattern[str]], ...] = (
    (DocType.TJANSTESKRIVELSE, re.compile(r"(?:tjänsteskrivelse|tjänsteutlåtande)\b", re.I)),
    (DocType.YTTRANDE, re.compile(r"yttrande\b", re.I)),
    (
        DocType.PROTOKOLL,
        re.compile(
            r"(?:sammanträdesprotokoll|protokollsutdrag|utdrag\s+ur\s+protokoll|"
            r"justerat\s+protokoll|protokoll)\b",
            re.I,
        ),
    ),
    (
        DocType.MISSIV,
        re.compile(r"(?:missiv|följebrev|revisionsskrivelse|revisorernas\s+skrivelse)\b", re.I),
    ),
    (DocType.GRANSKNING, re.compile(r"(?:revisionsrapport|granskningsrapport)\b", re.I)),
)
_AUDIT_TITLE = re.compile(
    r"(?:en\s+)?(?:(?:uppföljande|fördjupad|grundläggande|förnyad)\s+)?granskning\s+av\b"
    r"|uppföljning\s+av\s+(?:tidigare\s+)?granskning",
    re.I,
)

_CUES_FILE = Path(__file__).with_name("doc_type_cues.tsv")
"""Phrase cues as data: type, weight and pattern, one per line."""


def _read_cues(path: Path) -> tuple[tuple[DocType, float, re.Pattern[str]], ...]:
    """Each cue counts its weight once, wherever it appears in the examined text."""
    cues = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, weight, pattern = line.split("\t")
            cues.append((DocType(kind), float(weight), re.compile(pattern, re.I)))
    return tuple(cues)


_CUES = _read_cues(_CUES_FILE)
_PARAGRAPH_LINE = re.compile(r"^[ #*]*§\s*\d+", re.MULTILINE)
_AUDITOR_SIGNATURE = re.compile(
    r"(?:\bFör|\bFÖR)\s+(?:[\w-]+\s+){0,3}?(?:revisorerna|revisorer|REVISORERNA|REVISORER)\b"
)
_REPORT_BODY_CUES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I)
    for p in (
        r"\binnehåll(?:sförteckning)?\b",
        r"\bsammanfattning\b",
        r"\brevisionskriterier\b",
        r"\brevisionsfråg",
        r"\bavgränsning",
        r"\bbakgrund\b",
        r"\bmetod\b",
        r"\binledning\b",
        r"\bgenomförd\s+på\s+uppdrag\s+av\b",
        r"\b(?:har|vi)\s+(?:\w+\s+){0,6}?granskat\b",
        r"\brevisionsrapport\b",
        r"\b(?:vår\s+(?:sammanfattande\s+)?bedömning|vi\s+bedömer)\b",
    )
)


def heading_type(line: str) -> tuple[DocType, bool] | None:
    """The document type a line announces, and whether the line is only that word."""
    if len(line) > _MAX_TYPE_HEADING_CHARS:
        return None
    for kind, pattern in _TYPE_HEADINGS:
        m = pattern.match(line)
        if m:
            rest = line[m.end() :].strip(" :.-–—\"”“'")
            standalone = rest == "" or re.fullmatch(r"(?:19|20)\d\d", rest) is not None
            return kind, standalone
    return None


def _type_scores(clean: str, cue_text: str) -> dict[DocType, float]:
    """Evidence for each type: headings near the top (weighted by position) plus phrase cues."""
    scores = dict.fromkeys(DocType, 0.0)
    seen_heading: set[DocType] = set()
    audit_title_seen = False
    for idx, line in enumerate(header_lines(clean)[:_HEADING_LINES]):
        factor = 1.0 - _POSITION_DISCOUNT * idx / _HEADING_LINES
        found = heading_type(line.text)
        if found is not None and found[0] not in seen_heading:
            kind, standalone = found
            seen_heading.add(kind)
            if standalone:
                weight = _STANDALONE_HEADING
            elif kind == DocType.GRANSKNING:
                weight = _AUDIT_HEADING_IN_TITLE
            else:
                weight = _HEADING_IN_TITLE
            scores[kind] += weight * factor
        elif found is None and not audit_title_seen and _AUDIT_TITLE.match(line.text):
            audit_title_seen = True
            scores[DocType.GRANSKNING] += _AUDIT_HEADING_IN_TITLE * factor
    for kind, weight, pattern in _CUES:
        if pattern.search(cue_text):
            scores[kind] += weight
    if _AUDITOR_SIGNATURE.search(cue_text[:_SIGNATURE_CHARS]):
        scores[DocType.MISSIV] += _AUDITOR_SIGNATURE_WEIGHT
    if len(_PARAGRAPH_LINE.findall(cue_text[:BODY_CHARS])) >= _MIN_PARAGRAPHS:
        scores[DocType.PROTOKOLL] += _PARAGRAPHS_WEIGHT
    return scores


def _report_follows_cover_letter(cue_text: str) -> bool | None:
    """None when there is no auditors' signature; else whether a report body follows it."""
    sig = _AUDITOR_SIGNATURE.search(cue_text[:_SIGNATURE_CHARS])
    if sig is None:
        return None
    tail = cue_text[sig.end() :]
    if len(tail) < _MIN_REPORT_CHARS:
        return False
    return sum(1 for p in _REPORT_BODY_CUES if p.search(tail)) >= _MIN_REPORT_CUES


def doc_type_from(clean: str, cue_text: str) -> DocType:
    """The type with the most evidence in normalised text (`cue_text`: its dehyphenated body)."""
    scores = _type_scores(clean, cue_text)
    best = max(DOC_TYPES, key=lambda k: scores[k])
    if scores[best] < _MIN_TYPE_SCORE:
        return DocType.OTHER
    if best in (DocType.MISSIV, DocType.GRANSKNING):
        follows = _report_follows_cover_letter(cue_text)
        # A cover letter sending a report, with the report in the same file, is filed as the
        # report: the letter is a page, the report is the substance. A letter alone is missiv.
        if follows is not None and scores[DocType.MISSIV] >= _MIN_COVER_LETTER_SCORE:
            return DocType.GRANSKNING if follows else DocType.MISSIV
    return best


def infer_doc_type(text: str) -> DocType:
    """granskning, missiv, yttrande, tjansteskrivelse, protokoll or other (see the package doc)."""
    clean = normalise(text)
    return doc_type_from(clean, dehyphenate(clean[:BODY_CHARS]))
