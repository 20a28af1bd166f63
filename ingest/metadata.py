"""Infer what a document says about itself: type, date, numbers, bodies, place and title.

Everything here is a pure function of the converted text (never of the file name), so the
same rules apply to unseen documents. A value the text does not state stays empty rather
than guessed. Header fields are read from the first `HEADER_CHARS` characters, frequency
fields from the first `BODY_CHARS`; every pattern is linear, so arbitrary input is safe.

Rules worth knowing:
- Type: a type word heading one of the first 40 lines ("YTTRANDE", "## Tjänsteskrivelse",
  "Revisionsrapport 2024", "Protokoll") outweighs phrase cues found in the rest of the text.
  A cover letter signed by the auditors ("För revisorerna i ...") is `missiv` when it
  stands alone and `granskning` when a report body (contents, Sammanfattning,
  revisionsfrågor, ...) follows the signature: the file is then mostly the report.
- Own number: the one after a Diarienummer/Dnr/Vår beteckning label; else, for replies
  and minutes, the first one in the letterhead; else one in the title. All others, in
  order, are `refers_to`.
- Organs: for replies the board that answers ("... föreslås besluta", "Förslag till
  beslut i ..."), for audits and cover letters the boards audited or addressed ("Till",
  "... rekommenderas att"); never the auditors themselves.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from ingest.models import DocMetadata

__all__ = [
    "infer_metadata",
    "infer_doc_type",
    "infer_date",
    "infer_title",
    "infer_organs",
    "infer_municipality",
    "find_diarienummer",
    "find_dates",
    "own_diarienummer",
]

HEADER_CHARS = 6000
"""How much of the text header fields (date, own number, title, type headings) look at."""
BODY_CHARS = 20000
"""How much of the text the frequency-based fields (type cues, organs, place) look at."""
MAX_ORGANS = 3
MAX_TITLE = 200

DOC_TYPES = ("granskning", "missiv", "yttrande", "tjansteskrivelse", "protokoll", "other")

# --------------------------------------------------------------------------- text cleanup

_TRANSLATE = str.maketrans(
    {
        "\xa0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\t": " ",
        "\x0c": "\n",
        "\u200b": None,
        "\ufeff": None,
        "\u00ad": None,
    }
)
_HTML_COMMENT = re.compile(r"<!--[^\n]{0,200}?-->")
_HYPHEN_BREAK = re.compile(
    r"([a-zåäö])-[ ]*\n[ \n]*(?!(?:och|eller|samt|respektive|till)\b)([a-zåäö])"
)
_MD_HEADING = re.compile(r"#{1,6}\s+")
_GAP = re.compile(r"[ ]{3,}")
_BULLET = re.compile(r"[•►▪■●◦‣∙·\-–*]\s+")


def _normalise(text: str) -> str:
    """Unify line breaks and odd spaces and drop `<!-- sida N -->` markers."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATE)
    return _HTML_COMMENT.sub("", text)


def _dehyphenate(text: str) -> str:
    """Undo end-of-line hyphenation ("revis-\\nionsrapport") so phrase cues match."""
    return _HYPHEN_BREAK.sub(r"\1\2", text)


def _strip_line(line: str) -> tuple[str, bool]:
    """A line without markdown heading marks, emphasis and bullets; and whether it was a heading."""
    s = line.strip()
    heading = False
    m = _MD_HEADING.match(s)
    if m:
        heading = True
        s = s[m.end() :]
    s = s.replace("*", "").replace("__", "").strip()
    m = _BULLET.match(s)
    if m:
        s = s[m.end() :]
    return " ".join(s.split()), heading


@dataclass(frozen=True)
class _Line:
    text: str
    heading: bool
    start: int
    """Offset of the line in the normalised text."""
    columns: tuple[str, ...]
    """Pieces of the raw line split at wide gaps (two-column letterheads and footers)."""


def _lines(text: str, limit: int = HEADER_CHARS) -> list[_Line]:
    """Non-empty, stripped lines of the first `limit` characters, with their offsets."""
    out: list[_Line] = []
    pos = 0
    for raw in text[:limit].split("\n"):
        s, heading = _strip_line(raw)
        if s:
            columns = tuple(c for c in (" ".join(p.split()) for p in _GAP.split(raw)) if c)
            out.append(_Line(s, heading, pos, columns))
        pos += len(raw) + 1
    return out


# ------------------------------------------------------------------------- diarienummer

_DNR_RE = re.compile(
    r"(?<![\w/.-])(?:"
    r"(?P<pre>[A-ZÅÄÖ]{1,6})(?P<sep>[- /])(?P<year>(?:19|20)\d\d)[-/]"
    r"(?P<num>\d{1,6})(?P<suf>\.\d{1,6})?"
    r"|(?P<rpre>[A-ZÅÄÖ][a-zåäö]{1,5})/(?P<rnum>\d{1,6})-(?P<ryear>(?:19|20)\d\d)"
    r")(?![\w-]|[/.]\d)"
)


@dataclass(frozen=True)
class _Dnr:
    text: str
    key: str
    start: int
    end: int


