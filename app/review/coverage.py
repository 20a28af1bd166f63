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
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.review.passages import Passage, ReplyBlock, passages, read_reply, token_set
from app.review.scoring import STRONG_MATCH, WEAK_MATCH, Match, score_all
from ingest.models import Recommendation
from ingest.text import elements as reply_elements
from ingest.vocabulary import ELEMENTS, ElementName, Status
from vectorstore.embeddings import Embedder
from vectorstore.lexical import tokenize

__all__ = [
    "ELEMENTS",
    "CoverageItem",
    "CoverageReport",
    "ElementName",
    "Evidence",
    "Status",
    "addressed_to",
    "check_coverage",
    "detect_elements",
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


def detect_elements(text: str) -> dict[ElementName, bool]:
    """Which answer elements (position, measure, responsible, time, follow-up) `text` has.

    `ingest.text.elements.detect_elements` with the tokenizer the scores use: a sentence
    needs three stemmed words that are not function words to count.
    """
    return reply_elements.detect_elements(text, words=tokenize)


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


def _judge(
    index: int, match: Match | None, blocks: Sequence[ReplyBlock]
) -> tuple[Status, Evidence | None, dict[ElementName, bool], str]:
    """Status, evidence, elements and the reader's reason for one recommendation."""
    quote = next((b for b in blocks if index in b.quoted), None)
    nothing: dict[ElementName, bool] = dict.fromkeys(ELEMENTS, False)
    if match is None or match.score < WEAK_MATCH:
        if quote is not None:
            evidence = _quote_evidence(quote)
            reason = f"Rekommendationen återges ({_where(evidence)}) men besvaras inte."
            return Status.DELVIS, evidence, nothing, reason
        return Status.SAKNAS, None, nothing, "Svaret tar inte upp rekommendationen."
    evidence = _evidence(blocks, match.passage)
    present = detect_elements(evidence.text)
    found = [name for name in ELEMENTS if present[name]]
    missing = [name for name in ELEMENTS if not present[name]]
    has_core = present[ElementName.STALLNINGSTAGANDE] or present[ElementName.ATGARD]
    if match.score >= STRONG_MATCH and has_core:
        reason = f"Besvaras i {_where(evidence)} ({', '.join(found)})."
        if missing:
            reason += f" Anges inte: {', '.join(missing)}."
        return Status.BESVARAD, evidence, present, reason
    if (
        quote is not None
        and not has_core
        and not (match.passage.direct and index in match.passage.owners)
    ):
        # Only the quote is about it: the passage found says nothing to it.
        evidence = _quote_evidence(quote)
        reason = f"Rekommendationen återges ({_where(evidence)}) men besvaras inte."
        return Status.DELVIS, evidence, nothing, reason
    if match.score >= STRONG_MATCH:
        reason = f"Tas upp i {_where(evidence)}, men utan ställningstagande eller åtgärd."
    else:
        reason = (
            f"Berörs bara delvis i {_where(evidence)}; kontrollera att svaret verkligen avser den."
        )
    return Status.DELVIS, evidence, present, reason


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
    rec_tokens = [token_set(r.text) for r in chosen]
    blocks = read_reply(reply_text, rec_tokens)
    matches = score_all(chosen, rec_tokens, blocks, passages(blocks), embedder)
    items: list[CoverageItem] = []
    for index, rec in enumerate(chosen):
        best = max(matches[index], key=lambda m: m.score, default=None)
        status, evidence, present, reason = _judge(index, best, blocks)
        score = round(best.score, 3) if best is not None else 0.0
        items.append(CoverageItem(rec, status, score, evidence, present, reason))
    return CoverageReport(addressee, items)
