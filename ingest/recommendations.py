"""Find the recommendations of an audit in normalised text, by rules.

Audits, and the replies that quote them, state recommendations in a few shapes:
- a lead-in naming the bodies ("Nämnden för Service och Kommunstyrelsen rekommenderas att:",
  "Vi rekommenderar kommunstyrelsen att:") followed by a list (►, •, -, numbers, indented
  lines whose bullet glyph was lost, or italic "*-säkerställa ...*" paragraphs);
- a lead-in that announces recommendations ("följande rekommendationer:", "kring fyra
  rekommendationer.") followed by self-contained items ("Kommunstyrelsen bör ...");
- labelled items ("Rekommendation 1: ...", "1. Rekommendation: ..."), where a following
  "Åtgärd: ..." is the reply, not the recommendation;
- markdown headings that state one ("Kommunstyrelsen bör ...", or an imperative such as
  "Tydliggör ..." among such headings or after a paragraph announcing recommendations).
A lead-in naming several bodies gives one recommendation per body; repeats (a summary and a
conclusions chapter) are merged. Everything works on lines with bounded patterns: the
function is fed arbitrary text (and fuzzed), so it must never raise and stay near linear.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ingest.metadata import infer_organs
from ingest.models import Recommendation
from ingest.normalize import keeps_hyphen

__all__ = ["extract_recommendations", "recommendation_id"]

# ----------------------------------------------------------------------------- patterns

_PAGE_MARKER = re.compile(r"<!--[ \t]*(?:sida|page)[ \t]*(\d{1,7})[ \t]*-->", re.I)
_MD_HEADING = re.compile(r"#{1,6}(?=\s)")
_LEAD_STAR = re.compile(r"^\*+(?=[^\s*])")
_TRAIL_STAR = re.compile(r"(?<=[^\s*])\*+$")

# List markers, after emphasis is removed. A dash counts when a letter follows it, with or
# without a space ("- Tydliggöra", "-säkerställa"); numbers only as "1." / "1)" / "(1)".
_MARKER = re.compile(
    r"(?P<glyph>[►•▪■●◦○‣⁃➢➤✓✔❖→·])[ \t]*"
    r"|(?P<dash>[-–—*])[ \t]*(?=[^\W\d_])"
    r"|(?P<num>\d{1,2})[.)][ \t]+(?=\S)"
    r"|\((?P<pnum>\d{1,2})\)[ \t]+(?=\S)"
    r"|(?P<letter>[a-h])\)[ \t]+(?=\S)"
    r"|(?P<o>o)[ \t]+(?=[^\W\d_])"
)
# "Rekommendation 1: ...", "1. Rekommendation: ...", "Revisionens rekommendation – ...", and a
# numbered label alone on its line ("Rekommendation 2") whose text follows.
_REC_LABEL = re.compile(
    r"(?:\d{1,2}[.)]\s*)?(?:[^\W\d_]{2,30}s\s+)?rekommendation"
    r"(?:\s+(?:nr\.?\s*)?(?P<n>\d{1,2}[a-z]?))?"
    r"(?:\s*(?::|\s[-–—])\s*|(?(n)\s*$|(?!)))",
    re.I,
)
_LABEL = re.compile(r"[A-ZÅÄÖ][^\W\d_]*(?: [^\W\d_]+){0,2}:(?:\s|$)")
_NUMBERED_HEADING = re.compile(r"(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+[A-ZÅÄÖ]")
_TOC_LINE = re.compile(r"(?:\.{3,}|…)\s*\d*\s*$")
_SENTENCE_END = re.compile(r"[.!?;][\"'”’)\]]*$")
_HEADING_END = re.compile(r"[.!?:;,]$")
_CONTINUATION_END = re.compile(
    r"(?:\b(?:och|eller|samt|att|av|i|på|till|för|med|om|som|en|ett|den|det|de|vid|från|"
    r"inom|under|genom|mot|utifrån|avseende|kring|hos|mellan|både|såväl)|[,\-–])$",
    re.I,
)
_SENTENCE_BOUNDARY = re.compile(r"[.!?]\s+(?=[A-ZÅÄÖ])")
_FIRST_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÅÄÖ0-9(]|\s*$)")
_INLINE_SEPARATOR = re.compile(r"(?<!\S)[-–•►▪](?:\s+|$)")
_KEYWORD = re.compile(r"rekommend", re.I)
_NEXT_STOP = re.compile(r"[:.?!]")
_RECOMMENDATION_NOUN = re.compile(r"\brekommendation(?:en|er|erna)?\b", re.I)
# "följande rekommendationer", "fyra rekommendationer": a count or "följande" announces a list;
# so does the noun closing the sentence ("Våra rekommendationer:").
_COUNTED_NOUN = re.compile(
    r"\b(?:följande|nedanstående|\d{1,2}|två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|"
    r"antal|några)\s+(?:[^\W\d_]+\s+)?rekommendation(?:en|er|erna)?\b",
    re.I,
)
_CLOSING_NOUN = re.compile(r"\brekommendation(?:en|er|erna)?(?:\s+\S+){0,2}$", re.I)
_NESTED_CLAUSE = re.compile(r"\b(?:att|besluta)\b", re.I)
_QUESTION_START = re.compile(r"(?:när|vilka|vilken|vilket|hur|vad|varför|finns)\b", re.I)
_ANNOUNCES = re.compile(r"\b(?:nedan|följande|nedanstående)\b", re.I)
_BOR = re.compile(r"\bbör\b")
_LIST_TAIL = re.compile(r"(?:\s*[;,]\s*(?:och|samt|eller)?|\s+(?:och|samt|eller))$")
_PROSE_KEYWORD = re.compile(r"rekommender(?:ar|as)\b", re.I)
_PROSE_THAT = re.compile(r"\satt\s")
_PROSE_END = re.compile(r"[.!]")
_WORD_START_UPPER = re.compile(r"(?<!\S)[A-ZÅÄÖ]")
_SUBJECT_START = re.compile(r"(?:Vi|Nämnden|Styrelsen|Förvaltningen|Det|Detta|Dessa)\b")

# A body ("organ") as Swedish documents name it: "Kommunstyrelsen", "servicenämnden",
# "Arbetsmarknads- och socialnämnden", "tekniska nämnden", "nämnden för Kultur & Fritid".
_HEAD = r"(?:nämnd|styrelse|fullmäktige|direktion|utskott)"
_NOT_ADJECTIVE = (
    r"(?!(?:denna|hela|vilka|andra|båda|sina|egna|nya|samma|ena|dessa|flera|varken|enda)\s)"
)
_BODY = (
    r"(?<![\w-])"
    r"(?:[^\W\d_]{2,25}-(?:\s*,\s*[^\W\d_]{2,25}-){0,4}\s+(?:och|samt|eller)\s+)?"
    rf"(?:{_NOT_ADJECTIVE}[^\W\d_]{{2,19}}a\s+)?"
    rf"[^\W\d_]{{0,30}}{_HEAD}[^\W\d_]{{0,8}}(?![\w-])"
    r"(?:\s+för\s+(?!att\b)[^\W\d_]{2,30}"
    rf"(?:\s*(?:&|och)\s+(?![^\W\d_]{{0,30}}{_HEAD})[^\W\d_]{{2,30}})?)?"
)
_SEPARATOR = r"(?:\s*,\s*|\s+(?:och|samt|respektive|liksom|&)\s+)"
_BODY_SEQUENCE = rf"{_BODY}(?:{_SEPARATOR}{_BODY}){{0,6}}"
_BODY_RE = re.compile(_BODY, re.I)
_BODY_SEQUENCE_RE = re.compile(_BODY_SEQUENCE, re.I)
_GENERIC_HEADS = frozenset(
    "nämnden nämnderna nämnder nämnd styrelsen styrelserna styrelser styrelse".split()
)
_GENERIC_QUALIFIERS = frozenset("samtliga berörda alla övriga respektive andra varje".split())
_FILLER = frozenset(
    "vi därför också även härmed dessutom vidare slutligen revisorerna revisionen "
    "följaktligen sammanfattningsvis således främst särskilt".split()
)

# Verbs that open a recommendation, as (infinitive, imperative) where they differ.
_VERBS = """
säkerställa:säkerställ tydliggöra:tydliggör förtydliga utveckla vidareutveckla upprätta
införa:inför följa:följ stärka:stärk förstärka:förstärk fortsätta:fortsätt tillse
särskilja:särskilj utvärdera definiera dokumentera genomföra:genomför implementera besluta
fastställa:fastställ beakta analysera utreda:utred utforma formalisera komplettera uppdatera
förbättra skapa etablera kartlägga:kartlägg identifiera precisera revidera granska anta
rapportera redovisa integrera prioritera överväga:överväg verka arbeta tillämpa
upprätthålla:upprätthåll minska öka utbilda informera samordna klargöra:klargör förankra
säkra systematisera utöka begränsa kontrollera tillsätta:tillsätt efterleva:efterlev
ombesörja:ombesörj tillskapa utarbeta bevaka hantera vidta åtgärda förebygga:förebygg
motverka tillförsäkra inrätta inventera reglera ompröva harmonisera konkretisera förenkla
begära:begär uppmärksamma verkställa:verkställ initiera avsätta:avsätt
sammanställa:sammanställ pröva ge göra:gör ställa:ställ ta se anpassa stödja
tillhandahålla:tillhandahåll samverka uppdra kommunicera planera organisera bedöma:bedöm
mäta:mät utse beskriva:beskriv sprida:sprid efterfråga tillgängliggöra:tillgängliggör
avveckla avsluta omhänderta involvera dimensionera rekrytera ersätta:ersätt
genomlysa:genomlys förvissa
"""
_PARTICLE_VERBS = {"se": {"över", "till"}, "ta": {"fram", "ställning"}}
_ADVERBS = frozenset(
    "att snarast skyndsamt löpande fortsatt årligen regelbundet systematiskt aktivt även "
    "också tydligt tydligare fortlöpande kontinuerligt dessutom vidare omgående".split()
)
_MODALS = frozenset("bör ska skall behöver måste".split())
_HYPHEN_KEEPERS = frozenset(
    {"och", "eller", "samt", "respektive", "resp", "alternativt", "liksom", "som"}
)

_MAX_ITEM_CHARS = 1200
_MAX_PHRASE = 200
_DEFAULT_WIDTH = 80
_MAX_NEAR_DUPLICATE_CHECKS = 200_000
_NEAR_DUPLICATE = 0.8
"""Token-set overlap at which two texts for one addressee are the same recommendation."""


def _verb_forms() -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """(forms that open a recommendation, present-tense forms after a body)."""
    opening: set[str] = set()
    present: set[str] = set()
    for entry in _VERBS.split():
        infinitive, _, imperative = entry.partition(":")
        imperative = imperative or infinitive
        opening |= {infinitive, imperative}
        present |= {infinitive + "r", imperative + "er"}
        if imperative.endswith("r"):
            present.add(imperative)
    # Compounds end in a verb of the list: "kvalitetssäkra", "omarbeta", "fastställa".
    endings = tuple(sorted(form for form in opening if len(form) >= 5 and form.endswith("a")))
    return frozenset(opening), frozenset(present | _MODALS), endings


_OPENING_VERBS, _PRESENT_VERBS, _VERB_ENDINGS = _verb_forms()

# ----------------------------------------------------------------------------- lines


@dataclass
class _Line:
    """One non-blank line, cleaned of markdown emphasis, with its page and layout."""

    text: str
    indent: int
    page: int | None
    blank_before: bool
    md_level: int = 0
    bold: bool = False


def _clean(raw: str) -> tuple[str, int, bool]:
    """(text without heading signs or emphasis, markdown level, whole line bold)."""
    text = raw.strip()
    level = 0
    match = _MD_HEADING.match(text)
    if match:
        level = match.end()
        text = text[level:].strip()
    bold = len(text) > 4 and text.startswith("**") and text.endswith("**")
    text = text.replace("**", "").replace("__", "")
    text = _TRAIL_STAR.sub("", _LEAD_STAR.sub("", text))
    return " ".join(text.split()), level, bold


def _read_lines(text: str) -> list[_Line]:
    """Non-blank lines of `text` with the page in force; page markers become breaks."""
    lines: list[_Line] = []
    page: int | None = None
    blank = True
    for raw_line in text.replace("\r", "\n").split("\n"):
        pieces: list[str | int] = [raw_line]
        if "<!--" in raw_line:
            pieces = []
            position = 0
            for marker in _PAGE_MARKER.finditer(raw_line):
                pieces += [raw_line[position : marker.start()], int(marker[1])]
                position = marker.end()
            pieces.append(raw_line[position:])
        for piece in pieces:
            if isinstance(piece, int):
                page, blank = piece, True
                continue
            piece = piece.rstrip()
            if not piece.strip():
                blank = True
                continue
            cleaned, level, bold = _clean(piece)
            if not cleaned:
                blank = True
                continue
            indent = len(piece) - len(piece.lstrip())
            lines.append(_Line(cleaned, indent, page, blank, level, bold))
            blank = False
    return lines


def _line_width(lines: Sequence[_Line]) -> int:
    """A typical full line length: lines ending before it closed their paragraph."""
    lengths = sorted(len(line.text) for line in lines if len(line.text) >= 30)
    if len(lengths) < 5:
        return _DEFAULT_WIDTH
    return lengths[int(len(lengths) * 0.9)]


def _ends_sentence(text: str) -> bool:
    return _SENTENCE_END.search(text[-8:]) is not None


def _is_toc(text: str) -> bool:
    """A table-of-contents line: dot leaders and a page number at the end."""
    return _TOC_LINE.search(text[-120:]) is not None


def _would_fit(previous: _Line, line: _Line, width: int) -> bool:
    """Whether the first word of `line` had room on `previous`: then a paragraph ended."""
    first = line.text.split(" ", 1)[0]
    return len(previous.text) + 1 + len(first) <= width


def _marker(line: _Line) -> tuple[str, int, str] | None:
    """(kind, number, text after the marker) when the line opens a list item."""
    match = _MARKER.match(line.text)
    if not match:
        return None
    rest = line.text[match.end() :].strip()
    if match["glyph"]:
        return "glyph" + match["glyph"], 0, rest
    if match["dash"]:
        return "dash", 0, rest
    if match["num"] or match["pnum"]:
        return "num", int(match["num"] or match["pnum"]), rest
    if match["letter"]:
        return "letter", 0, rest
    return "o", 0, rest


def _is_boundary(line: _Line) -> bool:
    """Lines that never continue a recommendation: headings, labels, list markers."""
    return bool(
        line.md_level
        or line.bold
        or _REC_LABEL.match(line.text)
        or _LABEL.match(line.text)
        or _marker(line)
    )


def _join(text: str, following: str) -> str:
    """Append a line, undoing end-of-line hyphenation ("uppfölj-" + "ningen")."""
    if not text:
        return following
    if text.endswith("-") and len(text) >= 2 and text[-2].isalpha() and following[:1].islower():
        word = following.split(" ", 1)[0].rstrip(".,;:!?)").casefold()
        if word in _HYPHEN_KEEPERS:
            return f"{text} {following}"
        return text + following if keeps_hyphen(text[:-1]) else text[:-1] + following
    return f"{text} {following}"


def _continues(text: str, previous: _Line, line: _Line, width: int, strict: bool) -> bool:
    """Whether `line` continues a recommendation whose text so far is `text`."""
    if _is_boundary(line):
        return False
    if not text:
        return True
    if line.blank_before:
        # A blank line (or a page break) inside a sentence: conversion artefact.
        return not _ends_sentence(text) and (
            line.text[:1].islower() or _CONTINUATION_END.search(text[-40:]) is not None
        )
    if _ends_sentence(previous.text) and line.text[:1].isupper():
        if _would_fit(previous, line, width):
            return False
        if strict and (_SUBJECT_START.match(line.text) or _BODY_RE.match(line.text)):
            return False
    return True


# ----------------------------------------------------------------------------- bodies


def _is_generic(body: str) -> bool:
    """Whether a body names no particular board: "nämnden", "samtliga nämnder"."""
    words = body.casefold().split()
    if not words or " för " in f" {body.casefold()} ":
        return False
    return words[-1] in _GENERIC_HEADS and (
        len(words) == 1 or (len(words) == 2 and words[0] in _GENERIC_QUALIFIERS)
    )


def _bodies(phrase: str) -> list[str]:
    """The bodies a lead-in phrase names ("X och Y" gives two); [] when it names none."""
    words = phrase.strip(" ,:").split()
    while words and words[0].casefold() in _FILLER:
        words.pop(0)
    if not words or len(" ".join(words)) > _MAX_PHRASE:
        return []
    phrase = " ".join(words)
    if not _BODY_SEQUENCE_RE.fullmatch(phrase):
        # "kommunstyrelsen i samråd med nämnderna": the bodies that open the phrase.
        opening = _BODY_SEQUENCE_RE.match(phrase)
        if opening:
            return [match[0] for match in _BODY_RE.finditer(opening[0])]
    for size in range(min(len(words), 14), 0, -1):
        candidate = " ".join(words[-size:])
        if _BODY_SEQUENCE_RE.fullmatch(candidate):
            return [match[0] for match in _BODY_RE.finditer(candidate)]
    return []


def _leading_bodies(text: str) -> list[str]:
    """Bodies that open `text` as the subject of a verb: "Kommunstyrelsen bör ..."."""
    match = _BODY_SEQUENCE_RE.match(text[: _MAX_PHRASE * 2])
    if not match:
        return []
    following = text[match.end() : match.end() + 80].split()
    if following and following[0].casefold() == "att":  # "• socialnämnden att utveckla ..."
        return [body[0] for body in _BODY_RE.finditer(match[0])]
    while following and following[0].casefold() in _ADVERBS:
        following.pop(0)
    if not following or following[0].casefold().strip(".,") not in _PRESENT_VERBS:
        return []
    return [body[0] for body in _BODY_RE.finditer(match[0])]


def _opens_with_verb(text: str) -> bool:
    """Whether `text` opens like a recommendation: "Säkerställa ...", "Systematiskt följa"."""
    words = [word.casefold().strip(".,:;*") for word in text[:200].split()[:5]]
    skipped = 0
    while (
        words
        and skipped < 2
        and (
            words[0] in _ADVERBS
            or (len(words[0]) > 4 and words[0].endswith(("vis", "ligen", "skt")))
        )
    ):
        words.pop(0)
        skipped += 1
    if not words or not (words[0] in _OPENING_VERBS or _is_verb_compound(words[0])):
        return False
    particles = _PARTICLE_VERBS.get(words[0])
    return particles is None or (len(words) > 1 and words[1] in particles)


def _is_verb_compound(word: str) -> bool:
    """A compound ending in a listed verb ("kvalitetssäkra"), not "osäkra" (prefix too short)."""
    if len(word) > 30 or not word.endswith(_VERB_ENDINGS):
        return False
    return any(word.endswith(ending) and len(word) - len(ending) >= 2 for ending in _VERB_ENDINGS)


def _looks_like_recommendation(text: str, listed: bool = True) -> bool:
    """A self-contained item that recommends: a verb first, or a body that should act.

    In a marked list any "bör" will do ("Rutinen ... bör ses över"); in running text that
    is too weak a sign.
    """
    if text.endswith("?"):
        return False
    if text[:4].casefold() == "att ":
        text = text[4:]
    return (
        _opens_with_verb(text)
        or bool(_leading_bodies(text))
        or (listed and _BOR.search(text[:400]) is not None)
    )


# ----------------------------------------------------------------------------- lead-ins


@dataclass(frozen=True)
class _LeadIn:
    """A sentence that introduces recommendations; `named` is False for "följande ..."."""

    bodies: tuple[str, ...]
    named: bool
    """True: "X rekommenderas att" (items are verb phrases, any item counts)."""


_A_ACTIVE = re.compile(r"\brekommendera[r]?\s+(?P<b>[^.:;!?]{1,200}?)\s+att$", re.I)
_A_PASSIVE_AFTER = re.compile(r"\brekommenderas\s+(?P<b>[^.:;!?]{1,200}?)\s+att$", re.I)
_A_PASSIVE_BEFORE = re.compile(r"\brekommenderas\s+att$", re.I)
_A_ACTIVE_THAT = re.compile(
    r"\brekommendera[r]?\s+(?:vi\s+)?att(?:\s+(?P<b>[^.:;!?]{1,200}))?$", re.I
)
# "Vi rekommenderar:" / "Revisorerna rekommenderar därför:" before items naming their bodies.
_A_BARE = re.compile(r"\brekommender(?:ar|as)(?:\s+(?:vi|därför|också|även|följande))*$", re.I)
# "Vi anser att kommunstyrelsen bör:" states recommendations without the word.
_A_SHOULD = re.compile(r"\s(?:därför\s+|också\s+|även\s+)?bör$", re.I)
_A_FOLLOWING = re.compile(
    r"\brekommender(?:ar|as)\s+(?:(?P<b>[^.:;!?]{1,200}?)\s+)?följande(?:\s+\w+)?$", re.I
)
_A_TO = re.compile(r"\brekommendation(?:er|erna)?\s+till\s+(?P<b>[^.:;!?]{1,200})$", re.I)
_B_HEADING = re.compile(
    r"(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?\s*)?(?:(?:våra|revisorernas|revisionens|granskningens)\s+)?"
    r"rekommendation(?:er|erna)?(?:\s+till\s+(?P<b>[^.:;!?]{1,200}))?",
    re.I,
)


def _parse_lead_in(sentence: str, heading: bool = False) -> _LeadIn | None:
    """Read a sentence that should introduce a list of recommendations, or None."""
    text = sentence.strip()[-400:]
    if not text or text[-1] == "?":
        return None
    stop = text[-1] if text[-1] in ":." else ""
    core = text.rstrip(":. ").strip()
    if not core:
        return None
    match = _A_TO.search(core)
    if stop == ":" and match:
        return _LeadIn(tuple(_bodies(match["b"])), True)
    if stop == ":" or core.casefold().endswith(" att"):
        # "Förvaltningen rekommenderar nämnden att besluta att:" proposes a decision.
        match = _A_ACTIVE.search(core)
        if match and not _NESTED_CLAUSE.search(match["b"]):
            return _LeadIn(tuple(_bodies(match["b"])), True)
        match = _A_PASSIVE_AFTER.search(core)
        if match and _NESTED_CLAUSE.search(match["b"]):
            match = None
        if match and _bodies(match["b"]):
            return _LeadIn(tuple(_bodies(match["b"])), True)
        if match:  # "Kommunstyrelsen rekommenderas därför att:"
            return _LeadIn(tuple(_bodies(core[: match.start()][-_MAX_PHRASE:])), True)
        match = _A_PASSIVE_BEFORE.search(core)
        if match:
            return _LeadIn(tuple(_bodies(core[: match.start()][-_MAX_PHRASE:])), True)
        match = _A_ACTIVE_THAT.search(core)
        if match and stop == ":":
            return _LeadIn(tuple(_bodies(match["b"] or "")), True)
        match = _A_FOLLOWING.search(core)
        if match and stop == ":":
            return _LeadIn(tuple(_bodies(match["b"] or "")), False)
        if stop == ":" and _A_BARE.search(core):
            return _LeadIn((), False)
        match = _A_SHOULD.search(core)
        if stop == ":" and match:
            bodies = _bodies(core[: match.start()][-_MAX_PHRASE:])
            return _LeadIn(tuple(bodies), True) if bodies else None
    if heading:
        match = _B_HEADING.fullmatch(core)
        if match:
            return _LeadIn(tuple(_bodies(match["b"] or "")), False)
    if not stop or "fråg" in core.casefold() or _QUESTION_START.match(core):
        return None
    counted = _COUNTED_NOUN.search(core) is not None
    closing = _CLOSING_NOUN.search(core[-80:]) is not None
    if (stop == ":" and (counted or closing)) or (counted and closing):
        return _LeadIn((), False)
    return None


def _last_sentence(text: str) -> str:
    tail = text[-600:]
    start = 0
    for boundary in _SENTENCE_BOUNDARY.finditer(tail):
        start = boundary.end()
    return tail[start:]


def _lead_in_ending_at(lines: Sequence[_Line], index: int) -> _LeadIn | None:
    """The lead-in whose sentence ends with line `index`, if any."""
    line = lines[index]
    text = line.text
    is_heading = bool(line.md_level or line.bold)
    if not (text.endswith(":") or text.casefold().endswith(" att") or is_heading):
        return None
    if not is_heading:
        # The sentence may have started on an earlier line of the same paragraph.
        start = index
        while (
            start > 0
            and index - start < 3
            and not lines[start].blank_before
            and not _is_boundary(lines[start - 1])
        ):
            start -= 1
        joined = ""
        for previous in lines[start : index + 1]:
            joined = _join(joined, previous.text)
        text = joined
    if not _KEYWORD.search(text[-600:]) and not text.endswith(" bör:"):
        return None
    return _parse_lead_in(_last_sentence(text), heading=is_heading)


# ----------------------------------------------------------------------------- candidates


@dataclass
class _Candidate:
    """A recommendation before its addressee is settled."""

    text: str
    page: int | None
    section: str
    group: int
    own: tuple[str, ...] = ()
    """Bodies the item names itself as subject ("Kommunstyrelsen bör ...")."""
    lead: tuple[str, ...] = ()
    """Bodies named by the lead-in."""


@dataclass
class _Item:
    """A list item being read: its text so far and the page it starts on."""

    text: str
    page: int | None


def _finish(text: str) -> str:
    """Whitespace collapsed, list punctuation (";", ", och") and stray emphasis trimmed."""
    text = " ".join(text.split()).strip(" *_")
    text = _LIST_TAIL.sub("", text)
    return text.strip()


def _plausible(text: str) -> bool:
    words = [word for word in text.split() if any(char.isalpha() for char in word)]
    return len(words) >= 2 and len(text) <= _MAX_ITEM_CHARS and not text.endswith("?")


def _item_mode(line: _Line) -> tuple[str, int] | None:
    """How the first item of a list is marked: marker kind (and number), or indentation."""
    marker = _marker(line)
    if marker:
        return marker[0], marker[1]
    if line.indent >= 2 and line.text[:1].isupper():
        return "indent", 0
    if _opens_with_verb(line.text):
        return "plain", 0
    return None


def _read_list(lines: Sequence[_Line], start: int, width: int) -> tuple[list[_Item], int]:
    """Items of the list that starts at line `start`; the index after the list."""
    if start >= len(lines) or lines[start].md_level or lines[start].bold:
        return [], start
    mode = _item_mode(lines[start])
    if mode is None:
        return [], start
    kind, number = mode
    items: list[_Item] = []
    current: _Item | None = None
    sub_kind = ""  # marker of a sub-list inside the current item
    index = start
    while index < len(lines):
        line = lines[index]
        previous = lines[index - 1]
        marker = _marker(line)
        if current is None:
            opens = True
        elif kind == "indent":
            opens = marker is None and line.indent >= 2 and line.text[:1].isupper()
        elif kind == "plain":
            opens = (
                marker is None
                and (line.blank_before or _ends_sentence(previous.text))
                and _opens_with_verb(line.text)
            )
        else:
            # Numbered items must count on: "1. Inledning" after the list is a chapter.
            expected = number + len(items) + 1
            opens = marker is not None and marker[0] == kind
            opens = opens and (kind != "num" or marker is not None and marker[1] == expected)
        if opens:
            text = line.text
            if marker is not None and kind not in ("indent", "plain"):
                text = marker[2]
            if current is not None:
                items.append(current)
            current = _Item(text, line.page)
            sub_kind = ""
        elif (
            current is not None
            and marker is not None
            and (marker[0] == sub_kind or (not sub_kind and current.text.endswith(":")))
        ):
            sub_kind = marker[0]  # a sub-list belongs to the item that announces it
            current.text = _join(current.text, marker[2])
        elif current is not None and _continues(
            current.text, previous, line, width, strict=kind == "plain"
        ):
            if len(current.text) <= _MAX_ITEM_CHARS:  # longer is no recommendation anyway
                current.text = _join(current.text, line.text)
        else:
            skip = _furniture_before_item(lines, index, kind)
            if not skip:
                break
            index += skip
            continue
        index += 1
    if current is not None:
        items.append(current)
    return items, index


def _furniture_before_item(lines: Sequence[_Line], index: int, kind: str) -> int:
    """Lines of page header (at most two) between a page break and the list's next item."""
    if kind in ("indent", "plain") or index == 0 or lines[index].page == lines[index - 1].page:
        return 0
    for offset in (1, 2):
        if index + offset >= len(lines):
            return 0
        furniture = lines[index + offset - 1].text
        if (
            len(furniture) > 60
            or _HEADING_END.search(furniture)
            or _NUMBERED_HEADING.match(furniture)
            or _KEYWORD.search(furniture)
        ):
            return 0
        following = lines[index + offset]
        marker = _marker(following)
        if following.page == lines[index].page and marker is not None and marker[0] == kind:
            return offset
    return 0


