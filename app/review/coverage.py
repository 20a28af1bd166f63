"""Does a reply answer every recommendation of an audit? A check without an LLM.

The reply is split into passages (paragraphs and list items, alone and in small windows
of consecutive blocks under one heading), each with its page, heading path and lines.
Every recommendation is matched against every passage by a mix of e5 similarity and
stemmed word overlap in which the words that are rare in the reply weigh most. Where the
reply quotes a recommendation (as a heading, a numbered "Rekommendation: …" or a bullet),
the quote itself is never taken as the answer; it links the text that follows it to the
quoted recommendations, and keeps other recommendations from claiming that text.

The status follows from the best match and from what the answer says, found by Swedish
cue phrases: a position ("instämmer", "avser inte …") or a measure ("ska", "har infört")
on a strong match makes the recommendation answered; a weaker match, or one that neither
takes a position nor names a measure, makes it partly answered; no match, missing.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ingest.models import Recommendation
from ingest.structure import Block, parse_blocks
from vectorstore.embeddings import Embedder
from vectorstore.lexical import tokenize

Status = Literal["besvarad", "delvis", "saknas"]
ElementName = Literal["ställningstagande", "åtgärd", "ansvarig", "tidplan", "uppföljning"]
ELEMENTS: tuple[ElementName, ...] = (
    "ställningstagande",
    "åtgärd",
    "ansvarig",
    "tidplan",
    "uppföljning",
)

# -- calibration ------------------------------------------------------------------------
#
# A (recommendation, passage) pair scores the geometric mean of two signals in [0, 1], so
# that both must agree: a passage on the same topic that shares no telling word, or one
# that shares a word in another sense, stays low.
#
# * semantic: the e5 cosine (recommendation as query, passage as passage) rescaled.
#   multilingual-e5-small rates nearly any two Swedish administrative texts 0.80-0.88;
#   measured on the sample replies, passages that answer a recommendation sit at a median
#   of 0.885 (10th percentile 0.855), other passages of the same reply at a median of
#   0.845 (90th percentile 0.878). So COSINE_FLOOR maps to 0, COSINE_CEILING to 1.
# * lexical: the idf-weighted share of the recommendation's stemmed words (half for a
#   compound that shares its first part) that the passage contains, idf counted over the
#   reply's own blocks. Words every paragraph uses ("nämnden", "arbete") weigh little;
#   the rare words that say what a recommendation is about ("jävsprövningar",
#   "hyressubventioner") weigh most, and a word the reply never uses weighs most of all:
#   it is left unanswered.
#
# The reply's structure then adjusts the score. A passage after the reply's own quote of
# the recommendation earns LINK_BONUS; the first passage right under a quote of this
# recommendation alone ("Rekommendation 3: … Åtgärd: …", a heading that is the
# recommendation) scores at least DIRECT_MATCH, because the reply itself says what it
# answers, whatever words it uses. A passage under the quote of other recommendations
# loses FOREIGN_PENALTY: the reply says it answers something else.
#
# Calibrated on the Kungsbacka and Malmö samples and on rewritten versions of them
# (answers as prose, as a table, deleted one at a time): answers score 0.45-0.9 (at least
# 0.55 under their own quote); once an answer is deleted, the best passage left for that
# recommendation scores 0.1-0.36, or up to 0.49 for a title or list that names the topic
# but states no position or measure. STRONG_MATCH sits in that gap; below WEAK_MATCH a
# passage only shares the reply's general vocabulary (a reply on another audit: < 0.25).
COSINE_FLOOR = 0.83
COSINE_CEILING = 0.92
LINK_BONUS = 0.08
DIRECT_MATCH = 0.55
FOREIGN_PENALTY = 0.3
STRONG_MATCH = 0.42
"""At or above: the passage answers the recommendation (given a position or a measure)."""
WEAK_MATCH = 0.25
"""At or above: the passage touches the recommendation; below: it does not address it."""

# A block quotes a recommendation when it contains this share of its distinct words.
QUOTE_COVERAGE = 0.8
# A sentence is (part of) a quote when this share of its words come from the quote.
QUOTE_SENTENCE_SHARE = 0.7
MAX_QUOTE_SENTENCES = 6
# Passages with fewer content words than this say nothing of their own.
MIN_ANSWER_TOKENS = 3
MAX_WINDOW = 3
"""Consecutive blocks taken together as one passage, at most."""
MAX_EVIDENCE_BLOCKS = 6
# Compounds match on a shared first part of at least this many letters ("kunskap…").
MIN_PART_LENGTH = 5
PART_CREDIT = 0.5

# -- element cues -----------------------------------------------------------------------

_FLAGS = re.IGNORECASE

_STANCE_CUES = (
    r"\binstämm(?:er|a|ande|t)\b"
    r"|\bdela[rs]?\s+(?:(?:inte|helt|delvis|även|också)\s+)*(?:\w+\s+){0,2}"
    r"(?:bedömning\w*|uppfattning\w*|slutsats\w*|synpunkt\w*|analys\w*)"
    r"|\bhåller\s+(?:inte\s+)?med\b|\bvälkomnar\b|\bavvisar\b|\bavstyrker\b|\btillstyrker\b"
    r"|\bställer\s+sig\s+(?:\w+\s+)?(?:positiv|bakom|negativ|tveksam)"
    r"|\b(?:är|ser)\s+(?:\w+\s+)?positiv\w*|\bser\s+positivt\b"
    r"|\bavser\s+(?:därför\s+|heller\s+)?inte\b|\bfinner\s+(?:inte|inga|inget)\b"
    r"|\bser\s+(?:inte|inget|inga|ej)\s+(?:\w+\s+){0,2}(?:behov|skäl|anledning)"
    r"|\btar\s+till\s+sig\b|\bgodtar\b|\baccepterar\b|\bbifaller\b"
    r"|\b(?:eftersom|då|med\s+anledning\s+av\s+att)\s+.{0,80}\b(?:redan|inte)\b"
)
# Verbs of opinion take a position in a reply, but also report the auditors' view.
_OPINION_CUES = r"\b(?:anser|bedömer|menar|konstaterar)\s+(?:\w+\s+){0,2}(?:att|inte|sig)\b"
_STANCE = re.compile(_STANCE_CUES, _FLAGS)
_POSITION = re.compile(f"{_STANCE_CUES}|{_OPINION_CUES}", _FLAGS)
_MEASURE = re.compile(
    r"\bska(?:ll)?\s+(?!ha\s+möjlighet)\w+|\bkommer\s+(?:\w+\s+)?(?:att\s+)?\w+a\b"
    r"|\b(?:avser|planerar|beslutat|beslutade)\s+(?:\w+\s+){0,2}att\b|\bplaneras?\b"
    r"|\bhar\s+(?:\w+\s+){0,3}(?:inf[öo]rt|inrättat|tagit\s+fram|genomfört|uppdaterat|"
    r"beslutat|antagit|påbörjat|inlett|startat|utökat|förtydligat|reviderat|sett\s+över|"
    r"utarbetat|upprättat|tydliggjort|implementerat|utvecklat|skapat|stärkt|ändrat)"
    r"|\b\w*(?:införts|tagits\s+fram|genomförts|uppdaterats|påbörjats|inletts|reviderats|"
    r"förtydligats|implementerats|utvecklats|upprättats|ändrats|genomfördes|infördes)\b"
    r"|\b(?:arbetar|jobbar)\s+(?:\w+\s+){0,4}med\b|\bredan\s+(?:i\s?dag|nu)\b"
    r"|\b(?:görs|sker|tillämpas|används|ingår)\b"
    r"|\bblir\s+(?:ett\s+|en\s+)?(?:obligatorisk\w*|krav|del\s+av|\w+\s+moment)"
    # Perfect tense of any verb ("har hållit", "har under året gjort") and present
    # passive ("redovisas", "följs upp", "genomförs"; not genitive plural "-nas").
    r"|\bhar\s+(?:\w+\s+){0,4}?\w{2,}(?:at|it|tt|rt|lt|nt|gt|kt|ort)\b"
    r"|\b\w{3,}(?:(?<!n)as|js|örs|gs)\b"
    r"|\bpågår\b|\bpåbörja\w*|\bimplementer\w*|\binför(?:a|s|des|t)?\b|\buppdater\w*"
    r"|\bta\s+fram\b|\btas\s+fram\b|\bframtag\w*|\bgenomför(?:a|s|t|ande)?\b|\brevider\w*"
    r"|\bse\s+över\b|\bses\s+över\b|\böversyn\w*|\bförtydlig\w*|\btydliggör\w*"
    r"|\butbild\w*|\bkunskapshöjning\w*|\bkompetensutveckl\w*|\brutin(?:er|erna|en)?\b"
    r"|\briktlinje\w*|\bhandlingsplan\w*|\bfattat\s+beslut\b|\bbeslut\s+om\b"
    r"|\b\w+er(?:as|ats)\b|\bdokumentera\w*|\bprotokollför\w*|\bsäkerställ\w*",
    _FLAGS,
)
_RESPONSIBLE = re.compile(
    r"\bansvar\w*"
    r"|\b\w*(?:förvaltning|enhet|avdelning|sektion|stadskontor|kansli|ledningsgrupp)"
    r"(?:en|et|ens|ets)\b"
    r"|\b\w*chef(?:en|er|erna|s)?\b|\bfunktion(?:en|er|erna)?\b"
    r"|\b\w*(?:samordnare|controller|handläggare|strateg|sekreterare|direktör)(?:n|en|na)?\b"
    r"|\b(?:utsedd|utses|uppdrag(?:it|et)?\s+(?:till|åt))\b",
    _FLAGS,
)
_MONTHS = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
_TIME = re.compile(
    r"\b(?:19|20)\d{2}(?:-\d{2}(?:-\d{2})?)?\b|\b\d{1,2}/\d{1,2}(?:\s*[-/]\s*\d{2,4})?"
    rf"|\b(?:{_MONTHS})\b|\bkvartal\w*|\b[QT][1-4]\b|\btertial\w*|\bhalvår\w*|\bdelår\w*"
    r"|\bsenast\b|\binnan\b|\bfrån\s+och\s+med\b|\bfr\.\s?o\.\s?m\.?|\btill\s+och\s+med\b"
    r"|\bt\.\s?o\.\s?m\.?|\bårsskifte\w*|\b(?:våren|hösten|sommaren|vintern)\b"
    r"|\binom\s+(?:\w+\s+)?(?:vecka|veckor|månad\w*|år)\b|\bomgående\b|\btidsplan\w*"
    r"|\btidplan\w*|\bunder\s+(?:året|nästa\s+år|kommande\s+år)",
    _FLAGS,
)
_FOLLOW_UP = re.compile(
    r"\bfölj\w*\s+(?:\w+\s+){0,3}upp\b|\buppfölj\w*|\butvärder\w*|\beffekt\w*"
    r"|\båterrapport\w*|\brapportera\w*\s+till\b|\bintern\s*kontroll\w*|\binternkontroll\w*"
    r"|\begenkontroll\w*|\bmät(?:a|er|s|ning\w*)\b|\bindikator\w*|\bnyckeltal\w*"
    r"|\bavstämning\w*|\bredovisa\w*\s+(?:\w+\s+){0,2}(?:för|till)\s+nämnden\b",
    _FLAGS,
)
_CUES: dict[ElementName, re.Pattern[str]] = {
    "ställningstagande": _POSITION,
    "åtgärd": _MEASURE,
    "ansvarig": _RESPONSIBLE,
    "tidplan": _TIME,
    "uppföljning": _FOLLOW_UP,
}
# Sentences that report what the audit found, asked or recommended are the auditors'
# words, not the reply's: "Granskningen visar att …", "Revisionen önskar svar …".
# The audit and its authors; as the subject of a sentence (not genitive: "revisionens
# bedömning" is what a reply delar or not).
_AUDIT = re.compile(
    r"\b(?:\w*granskning\w*|\w*revision\w*|revisor\w*|\w*rapport\w*|EY|PwC|KPMG)\b", _FLAGS
)
_REPORTING = re.compile(
    r"\b(?:visa[rd]e?|bedöm\w*|konstater\w*|rekommend\w*|granska[dt]e?|syfte\w*|påvisa\w*"
    r"|pekar|lyfter|noterar|önska\w*|önskemål|begär\w*|översän\w*|framhåll\w*|föreslå\w*"
    r"|genomför(?:de|t)|ges|lämna[sr]?|beskriv\w*|redovisa[rs]?|baseras)\b",
    _FLAGS,
)
_CARRIED_REPORT = re.compile(
    r"^(?:Den|Det|Denna|Dessa|De|Vidare|Även|Bedömningen|Slutsatsen)\b"
    r"|\b(?:visar|pekar|bedömning\w*)\b"
)
# Sentence ends, and table cells (a "recommendation | measure | responsible" row).
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9•►\-–])|\s+\|\s+")
# "Åtgärd: …" and the like: the reply itself labels what follows as a measure.
_MEASURE_LABEL = re.compile(
    r"^(?:planerade?\s+|vidtagna\s+)?(?:åtgärd(?:er)?|åtgärdsplan)(?:\s+\w+){0,2}\s*:\s*(?=\S)",
    _FLAGS,
)
_OTHER_LABEL = re.compile(r"^[A-ZÅÄÖ][\wåäö]*(?:\s+[\wåäö]+){0,2}\s*:\s*")
_ACKNOWLEDGEMENT_CLAUSE = re.compile(
    r"^.*?\b(?:har\s+tagit\s+del\s+av|tagit\s+emot|har\s+mottagit|noterar|tackar\s+för)\b"
    r"[^,;]*?(?:\s+och\s+|[,;]\s*|$)",
    _FLAGS,
)
# Receiving a report is not answering it: "Nämnden har tagit del av rapporten",
# "noterar rekommendationen", "tackar för granskningen".
_ACKNOWLEDGEMENT = re.compile(
    r"\b(?:har\s+tagit\s+del\s+av|tagit\s+emot|har\s+mottagit|noterar|tackar\s+för)\b",
    _FLAGS,
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


# -- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """The passage of the reply taken as the answer, and where it is."""

    text: str
    page: int | None
    section: str
    """Heading path of the passage, outermost first, joined with " > "."""
    start_line: int
    """First line of the passage in the reply text, from 1."""
    end_line: int
    """Last line of the passage in the reply text, inclusive."""


@dataclass(frozen=True)
class CoverageItem:
    """How one recommendation is answered by the reply."""

    recommendation: Recommendation
    status: Status
    score: float
    """Match score of the best passage (0 when none)."""
    evidence: Evidence | None
    elements: dict[str, bool]
    """Which of `ELEMENTS` the evidence contains."""
    reason: str
    """One or two Swedish sentences for the reader."""


@dataclass(frozen=True)
class CoverageReport:
    """Coverage of every recommendation (to `addressee`, when given) by one reply."""

    addressee: str | None
    items: list[CoverageItem] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def complete(self) -> bool:
        """True when every checked recommendation is answered."""
        return all(item.status == "besvarad" for item in self.items)


# -- elements ---------------------------------------------------------------------------


def detect_elements(text: str) -> dict[str, bool]:
    """Which answer elements (position, measure, responsible, time, follow-up) `text` has.

    Fragments and sentences that only acknowledge the report ("har tagit del av") count
    for nothing; text after an "Åtgärd:" label counts as a measure.
    """
    found: dict[str, bool] = dict.fromkeys(ELEMENTS, False)
    paragraphs = re.split(r"\n\s*\n", text)
    for raw in (s for p in paragraphs for s in _sentences(" ".join(p.split()))):
        sentence = raw.strip()
        label = _MEASURE_LABEL.match(sentence)
        sentence = sentence[label.end() :] if label else _OTHER_LABEL.sub("", sentence, 1)
        if _ACKNOWLEDGEMENT.search(sentence):
            # Only what the sentence says besides the acknowledgement counts.
            sentence = _ACKNOWLEDGEMENT_CLAUSE.sub("", sentence)
        if len(tokenize(sentence)) < MIN_ANSWER_TOKENS:
            continue  # a fragment: a label, a letterhead line ("Beslutet skickas till")
        if label:
            found["åtgärd"] = True
        for name in ELEMENTS:
            found[name] = found[name] or bool(_CUES[name].search(sentence))
    return found


# -- addressees -------------------------------------------------------------------------


def _addressee_forms(name: str) -> tuple[str, str]:
    """A body's name normalised, and its core without "nämnden för" or "-nämnden"."""
    text = " ".join(_WORD.findall(name.lower().replace("&", " och ")))
    core = re.sub(r"^(?:nämnden|styrelsen)\s+för\s+", "", text)
    core = re.sub(r"(?:s?nämnden|s?nämnd)$", "", core).strip()
    return text, core or text


