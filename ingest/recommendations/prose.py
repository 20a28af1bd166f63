"""Recommendations stated in running text, sentence by sentence.

Replies and summaries state recommendations in prose rather than lists:
- a verb with its addressee in any order: "Riksrevisionen rekommenderar regeringen att …",
  "Vidare rekommenderas Arbetsförmedlingen att …", "Berörda myndigheter rekommenderas att
  …", "Vi rekommenderar att nämnden ser över …", "vill vi uppmana styrelsen att …";
- the noun, when a reply names the recommendation it answers: "Regeringen instämmer inte i
  Riksrevisionens rekommendation att regeringen bör …", "En rekommendation till regeringen
  handlar om att …", "rekommendationen i fråga om …".
One sentence may hold several recommendations joined by "och att" / "samt att" / ", att";
it is cut there when what follows opens like a recommendation of its own (a verb, or a
body that should act), and kept whole when it only goes on with the first ("… och att vid
behov förändra metoden").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ingest.recommendations.phrases import (
    BODY_SEQUENCE_RE,
    bodies,
    leading_bodies,
    opens_with_verb_after_adverbial,
    slot_bodies,
)
from ingest.recommendations.reading import Candidate, finish, is_boundary, plausible
from ingest.recommendations.sections import Sections
from ingest.text.headings import heading_at
from ingest.text.lines import Line, join_lines
from ingest.text.sentences import split_sentences

# Running text longer than this is not joined further: prose is read paragraph by paragraph.
_MAX_PARAGRAPH_CHARS = 20_000
# Keyword matches read per sentence, so adversarial input stays linear.
_MAX_MATCHES = 20
# How far after the verb the "att" opening the recommendation may stand.
_THAT_WINDOW = 160
# How many words before a passive verb may name its subject ("Berörda myndigheter
# rekommenderas att").
_SUBJECT_WORDS = 4

_VERB = re.compile(
    r"\b(?:rekommender(?:ar|as|at|ade|ats)|uppmana(?:r|s)?|föreslår|föreslås)\b", re.I
)
_NOUN = re.compile(
    r"\brekommendation(?:en|er|erna)?"
    r"(?:\s+till\s+(?P<to>(?:[\w&-]+\s+){0,5}?[\w&-]+))?"
    r"\s+(?:är\s+|handlar\s+)?(?:om\s+hur|om\s+att|i\s+fråga\s+om|att)\s",
    re.I,
)
_THAT = re.compile(r"\batt\b,?\s*")
_PASSIVE = re.compile(r"s$", re.I)
# Where a recommendation's clause stops short of its sentence end: the reply goes on.
_CLAUSE_END = re.compile(r",\s+(?:utan|men|vilket|eftersom)\s|;\s|:\s*$")
# Coordinated clauses: "… och att …", "… samt att …", "…, att …".
_COORDINATION = re.compile(r"(?:,|\s+och|\s+samt)\s+att\s+", re.I)
# Who recommends, not to whom: "Vidare rekommenderar Riksrevisionen att regeringen …".
_RECOMMENDER = re.compile(
    r"^(?:vi|[\w-]*revision(?:en)?|[\w-]*revisorerna|myndigheten|granskningen)$", re.I
)
_SLOT_FILLER = frozenset(
    "vidare också även därför dessutom slutligen härmed bland annat bl.a. mot denna bakgrund "
    "i första hand främst".split()
)
# A proposal for a decision is no recommendation: "föreslår att nämnden beslutar att …".
_DECISION = re.compile(
    r"\b(?:besluta|beslutar|anta|antar|godkänna|godkänner|fastställa|fastställer|lägga|lägger|"
    r"överlämna|överlämnar|avge|avger|notera|noterar|yttra|tillstyrka)\b",
    re.I,
)


@dataclass(frozen=True)
class ProseRecommendation:
    """One recommendation read from a sentence, with the bodies its wording names."""

    text: str
    named: tuple[str, ...]
    """Bodies named where the addressee stands ("rekommenderar X att"), or ()."""
    mention: bool
    """True when read from the noun ("rekommendationen att …"): a reply naming a
    recommendation, often one the document already stated."""


def _clean_slot(between: str) -> str:
    words = [w for w in between.replace(",", " ").split() if not _RECOMMENDER.match(w)]
    text = " ".join(words)
    for filler in sorted(_SLOT_FILLER, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(filler)}(?!\w)", " ", text, flags=re.I)
    return " ".join(text.split())


def _subject_before(sentence: str, position: int) -> list[str]:
    """The body just before a passive verb: "Arbetsförmedlingen rekommenderas"."""
    words = sentence[:position].split()[-_SUBJECT_WORDS:]
    for size in range(len(words), 0, -1):
        found = bodies(" ".join(words[-size:]))
        if found:
            return found
    return []


def _clause(sentence: str, start: int) -> str:
    """The recommendation's clause from `start` to where the sentence moves on."""
    rest = sentence[start:]
    end = _CLAUSE_END.search(rest)
    return rest[: end.start()] if end else rest