def _inline_items(rest: str, lead: _LeadIn) -> list[str]:
    """Items written on the lead-in's own line: " - X - Y" or "Kommunstyrelsen bör X. ..."."""
    rest = rest.strip()
    pieces = [piece.strip() for piece in _INLINE_SEPARATOR.split(rest)]
    separated = len(pieces) >= 2
    if separated:
        segments = [piece for piece in pieces if piece]
    else:
        starts: list[int] = []
        covered = -1
        for upper in _WORD_START_UPPER.finditer(rest):
            position = upper.start()
            if position < covered or len(starts) >= 100:
                continue
            found = _BODY_SEQUENCE_RE.match(rest, position, position + _MAX_PHRASE * 2)
            if found and _leading_bodies(rest[position : position + _MAX_PHRASE * 3]):
                starts.append(position)
                covered = found.end()
        if starts and starts[0] > 0:
            starts.insert(0, 0)
        bounds = starts or [0]
        segments = [
            rest[begin:end].strip()
            for begin, end in zip(bounds, [*bounds[1:], len(rest)], strict=True)
        ]
    if not segments:
        return []
    # The last item ends with its first sentence; without one the text was cut off.
    end = _FIRST_SENTENCE_END.search(segments[-1])
    if end:
        segments[-1] = segments[-1][: end.end()]
    else:
        segments.pop()
    return [
        segment
        for segment in segments
        if segment and (lead.named or _looks_like_recommendation(segment, listed=separated))
    ]