def addressed_to(recommendation: Recommendation, addressee: str) -> bool:
    """Whether the recommendation is addressed to `addressee` (or names no addressee).

    Names are compared lower-cased with "&" read as "och"; one containing the other is
    enough ("Service" matches "nämnden för Service"), and so are equal cores
    ("servicenämnden" and "nämnden för Service").
    """
    if not recommendation.addressee.strip():
        return True  # unknown addressee: better checked once too often than never
    wanted, wanted_core = _addressee_forms(addressee)
    given, given_core = _addressee_forms(recommendation.addressee)
    if not wanted:
        return True
    return wanted in given or given in wanted or wanted_core == given_core


# -- the reply as blocks ----------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    """A block of the reply with its lines, section and what it quotes."""

    block: Block
    start_line: int
    end_line: int
    section: str
    quoted: frozenset[int]
    """Indices of the recommendations this block quotes."""
    answer: str
    """The block's text without sentences that only repeat a quoted recommendation."""
    owners: frozenset[int]
    """Recommendations whose quote this block follows (empty when none)."""
    direct: bool
    """The first block that says something of its own after the quote of its owners."""


@dataclass(frozen=True)
class _Passage:
    first: int
    last: int
    """Block indices, inclusive."""
    text: str
    owners: frozenset[int]
    direct: bool


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _locate(blocks: Sequence[Block], lines: Sequence[str]) -> list[tuple[int, int]]:
    """(first line, last line), from 1, of each block in the text it was parsed from.

    Blocks are found in order in the text reduced to letters and digits, which undoes
    the joins, bullet removal and emphasis stripping of `parse_blocks`.
    """
    chars: list[str] = []
    line_of: list[int] = []
    for number, line in enumerate(lines, start=1):
        if line.strip().startswith("<!--"):
            continue
        for ch in _alnum(line):
            chars.append(ch)
            line_of.append(number)
    stream = "".join(chars)
    cursor = 0
    spans: list[tuple[int, int]] = []
    fallback = 1
    for block in blocks:
        key = _alnum(block.text)
        if block.kind == "heading" and re.fullmatch(r"Rekommendation(?: \d+)?", block.text):
            key = "rekommendation"  # synthesised from "N. Rekommendation: …"
        found = stream.find(key, cursor) if key else -1
        if found < 0 and len(key) > 40:
            head = stream.find(key[:40], cursor)
            tail = stream.find(key[-40:], max(head, cursor)) if head >= 0 else -1
            if head >= 0 and tail >= 0:
                spans.append((line_of[head], line_of[tail + 39]))
                cursor = tail + 40
                fallback = line_of[tail + 39]
                continue
        if found < 0:
            spans.append((fallback, fallback))
            continue
        end = found + len(key) - 1
        spans.append((line_of[found], line_of[end]))
        cursor = end + 1
        fallback = line_of[end]
    return spans