def _iter_dnr(text: str) -> Iterator[_Dnr]:
    """Registration numbers in `text`, skipping a date written after a body ("KF 2021-03")."""
    for m in _DNR_RE.finditer(text):
        if m.group("pre"):
            num = m.group("num")
            if m.group("sep") == " " and len(num) == 2 and 1 <= int(num) <= 12:
                continue
            key = f"{m.group('pre')}|{m.group('year')}|{num.lstrip('0')}{m.group('suf') or ''}"
        else:
            key = f"{m.group('rpre').upper()}|{m.group('ryear')}|{m.group('rnum').lstrip('0')}"
        yield _Dnr(" ".join(m.group(0).split()), key, m.start(), m.end())


def find_diarienummer(text: str) -> list[str]:
    """Every registration number in `text`, in order of first appearance, deduplicated."""
    seen: set[str] = set()
    out: list[str] = []
    for d in _iter_dnr(text):
        if d.key not in seen:
            seen.add(d.key)
            out.append(d.text)
    return out


_DNR_LABEL = re.compile(
    r"(?<![\w])(?:(?P<their>Er|Ert|Eder)\s+)?"
    r"(?:diarienummer|diarienr|dnr|vår\s+beteckning|vårt\s+diarienummer|vårt\s+dnr|"
    r"ärendenummer|ärendenr)\b[.:]?",
    re.IGNORECASE,
)


_THEIR_LABEL_BEFORE = re.compile(
    r"\b(?:er|ert|eder)\s+(?:referens|beteckning|dnr|diarienummer)\b[.:]?\s*$", re.I
)


def own_diarienummer(text: str, doc_type: str = "other", title: str = "") -> str:
    """The document's own number: after a Dnr label, else atop a reply, else in its title.

    A number after "Er beteckning"/"Er referens" is the addressee's and never own.
    """
    header = _normalise(text)[:HEADER_CHARS]
    for m in _DNR_LABEL.finditer(header):
        if m.group("their"):
            continue
        # The value sits on the label's line or the next non-empty one.
        window = "\n".join(header[m.end() : m.end() + 80].lstrip(" :.\n").split("\n")[:2])
        found = next(_iter_dnr(window), None)
        if found is not None:
            return found.text
    if doc_type in ("tjansteskrivelse", "yttrande", "protokoll"):
        for d in _iter_dnr(header[:300]):
            if not _THEIR_LABEL_BEFORE.search(header[max(0, d.start - 30) : d.start]):
                return d.text
    found = next(_iter_dnr(title), None)
    return found.text if found is not None else ""


def _refers_to(text: str, own: str) -> tuple[str, ...]:
    """Registration numbers other than the document's own, first appearance first."""
    own_key = next((d.key for d in _iter_dnr(own)), None)
    seen: set[str] = set() if own_key is None else {own_key}
    out: list[str] = []
    for d in _iter_dnr(text):
        if d.key not in seen:
            seen.add(d.key)
            out.append(d.text)
    return tuple(out)


# ------------------------------------------------------------------------------- dates

_MONTH_NAMES = (
    "januari februari mars april maj juni juli augusti september oktober november december"
)
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES.split(), start=1)}
_MONTH_ALT = "|".join(_MONTHS)
_ISO_DATE = re.compile(r"(?<![\w-])((?:19|20)\d\d)([-.])(\d\d)\2(\d\d)(?!\d)")
_LONG_DATE = re.compile(
    rf"(?<![\w])(\d{{1,2}})(?::[ae])?\s+({_MONTH_ALT})\s+((?:19|20)\d\d)(?!\d)", re.IGNORECASE
)
_MONTH_YEAR_ONLY = re.compile(rf"(?:{_MONTH_ALT})\s+(?:19|20)\d\d", re.IGNORECASE)
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