def _inline_lead_in(text: str) -> tuple[_LeadIn, str] | None:
    """A lead-in inside a line followed by its items on the same line: (lead-in, rest)."""
    for count, keyword in enumerate(_KEYWORD.finditer(text)):
        if count >= 20:
            break
        stop = _NEXT_STOP.search(text, keyword.end(), keyword.end() + 250)
        if stop is None or stop[0] not in ":." or len(text) - stop.end() < 10:
            continue
        window_start = max(0, keyword.start() - 300)
        start = window_start
        for boundary in _SENTENCE_BOUNDARY.finditer(text, window_start, keyword.start()):
            start = boundary.end()
        lead = _parse_lead_in(text[start : stop.end()])
        if lead is not None:
            return lead, text[stop.end() :]
    return None


# ----------------------------------------------------------------------------- sections


def _heading_level(lines: Sequence[_Line], index: int) -> int:
    """Level of the heading at line `index` (1 = outermost), or 0 if it is not a heading."""
    line = lines[index]
    text = line.text
    if line.md_level:
        return line.md_level
    if line.bold:
        return 4
    if len(text) > 160 or _is_toc(text) or _marker(line) and not text[:1].isdigit():
        return 0
    following = lines[index + 1] if index + 1 < len(lines) else None
    numbered = _NUMBERED_HEADING.match(text)
    if (
        numbered
        and line.blank_before
        # A wrapped table-of-contents entry: the page number is on the next line.
        and not (following and not following.blank_before and _is_toc(following.text))
        and not _ends_sentence(text)
        and len(text.split()) <= 14
    ):
        return numbered[1].count(".") + 1
    if (
        line.blank_before
        and (following is None or following.blank_before)
        and len(text) <= 80
        and len(text.split()) <= 10
        and text[:1].isupper()
        and not _HEADING_END.search(text)
        and not _CONTINUATION_END.search(text[-40:])
        and not text[-1:].isdigit()
        and _marker(line) is None
    ):
        return 5
    return 0