def _tokens(text: str) -> set[str]:
    return set(tokenize(text))


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_SPLIT.split(text) if s.strip()]


def _quote_runs(sentences: Sequence[list[str]], quotes: Sequence[set[str]]) -> set[int]:
    """Indices of the sentences that make up the quotes, each quote taken once.

    A quote is the shortest run of sentences holding QUOTE_COVERAGE of the
    recommendation's words, when the run is mostly those words; a sentence that merely
    uses the recommendation ("Nämnden instämmer i att …") is no quote. Later sentences
    that say much the same (an answer in the recommendation's words) stay.
    """
    removed: set[int] = set()
    for quote in quotes:
        best: tuple[int, int] | None = None
        for first in range(len(sentences)):
            seen: set[str] = set()
            for last in range(first, min(first + MAX_QUOTE_SENTENCES, len(sentences))):
                if last in removed:
                    break
                seen.update(sentences[last])
                if len(quote & seen) / len(quote) >= QUOTE_COVERAGE:
                    if best is None or last - first < best[1] - best[0]:
                        best = (first, last)
                    break
        if best is None:
            continue
        run = range(best[0], best[1] + 1)
        words = [t for i in run for t in sentences[i]]
        if words and sum(t in quote for t in words) / len(words) >= QUOTE_SENTENCE_SHARE:
            removed.update(run)
    return removed