def _valid_iso(year: int, month: int, day: int) -> str:
    """ISO string of a real calendar date, or empty."""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def find_dates(text: str) -> list[tuple[int, int, str]]:
    """Valid full dates in `text` as (start, end, ISO), in text order."""
    found: list[tuple[int, int, str]] = []
    for m in _ISO_DATE.finditer(text):
        iso = _valid_iso(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if iso:
            found.append((m.start(), m.end(), iso))
    for m in _LONG_DATE.finditer(text):
        iso = _valid_iso(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
        if iso:
            found.append((m.start(), m.end(), iso))
    found.sort()
    return found


def _is_doc_date_context(text: str, start: int) -> bool:
    """False for deadlines and references ("senast den ...", "daterad ...", "per ...")."""
    return _NOT_DOC_DATE.search(text[max(0, start - 30) : start]) is None


def infer_date(text: str) -> str:
    """The document's date: next to a "Datum" label, else a date on its own line, else the
    first date of the header; a bare month and year gives nothing."""
    header = _normalise(text)[:HEADER_CHARS]
    for m in _DATE_LABEL.finditer(header):
        window_end = m.end()
        for _ in range(3):  # the label's line and the two lines after it
            nl = header.find("\n", window_end + 1)
            window_end = len(header) if nl < 0 else nl
        found = find_dates(header[m.end() : min(window_end, m.end() + 300)])
        if found:
            return found[0][2]
    for line in _lines(header, 3000):
        for start, end, iso in find_dates(line.text):
            rest = (line.text[:start] + line.text[end:]).strip(" ,.;:-–")
            standalone = rest == "" or _PLACE_AND_DEN.fullmatch(rest)
            if standalone and _is_doc_date_context(line.text, start):
                return iso
    first = header[:1500]
    for start, _end, iso in find_dates(first):
        if _is_doc_date_context(first, start):
            return iso
    return ""


# ---------------------------------------------------------------------------- doc type

_TYPE_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tjansteskrivelse", re.compile(r"(?:tjänsteskrivelse|tjänsteutlåtande)\b", re.I)),
    ("yttrande", re.compile(r"yttrande\b", re.I)),
    (
        "protokoll",
        re.compile(
            r"(?:sammanträdesprotokoll|protokollsutdrag|utdrag\s+ur\s+protokoll|"
            r"justerat\s+protokoll|protokoll)\b",
            re.I,
        ),
    ),
    (
        "missiv",
        re.compile(r"(?:missiv|följebrev|revisionsskrivelse|revisorernas\s+skrivelse)\b", re.I),
    ),
    ("granskning", re.compile(r"(?:revisionsrapport|granskningsrapport)\b", re.I)),
)
_HEADING_LINES = 40
_AUDIT_TITLE = re.compile(
    r"(?:en\s+)?(?:(?:uppföljande|fördjupad|grundläggande|förnyad)\s+)?granskning\s+av\b"
    r"|uppföljning\s+av\s+(?:tidigare\s+)?granskning",
    re.I,
)

# (type, weight, pattern): each cue counts once, wherever it appears in the examined text.
_CUES: tuple[tuple[str, float, re.Pattern[str]], ...] = tuple(
    (kind, weight, re.compile(pattern, re.I))
    for kind, weight, pattern in (
        ("tjansteskrivelse", 4, r"\bförslag\s+till\s+beslut\b"),
        ("tjansteskrivelse", 2, r"\bbeslutsunderlag\b"),
        ("tjansteskrivelse", 2, r"\bbeslutet\s+skickas\s+till\b"),
        ("tjansteskrivelse", 3, r"\btjänsteutlåtande\b"),
        ("tjansteskrivelse", 1, r"\bhandläggare\b"),
        ("tjansteskrivelse", 1, r"\bförslag\s+till\s+yttrande\b"),
        ("tjansteskrivelse", 2, r"\b(?:sammanfattning\s+av\s+|beskrivning\s+av\s+)?ärendet\b"),
        ("tjansteskrivelse", 2, r"\bföreslå[rs]\s+(?:\w+\s+){0,3}?besluta\b"),
        ("tjansteskrivelse", 1, r"\bsvar\s+på\s+(?:revisions|revisionens|granskning)"),
        ("yttrande", 1, r"\bsvar\s+på\s+(?:revisions|revisionens|granskning)"),
        ("yttrande", 5, r"\blämna\s+följande\s+yttrande\b"),
        ("yttrande", 2, r"\byttrande\s+över\b"),
        ("yttrande", 2, r"\bsammanfattande\s+inställning\b"),
        ("protokoll", 3, r"\bjuster(?:ing|are|ande|as)\b"),
        ("protokoll", 3, r"\butdragsbestyrkande\b"),
        ("protokoll", 2, r"\b(?:närvarande|beslutande|tjänstgörande\s+ersättare)\b"),
        ("protokoll", 1, r"\bsammanträde(?:sdatum)?\b"),
        ("missiv", 4, r"\böversänds\s+med\s+önskemål\b"),
        ("missiv", 2, r"\bönska[rs]\b"),
        ("missiv", 1, r"\bsenast\s+den\b"),
        ("missiv", 3, r"\bbifogade?\s+(?:revisions)?rapport"),
        ("missiv", 2, r"\bför\s+kännedom\b"),
        ("granskning", 5, r"\bgenomförd\s+på\s+uppdrag\s+av\b"),
        ("granskning", 2, r"\brevisionsrapport\b"),
        ("granskning", 2, r"\binnehåll(?:sförteckning)?\b"),
        ("granskning", 2, r"\brevisionskriterier\b"),
        ("granskning", 2, r"\brevisionsfråg"),
        ("granskning", 1, r"\bavgränsning"),
        ("granskning", 2, r"\b(?:vår\s+(?:sammanfattande\s+)?bedömning|vi\s+bedömer)\b"),
        ("granskning", 2, r"\bsammanfattande\s+bedömning\b"),
        ("granskning", 2, r"\b(?:har|vi)\s+(?:\w+\s+){0,6}?granskat\b"),
        ("granskning", 2, r"\bgenomfört\s+en\s+granskning\b"),
        ("granskning", 1, r"\brekommendationer\b"),
        ("granskning", 1, r"\brevisionskontoret\b"),
    )
)
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
_MIN_TYPE_SCORE = 4.0


def _heading_type(line: str) -> tuple[str, bool] | None:
    """The document type a line announces, and whether the line is only that word."""
    if len(line) > 120:
        return None
    for kind, pattern in _TYPE_HEADINGS:
        m = pattern.match(line)
        if m:
            rest = line[m.end() :].strip(" :.-–—\"”“'")
            standalone = rest == "" or re.fullmatch(r"(?:19|20)\d\d", rest) is not None
            return kind, standalone
    return None


def _type_scores(clean: str, cue_text: str) -> dict[str, float]:
    """Evidence for each type: headings near the top (weighted by position) plus phrase cues."""
    scores = dict.fromkeys(DOC_TYPES, 0.0)
    seen_heading: set[str] = set()
    audit_title_seen = False
    for idx, line in enumerate(_lines(clean)[:_HEADING_LINES]):
        factor = 1.0 - 0.5 * idx / _HEADING_LINES
        found = _heading_type(line.text)
        if found is not None and found[0] not in seen_heading:
            kind, standalone = found
            seen_heading.add(kind)
            if standalone:
                weight = 10.0
            else:
                weight = 3.0 if kind == "granskning" else 5.0
            scores[kind] += weight * factor
        elif found is None and not audit_title_seen and _AUDIT_TITLE.match(line.text):
            audit_title_seen = True
            scores["granskning"] += 3.0 * factor
    for kind, weight, pattern in _CUES:
        if pattern.search(cue_text):
            scores[kind] += weight
    if _AUDITOR_SIGNATURE.search(cue_text[:8000]):
        scores["missiv"] += 3.0
    if len(_PARAGRAPH_LINE.findall(cue_text[:BODY_CHARS])) >= 2:
        scores["protokoll"] += 4.0
    return scores


def _report_follows_cover_letter(cue_text: str) -> bool | None:
    """None when there is no auditors' signature; else whether a report body follows it."""
    sig = _AUDITOR_SIGNATURE.search(cue_text[:8000])
    if sig is None:
        return None
    tail = cue_text[sig.end() :]
    if len(tail) < 400:
        return False
    return sum(1 for p in _REPORT_BODY_CUES if p.search(tail)) >= 2


def _doc_type_from(clean: str, cue_text: str) -> str:
    scores = _type_scores(clean, cue_text)
    best = max(DOC_TYPES, key=lambda k: scores[k])
    if scores[best] < _MIN_TYPE_SCORE:
        return "other"
    if best in ("missiv", "granskning"):
        follows = _report_follows_cover_letter(cue_text)
        # A cover letter sending a report, with the report in the same file, is filed as the
        # report: the letter is a page, the report is the substance. A letter alone is missiv.
        if follows is not None and scores["missiv"] >= 6:
            return "granskning" if follows else "missiv"
    return best


def infer_doc_type(text: str) -> str:
    """granskning, missiv, yttrande, tjansteskrivelse, protokoll or other (see module doc)."""
    clean = _normalise(text)
    return _doc_type_from(clean, _dehyphenate(clean[:BODY_CHARS]))


# ------------------------------------------------------------------------------ organs

_ORGAN_RE = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<nf>(?:[Nn]ämnden|NÄMNDEN)[ ]+(?:för|FÖR)[ ]+(?:"
    r"[A-ZÅÄÖ]\w*(?:[ ]*(?:&|och|OCH)[ ]+(?!(?i:nämnd|kommunstyrelse|styrelse))\w+)?"
    r"|[a-zåäö]\w*[ ]*(?:&|och)[ ]+[a-zåäö]\w*))"
    r"|(?P<sf>[Ss]tyrelsen[ ]+för[ ]+[A-ZÅÄÖ]\w*(?:[ ]*(?:&|och)[ ]+\w+)?)"
    r"|(?P<ks>(?i:kommunstyrelsen|regionstyrelsen)(?i:s)?)"
    r"|(?P<adj>(?i:tekniska|sociala|gemensamma|kulturella|centrala)[ ]+(?i:nämnden)(?i:s)?)"
    r"|(?:Till|TILL):?[ ]*\n?[ ]*(?P<kf>(?i:kommunfullmäktige|regionfullmäktige))"
    r"|(?P<nd>(?:\w+-[ ]*(?:,[ ]*\w+-[ ]*){0,4}(?:och|&)[ ]+)?\w+(?i:nämnd)(?i:ens|en)?)"
    r")(?![\w])"
)
_NOT_ORGAN_PREFIX = ("fack", "huvud", "revision", "del", "samtliga", "berörd", "respektive")
_REPLY_AFTER = re.compile(
    r"\s*(?:föreslås|föreslår|beslutade|beslutar|beslöt|antar|godkänner|yttrade|yttrar|"
    r"lämnar\s+följande|beslut\b|yttrande\b|har\s+i\s+yttrandet)",
    re.I,
)
_REPLY_BEFORE = re.compile(r"(?:förslag\s+till\s+beslut\s+i|ordförande|föreslår)\s*$", re.I)
_AUDIT_BEFORE = re.compile(
    r"(?:\btill:?|rekommenderas|bedöma\s+om|bedömning\s+är\s+att|bedömning\s+att|avser|"
    r"granskat(?:\s+om)?|granskning\s+av|granska|önskar\s+(?:få|att)(?:\s+\w+\s+och)?|"
    r"ansvarig\s+nämnd:?|"
    r"svar\s+från|yttrande\s+från)\s*$",
    re.I,
)
_AUDIT_AFTER = re.compile(
    r"\s*(?:rekommenderas|bör\b|har\s+inte|inte\s+har|har\s+en\b|har\s+säkerställt|"
    r"säkerställer|har\s+vidtagit|lämnar\s+synpunkter|endast\s+delvis|svar\b)",
    re.I,
)


def _cap(s: str) -> str:
    """Initial capital, rest as written (all-caps words are lowered first)."""
    if s.isupper():
        s = s.lower()
    return s[:1].upper() + s[1:]


def _organ_name(m: re.Match[str], text: str) -> str | None:
    """The display name of an organ mention, genitive undone; None for generic words."""
    if m.group("ks"):
        word = m.group("ks").lower()
        return "Regionstyrelsen" if word.startswith("region") else "Kommunstyrelsen"
    if m.group("kf"):
        return _cap(m.group("kf").lower())
    raw = m.group("nf") or m.group("sf")
    if raw:
        name = " ".join(raw.split())
        head, _, tail = name.split(" ", 2)  # "Nämnden", "för", the field
        follower = re.match(r"[ ]+([a-zåäö]+)", text[m.end() : m.end() + 30])
        if tail.endswith("s") and follower and follower.group(1) not in ("och", "eller"):
            tail = tail[:-1]  # "Nämnden för Services riskanalys"
        if tail.isupper():  # "NÄMNDEN FÖR KULTUR OCH FRITID"
            tail = " ".join(w.lower() if w == "OCH" else w.capitalize() for w in tail.split())
        return f"{_cap(head.lower())} för {tail}"
    if m.group("adj"):
        words = m.group("adj").lower().split()
        return f"{words[0].capitalize()} nämnden"
    raw = m.group("nd") or ""
    name = " ".join(raw.split())
    last = name.split(" ")[-1].lower()
    prefix = last[: last.find("nämnd")]
    if not prefix or prefix.startswith(_NOT_ORGAN_PREFIX):
        return None
    if name.lower().endswith("nämndens"):
        name = name[:-1]
    return _cap(name.lower() if name.isupper() else name)


def _organ_key(name: str) -> str:
    return " ".join(name.lower().replace("&", "och").split())


@dataclass
class _OrganStats:
    names: Counter[str]
    first: int
    score: float = 0.0
    reply_cues: int = 0
    audit_cues: int = 0
    header: bool = False


def _letterhead_spans(clean: str) -> list[tuple[int, int]]:
    """Short lines among the first eight: where a letter names its sender or addressee."""
    return [
        (ln.start, ln.start + len(ln.text) + 40)
        for ln in _lines(clean, 2000)[:8]
        if len(ln.text) <= 80
    ]


def _organ_stats(clean: str) -> dict[str, _OrganStats]:
    body = clean[:BODY_CHARS]
    letterhead = _letterhead_spans(clean)
    stats: dict[str, _OrganStats] = {}
    for m in _ORGAN_RE.finditer(body):
        name = _organ_name(m, body)
        if name is None:
            continue
        start = m.start("kf") if m.group("kf") else m.start()
        key = _organ_key(name)
        st = stats.get(key)
        if st is None:
            st = stats[key] = _OrganStats(Counter(), start)
        st.names[name] += 1
        st.score += 1.5 if start < 2000 else 1.0
        before, after = body[max(0, start - 40) : start], body[m.end() : m.end() + 40]
        if _REPLY_AFTER.match(after) or _REPLY_BEFORE.search(before):
            st.reply_cues += 1
        if m.group("kf") or _AUDIT_AFTER.match(after) or _AUDIT_BEFORE.search(before):
            st.audit_cues += 1
        if any(a <= start < b for a, b in letterhead):
            st.header = True
    # Merge a genitive key into its base form ("nämnden för fritids" -> "... fritid").
    for key in [k for k in stats if k.endswith("s") and k[:-1] in stats]:
        base, gen = stats[key[:-1]], stats.pop(key)
        # Count the genitive mentions towards the base spelling, never show them.
        base.names[base.names.most_common(1)[0][0]] += sum(gen.names.values())
        base.first = min(base.first, gen.first)
        base.score += gen.score
        base.reply_cues += gen.reply_cues
        base.audit_cues += gen.audit_cues
        base.header = base.header or gen.header
    return stats


def _organs_from(clean: str, doc_type: str) -> tuple[str, ...]:
    stats = _organ_stats(clean)
    if not stats:
        return ()

    def cues(st: _OrganStats) -> int:
        if doc_type in ("yttrande", "tjansteskrivelse"):
            return st.reply_cues
        if doc_type in ("granskning", "missiv"):
            return st.audit_cues
        return st.reply_cues + st.audit_cues

    def rank(st: _OrganStats) -> tuple[float, int]:
        return (-(st.score + 4 * cues(st) + (3 if st.header else 0)), st.first)

    chosen = [st for st in stats.values() if cues(st)]
    if not chosen or doc_type not in ("yttrande", "tjansteskrivelse"):
        chosen += [st for st in stats.values() if st.header and not cues(st)]
    if not chosen:
        chosen = sorted(stats.values(), key=rank)[:1]
    chosen.sort(key=rank)
    out: list[str] = []
    for st in chosen[:MAX_ORGANS]:
        # The most used spelling; on a tie the one with more capitals ("Kultur & Fritid").
        name = max(st.names, key=lambda n: (st.names[n], sum(c.isupper() for c in n)))
        out.append(name)
    return tuple(out)


def infer_organs(text: str, doc_type: str | None = None) -> tuple[str, ...]:
    """The writing (replies) or audited/addressed (audits) bodies, most salient first."""
    clean = _normalise(text)
    kind = doc_type if doc_type is not None else infer_doc_type(text)
    return _organs_from(clean, kind)


# ------------------------------------------------------------------------ municipality

_PLACE_PREFIX = r"(?:(?:Upplands|Lilla|Stora|Östra|Västra|Norra|Södra|Övre|Nedre)[ ])?"
_MUNI_RE = re.compile(
    r"(?<![\w-])(?:"
    rf"(?P<place>{_PLACE_PREFIX}[A-ZÅÄÖ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?)[ ]+"
    r"(?P<kind>kommun|stad|Stad)(?:s)?"
    r"|(?P<uplace>[A-ZÅÄÖ]{2,}(?:-[A-ZÅÄÖ]{2,})?)[ ]+(?P<ukind>KOMMUN|STAD)(?:S)?"
    r"|(?P<rplace>[A-ZÅÄÖ][a-zåäö]+)[ ]+(?P<rkind>stads|kommun)revision(?:en|ens)?"
    r"|Region[ ]+(?P<region>[A-ZÅÄÖ][a-zåäö]+(?:[ ]+[A-ZÅÄÖ][a-zåäö]+)?)"
    r")(?![\w])"
)
_NOT_PLACE = frozenset(
    "varje en ett denna den det samma vilken vår vårt er ert hela annan annat egen eget ny "
    "nya ingen någon respektive berörd övrig större mindre stor liten i inom per som att från "
    "mot hos för till av med och eller samt vilka sin sitt dess deras aktuell ansvarig "
    "enskild alla olika svensk svenska sveriges landets varje hemkommun kommunens dessa "
    "nämnda ovan samtliga vid på under efter".split()
)


def _place_name(m: re.Match[str]) -> str | None:
    """The municipality a match names ("Huddinge kommuns" -> "Huddinge kommun")."""
    if m.group("region"):
        return f"Region {m.group('region')}"
    if m.group("uplace"):
        place = "-".join(p.capitalize() for p in m.group("uplace").split("-"))
        kind = m.group("ukind").lower()
    elif m.group("rplace"):
        place = m.group("rplace")
        kind = "stad" if m.group("rkind") == "stads" else "kommun"
    else:
        place, kind = m.group("place"), m.group("kind")  # "Borås Stad" keeps its capital
    if place.split(" ")[0].lower() in _NOT_PLACE:
        return None
    return f"{place} {kind}"


def infer_municipality(text: str) -> str:
    """The municipality or region the text names most often (earliest on a tie), or empty."""
    body = _normalise(text)[:BODY_CHARS]
    counts: dict[str, float] = {}
    first: dict[str, int] = {}
    shown: dict[str, Counter[str]] = {}
    for m in _MUNI_RE.finditer(body):
        name = _place_name(m)
        if name is None:
            continue
        key = name.lower()
        weight = 0.5 if m.group("rplace") else 1.0
        counts[key] = counts.get(key, 0.0) + weight * (1.5 if m.start() < 2000 else 1.0)
        first.setdefault(key, m.start())
        shown.setdefault(key, Counter())[name] += 1
    if not counts:
        return ""
    key = min(counts, key=lambda k: (-counts[k], first[k]))
    return shown[key].most_common(1)[0][0]


# ------------------------------------------------------------------------------- title

_ARTIFACT_LINE = re.compile(
    r"(?:no\s+results\s+found|n/a|protected|copied!?|full\s+text|transkript|loading\b.*|"
    r"storlek:.*|starta\s+visningen.*|download\b.*|share\b.*|academic\s+year:.*|"
    r"\(\d+\)|\d+|\d+\s*\(\d+\)|\d+\s+av\s+\d+|sida\s+\d+.*|genomförd\s+på\s+uppdrag\b.*)",
    re.I,
)
_LABEL_LINE = re.compile(
    r"(?:datum|diarienummer|diarienr|dnr|vår\s+referens|er\s+referens|vår\s+beteckning|"
    r"er\s+beteckning|referens|adress|postadress|besöksadress|till|för\s+kännedom|"
    r"handläggare|telefon|tfn|e-post|epost|kontaktperson|beslutsinstans|ärendenummer|"
    r"sammanträdesdatum|beslutsdatum|mottagare|avsändare|plats\s+och\s+tid|beslutande|"
    r"närvarande|övriga\s+(?:närvarande|deltagande)|(?:ej\s+)?tjänstgörande\s+ersättare|"
    r"justerare|justering(?:ens\s+plats\s+och\s+tid)?|utses\s+att\s+justera|sekreterare|"
    r"underskrifter|paragrafer)\b\s*(?P<colon>:)?\s*(?P<rest>.*)",
    re.I,
)
_SECTION_LINE = re.compile(
    r"(?:\d+(?:\.\d+)*\.?\s+)?(?:sammanfattning|innehåll|innehållsförteckning|inledning|"
    r"bakgrund|förslag\s+till\s+beslut|beslutsunderlag|ärendet|beskrivning\s+av\s+ärendet|"
    r"sammanfattning\s+av\s+ärendet|ärendebeskrivning|beslut|bilagor?|syfte|metod|"
    r"rekommendationer|slutsatser|ansvariga|beslutet\s+skickas\s+till|beslutsplanering|"
    r"sammanfattande\s+inställning|yttrande|tjänsteskrivelse|protokoll)\s*:?",
    re.I,
)
_ROLE_LINE = re.compile(
    r"(?:\w*chef|\w*sekreterare|ordförande|\w*handläggare|\w*direktör|\w*ledare|controller|"
    r"\w*revisor|\w*konsult)",
    re.I,
)
_CONTACT = re.compile(r"\+?[\d ()-]{6,}|\d{3}\s?\d{2}\s+[A-ZÅÄÖ]\w*|\S*(?:@|www\.|https?://)\S*")
_NAME_WORDS = re.compile(
    r"\b(?:revisorerna|revisorer|revisorernas|kommunrevisionen|stadsrevisionen|"
    r"revisorskollegiet|revisionskontoret|kommunfullmäktiges?)\b",
    re.I,
)
_NAME_FILLERS = re.compile(r"\b(?:för|i|till|och|kännedom|kopia|presidium)\b", re.I)
_CONNECTOR_END = re.compile(
    r"(?:\b(?:av|och|i|för|till|om|med|på|inom|kring|vid|samt|avseende|gällande|rörande|"
    r"angående|kopplade|kopplad|över|mot|från|efter|under|hos|en|ett|de|det|den)|[-–,])$",
    re.I,
)
_REPORT_PREFIX = re.compile(
    r"(?:(?:revisionsrapport|granskningsrapport)\s*(?:(?:19|20)\d\d)?\s*[:–—-]?"
    r"|(?:missiv|följebrev|revisionsskrivelse|tjänsteskrivelse|protokollsutdrag)\s*[:–—-])"
    r"\s*[\"”“'’]?\s*",
    re.I,
)
_TITLE_STARTER = re.compile(
    r"(?<!\w)(?:(?:en\s+)?granskning\s+av|uppföljning(?:en)?\s+av|svar\s+på|yttrande\s+över|"
    r"revisionsrapport:?)\s",
    re.I,
)
_TITLE_STOP = re.compile(
    r"\s(?:förslag\s+till\s+beslut|sammanfattning|innehåll|beslutsunderlag|ärendet|bakgrund|"
    r"transkript|storlek:)",
    re.I,
)
_NAME_PAIR = re.compile(r"(?<=[a-zåäö,:] )[A-ZÅÄÖ][a-zåäö]+ [A-ZÅÄÖ][a-zåäö]+\b")
_ROLE_NEAR = re.compile(
    r"cert\.|revisor|konsult|ordförande|handläggare|sekreterare|direktör|chef\b|utredare",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-ZÅÄÖ])")