class _Sections:
    """The heading path in force while the lines are read in order."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def push(self, level: int, title: str) -> None:
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, title))

    @property
    def path(self) -> str:
        return " > ".join(title for _, title in self._stack)

    @property
    def parent_path(self) -> str:
        """The path above the innermost heading."""
        return " > ".join(title for _, title in self._stack[:-1])


def _heading_recommendation(title: str) -> str:
    """A heading's text without a list number: "1. Nämnden bör ..." -> "Nämnden bör ..."."""
    match = _MARKER.match(title)
    return title[match.end() :] if match and (match["num"] or match["letter"]) else title


def _recommendation_headings(lines: Sequence[_Line]) -> dict[int, tuple[int, int]]:
    """Markdown or bold headings that state a recommendation, mapped to their group.

    A heading "X bör ..." always counts. An imperative heading ("Tydliggör ...") counts when
    a sibling heading is an "X bör ..." one, or when a paragraph announcing recommendations
    ("Nedan redogörs för de rekommendationer ...") precedes it in the same parent section.
    """
    last_at_level = [-1] * 8
    mention = -1
    records: list[tuple[int, tuple[int, int], str, bool]] = []
    with_bor: set[tuple[int, int]] = set()
    for index, line in enumerate(lines):
        if not (line.md_level or line.bold):
            if _RECOMMENDATION_NOUN.search(line.text[:2000]) and (
                _ANNOUNCES.search(line.text[:2000]) or line.text.endswith(":")
            ):
                mention = index
            continue
        level = line.md_level or 4
        parent = max(last_at_level[1:level], default=-1)
        last_at_level[level] = index
        group = (parent, level)
        title = _heading_recommendation(line.text)
        if title.endswith((":", "?")):
            continue
        if _leading_bodies(title) and _BOR.search(title[:300]):
            records.append((index, group, "bör", True))
            with_bor.add(group)
        elif _opens_with_verb(title):
            records.append((index, group, "verb", mention > parent))
    return {
        index: group
        for index, group, kind, announced in records
        if kind == "bör" or announced or group in with_bor
    }