def _reports_audit(sentence: str, after_report: bool) -> bool:
    """Whether the sentence tells what the audit found or asked, rather than answering."""
    if _STANCE.search(sentence):
        return False
    subjects = [w for w in _AUDIT.findall(sentence) if not w.lower().endswith("s")]
    if subjects and _REPORTING.search(sentence):
        return True
    return after_report and bool(_CARRIED_REPORT.search(sentence))


def _own_words(text: str, quotes: Sequence[set[str]]) -> str:
    """What the reply says itself: the text without quotes, questions and audit reports.

    Dropped are the quoted recommendations, questions (the auditors' questions are often
    repeated as lead-ins) and sentences that report what the audit found or asked,
    unless they also take a position on it.
    """
    sentences = [s.strip() for s in _sentences(text)]
    tokens = [[t for t in tokenize(s) if t != "rekommendation"] for s in sentences]
    quoted = _quote_runs(tokens, quotes) if quotes else set()
    kept: list[str] = []
    reporting = False
    for index, sentence in enumerate(sentences):
        if index in quoted or not tokens[index] or sentence.endswith("?"):
            continue
        if _reports_audit(sentence, reporting):
            reporting = True
            continue
        reporting = False
        kept.append(sentence)
    return " ".join(kept)


def _read_reply(reply_text: str, recommendation_tokens: Sequence[set[str]]) -> list[_Block]:
    """The reply's non-empty blocks with lines, sections, quotes and owners."""
    raw_blocks = parse_blocks(reply_text)
    spans = _locate(raw_blocks, reply_text.splitlines())
    result: list[_Block] = []
    headings: list[tuple[int, str]] = []
    owners: frozenset[int] = frozenset()
    # Owners last until the next quote, or until a heading at this level or above: the
    # end of the section the quote opened (a quoting heading) or stood in.
    owners_until = 0
    previous_quoted = False
    answered = True  # whether the current owners' answer has started
    for block, (start, end) in zip(raw_blocks, spans, strict=True):
        tokens = _tokens(block.text)
        quoted = frozenset(
            index
            for index, rec in enumerate(recommendation_tokens)
            if len(rec) >= 2 and len(rec & tokens) / len(rec) >= QUOTE_COVERAGE
        )
        quotes = [recommendation_tokens[i] for i in sorted(quoted)]
        answer = _own_words(block.text, quotes) if block.kind != "heading" else ""
        if block.kind == "heading":
            while headings and headings[-1][0] >= block.level:
                headings.pop()
            headings.append((block.level, block.text))
            if quoted:
                owners, owners_until, answered = quoted, block.level, False
            elif block.level <= owners_until:
                owners, owners_until, answered = frozenset(), 0, True
            # Sub-headings under a quote (its answer's own headings) keep its owners.
            previous_quoted = bool(quoted)
        elif quoted:
            # Consecutive bare quotes (a list of recommendations) share what follows them;
            # a quote with its own answer (a table row) opens an answer of its own.
            owners = (owners | quoted) if previous_quoted else quoted
            owners_until = headings[-1][0] - 1 if headings else 0
            previous_quoted = len(tokenize(answer)) < MIN_ANSWER_TOKENS
            answered = False
        else:
            previous_quoted = False
        says_something = len(tokenize(answer)) >= MIN_ANSWER_TOKENS
        direct = bool(owners) and not answered and says_something
        answered = answered or says_something
        section = " > ".join(text for _, text in headings)
        result.append(_Block(block, start, end, section, quoted, answer, owners, direct))
    return result