_LEADING_NOISE = re.compile(
    rf"^(?:(?:https?://\S+|www\.\S+|genomförd\s+på\s+uppdrag\s+av\s+(?:de\s+)?"
    rf"(?:förtroendevalda\s+)?revisorerna|(?:{_MONTH_ALT})\s+(?:19|20)\d\d)\s+)+",
    re.I,
)
_TRAILING_DATED = re.compile(r",?\s+(?:daterad|daterat)\b.*$", re.I)
_TRAILING_WHEN = re.compile(
    rf"\s+(?:(?:{_MONTH_ALT})\s+(?:19|20)\d\d|(?:19|20)\d\d-\d\d-\d\d)$", re.I
)
_SOFT_HYPHEN_SPACE = re.compile(r"(\w)- (?!(?:och|eller|samt|respektive|till|&)(?:\s|$))([a-zåäö])")
_REPEATED_WORD = re.compile(r"(?<!\S)(\S+)(?: \1)+(?!\S)")


_PARAGRAPH_OR_DNR_WORD = re.compile(r"§\s*\d+|\b(?:dnr|diarienummer)\b[.:]?", re.I)


def _is_date_or_number_line(s: str) -> bool:
    """Lines without two real words: dates, month-years, registration numbers, codes, and
    single words such as an office name in a letterhead."""
    rest = _strip_dates(_MONTH_YEAR_ONLY.sub(" ", _PARAGRAPH_OR_DNR_WORD.sub(" ", s)))
    for d in reversed(list(_iter_dnr(rest))):
        rest = rest[: d.start] + " " + rest[d.end :]
    words = [w for w in re.findall(r"[^\W\d_]{2,}", rest)]
    return len(words) < 2 and not any(w.islower() and len(w) > 3 for w in words)