# ----------------------------------------------------------------------------- extraction


def _candidates(lines: Sequence[_Line]) -> list[_Candidate]:
    """Every recommendation the rules find, in document order, addressees unresolved."""
    width = _line_width(lines)
    rec_headings = _recommendation_headings(lines)
    heading_groups: dict[tuple[int, int], int] = {}
    sections = _Sections()
    found: list[_Candidate] = []
    group = 0
    labelled_group = -1

    def add(
        text: str, page: int | None, lead: Iterable[str] = (), section: str | None = None
    ) -> None:
        text = _finish(text)
        if _plausible(text):
            own = tuple(_leading_bodies(text))
            where = sections.path if section is None else section
            found.append(_Candidate(text, page, where, group, own, tuple(lead)))

    index = 0
    while index < len(lines):
        line = lines[index]
        label = _REC_LABEL.match(line.text)
        if label:
            if labelled_group < 0:
                group += 1
                labelled_group = group
            saved, group = group, labelled_group
            text, page = line.text[label.end() :], line.page
            end = index + 1
            # A heading holds its whole recommendation; a bare label takes what follows.
            while end < len(lines) and not (text and (line.md_level or line.bold)):
                previous = lines[end - 1]
                following = lines[end]
                if not text and not _is_boundary(following):
                    text = following.text
                elif not _continues(text, previous, following, width, strict=True):
                    break
                elif len(text) <= _MAX_ITEM_CHARS:
                    text = _join(text, following.text)
                end += 1
            add(text, page)
            group = saved
            index = end
            continue

        lead = _lead_in_ending_at(lines, index)
        level = _heading_level(lines, index)
        if level and not (lead is not None and line.text.endswith(":")):
            sections.push(level, line.text)
        if lead is not None:
            items, end = _read_list(lines, index + 1, width)
            group += 1
            for item in items:
                if lead.named or _looks_like_recommendation(item.text):
                    add(item.text, item.page, lead.bodies)
            if items:
                index = end
                continue

        inline = _inline_lead_in(line.text)
        if inline is not None:
            inline_lead, rest = inline
            end = index + 1
            while (
                end < len(lines)
                and end - index < 20
                and not lines[end].blank_before
                and not _is_boundary(lines[end])
            ):
                rest = _join(rest, lines[end].text)
                end += 1
            texts = _inline_items(rest, inline_lead)
            if texts:
                group += 1
                for text in texts:
                    add(text, line.page, inline_lead.bodies)
                index = end
                continue

        if index in rec_headings:
            # The heading is the recommendation; its section is the one it sits in.
            key = rec_headings[index]
            if key not in heading_groups:
                group += 1
                heading_groups[key] = group
            saved, group = group, heading_groups[key]
            add(_heading_recommendation(line.text), line.page, section=sections.parent_path)
            group = saved
        index += 1
    return found