def _passages(blocks: Sequence[_Block]) -> list[_Passage]:
    """Single blocks and windows of up to MAX_WINDOW consecutive blocks that say something.

    A window never crosses a heading, a quote-only block or a change of owners: it stays
    within one answer.
    """
    passages: list[_Passage] = []
    for first, block in enumerate(blocks):
        texts: list[str] = []
        for last in range(first, min(first + MAX_WINDOW, len(blocks))):
            current = blocks[last]
            if current.block.kind == "heading" or current.owners != block.owners:
                break
            if len(tokenize(current.answer)) < MIN_ANSWER_TOKENS:
                break
            texts.append(current.answer)
            passages.append(_Passage(first, last, " ".join(texts), block.owners, block.direct))
    return passages


# -- scoring ----------------------------------------------------------------------------


def _idf(blocks: Sequence[_Block]) -> dict[str, float]:
    """Inverse document frequency of each token over the reply's answer blocks."""
    documents = [_tokens(b.answer) for b in blocks if b.answer]
    frequency: Counter[str] = Counter()
    for tokens in documents:
        frequency.update(tokens)
    total = len(documents)
    return {t: math.log((total + 1) / (count + 0.5)) for t, count in frequency.items()} | {
        "": math.log((total + 1) / 0.5)
    }


