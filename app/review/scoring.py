"""How well each passage of a reply answers each recommendation: one calibrated score.

A (recommendation, passage) pair scores the geometric mean of two signals in [0, 1], so
that both must agree: a passage on the same topic that shares no telling word, or one
that shares a word in another sense, stays low.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.review.alignment import slots
from app.review.passages import Passage, ReplyBlock, token_set
from ingest.models import Recommendation
from ingest.text.elements import STANCE
from ingest.text.sentences import split_sentences
from vectorstore.embeddings import Embedder

# -- calibration ------------------------------------------------------------------------
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
MIXED_PENALTY = 0.05
"""Taken from a passage of several sentences that take several positions ("instämmer
inte i …; instämmer däremot i …"): the sentence that takes this one answers better."""
SLOT_MATCH = 0.55
"""What a unit scores when the reply's order and e5 agree it answers this recommendation
(`app.review.alignment.slots`): as much as a passage right under the recommendation's
own quote, for the same reason: the reply's structure says what it answers."""
SLOT_MIN_COSINE = 0.85
"""Below this, order and e5 alone do not pair a unit with a recommendation: the pairing is
relative (the best of the reply's units), and e5 rates answers above 0.855 (their tenth
percentile) however few words they share."""
MIN_CORE_WORDS = 4
"""A recommendation's first sentence counts alone with at least this many content words."""
STRONG_MATCH = 0.42
"""At or above: the passage answers the recommendation (given a position or a measure)."""
WEAK_MATCH = 0.25
"""At or above: the passage touches the recommendation; below: it does not address it."""


@dataclass(frozen=True)
class Thresholds:
    """The two score thresholds a status is judged by (bench/coverage.py tunes them)."""

    strong: float = STRONG_MATCH
    weak: float = WEAK_MATCH


MIN_PART_LENGTH = 5
"""Compounds match on a shared first part of at least this many letters ("kunskap…")."""
PART_CREDIT = 0.5
"""Share of a word's weight earned by a compound that shares only its first part."""


@dataclass(frozen=True)
class Match:
    """One (recommendation, passage) pair and its score."""

    passage: Passage
    score: float
    cosine: float
    lexical: float


def _idf(blocks: Sequence[ReplyBlock]) -> dict[str, float]:
    """Inverse document frequency of each token over the reply's answer blocks.

    The key "" holds the weight of a token no block uses.
    """
    documents = [token_set(b.answer) for b in blocks if b.answer]
    frequency: Counter[str] = Counter()
    for tokens in documents:
        frequency.update(tokens)
    total = len(documents)
    return {t: math.log((total + 1) / (count + 0.5)) for t, count in frequency.items()} | {
        "": math.log((total + 1) / 0.5)
    }


def word_prefixes(tokens: set[str]) -> set[str]:
    """Every first part, MIN_PART_LENGTH letters or longer, of every token."""
    return {t[:k] for t in tokens for k in range(MIN_PART_LENGTH, len(t) + 1)}


def lexical_score(
    rec: set[str], passage: set[str], prefixes: set[str], idf: dict[str, float]
) -> float:
    """Idf-weighted share of the recommendation's words found in the passage.

    A word missing as a whole earns part credit when it starts a compound of the other
    text or the other way round ("kunskap" and "kunskapshöjning"): the first part of a
    Swedish compound says what it is about, while a shared last part ("uppföljning" in
    "avtalsuppföljning") is the generic head and earns nothing. `prefixes` are the
    passage's, from `word_prefixes`.
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


def semantic_score(cosine: float) -> float:
    """The e5 cosine rescaled from [COSINE_FLOOR, COSINE_CEILING] to [0, 1]."""
    return min(1.0, max(0.0, (cosine - COSINE_FLOOR) / (COSINE_CEILING - COSINE_FLOOR)))


def _passage_vectors(
    blocks: Sequence[ReplyBlock], passages: Sequence[Passage], embedder: Embedder
) -> np.ndarray:
    """One e5 vector per passage, embedding each block once.

    A window's vector is the length-weighted mean of its blocks' vectors: e5 mean-pools
    over tokens, so this is close to embedding the joined text, at a fraction of the cost.
    """
    whole = [p for p in passages if p.part < 0]
    used = sorted({i for p in whole for i in range(p.first, p.last + 1)})
    row_of = {block: row for row, block in enumerate(used)}
    sentences = [n for n, p in enumerate(passages) if p.part >= 0]
    vectors = embedder.embed_passages(
        [blocks[i].answer for i in used] + [passages[n].text for n in sentences]
    )
    weights = [len(blocks[i].answer.split()) for i in used]
    result = np.zeros((len(passages), vectors.shape[1]), dtype=np.float64)
    for row, n in enumerate(sentences, start=len(used)):
        result[n] = vectors[row]
    for n, passage in enumerate(passages):
        if passage.part >= 0:
            continue
        for i in range(passage.first, passage.last + 1):
            result[n] += weights[row_of[i]] * vectors[row_of[i]]
    norms = np.linalg.norm(result, axis=1, keepdims=True)
    return result / np.maximum(norms, 1e-12)


def _opens_answer(blocks: Sequence[ReplyBlock], index: int) -> bool:
    """Whether a block is a unit of the reply's order: a list item or a section's start."""
    return blocks[index].block.kind == "item" or (
        index > 0 and blocks[index - 1].block.kind == "heading"
    )


def _core_tokens(text: str) -> set[str]:
    """The words of a recommendation's first sentence when more sentences explain it.

    "Tydliggör i Almis ägaranvisning vad syftet är med att använda jämförelsegrupper. Om
    syftet är att …": the first sentence says what is asked; an answer need not repeat
    the explanation's words to answer it. Empty for a one-sentence recommendation or a
    first sentence too short to stand alone.
    """
    sentences = split_sentences(text)
    if len(sentences) < 2:
        return set()
    core = token_set(sentences[0])
    return core if len(core) >= MIN_CORE_WORDS else set()


def score_all(
    recommendations: Sequence[Recommendation],
    rec_tokens: Sequence[set[str]],
    blocks: Sequence[ReplyBlock],
    passages: Sequence[Passage],
    embedder: Embedder,
) -> list[list[Match]]:
    """Every (recommendation, passage) match, per recommendation."""
    if not passages:
        return [[] for _ in recommendations]
    queries = embedder.embed_queries([r.text for r in recommendations])
    cosines = np.asarray(queries @ _passage_vectors(blocks, passages, embedder).T)
    idf = _idf(blocks)
    passage_tokens = [token_set(p.text) for p in passages]
    passage_prefixes = [word_prefixes(tokens) for tokens in passage_tokens]
    # The same text to several bodies is one recommendation as far as quotes go.
    keys = [frozenset(tokens) for tokens in rec_tokens]
    units = [
        n
        for n, p in enumerate(passages)
        if p.part < 0 and p.first == p.last and _opens_answer(blocks, p.first)
    ]
    # One row per distinct recommendation: the same text to several bodies is one answer.
    firsts = sorted({keys.index(key) for key in keys})
    slotted = {
        (r, units[u])
        for f, u in (slots(cosines[firsts][:, units]) if units else [])
        for r in range(len(keys))
        if keys[r] == keys[firsts[f]]
    }
    mixed = [
        p.part < 0 and sum(bool(STANCE.search(s)) for s in split_sentences(p.text)) > 1
        for p in passages
    ]
    cores = [_core_tokens(r.text) for r in recommendations]
    matches: list[list[Match]] = []
    for r, tokens in enumerate(rec_tokens):
        row: list[Match] = []
        for p, passage in enumerate(passages):
            lexical = max(
                lexical_score(words, passage_tokens[p], passage_prefixes[p], idf)
                for words in (tokens, cores[r])
                if words
            )
            cosine = float(cosines[r, p])
            score = math.sqrt(semantic_score(cosine) * lexical) - MIXED_PENALTY * mixed[p]
            if (
                (r, p) in slotted
                and (not passage.owners or r in passage.owners)
                and cosine >= SLOT_MIN_COSINE
            ):
                score = max(score, SLOT_MATCH)
            if r in passage.owners:
                score += LINK_BONUS
                if passage.direct and all(
                    o < len(keys) and keys[o] == keys[r] for o in passage.owners
                ):
                    # The reply itself puts this passage right under this recommendation.
                    score = max(score, DIRECT_MATCH)
            elif passage.owners:
                score -= FOREIGN_PENALTY
            row.append(Match(passage, min(1.0, max(0.0, score)), cosine, lexical))
        matches.append(row)
    return matches