def _prose_candidates(lines: Sequence[_Line]) -> list[_Candidate]:
    """Single recommendations in running text: "Vi rekommenderar nämnden att ...".

    Used only when a document has no list, label or heading: where it has, prose mostly
    repeats the list in other words.
    """
    found: list[_Candidate] = []
    sections = _Sections()
    paragraph = ""
    page: int | None = None
    section = ""

    def flush() -> None:
        for count, keyword in enumerate(_PROSE_KEYWORD.finditer(paragraph)):
            if count >= 50:
                break
            that = _PROSE_THAT.search(paragraph, keyword.end(), keyword.end() + 220)
            if that is None:
                continue
            end = _PROSE_END.search(paragraph, that.end(), that.end() + 600)
            if end is None:
                continue
            between = paragraph[keyword.end() : that.start()]
            text = _finish(paragraph[that.end() : end.end()])
            if between.strip():
                bodies = _bodies(between)
            elif keyword[0].casefold().endswith("ar"):
                bodies = _leading_bodies(text)  # "Vi rekommenderar att nämnden ser över ..."
            else:
                bodies = _bodies(paragraph[max(0, keyword.start() - _MAX_PHRASE) : keyword.start()])
            if bodies and _plausible(text):
                found.append(_Candidate(text, page, section, 0, (), tuple(bodies)))

    for index, line in enumerate(lines):
        level = _heading_level(lines, index)
        if line.blank_before or level or _is_boundary(line):
            flush()
            paragraph, page, section = "", line.page, sections.path
        if level:
            sections.push(level, line.text)
            continue
        paragraph = _join(paragraph, line.text) if len(paragraph) < 20_000 else paragraph
        if page is None:
            page = line.page
    flush()
    return found