def _prefixes(tokens: set[str]) -> set[str]:
    """Every first part, MIN_PART_LENGTH letters or longer, of every token."""
    return {t[:k] for t in tokens for k in range(MIN_PART_LENGTH, len(t) + 1)}


def _lexical(rec: set[str], passage: set[str], prefixes: set[str], idf: dict[str, float]) -> float:
    """Idf-weighted share of the recommendation's words found in the passage.

    A word missing as a whole earns part credit when it starts a compound of the other
    text or the other way round ("kunskap" and "kunskapshöjning"): the first part of a
    Swedish compound says what it is about, while a shared last part ("uppföljning" in
    "avtalsuppföljning") is the generic head and earns nothing. `prefixes` are the
    passage's, from `_prefixes`.
    """
    unseen = idf[""]
    total = 0.0
    found = 0.0
    for token in rec:
        weight = idf.get(token, unseen)
        total += weight
        if token in passage:
            found += weight
        elif len(token) >= MIN_PART_LENGTH and (
            token in prefixes
            or any(token[:k] in passage for k in range(MIN_PART_LENGTH, len(token)))
        ):
            found += PART_CREDIT * weight
    return found / total if total else 0.0


def _semantic(cosine: float) -> float:
    return min(1.0, max(0.0, (cosine - COSINE_FLOOR) / (COSINE_CEILING - COSINE_FLOOR)))


