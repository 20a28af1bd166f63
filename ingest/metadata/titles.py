"""The document's title: the first substantive line after the letterhead.

Labels and their values, contact details, names, dates and numbers are skipped; a Markdown
heading is a whole title, a plain line takes its wrapped continuations; report-type
prefixes, trailing dates and signatures are trimmed off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ingest.metadata.cleanup import HeaderLine, header_lines, normalise
from ingest.metadata.diarienummer import iter_dnr
from ingest.metadata.doc_types import heading_type
from ingest.metadata.organs import ORGAN_RE
from ingest.metadata.places import MUNI_RE, place_name
from ingest.text.bullets import BULLET
from ingest.text.dates import MONTH_YEAR_PATTERN, find_dates, strip_dates, strip_month_years
from ingest.text.lines import HYPHEN_CONJUNCTIONS, awaits_continuation, ends_sentence
from ingest.text.sentences import split_sentences

MAX_TITLE = 200
"""Titles are cut at a word boundary to at most this many characters."""

_TITLE_LINES = 40
"""The title stands among the first 40 header lines, or the document has none we can find."""
_MAX_TITLE_LINES = 7
"""A title wraps over at most seven lines."""
_TITLE_OVERFLOW = 40
"""Wrapped lines are joined up to `MAX_TITLE` plus this; the polish cuts the rest."""
_MIN_TITLE = 4
"""Shorter results are initials or numbers left by the trimming, not titles."""
_LABEL_WORDS = 6
"""A label without a colon ("Datum 2024-05-02") has at most this many words after it."""
_FLATTENED_LINE_CHARS = 250
"""A longer "line" is a page flattened to one line, searched for a title phrase instead."""
_FLAT_START_CHARS = 600
_FLAT_STOP_CHARS = 400
_FLAT_TITLE_CHARS = 300
"""In a flattened page: where the title phrase may start, and how far it may run."""
_MIN_FIRST_SENTENCE = 15
"""A title is cut after its first sentence only when that sentence is a title in itself."""
_MIN_AFTER_PREFIX = 8
"""A report-type prefix ("Revisionsrapport: ") is cut only when a real title follows it."""
_MAX_VALUE_CHARS = 60
_MAX_NAME_WORDS = 3
"""The value under a bare label is short: a number, a date or a name of up to three words."""
_ROLE_WINDOW = 60
"""How far after a name a role ("revisor", "ordförande") marks it as a signature."""
_CONJUNCTIONS = "|".join(sorted(HYPHEN_CONJUNCTIONS))


def _one_of(phrases: Iterable[str]) -> str:
    """A regex alternation of phrases (regex syntax allowed), where a space in a phrase stands
    for any run of white space: the vocabularies below read as the Swedish they match."""
    return "(?:" + "|".join(p.replace(" ", r"\s+") for p in phrases) + ")"


# The vocabularies stay packed, several phrases a line.
# fmt: off
_ARTIFACTS = (
    "no results found", "n/a", "protected", "copied!?", "full text", "transkript", r"loading\b.*",
    "storlek:.*", "starta visningen.*", r"download\b.*", r"share\b.*", "academic year:.*",
    r"genomförd på uppdrag\b.*",
)
"""Lines of web pages and cover pages around a title: buttons, file sizes, a commission."""
_PAGE_NUMBERS = (r"\(\d+\)", r"\d+", r"\d+\s*\(\d+\)", r"\d+ av \d+", r"sida \d+.*")
_ARTIFACT_LINE = re.compile(_one_of((*_ARTIFACTS, *_PAGE_NUMBERS)), re.I)

_LAYOUT_LABELS = (
    "datum", "diarienummer", "diarienr", "dnr", "vår referens", "er referens", "handläggare",
    "telefon", "besöksadress", "postadress",
)
"""Labels that mark a column of a two-column line as letterhead or footer."""
_LABELS = (
    *_LAYOUT_LABELS, "vår beteckning", "er beteckning", "referens", "adress", "till",
    "för kännedom", "tfn", "e-post", "epost", "kontaktperson", "beslutsinstans", "ärendenummer",
    "sammanträdesdatum", "beslutsdatum", "mottagare", "avsändare", "plats och tid", "beslutande",
    "närvarande", "övriga närvarande", "övriga deltagande", "tjänstgörande ersättare",
    "ej tjänstgörande ersättare", "justerare", "justering", "justeringens plats och tid",
    "utses att justera", "sekreterare", "underskrifter", "paragrafer",
)
"""Labels of the letterhead and of minutes, each followed by its value."""
_LABEL_LINE = re.compile(rf"{_one_of(_LABELS)}\b\s*(?P<colon>:)?\s*(?P<rest>.*)", re.I)

_FIRST_SECTIONS = (
    "förslag till beslut", "sammanfattning", "innehåll", "beslutsunderlag", "ärendet", "bakgrund",
)
"""Headings that follow a title directly: where a title in a flattened page ends."""
_SECTIONS = (
    *_FIRST_SECTIONS, "innehållsförteckning", "inledning", "beskrivning av ärendet",
    "sammanfattning av ärendet", "ärendebeskrivning", "beslut", "bilagor?", "syfte", "metod",
    "rekommendationer", "slutsatser", "ansvariga", "beslutet skickas till", "beslutsplanering",
    "sammanfattande inställning", "yttrande", "tjänsteskrivelse", "protokoll",
)
"""Section headings: the body has begun, so no title stands below them."""
_SECTION_LINE = re.compile(rf"(?:\d+(?:\.\d+)*\.?\s+)?{_one_of(_SECTIONS)}\s*:?", re.I)

_ROLES = (r"chef\b", "sekreterare", "handläggare", "direktör", "revisor", "konsult")
"""Roles that sign a letter or report, often with a prefix ("ekonomichef", "kommunrevisor")."""
_ROLE_LINE = re.compile(rf"\w*{_one_of((*_ROLES, 'ledare'))}|ordförande|controller", re.I)

_CONTACT = re.compile(r"\+?[\d ()-]{6,}|\d{3}\s?\d{2}\s+[A-ZÅÄÖ]\w*|\S*(?:@|www\.|https?://)\S*")

_AUDITOR_NAMES = (
    "revisorerna", "revisorer", "revisorernas", "kommunrevisionen", "stadsrevisionen",
    "revisorskollegiet", "revisionskontoret", "kommunfullmäktiges?",
)
"""Who sends an audit and who it reports to: a line naming only them is letterhead."""
_NAME_WORDS = re.compile(rf"\b{_one_of(_AUDITOR_NAMES)}\b", re.I)
_NAME_FILLER_WORDS = ("för", "i", "till", "och", "kännedom", "kopia", "presidium")
_NAME_FILLERS = re.compile(rf"\b{_one_of(_NAME_FILLER_WORDS)}\b", re.I)

_REPORT_NAMES = ("revisionsrapport", "granskningsrapport")
"""Report types that may open a title, with a year or not ("Revisionsrapport 2024: ...")."""
_LETTER_NAMES = (
    "missiv", "följebrev", "revisionsskrivelse", "tjänsteskrivelse", "protokollsutdrag",
)
"""Letter types that may open a title, always with a colon or dash ("Missiv: ...")."""
_QUOTES = "\"”“'’"
_REPORT_TYPE = rf"{_one_of(_REPORT_NAMES)}\s*(?:(?:19|20)\d\d)?\s*[:–—-]?"
_LETTER_TYPE = rf"{_one_of(_LETTER_NAMES)}\s*[:–—-]"
_REPORT_PREFIX = re.compile(rf"(?:{_REPORT_TYPE}|{_LETTER_TYPE})\s*[{_QUOTES}]?\s*", re.I)

_TITLE_STARTERS = (
    "(?:en )?granskning av", "uppföljning(?:en)? av", "svar på", "yttrande över",
    "revisionsrapport:?",
)
"""How the title of a report or reply begins, where a flattened page is searched for it."""
_TITLE_STARTER = re.compile(rf"(?<!\w){_one_of(_TITLE_STARTERS)}\s", re.I)
_TITLE_STOP = re.compile(rf"\s{_one_of((*_FIRST_SECTIONS, 'transkript', 'storlek:'))}", re.I)

_NAME_PAIR = re.compile(r"(?<=[a-zåäö,:] )[A-ZÅÄÖ][a-zåäö]+ [A-ZÅÄÖ][a-zåäö]+\b")
_ROLE_NEAR = re.compile(rf"{_one_of(_ROLES)}|ordförande|utredare|cert\.", re.I)

_LEADING_NOISE_PARTS = (
    r"https?://\S+", r"www\.\S+",
    "genomförd på uppdrag av (?:de )?(?:förtroendevalda )?revisorerna", MONTH_YEAR_PATTERN,
)
"""What web extracts and cover pages put before a title: addresses, a commission, a month."""
_LEADING_NOISE = re.compile(rf"^(?:{_one_of(_LEADING_NOISE_PARTS)}\s+)+", re.I)
_TRAILING_DATED = re.compile(r",?\s+(?:daterad|daterat)\b.*$", re.I)
_TRAILING_WHEN = re.compile(rf"\s+(?:{MONTH_YEAR_PATTERN}|(?:19|20)\d\d-\d\d-\d\d)$", re.I)
_SOFT_HYPHEN_SPACE = re.compile(rf"(\w)- (?!(?:{_CONJUNCTIONS}|&)(?:\s|$))([a-zåäö])")
_REPEATED_WORD = re.compile(r"(?<!\S)(\S+)(?: \1)+(?!\S)")
# fmt: on


_PARAGRAPH_OR_DNR_WORD = re.compile(r"§\s*\d+|\b(?:dnr|diarienummer)\b[.:]?", re.I)


def _is_date_or_number_line(s: str) -> bool:
    """Lines without two real words: dates, month-years, registration numbers, codes, and
    single words such as an office name in a letterhead."""
    rest = strip_dates(strip_month_years(_PARAGRAPH_OR_DNR_WORD.sub(" ", s)))
    for d in reversed(list(iter_dnr(rest))):
        rest = rest[: d.start] + " " + rest[d.end :]
    words = [w for w in re.findall(r"[^\W\d_]{2,}", rest)]
    return len(words) < 2 and not any(w.islower() and len(w) > 3 for w in words)


def _is_name_only_line(s: str) -> bool:
    """Lines naming only bodies, municipalities or the auditors ("KUNGSBACKA KOMMUN")."""
    rest, named = ORGAN_RE.subn(" ", s)
    rest, places = MUNI_RE.subn(" ", rest)
    rest, auditors = _NAME_WORDS.subn(" ", rest)
    rest = _NAME_FILLERS.sub(" ", rest)
    return named + places + auditors > 0 and re.search(r"[^\W\d_]", rest) is None


_LAYOUT_LABEL = re.compile(rf"{_one_of(_LAYOUT_LABELS)}\b.*", re.I)


def _layout_column(col: str) -> bool:
    """A column of a two-column line that marks the line as letterhead or footer."""
    found = heading_type(col)
    return (
        (found is not None and found[1])
        or _LAYOUT_LABEL.fullmatch(col) is not None
        or (bool(find_dates(col)) and not re.search(r"[^\W\d_]{4,}", strip_dates(col)))
        or _CONTACT.fullmatch(col) is not None
        or _is_name_only_line(col)
    )


def _skip_line(s: str, columns: tuple[str, ...] = ()) -> bool:
    """Lines that cannot be (part of) a title: labels' values, contact data, names, dates."""
    if len(columns) > 1 and any(_layout_column(c) for c in columns):
        return True
    return (
        _ARTIFACT_LINE.fullmatch(s.lstrip(f"{BULLET} ")) is not None
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
    if m and len(s) - m.end() >= _MIN_AFTER_PREFIX:
        s = s[m.end() :]
    s = _LEADING_NOISE.sub("", s)
    s = s.strip(f"{_QUOTES} ")
    m = MUNI_RE.match(s)
    if m and m.end() < len(s) - 8 and place_name(m):
        s = s[m.end() :].lstrip(" ,:–-")
    sentences = split_sentences(s, verbatim=True)
    first = sentences[0] if len(sentences) > 1 else ""
    if len(first) > _MIN_FIRST_SENTENCE and ends_sentence(first):
        s = first
    for pair in _NAME_PAIR.finditer(s):
        if _ROLE_NEAR.search(s[pair.end() : pair.end() + _ROLE_WINDOW]):
            s = s[: pair.start()]
            break
    s = _TRAILING_DATED.sub("", s)
    s = _TRAILING_WHEN.sub("", s)
    s = _SOFT_HYPHEN_SPACE.sub(r"\1\2", s)
    s = _REPEATED_WORD.sub(r"\1", s[:1000])
    s = s.strip(f" .,;:–-{_QUOTES}")
    if len(s) > MAX_TITLE:
        cut = s.rfind(" ", 0, MAX_TITLE)
        s = s[: cut if cut > 0 else MAX_TITLE].rstrip(" ,;:–-")
    return s


def _flattened_title(s: str) -> str:
    """A title inside a page flattened to one long line (web extracts of PDFs)."""
    m = _TITLE_STARTER.search(s[:_FLAT_START_CHARS])
    if m is None:
        return ""
    stop = _TITLE_STOP.search(s, m.end(), m.start() + _FLAT_STOP_CHARS)
    return _polish_title(s[m.start() : stop.start() if stop else m.start() + _FLAT_TITLE_CHARS])


def _looks_like_value(s: str) -> bool:
    """The value under a bare label: a number or date, or a short name ("Gunnar Bergström")."""
    words = s.split()
    return len(s) < _MAX_VALUE_CHARS and (
        any(c.isdigit() for c in s)
        or (len(words) <= _MAX_NAME_WORDS and all(w[:1].isupper() for w in words))
    )


def _continuation(lines: Sequence[HeaderLine], first: str) -> list[str]:
    """The title line `first` with the wrapped lines that continue it."""
    parts = [first]
    for nxt in lines[: _MAX_TITLE_LINES - 1]:
        t = nxt.text
        joined = sum(len(p) + 1 for p in parts)
        if (
            nxt.heading
            or joined + len(t) > MAX_TITLE + _TITLE_OVERFLOW
            or _SECTION_LINE.fullmatch(t)
            or _skip_line(t, nxt.columns)
        ):
            break
        if not (t[:1].islower() or awaits_continuation(parts[-1])):
            break
        parts.append(t)
    return parts


def title_from(lines: Sequence[HeaderLine]) -> str:
    """The subject line among the header lines of a document, or ""."""
    skip_value = False
    for i, line in enumerate(lines[:_TITLE_LINES]):
        s = line.text
        label = _LABEL_LINE.fullmatch(s)
        if label and (label.group("colon") or len(label.group("rest").split()) <= _LABEL_WORDS):
            skip_value = not label.group("rest")
            continue
        if skip_value:
            skip_value = False
            if _looks_like_value(s):
                continue
        found = heading_type(s)
        if found is not None and found[1]:
            continue
        if _SECTION_LINE.fullmatch(s):
            return ""
        if _skip_line(s, line.columns):
            continue
        if line.heading:  # a markdown heading is a whole title by itself
            title = _polish_title(s)
            if len(title) >= _MIN_TITLE:
                return title
            continue
        if len(s) > _FLATTENED_LINE_CHARS:
            title = _flattened_title(s)
            if title:
                return title
            continue
        title = _polish_title(" ".join(_continuation(lines[i + 1 :], s)))
        if len(title) >= _MIN_TITLE and re.search(r"[^\W\d_]{3,}", title):
            return title
    return ""


def infer_title(text: str) -> str:
    """The subject line: the first substantive line after the letterhead (a markdown
    heading, or plain lines with their wrapped continuations joined)."""
    return title_from(header_lines(normalise(text)))
