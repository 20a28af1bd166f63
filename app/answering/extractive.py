"""The answer without an LLM: the sentences of the top passages that best answer a question.

Every whole sentence of the first passages is a candidate. A cheap score (how many of the
question's rare words it holds, and how high its passage ranks) keeps a shortlist; e5
similarity to the question then reranks the shortlist, and the best few sentences that
do not repeat each other are the answer.

The weights were set by hand; each says what it trades off, and tests/app/answering pins
their effect on the sample corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.text.sentences import complete_sentences
from vectorstore.lexical import tokenize
from vectorstore.store import Hit, Store

# Below both of these, no sentence is taken to answer the question. e5 similarities of
# unrelated Swedish text sit around 0.75, of answering sentences above 0.8.
MIN_SIMILARITY = 0.78
"""e5 similarity (question as query, sentence as passage) of the best sentence."""
MIN_OVERLAP = 0.25
"""Share of the question's (squared-idf) word weight that the best sentence holds."""

SOURCE_PASSAGES = 5
"""Passages whose sentences are candidates: the top of the retrieved list."""
MIN_SENTENCE_CHARS = 25
MIN_SENTENCE_WORDS = 4
"""Shorter sentences are headings, list stubs or fragments, not statements to quote."""

SHORTLIST = 16
"""Candidates embedded and reranked per question: embedding is the costly step."""
SHORTLIST_LEXICAL = 0.6
SHORTLIST_RANK = 0.4
"""Weights of word overlap and passage rank in the shortlist's cheap score (sum to 1)."""

RERANK_DENSE = 0.55
RERANK_LEXICAL = 0.3
RERANK_RANK = 0.15
"""Weights of the final score (sum to 1): e5 similarity, min-max scaled over the
shortlist, leads; word overlap keeps the rare question words decisive; the passage's
rank breaks near ties in favour of what retrieval put first."""

MIN_RELATIVE_SCORE = 0.6
"""A sentence whose score is below this share of the best one's does not join the answer."""
MAX_PER_PASSAGE = 2
"""Sentences taken from one passage at most, so that the answer shows more than one source."""
NEAR_DUPLICATE = 0.6
"""Token Jaccard above which a sentence repeats one already chosen and is skipped."""


@dataclass
class Candidate:
    """A sentence of a retrieved passage that may answer the question."""

    text: str
    passage: int
    """Index of its passage in the retrieved hits (its rank, from 0)."""
    lexical: float
    prior: float
    """1 / (1 + rank): the passage's rank as a score."""
    score: float = 0.0
    tokens: set[str] = field(default_factory=set)


def _candidates(hits: Sequence[Hit], weights: dict[str, float]) -> list[Candidate]:
    """Every distinct whole sentence of the first passages with its word overlap."""
    total_weight = sum(weights.values()) or 1.0
    candidates: list[Candidate] = []
    seen: set[str] = set()
    for rank, hit in enumerate(hits[:SOURCE_PASSAGES]):
        for sentence in complete_sentences(hit.text):
            key = " ".join(sentence.lower().split())
            too_short = len(sentence) < MIN_SENTENCE_CHARS
            if too_short or len(sentence.split()) < MIN_SENTENCE_WORDS or key in seen:
                continue
            seen.add(key)
            terms = set(tokenize(sentence))
            overlap = sum(w for t, w in weights.items() if t in terms) / total_weight
            candidates.append(Candidate(sentence, rank, overlap, 1 / (1 + rank), tokens=terms))
    return candidates


def _repeats(candidate: Candidate, chosen: Sequence[Candidate]) -> bool:
    """Whether the candidate says what a chosen sentence says, or its passage is used up."""
    if sum(1 for c in chosen if c.passage == candidate.passage) >= MAX_PER_PASSAGE:
        return True
    return any(_jaccard(candidate.tokens, c.tokens) > NEAR_DUPLICATE for c in chosen)


def _jaccard(first: set[str], second: set[str]) -> float:
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def best_sentences(
    store: Store, query: str, hits: Sequence[Hit], max_sentences: int
) -> list[Candidate]:
    """Up to `max_sentences` sentences of `hits` that best answer `query`, best first.

    Empty when nothing in the passages is about the question.
    """
    # Rare words of the question ("kompetensintyg") matter much more than common ones
    # ("nämnden", "revisorerna") when judging whether a sentence answers it: squared idf.
    weights = {t: w * w for t, w in store.idf(set(tokenize(query))).items()}
    candidates = _candidates(hits, weights)
    if not candidates:
        return []
    best_overlap = max(c.lexical for c in candidates)
    shortlist = sorted(
        candidates, key=lambda c: -(SHORTLIST_LEXICAL * c.lexical + SHORTLIST_RANK * c.prior)
    )[:SHORTLIST]
    query_vector = store.embedder.embed_queries([query])[0]
    similarities = store.embedder.embed_passages([c.text for c in shortlist]) @ query_vector
    low, high = float(similarities.min()), float(similarities.max())
    if best_overlap == 0.0 or (high < MIN_SIMILARITY and best_overlap < MIN_OVERLAP):
        # Nothing here is about the question. A sentence sharing no word with it is never
        # enough: e5 finds any question-like text ("Ange gärna om din fråga …") similar.
        return []
    for c, similarity in zip(shortlist, similarities, strict=True):
        dense = (float(similarity) - low) / (high - low) if high > low else 1.0
        c.score = RERANK_DENSE * dense + RERANK_LEXICAL * c.lexical + RERANK_RANK * c.prior
    shortlist.sort(key=lambda c: -c.score)
    best = shortlist[0].score
    chosen: list[Candidate] = []
    for c in shortlist:
        if len(chosen) == max_sentences or c.score < MIN_RELATIVE_SCORE * best:
            break
        if not _repeats(c, chosen):
            chosen.append(c)
    return chosen