@dataclass(frozen=True)
class _Match:
    passage: _Passage
    score: float
    cosine: float
    lexical: float


def _passage_vectors(
    blocks: Sequence[_Block], passages: Sequence[_Passage], embedder: Embedder
) -> np.ndarray:
    """One e5 vector per passage, embedding each block once.

    A window's vector is the length-weighted mean of its blocks' vectors: e5 mean-pools
    over tokens, so this is close to embedding the joined text, at a fraction of the cost.
    """
    used = sorted({i for p in passages for i in range(p.first, p.last + 1)})
    row_of = {block: row for row, block in enumerate(used)}
    vectors = embedder.embed_passages([blocks[i].answer for i in used])
    weights = [len(blocks[i].answer.split()) for i in used]
    result = np.zeros((len(passages), vectors.shape[1]), dtype=np.float64)
    for n, passage in enumerate(passages):
        for i in range(passage.first, passage.last + 1):
            result[n] += weights[row_of[i]] * vectors[row_of[i]]
    norms = np.linalg.norm(result, axis=1, keepdims=True)
    return result / np.maximum(norms, 1e-12)


def _score_all(
    recommendations: Sequence[Recommendation],
    rec_tokens: Sequence[set[str]],
    blocks: Sequence[_Block],
    passages: Sequence[_Passage],
    embedder: Embedder,
) -> list[list[_Match]]:
    """Every (recommendation, passage) match, per recommendation."""
    if not passages:
        return [[] for _ in recommendations]
    queries = embedder.embed_queries([r.text for r in recommendations])
    cosines = np.asarray(queries @ _passage_vectors(blocks, passages, embedder).T)
    idf = _idf(blocks)
    passage_tokens = [_tokens(p.text) for p in passages]
    passage_prefixes = [_prefixes(tokens) for tokens in passage_tokens]
    # The same text to several bodies is one recommendation as far as quotes go.
    keys = [frozenset(tokens) for tokens in rec_tokens]
    matches: list[list[_Match]] = []
    for r, tokens in enumerate(rec_tokens):
        row: list[_Match] = []
        for p, passage in enumerate(passages):
            lexical = _lexical(tokens, passage_tokens[p], passage_prefixes[p], idf)
            cosine = float(cosines[r, p])
            score = math.sqrt(_semantic(cosine) * lexical)
            if r in passage.owners:
                score += LINK_BONUS
                if passage.direct and {keys[o] for o in passage.owners} == {keys[r]}:
                    # The reply itself puts this passage right under this recommendation.
                    score = max(score, DIRECT_MATCH)
            elif passage.owners:
                score -= FOREIGN_PENALTY
            row.append(_Match(passage, min(1.0, max(0.0, score)), cosine, lexical))
        matches.append(row)
    return matches


