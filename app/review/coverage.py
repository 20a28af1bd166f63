"""Does a reply answer every recommendation of an audit? A check without an LLM.

The reply is split into passages (paragraphs and list items, alone and in small windows
of consecutive blocks under one heading), each with its page, heading path and lines
(`app.review.passages`). Every recommendation is matched against every passage by a mix
of e5 similarity and stemmed word overlap in which the words that are rare in the reply
weigh most (`app.review.scoring`). Where the reply quotes a recommendation (as a heading,
a numbered "Rekommendation: …" or a bullet), the quote itself is never taken as the
answer; it links the text that follows it to the quoted recommendations, and keeps other
recommendations from claiming that text.

The status follows from the best match and from what the answer says, found by the
Swedish cue phrases of `ingest.text.elements`: a position ("instämmer", "avser inte …")
or a measure ("ska", "har infört") on a strong match makes the recommendation answered; a
weaker match, or one that neither takes a position nor names a measure, makes it partly
answered; no match, missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from app.review.alignment import align
from app.review.passages import Passage, ReplyBlock, passages, read_reply, token_set
from app.review.scoring import Match, Thresholds, score_all
from ingest.models import Recommendation
from ingest.text import elements as reply_elements
from ingest.text.sentences import split_sentences
from ingest.vocabulary import ELEMENTS, ElementName, Stance, Status
from vectorstore.embeddings import Embedder
from vectorstore.lexical import tokenize

__all__ = [
    "ELEMENTS",
    "CoverageItem",
    "CoverageReport",
    "ElementName",
    "Evidence",
    "ReplyAnalysis",
    "Stance",
    "Status",
    "addressed_to",
    "analyse_reply",
    "check_coverage",
    "detect_elements",
    "judge_reply",
]

MAX_EVIDENCE_BLOCKS = 6
"""Blocks shown as the evidence of one answer, at most: the passage and what goes on with it."""
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
    elements: dict[ElementName, bool]
    """Which of `ELEMENTS` the evidence contains."""
    reason: str
    """One or two Swedish sentences for the reader."""
    stance: Stance | None = None
    """The position the reply takes on it, when stated; None when unknown or unanswered."""


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
        return all(item.status == Status.BESVARAD for item in self.items)


# -- elements ---------------------------------------------------------------------------


detect_elements: Callable[[str], dict[ElementName, bool]] = partial(
    reply_elements.detect_elements, words=tokenize
)
"""Which answer elements (position, measure, responsible, time, follow-up) a text has:
`ingest.text.elements.detect_elements` with the tokenizer the scores use, so a sentence
needs three stemmed words that are not function words to count."""


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


# -- judging ----------------------------------------------------------------------------


def _evidence(blocks: Sequence[ReplyBlock], passage: Passage) -> Evidence:
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


_STATED_CLAUSE = re.compile(
    r"\brekommendation\w*\s+(?:\w+\s+){0,3}?(?:att|om)\b[^.;]*", re.IGNORECASE
)
"""The recommendation as a position sentence states it ("instämmer i rekommendationen att
…"): its verbs are the auditors' measure, not the reply's."""
MENTION_SHARE = 0.5
"""A collective answer ("instämmer i rekommendationerna") touches the recommendations of
an audit the reply names: one of its blocks holds at least this share of the words of one
of them. (A reply to another audit may answer its own recommendations collectively.)"""
_REASONED = re.compile(
    r"\b(?:dock|däremot|eftersom|emellertid|mot\s+bakgrund\s+av|med\s+hänsyn\s+till"
    r"|på\s+grund\s+av|utom\s+\w+\s+kontroll)\b",
    re.IGNORECASE,
)
"""A reason given where the reply agrees only in part: the part it does not accept is
rejected with a reason, which answers it ("ser dock vissa svårigheter …")."""
MAX_ANSWER_SENTENCES = 4
"""Sentences an answer that starts inside a paragraph runs on for, at most."""


def _sentence_answer(blocks: Sequence[ReplyBlock], passage: Passage) -> str:
    """The answer a sentence passage starts: it and what follows, up to the next position.

    In a skrivelse one paragraph answers several recommendations, each from the sentence
    that takes a position on it ("Regeringen instämmer inte i …") until the next such
    sentence; the answer may run on into the next paragraph.
    """
    taken: list[str] = []
    index = passage.first
    sentences = split_sentences(blocks[index].answer)[passage.part :]
    while len(taken) < MAX_ANSWER_SENTENCES:
        if not sentences:
            index += 1
            if index >= len(blocks) or blocks[index].block.kind == "heading":
                break
            sentences = split_sentences(blocks[index].answer)
            continue
        sentence = sentences.pop(0)
        if taken and reply_elements.STANCE.search(sentence):
            break
        taken.append(sentence)
    return " ".join(taken)


def _where(evidence: Evidence) -> str:
    """ "s. 3, avsnitt "Rekommendation 2"" for a reason."""
    where = f"s. {evidence.page}" if evidence.page is not None else "svaret"
    if evidence.section:
        heading = evidence.section.split(" > ")[-1]
        heading = heading if len(heading) <= 60 else heading[:59].rstrip() + "…"
        where += f', avsnitt "{heading}"'
    return where


def _quote_evidence(block: ReplyBlock) -> Evidence:
    return Evidence(
        block.block.text, block.block.page, block.section, block.start_line, block.end_line
    )


@dataclass(frozen=True)
class ReplyAnalysis:
    """Everything the statuses are judged from: what costs time (embedding) done once."""

    recommendations: list[Recommendation]
    blocks: list[ReplyBlock]
    matches: list[list[Match]]
    stated_in_reply: bool


_GENERAL_REFERENCE = re.compile(
    r"\b\w*(?:revision\w*|revisor\w*|granskning\w*)\s+(?:\w+\s+){0,2}"
    r"(?:rekommendation\w*|bedömning\w*|iakttagelse\w*|slutsats\w*|synpunkt\w*|rapport\w*)"
    r"|\brekommendationer(?:na)?\b|\bgranskning(?:en|arna|srapporten)?\b",
    re.IGNORECASE,
)
_WHOLE_AUDIT = re.compile(
    r"\b(?:\w*rapport(?:en)?|\w*granskning(?:en)?|rekommendationer(?:na)?|bedömningar(?:na)?)\b",
    re.IGNORECASE,
)
"""The audit as a whole, not one recommendation of it ("rekommendationen att …")."""
_RECOMMENDATIONS = re.compile(r"\brekommendationer(?:na)?\b", re.IGNORECASE)


def _collective(blocks: Sequence[ReplyBlock]) -> tuple[ReplyBlock, str] | None:
    """The block that answers the recommendations together, and its answering sentence.

    A sentence that takes a position on the audit as a whole ("instämmer i
    Riksrevisionens rekommendationer", "följer upp arbetet med rekommendationerna")
    touches every recommendation. Agreeing with the findings alone ("instämmer i
    iakttagelserna") takes no position on what is recommended; a commitment to act on
    the audit ("kommer att följa arbetet") does. A block where the reply takes a position
    ("Regeringen delar Riksrevisionens bedömningar") is preferred to one that only
    commits to act.
    """
    found = [
        (not reply_elements.STANCE.search(block.answer), n, block, sentence)
        for n, block in enumerate(blocks)
        if (sentence := _collective_sentence(block)) is not None
    ]
    if not found:
        return None
    _, _, block, sentence = min(found, key=lambda item: item[:2])
    return block, sentence


def _rejects_audit(sentence: str) -> bool:
    """Whether the sentence declines to act on the audit as a whole ("avser inte vidta
    några åtgärder med anledning av rapporten"), not on one recommendation it names."""
    return (
        reply_elements.stance_of(sentence) == Stance.AVVISAR
        and _WHOLE_AUDIT.search(sentence) is not None
        and _STATED_CLAUSE.search(sentence) is None
    )


def _collective_sentence(block: ReplyBlock) -> str | None:
    """The sentence of `block` that answers the audit as a whole, if the block does."""
    if not block.answer or block.block.kind == "heading":
        return None
    for sentence in split_sentences(block.answer):
        if not _GENERAL_REFERENCE.search(sentence) and not _RECOMMENDATIONS.search(block.answer):
            continue
        present = detect_elements(block.answer)
        if _RECOMMENDATIONS.search(block.answer) and (
            present[ElementName.STALLNINGSTAGANDE] or present[ElementName.ATGARD]
        ):
            return sentence
        if present[ElementName.ATGARD] and reply_elements.STANCE.search(block.answer):
            return sentence
        if present[ElementName.ATGARD] and _GENERAL_REFERENCE.search(block.answer):
            return sentence
        if _rejects_audit(sentence):
            return sentence
        return None
    return None


def _stance(rec_tokens: set[str], passage_text: str, evidence: Evidence) -> Stance | None:
    """The position taken on this recommendation: in the passage, else in the evidence.

    Of the evidence's sentences with a position, the one sharing most words with the
    recommendation speaks for it ("instämmer inte i …, instämmer däremot i …").
    """
    own = reply_elements.stance_of(passage_text)
    if own is not None:
        return own
    candidates = [
        (len(rec_tokens & token_set(sentence)), -n, stance)
        for n, sentence in enumerate(split_sentences(" ".join(evidence.text.split())))
        if (stance := reply_elements.stance_of(sentence)) is not None
    ]
    return max(candidates)[2] if candidates else None


def _unanswered(
    rec: Recommendation,
    score: float,
    quote: ReplyBlock | None,
    collective: tuple[ReplyBlock, str] | None,
) -> CoverageItem:
    """The item for a recommendation no passage answers: only quoted, answered together
    with the others, or missing."""
    nothing: dict[ElementName, bool] = dict.fromkeys(ELEMENTS, False)
    if quote is not None:
        evidence = _quote_evidence(quote)
        reason = f"Rekommendationen återges ({_where(evidence)}) men besvaras inte."
        return CoverageItem(rec, Status.DELVIS, score, evidence, nothing, reason)
    if collective is not None:
        return _collective_item(rec, score, collective)
    return CoverageItem(
        rec, Status.SAKNAS, score, None, nothing, "Svaret tar inte upp rekommendationen."
    )


def _collective_item(
    rec: Recommendation, score: float, collective: tuple[ReplyBlock, str]
) -> CoverageItem:
    """The item for a recommendation answered only together with the others.

    Declining to act on the audit as a whole, with the reply's reasons before it,
    rejects each recommendation with a reason: that answers it. Agreeing together, or
    acting on the audit in general, leaves this one's own answer unsaid.
    """
    block, sentence = collective
    where = _quote_evidence(block)
    evidence = Evidence(block.answer, where.page, where.section, where.start_line, where.end_line)
    stance = reply_elements.stance_of(sentence) or reply_elements.stance_of(block.answer)
    present = detect_elements(block.answer)
    if _rejects_audit(sentence):
        reason = f"Avvisas samlat med övriga rekommendationer ({_where(evidence)})."
        return CoverageItem(rec, Status.BESVARAD, score, evidence, present, reason, stance)
    reason = (
        f"Besvaras bara samlat med övriga rekommendationer ({_where(evidence)}), "
        "utan eget ställningstagande eller egen åtgärd."
    )
    return CoverageItem(rec, Status.DELVIS, score, evidence, present, reason, stance)


def _own_answer(blocks: Sequence[ReplyBlock], passage: Passage, rec_words: set[str]) -> str:
    """This recommendation's own answer within the passage ("" when none stands out).

    A sentence passage starts it; within a whole passage, it starts at the sentence that
    takes a position on it (sharing most of its words).
    """
    if passage.part >= 0:
        return _sentence_answer(blocks, passage)
    sentences = split_sentences(blocks[passage.first].answer)
    positions = [
        (len(rec_words & token_set(sentence)), -n)
        for n, sentence in enumerate(sentences)
        if reply_elements.STANCE.search(sentence)
    ]
    if not positions:
        return ""
    part = -max(positions)[1]
    return _sentence_answer(blocks, replace(passage, part=part, last=passage.first))


def _judge(
    index: int,
    match: Match | None,
    analysis: ReplyAnalysis,
    thresholds: Thresholds,
    collective: tuple[ReplyBlock, str] | None,
) -> CoverageItem:
    """Status, evidence, elements, stance and the reader's reason for one recommendation."""
    rec = analysis.recommendations[index]
    blocks = analysis.blocks
    score = round(match.score, 3) if match is not None else 0.0
    quote = next((b for b in blocks if index in b.quoted), None)
    if analysis.stated_in_reply:
        quote = None  # the recommendation's own statement: its source, not a mention
    nothing: dict[ElementName, bool] = dict.fromkeys(ELEMENTS, False)
    if match is None or match.score < thresholds.weak:
        return _unanswered(rec, score, quote, collective)
    evidence = _evidence(blocks, match.passage)
    rec_words = token_set(rec.text)
    own_answer = _own_answer(blocks, match.passage, rec_words)
    if match.passage.part >= 0:
        evidence = Evidence(
            own_answer, evidence.page, evidence.section, evidence.start_line, evidence.end_line
        )
    present = detect_elements(evidence.text)
    found = [name for name in ELEMENTS if present[name]]
    missing = [name for name in ELEMENTS if not present[name]]
    has_core = present[ElementName.STALLNINGSTAGANDE] or present[ElementName.ATGARD]
    stance = (reply_elements.stance_of(own_answer) if own_answer else None) or _stance(
        rec_words, match.passage.text, evidence
    )
    # Besvarad takes a position and measures; a rejection needs no measure. Agreeing, or
    # speaking to it without a position, while only keeping watch or saying a measure may
    # be needed, leaves what will be done unsaid.
    answer_text = _STATED_CLAUSE.sub("", own_answer or evidence.text, count=1)
    committed = (
        stance == Stance.AVVISAR
        or (stance == Stance.INSTAMMER_DELVIS and _REASONED.search(answer_text) is not None)
        or detect_elements(answer_text)[ElementName.ATGARD]
    )
    if match.score >= thresholds.strong and has_core and not committed:
        reason = f"Ställning tas i {_where(evidence)}, men utan åtgärder eller motivering."
        return CoverageItem(rec, Status.DELVIS, score, evidence, present, reason, stance)
    if match.score >= thresholds.strong and has_core:
        reason = f"Besvaras i {_where(evidence)} ({', '.join(found)})."
        if stance == Stance.AVVISAR:
            reason = f"Avvisas i {_where(evidence)} ({', '.join(found)})."
        if missing:
            reason += f" Anges inte: {', '.join(missing)}."
        return CoverageItem(rec, Status.BESVARAD, score, evidence, present, reason, stance)
    if (
        quote is not None
        and not has_core
        and not (match.passage.direct and index in match.passage.owners)
    ):
        # Only the quote is about it: the passage found says nothing to it.
        evidence = _quote_evidence(quote)
        reason = f"Rekommendationen återges ({_where(evidence)}) men besvaras inte."
        return CoverageItem(rec, Status.DELVIS, score, evidence, nothing, reason)
    if collective is not None and match.score < thresholds.strong:
        together = _collective_item(rec, score, collective)
        if together.status == Status.BESVARAD:
            return together
    if match.score >= thresholds.strong:
        reason = f"Tas upp i {_where(evidence)}, men utan ställningstagande eller åtgärd."
    else:
        reason = (
            f"Berörs bara delvis i {_where(evidence)}; kontrollera att svaret verkligen avser den."
        )
    return CoverageItem(rec, Status.DELVIS, score, evidence, present, reason, stance)


def _overlaps(passage: Passage, taken: Sequence[Passage]) -> bool:
    """Whether the passage is, or lies in, a passage aligned to another recommendation."""
    for other in taken:
        if other.part >= 0:
            if passage.position == other.position:
                return True
        elif passage.first <= other.last and other.first <= passage.last:
            return True
    return False


def analyse_reply(
    recommendations: Sequence[Recommendation],
    reply_text: str,
    embedder: Embedder,
    addressee: str | None = None,
    *,
    stated_in_reply: bool = False,
) -> ReplyAnalysis:
    """Read the reply and score every (recommendation, passage) pair: the slow half."""
    chosen = [r for r in recommendations if addressee is None or addressed_to(r, addressee)]
    if not chosen:
        return ReplyAnalysis([], [], [], stated_in_reply)
    # Quotes of the audit's other recommendations (to other bodies) are the audit's words
    # too, and what follows them answers those: the reply is read with all of them, the
    # checked ones first, so a block's quotes and owners index the checked ones alike.
    others = [r for r in recommendations if not any(r is c for c in chosen)]
    rec_tokens = [token_set(r.text) for r in chosen]
    blocks = read_reply(reply_text, rec_tokens + [token_set(r.text) for r in others])
    matches = score_all(chosen, rec_tokens, blocks, passages(blocks), embedder)
    return ReplyAnalysis(chosen, blocks, matches, stated_in_reply)


def judge_reply(
    analysis: ReplyAnalysis, addressee: str | None, thresholds: Thresholds | None = None
) -> CoverageReport:
    """The statuses from an analysis: the alignment, then each recommendation judged.

    A recommendation is judged by the passage the order-preserving alignment gives it
    (`app.review.alignment`); left without one, by its best passage that no other
    recommendation is aligned to, so a deleted answer is not borrowed from a neighbour.
    """
    limits = thresholds or Thresholds()
    if not analysis.recommendations:
        return CoverageReport(addressee, [])
    # The same text to several bodies is answered once: align each text once.
    keys = [frozenset(token_set(r.text)) for r in analysis.recommendations]
    firsts = sorted({keys.index(key) for key in keys})
    aligned = align([analysis.matches[i] for i in firsts], limits.weak).chosen
    chosen = [aligned[firsts.index(keys.index(key))] for key in keys]
    collective = _collective(analysis.blocks)
    block_tokens = [token_set(b.block.text) for b in analysis.blocks]
    # A collective answer speaks for every recommendation of the audit the reply is about:
    # the one whose recommendations it names (a reply to another audit names none).
    about_audit = any(
        len(key & tokens) >= MENTION_SHARE * len(key) for key in keys for tokens in block_tokens
    )
    items: list[CoverageItem] = []
    for index in range(len(analysis.recommendations)):
        match = chosen[index]
        mentioned = about_audit
        if match is None:
            taken = [m.passage for i, m in enumerate(chosen) if keys[i] != keys[index] and m]
            free = [m for m in analysis.matches[index] if not _overlaps(m.passage, taken)]
            match = max(free, key=lambda m: m.score, default=None)
        items.append(_judge(index, match, analysis, limits, collective if mentioned else None))
    return CoverageReport(addressee, items)


def check_coverage(
    recommendations: Sequence[Recommendation], reply_text: str, embedder: Embedder,
    addressee: str | None = None, *, stated_in_reply: bool = False,
    thresholds: Thresholds | None = None,
) -> CoverageReport:
    """Check which recommendations the reply answers, partly answers or leaves out.

    `reply_text` is a reply as the loaders normalise it (`LoadedDocument.text`, page
    markers as `<!-- sida N -->`); evidence lines count lines of that text from 1. With
    `addressee`, only recommendations addressed to that body are checked.
    `stated_in_reply`: the recommendations were taken from the reply itself (a
    government skrivelse that states and answers them), so stating one is not
    mentioning it.
    """
    analysis = analyse_reply(
        recommendations, reply_text, embedder, addressee, stated_in_reply=stated_in_reply
    )
    return judge_reply(analysis, addressee, thresholds)
