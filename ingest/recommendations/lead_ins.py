"""Lead-ins: the sentences that announce recommendations, and lists written on their line.

"Nämnden för Service och Kommunstyrelsen rekommenderas att:", "Vi rekommenderar
kommunstyrelsen att:" name the bodies, and the items after them are verb phrases; "följande
rekommendationer:", "kring fyra rekommendationer." only announce, and the items after them
must read as recommendations on their own ("Kommunstyrelsen bör ...").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.recommendations.phrases import (
    BODY_SEQUENCE_RE,
    MAX_PHRASE,
    bodies,
    leading_bodies,
    looks_like_recommendation,
    slot_bodies,
)
from ingest.recommendations.reading import is_boundary
from ingest.text.bullets import INLINE_BULLET
from ingest.text.lines import Line, ends_sentence, join_lines
from ingest.text.sentences import split_sentences

KEYWORD = re.compile(r"rekommend", re.I)

# A lead-in sentence is read from at most this many characters before its end.
_MAX_LEAD_IN_CHARS = 400
# How far back a lead-in's own sentence is looked for.
_LEAD_IN_CONTEXT = 600
# A lead-in wrapped over more lines than this is a paragraph that happens to end in ":".
_MAX_LEAD_IN_LINES = 3
# How much of a lead-in's end is read for the noun closing it ("... våra rekommendationer:").
_CLOSING_WINDOW = 80
_MAX_INLINE_KEYWORDS = 20
# How far after "rekommend..." the ":" or "." that ends an inline lead-in may stand.
_INLINE_STOP_WINDOW = 250
# How far before "rekommend..." the inline lead-in's sentence may start.
_INLINE_SENTENCE_WINDOW = 300
# Fewer characters after an inline lead-in cannot hold a recommendation.
_MIN_INLINE_ITEMS_CHARS = 10
# Cap on body-led items split out of one run-on line, to keep adversarial input linear.
_MAX_INLINE_STARTS = 100

_A_ACTIVE = re.compile(r"\brekommendera[r]?\s+(?P<b>[^.:;!?]{1,200}?)\s+att$", re.I)
_A_PASSIVE_AFTER = re.compile(r"\brekommenderas\s+(?P<b>[^.:;!?]{1,200}?)\s+att$", re.I)
_A_PASSIVE_BEFORE = re.compile(r"\brekommenderas\s+att$", re.I)
_A_ACTIVE_THAT = re.compile(
    r"\brekommendera[r]?\s+(?:vi\s+)?att(?:\s+(?P<b>[^.:;!?]{1,200}))?$", re.I
)
# "Vi rekommenderar:" / "Revisorerna rekommenderar därför:" before items naming their bodies.
_A_BARE = re.compile(r"\brekommender(?:ar|as)(?:\s+(?:vi|därför|också|även|följande))*$", re.I)
_A_ADDRESSED = re.compile(r"\brekommenderar\s+(?P<b>[^.:;!?]{1,200})$", re.I)
# "Vi anser att kommunstyrelsen bör:" states recommendations without the word.
_A_SHOULD = re.compile(r"\s(?:därför\s+|också\s+|även\s+)?bör$", re.I)
_A_FOLLOWING = re.compile(
    r"\brekommender(?:ar|as)\s+(?:(?P<b>[^.:;!?]{1,200}?)\s+)?följande(?:\s+\w+)?$", re.I
)
_TO = r"(?:\s+(?:riktade?|som\s+riktas))?\s+till\s+(?P<b>[^.:;!?]{1,200})"
_A_TO = re.compile(rf"\brekommendation(?:er|erna)?{_TO}$", re.I)
_B_HEADING = re.compile(
    # "Våra rekommendationer", "Kommunrevisionens rekommendationer", "EY:s rekommendationer".
    r"(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?\s*)?(?:(?:våra|[\w:-]{2,40}s)\s+)?"
    rf"rekommendation(?:er|erna)?(?:{_TO})?",
    re.I,
)
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
_NEXT_STOP = re.compile(r"[:.?!]")
_WORD_START_UPPER = re.compile(r"(?<!\S)[A-ZÅÄÖ]")


@dataclass(frozen=True)
class LeadIn:
    """A sentence that introduces recommendations; `named` is False for "följande ..."."""

    bodies: tuple[str, ...]
    named: bool
    """True: "X rekommenderas att" (items are verb phrases, any item counts)."""


def _lead(phrase: str, named: bool = True) -> LeadIn:
    """A lead-in addressed to the bodies in `phrase`, which stands in an addressee slot."""
    return LeadIn(tuple(slot_bodies(phrase)), named)


def _that_clause(core: str, stop: str) -> LeadIn | None:
    """Lead-ins ending in "att" or "att:" ("Nämnden rekommenderas att:"), and the bare and
    "bör" forms that need a colon."""
    # "Förvaltningen rekommenderar nämnden att besluta att:" proposes a decision.
    match = _A_ACTIVE.search(core)
    if match and not _NESTED_CLAUSE.search(match["b"]):
        return _lead(match["b"])
    match = _A_PASSIVE_AFTER.search(core)
    if match and _NESTED_CLAUSE.search(match["b"]):
        match = None
    if match and slot_bodies(match["b"]):
        return _lead(match["b"])
    if match:  # "Kommunstyrelsen rekommenderas därför att:"
        return _lead(core[: match.start()][-MAX_PHRASE:])
    match = _A_PASSIVE_BEFORE.search(core)
    if match:
        return _lead(core[: match.start()][-MAX_PHRASE:])
    if stop != ":":
        return None
    match = _A_ACTIVE_THAT.search(core)
    if match:
        return _lead(match["b"] or "")
    match = _A_FOLLOWING.search(core)
    if match:
        return _lead(match["b"] or "", named=False)
    if _A_BARE.search(core):
        return LeadIn((), False)
    match = _A_ADDRESSED.search(core)
    if match and not _NESTED_CLAUSE.search(match["b"]) and slot_bodies(match["b"]):
        # "Riksrevisionen rekommenderar regeringen:"
        return _lead(match["b"])
    match = _A_SHOULD.search(core)
    if match:
        named = bodies(core[: match.start()][-MAX_PHRASE:])
        return LeadIn(tuple(named), True) if named else None
    return None


def parse_lead_in(sentence: str, heading: bool = False) -> LeadIn | None:
    """Read a sentence that should introduce a list of recommendations, or None."""
    text = sentence.strip()[-_MAX_LEAD_IN_CHARS:]
    if not text or text[-1] == "?":
        return None
    stop = text[-1] if text[-1] in ":." else ""
    core = text.rstrip(":. ").strip()
    if not core:
        return None
    match = _A_TO.search(core)
    if stop == ":" and match:
        return _lead(match["b"])
    if stop == ":" or core.casefold().endswith(" att"):
        lead = _that_clause(core, stop)
        if lead is not None:
            return lead
    if heading:
        match = _B_HEADING.fullmatch(core)
        if match:
            return _lead(match["b"] or "", named=bool(match["b"]))
    if not stop or "fråg" in core.casefold() or _QUESTION_START.match(core):
        return None
    counted = _COUNTED_NOUN.search(core) is not None
    closing = _CLOSING_NOUN.search(core[-_CLOSING_WINDOW:]) is not None
    if (stop == ":" and (counted or closing)) or (counted and closing):
        return LeadIn((), False)
    return None


def _last_sentence(text: str) -> str:
    sentences = split_sentences(text[-_LEAD_IN_CONTEXT:], verbatim=True)
    return sentences[-1] if sentences else ""


def lead_in_ending_at(lines: Sequence[Line], index: int) -> LeadIn | None:
    """The lead-in whose sentence ends with line `index`, if any."""
    line = lines[index]
    text = line.text
    # A plain line "Rekommendationer till regeringen" is a heading too: its words say so.
    is_heading = bool(line.md_level or line.bold or _B_HEADING.fullmatch(text))
    if not (text.endswith(":") or text.casefold().endswith(" att") or is_heading):
        return None
    if not is_heading:
        # The sentence may have started on an earlier line of the same paragraph.
        start = index
        while (
            start > 0
            and index - start < _MAX_LEAD_IN_LINES
            and not lines[start].blank_before
            and not is_boundary(lines[start - 1])
        ):
            start -= 1
        joined = ""
        for previous in lines[start : index + 1]:
            joined = join_lines(joined, previous.text)
        text = joined
    if not KEYWORD.search(text[-_LEAD_IN_CONTEXT:]) and not text.endswith(" bör:"):
        return None
    return parse_lead_in(_last_sentence(text), heading=is_heading)


def inline_lead_in(text: str) -> tuple[LeadIn, str] | None:
    """A lead-in inside a line followed by its items on the same line: (lead-in, rest)."""
    for count, keyword in enumerate(KEYWORD.finditer(text)):
        if count >= _MAX_INLINE_KEYWORDS:
            break
        stop = _NEXT_STOP.search(text, keyword.end(), keyword.end() + _INLINE_STOP_WINDOW)
        if stop is None or stop[0] not in ":." or len(text) - stop.end() < _MIN_INLINE_ITEMS_CHARS:
            continue
        window = text[max(0, keyword.start() - _INLINE_SENTENCE_WINDOW) : stop.end()]
        lead = parse_lead_in(_last_sentence(window))
        if lead is not None:
            return lead, text[stop.end() :]
    return None


def _body_led_segments(rest: str) -> list[str]:
    """A run-on line cut where a body starts a new recommendation ("Kommunstyrelsen bör ...")."""
    starts: list[int] = []
    covered = -1
    for upper in _WORD_START_UPPER.finditer(rest):
        position = upper.start()
        if position < covered or len(starts) >= _MAX_INLINE_STARTS:
            continue
        found = BODY_SEQUENCE_RE.match(rest, position, position + MAX_PHRASE * 2)
        if found and leading_bodies(rest[position : position + MAX_PHRASE * 3]):
            starts.append(position)
            covered = found.end()
    if starts and starts[0] > 0:
        starts.insert(0, 0)
    bounds = starts or [0]
    return [
        rest[begin:end].strip() for begin, end in zip(bounds, [*bounds[1:], len(rest)], strict=True)
    ]


def inline_items(rest: str, lead: LeadIn, paragraph_ends: bool = False) -> list[str]:
    """Items written on the lead-in's own line: " - X - Y" or "Kommunstyrelsen bör X. ...".

    With `paragraph_ends` (nothing follows the items in their paragraph), a bulleted last
    item keeps all its sentences, as the items before it do; otherwise it ends with its
    first sentence, and without one the text was cut off.
    """
    rest = rest.strip()
    pieces = [piece.strip() for piece in INLINE_BULLET.split(rest)]
    separated = len(pieces) >= 2
    segments = [piece for piece in pieces if piece] if separated else _body_led_segments(rest)
    if not segments:
        return []
    first = split_sentences(segments[-1], verbatim=True)
    if separated and paragraph_ends and ends_sentence(segments[-1]):
        pass
    elif first and ends_sentence(first[0]):
        segments[-1] = first[0]
    else:
        segments.pop()
    return [
        segment
        for segment in segments
        if segment and (lead.named or looks_like_recommendation(segment, listed=separated))
    ]