def _evidence(blocks: Sequence[_Block], passage: _Passage) -> Evidence:
    """The passage plus the blocks that go on with its answer, up to the next heading."""
    last = passage.last
    while (
        last + 1 < len(blocks)
        and last + 1 - passage.first < MAX_EVIDENCE_BLOCKS
        and blocks[last + 1].block.kind != "heading"
        and not blocks[last + 1].quoted
        and blocks[last + 1].owners == passage.owners
    ):
        last += 1
    chosen = blocks[passage.first : last + 1]
    text = "\n\n".join(b.answer for b in chosen if b.answer)
    first = chosen[0]
    return Evidence(text, first.block.page, first.section, first.start_line, chosen[-1].end_line)


def _where(evidence: Evidence) -> str:
    """ "s. 3, avsnitt "Rekommendation 2"" for a reason."""
    where = f"s. {evidence.page}" if evidence.page is not None else "svaret"
    if evidence.section:
        heading = evidence.section.split(" > ")[-1]
        heading = heading if len(heading) <= 60 else heading[:59].rstrip() + "…"
        where += f', avsnitt "{heading}"'
    return where


def _quote_evidence(block: _Block) -> Evidence:
    return Evidence(
        block.block.text, block.block.page, block.section, block.start_line, block.end_line
    )


def _judge(
    index: int, match: _Match | None, blocks: Sequence[_Block]
) -> tuple[Status, Evidence | None, dict[str, bool], str]:
    """Status, evidence, elements and the reader's reason for one recommendation."""
    quote = next((b for b in blocks if index in b.quoted), None)
    nothing: dict[str, bool] = dict.fromkeys(ELEMENTS, False)
    if match is None or match.score < WEAK_MATCH:
        if quote is not None:
            evidence = _quote_evidence(quote)
            reason = f"Rekommendationen återges ({_where(evidence)}) men besvaras inte."
            return "delvis", evidence, nothing, reason
        return "saknas", None, nothing, "Svaret tar inte upp rekommendationen."
    evidence = _evidence(blocks, match.passage)
    elements = detect_elements(evidence.text)
    found = [name for name in ELEMENTS if elements[name]]
    missing = [name for name in ELEMENTS if not elements[name]]
    has_core = elements["ställningstagande"] or elements["åtgärd"]
    if match.score >= STRONG_MATCH and has_core:
        reason = f"Besvaras i {_where(evidence)} ({', '.join(found)})."
        if missing:
            reason += f" Anges inte: {', '.join(missing)}."
        return "besvarad", evidence, elements, reason
    if (
        quote is not None
        and not has_core
        and not (match.passage.direct and index in match.passage.owners)
    ):
        # Only the quote is about it: the passage found says nothing to it.
        evidence = _quote_evidence(quote)
        reason = f"Rekommendationen återges ({_where(evidence)}) men besvaras inte."
        return "delvis", evidence, nothing, reason
    if match.score >= STRONG_MATCH:
        reason = f"Tas upp i {_where(evidence)}, men utan ställningstagande eller åtgärd."
    else:
        reason = (
            f"Berörs bara delvis i {_where(evidence)}; kontrollera att svaret verkligen avser den."
        )
    return "delvis", evidence, elements, reason


def check_coverage(
    recommendations: Sequence[Recommendation],
    reply_text: str,
    embedder: Embedder,
    addressee: str | None = None,
) -> CoverageReport:
    """Check which recommendations the reply answers, partly answers or leaves out.

    `reply_text` is a reply as the loaders normalise it (`LoadedDocument.text`, page
    markers as `<!-- sida N -->`); evidence lines count lines of that text from 1. With
    `addressee`, only recommendations addressed to that body are checked.
    """
    chosen = [r for r in recommendations if addressee is None or addressed_to(r, addressee)]
    if not chosen:
        return CoverageReport(addressee, [])
    rec_tokens = [_tokens(r.text) for r in chosen]
    blocks = _read_reply(reply_text, rec_tokens)
    passages = _passages(blocks)
    matches = _score_all(chosen, rec_tokens, blocks, passages, embedder)
    items: list[CoverageItem] = []
    for index, rec in enumerate(chosen):
        best = max(matches[index], key=lambda m: m.score, default=None)
        status, evidence, elements, reason = _judge(index, best, blocks)
        score = round(best.score, 3) if best is not None else 0.0
        items.append(CoverageItem(rec, status, score, evidence, elements, reason))
    return CoverageReport(addressee, items)