def _is_name_only_line(s: str) -> bool:
    """Lines naming only bodies, municipalities or the auditors ("KUNGSBACKA KOMMUN")."""
    rest, named = _ORGAN_RE.subn(" ", s)
    rest, places = _MUNI_RE.subn(" ", rest)
    rest, auditors = _NAME_WORDS.subn(" ", rest)
    rest = _NAME_FILLERS.sub(" ", rest)
    return named + places + auditors > 0 and re.search(r"[^\W\d_]", rest) is None


_LAYOUT_LABEL = re.compile(
    r"(?:datum|diarienummer|diarienr|dnr|vår\s+referens|er\s+referens|handläggare|telefon|"
    r"besöksadress|postadress)\b.*",
    re.I,
)


def _layout_column(col: str) -> bool:
    """A column of a two-column line that marks the line as letterhead or footer."""
    found = _heading_type(col)
    return (
        (found is not None and found[1])
        or _LAYOUT_LABEL.fullmatch(col) is not None
        or (bool(find_dates(col)) and not re.search(r"[^\W\d_]{4,}", _strip_dates(col)))
        or _CONTACT.fullmatch(col) is not None
        or _is_name_only_line(col)
    )


def _strip_dates(s: str) -> str:
    for start, end, _iso in reversed(find_dates(s)):
        s = s[:start] + " " + s[end:]
    return s