def _normal_body(body: str) -> str:
    return " ".join(body.casefold().replace("&", "och").split())


def _resolve(candidates: Sequence[_Candidate], text: str) -> list[tuple[_Candidate, str]]:
    """Give every candidate its addressees: one (candidate, addressee) pair per body."""
    named = Counter(
        _normal_body(body)
        for candidate in candidates
        for body in (*candidate.lead, *candidate.own)
        if not _is_generic(body)
    )
    spelled: dict[str, str] = {}
    for candidate in candidates:
        for body in (*candidate.lead, *candidate.own):
            spelled.setdefault(_normal_body(body), body)
    default_cache: list[str] = []

    def document_body() -> str:
        """The body the document is about: most named by its lead-ins, else its main organ."""
        if not default_cache:
            if named:
                default_cache.append(spelled[named.most_common(1)[0][0]])
            else:
                organs = infer_organs(text)
                default_cache.append(organs[0] if organs else "")
        return default_cache[0]

    def specific(body: str) -> str:
        """A bare "nämnden" becomes the document's own board when one is known."""
        if body.casefold() not in ("nämnden", "styrelsen"):
            return body
        known = document_body()
        kind = "styrelse" if "styrelse" in body.casefold() else "nämnd"
        return known if known and kind in known.casefold() else body

    # Items of one list or heading run that name no body share the one the others name.
    by_group: dict[int, set[str]] = {}
    for candidate in candidates:
        for body in candidate.own:
            by_group.setdefault(candidate.group, set()).add(_normal_body(body))

    resolved: list[tuple[_Candidate, str]] = []
    for candidate in candidates:
        bodies = candidate.own or candidate.lead
        if bodies:
            names = [specific(body) for body in bodies]
        else:
            shared = by_group.get(candidate.group, set())
            if len(shared) == 1:
                names = [specific(spelled[next(iter(shared))])]
            else:
                names = [document_body()]
        seen: set[str] = set()
        for name in names:
            if _normal_body(name) not in seen:
                seen.add(_normal_body(name))
                resolved.append((candidate, name))
    return resolved


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.casefold()))