def _coordinated(clause: str) -> list[str]:
    """A clause cut into the recommendations it joins with "och att" / "samt att"."""
    parts: list[str] = []
    begin = 0
    for joint in _COORDINATION.finditer(clause):
        following = clause[joint.end() :]
        if opens_with_verb_after_adverbial(following) or leading_bodies(following):
            parts.append(clause[begin : joint.start()])
            begin = joint.end()
    parts.append(clause[begin:])
    return [part.strip(" ,:") for part in parts if part.strip(" ,:")]


def _is_decision(clause: str) -> bool:
    """Whether the clause proposes a decision: "besluta att …", "nämnden beslutar att …"."""
    subject = BODY_SEQUENCE_RE.match(clause)
    return _DECISION.match(clause[subject.end() :].lstrip() if subject else clause) is not None


def _from_verb(sentence: str, verb: re.Match[str]) -> Iterator[ProseRecommendation]:
    that = _THAT.search(sentence, verb.end(), verb.end() + _THAT_WINDOW)
    if that is None:
        return
    between = sentence[verb.end() : that.start()]
    if any(mark in between for mark in ".:;!?"):
        return
    proposal = verb[0].casefold().startswith("föreslå")
    # "I remissen föreslår regeringen att …": after a proposal verb stands its subject.
    named = [] if proposal else slot_bodies(_clean_slot(between))
    if not named and _PASSIVE.search(verb[0]):
        named = _subject_before(sentence, verb.start())
    clause = _clause(sentence, that.end())
    if _is_decision(clause) or _DECISION.search(between):
        return  # "föreslås besluta att …", "rekommenderar nämnden att besluta att …"
    if proposal and not (named or leading_bodies(clause)):
        return  # "föreslår att …" with no one to act is a proposal, not a recommendation
    for part in _coordinated(clause):
        yield ProseRecommendation(part, tuple(named), mention=False)


def _from_noun(sentence: str, noun: re.Match[str]) -> Iterator[ProseRecommendation]:
    named = slot_bodies(noun["to"]) if noun["to"] else []
    for part in _coordinated(_clause(sentence, noun.end())):
        yield ProseRecommendation(part, tuple(named), mention=True)


def recommendations_in(sentence: str) -> list[ProseRecommendation]:
    """Every recommendation a sentence states or names, in order."""
    found: list[tuple[int, ProseRecommendation]] = []
    for count, verb in enumerate(_VERB.finditer(sentence)):
        if count >= _MAX_MATCHES:
            break
        found.extend((verb.start(), item) for item in _from_verb(sentence, verb))
    for count, noun in enumerate(_NOUN.finditer(sentence)):
        if count >= _MAX_MATCHES:
            break
        found.extend((noun.start(), item) for item in _from_noun(sentence, noun))
    found.sort(key=lambda pair: pair[0])
    return [item for _, item in found]


def prose_candidates(lines: Sequence[Line], first_group: int) -> list[Candidate]:
    """Recommendations in running text, paragraph by paragraph, each its own group."""
    found: list[Candidate] = []
    sections = Sections()
    paragraph = ""
    page: int | None = None
    section = ""
    start = 0
    group = first_group

    def flush() -> None:
        nonlocal group
        if not paragraph:
            return
        for sentence in split_sentences(paragraph, verbatim=True):
            for item in recommendations_in(sentence):
                text = finish(item.text.rstrip(":"))
                if not plausible(text):
                    continue
                group += 1
                found.append(
                    Candidate(
                        text,
                        page,
                        section,
                        group,
                        tuple(leading_bodies(text)),
                        item.named,
                        order=start,
                        mention=item.mention,
                    )
                )

    for index, line in enumerate(lines):
        heading = heading_at(lines, index)
        if line.blank_before or heading or is_boundary(line):
            flush()
            paragraph, page, section, start = "", line.page, sections.path, index
        if heading:
            sections.push(heading.level, heading.text)
            continue
        if len(paragraph) < _MAX_PARAGRAPH_CHARS:
            paragraph = join_lines(paragraph, line.text)
        if page is None:
            page = line.page
    flush()
    return found