def _skip_line(s: str, columns: tuple[str, ...] = ()) -> bool:
    """Lines that cannot be (part of) a title: labels' values, contact data, names, dates."""
    if len(columns) > 1 and any(_layout_column(c) for c in columns):
        return True
    return (
        _ARTIFACT_LINE.fullmatch(s.lstrip("• ")) is not None
        or _CONTACT.fullmatch(s) is not None
        or _ROLE_LINE.fullmatch(s) is not None
        or s.endswith(":")
        or " | " in s
        or _is_date_or_number_line(s)
        or _is_name_only_line(s)
    )


def _polish_title(s: str) -> str:
    """Strip report-type prefixes, trailing dates, names and markup; cap the length."""
    s = _LEADING_NOISE.sub("", " ".join(s.split()))
    m = _REPORT_PREFIX.match(s)
    if m and len(s) - m.end() >= 8:
        s = s[m.end() :]
    s = _LEADING_NOISE.sub("", s)
    s = s.strip("\"”“'’ ")
    m = _MUNI_RE.match(s)
    if m and m.end() < len(s) - 8 and _place_name(m):
        s = s[m.end() :].lstrip(" ,:–-")
    m = _SENTENCE_END.search(s)
    if m and m.start() >= 15:
        s = s[: m.start()]
    for pair in _NAME_PAIR.finditer(s):
        if _ROLE_NEAR.search(s[pair.end() : pair.end() + 60]):
            s = s[: pair.start()]
            break
    s = _TRAILING_DATED.sub("", s)
    s = _TRAILING_WHEN.sub("", s)
    s = _SOFT_HYPHEN_SPACE.sub(r"\1\2", s)
    s = _REPEATED_WORD.sub(r"\1", s[:1000])
    s = s.strip(" .,;:–-\"”“'’")
    if len(s) > MAX_TITLE:
        cut = s.rfind(" ", 0, MAX_TITLE)
        s = s[: cut if cut > 0 else MAX_TITLE].rstrip(" ,;:–-")
    return s