def _stems(tokens: Iterable[str]) -> frozenset[str]:
    """Crude stems for comparing repeats: "kostnader" and "kostnaderna" are one word."""
    return frozenset(token[:6] for token in tokens)


def recommendation_id(text: str, addressee: str) -> str:
    """Stable id from the normalised text and addressee, independent of position."""
    key = " ".join(text.casefold().split()) + "|" + _normal_body(addressee)
    # "surrogatepass": lone surrogates (possible in any str) must not make hashing fail.
    digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()
    return "rek-" + digest[:10]


def _merge(pairs: Sequence[tuple[_Candidate, str]]) -> list[Recommendation]:
    """One Recommendation per addressee and text; near-identical repeats keep the first."""
    out: list[Recommendation] = []
    exact: set[tuple[str, tuple[str, ...]]] = set()
    kept: dict[str, list[frozenset[str]]] = {}
    checks = 0
    for candidate, addressee in pairs:
        body = _normal_body(addressee)
        tokens = _tokens(candidate.text)
        if (body, tokens) in exact:
            continue
        token_set = _stems(tokens)
        duplicate = False
        for other in kept.get(body, []):
            checks += 1
            if checks > _MAX_NEAR_DUPLICATE_CHECKS:
                break
            union = len(token_set | other)
            if union and len(token_set & other) / union >= _NEAR_DUPLICATE:
                duplicate = True
                break
        if duplicate:
            continue
        exact.add((body, tokens))
        kept.setdefault(body, []).append(token_set)
        out.append(
            Recommendation(
                id=recommendation_id(candidate.text, addressee),
                text=candidate.text,
                addressee=addressee,
                page=candidate.page,
                section=candidate.section,
            )
        )
    return out


def extract_recommendations(text: str) -> list[Recommendation]:
    """The recommendations stated in a normalised document, in document order.

    Pure and total: any string gives a list (often empty), in time near linear in its size.
    """
    lines = _read_lines(text)
    candidates = _candidates(lines)
    if not candidates:
        candidates = _prose_candidates(lines)
    return _merge(_resolve(candidates, text))