def _flattened_title(s: str) -> str:
    """A title inside a page flattened to one long line (web extracts of PDFs)."""
    m = _TITLE_STARTER.search(s[:600])
    if m is None:
        return ""
    stop = _TITLE_STOP.search(s, m.end(), m.start() + 400)
    return _polish_title(s[m.start() : stop.start() if stop else m.start() + 300])


def _looks_like_value(s: str) -> bool:
    """The value under a bare label: a number or date, or a short name ("Gunnar Bergström")."""
    words = s.split()
    return len(s) < 60 and (
        any(c.isdigit() for c in s) or (len(words) <= 3 and all(w[:1].isupper() for w in words))
    )


def _title_from(lines: list[_Line]) -> str:
    skip_value = False
    for i, line in enumerate(lines[:40]):
        s = line.text
        label = _LABEL_LINE.fullmatch(s)
        if label and (label.group("colon") or len(label.group("rest").split()) <= 6):
            skip_value = not label.group("rest")
            continue
        if skip_value:
            skip_value = False
            if _looks_like_value(s):
                continue
        found = _heading_type(s)
        if found is not None and found[1]:
            continue
        if _SECTION_LINE.fullmatch(s):
            return ""
        if _skip_line(s, line.columns):
            continue
        if line.heading:  # a markdown heading is a whole title by itself
            title = _polish_title(s)
            if len(title) >= 4:
                return title
            continue
        if len(s) > 250:
            title = _flattened_title(s)
            if title:
                return title
            continue
        parts = [s]
        for nxt in lines[i + 1 : i + 7]:
            t = nxt.text
            joined = sum(len(p) + 1 for p in parts)
            if (
                nxt.heading
                or joined + len(t) > MAX_TITLE + 40
                or _SECTION_LINE.fullmatch(t)
                or _skip_line(t, nxt.columns)
            ):
                break
            if t[:1].islower() or _CONNECTOR_END.search(parts[-1]):
                parts.append(t)
            else:
                break
        title = _polish_title(" ".join(parts))
        if len(title) >= 4 and re.search(r"[^\W\d_]{3,}", title):
            return title
    return ""


def infer_title(text: str) -> str:
    """The subject line: the first substantive line after the letterhead (a markdown
    heading, or plain lines with their wrapped continuations joined)."""
    return _title_from(_lines(_normalise(text)))


# -------------------------------------------------------------------------------- main


def infer_metadata(text: str) -> DocMetadata:
    """Everything the text says about the document; values it does not state stay empty."""
    if not isinstance(text, str) or not text.strip():
        return DocMetadata()
    clean = _normalise(text)
    cue_text = _dehyphenate(clean[:BODY_CHARS])
    doc_type = _doc_type_from(clean, cue_text)
    lines = _lines(clean)
    title = _title_from(lines)
    own = own_diarienummer(clean, doc_type, title)
    return DocMetadata(
        doc_type=doc_type,
        title=title,
        date=infer_date(clean),
        diarienummer=own,
        refers_to=_refers_to(clean, own),
        organs=_organs_from(clean, doc_type),
        municipality=infer_municipality(clean),
    )
