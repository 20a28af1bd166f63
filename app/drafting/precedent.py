"""Precedent: how earlier replies in the store answered recommendations like a new one.

Every reply in the store (yttrande, tjänsteskrivelse) is read once per store generation:
the recommendations it quotes are extracted and the coverage check finds the passage that
answers each one. A new recommendation is matched against those earlier recommendations
by e5 similarity, so a reply that answered a similar recommendation ranks above a passage
that merely shares words; plain hybrid search over the replies fills up the list when too
few such answers exist.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.drafting.model import Precedent, PrecedentKind
from app.review.coverage import CoverageItem, check_coverage
from ingest.errors import YttraError
from ingest.loaders import load_file
from ingest.models import Recommendation
from ingest.recommendations import extract_recommendations
from ingest.text.elements import ELEMENT_CUES, LEADING_LABEL, reports_audit
from ingest.text.sentences import split_sentences
from ingest.vocabulary import REPLY_TYPES, ElementName, Status
from vectorstore.catalog import DocumentRecord, StoredChunk
from vectorstore.lexical import tokenize
from vectorstore.store import Hit, Store

log = logging.getLogger(__name__)

SIMILAR_RECOMMENDATION = 0.90
"""e5 similarity (both as queries) from which an earlier recommendation counts as similar.

Measured on the sample corpus: a recommendation against itself scores 0.99-1.0, against
the other recommendations of the same audit (same topic) 0.90-0.94, against those of
audits on other topics 0.86-0.89. Below this, an answer is no precedent for the topic.
"""
NEAR_EQUAL = 0.02
"""Precedents whose scores differ by at most this are ordered newest first: a difference
this small in e5 similarity says nothing about which answer fits better, while the newer
answer reflects the body's current way of working."""
QUOTE_SHARE = 0.7
"""A sentence with this share of its words from a recommendation only repeats it."""
MIN_EVIDENCE_WORDS = 3
"""Sentences of the coverage check's evidence shorter than this (headings, list numbers)
are not looked for in the stored chunks: they occur everywhere."""
SEARCH_DEPTH = 60
"""Hybrid search hits read, at least, when answers must be filled up with similar passages:
most hits are audits or letterheads, so the list is read far deeper than it is kept."""
SEARCH_DEPTH_PER_PASSAGE = 10
"""Hits read per passage wanted, when that is more than SEARCH_DEPTH."""
MIN_SENTENCE_CHARS = 30
"""Characters of the shortest sentence quotable as a precedent: shorter ones are headings,
labels and fragments ("Se bilaga 2.")."""
MAX_SENTENCE_CHARS = 400
"""Characters of the longest: a longer "sentence" is a paragraph the splitter could not
divide, too much to show under one element."""
MIN_SENTENCE_WORDS = 5
"""Words of the shortest quotable sentence: a statement names who does what."""

_QUESTION_LABEL = re.compile(r"^(?:När|Vilk\w+|Hur|Vem|Vad)\b[^:]{5,300}:\s+(?=\S)")
# Cuts the coverage check's evidence into stretches looked up verbatim in the chunks: any
# full stop will do, since a stretch is a search key, not a sentence shown to anyone.
_EVIDENCE_SPLIT = re.compile(r"\n\s*\n|(?<=[.!?])\s+")


def _flat(text: str) -> str:
    return " ".join(text.split())


# -- sentences fit to quote -------------------------------------------------------------


def quotable_sentences(text: str, known: Sequence[str] = ()) -> list[str]:
    """Whole sentences an earlier reply says itself, fit to quote as a precedent.

    List markers, "Åtgärd:" labels and the question a label answers ("När avser
    nämnden …: Successiv implementering …") are removed; sentences that repeat one of the
    `known` recommendations or report what the audit found are left out.
    """
    result = []
    for sentence in split_sentences(_flat(text)):
        question = _QUESTION_LABEL.match(sentence)
        if question:
            sentence = sentence[question.end() :]
        sentence = LEADING_LABEL.sub("", sentence)
        if not (
            MIN_SENTENCE_CHARS <= len(sentence) <= MAX_SENTENCE_CHARS
            and len(sentence.split()) >= MIN_SENTENCE_WORDS
        ):
            continue
        if sentence[-1] not in ".!" or reports_audit(sentence) or _repeats(sentence, known):
            continue
        result.append(sentence)
    return result


def _repeats(sentence: str, texts: Sequence[str]) -> bool:
    """Whether the sentence mostly repeats one of `texts` (a quoted recommendation)."""
    words = set(tokenize(sentence))
    if not words:
        return True
    return any(len(words & set(tokenize(t))) / len(words) >= QUOTE_SHARE for t in texts if t)


def _answers_something(text: str, known: Sequence[str]) -> bool:
    """Whether a passage holds a sentence of its own taking a position or naming a measure."""
    return any(
        ELEMENT_CUES[ElementName.STALLNINGSTAGANDE].search(sentence)
        or ELEMENT_CUES[ElementName.ATGARD].search(sentence)
        for sentence in quotable_sentences(text, known)
    )


# -- precedents and their order ---------------------------------------------------------


def order_precedents(precedents: Sequence[Precedent]) -> list[Precedent]:
    """Best score first; among scores within NEAR_EQUAL of the best left, newest first."""
    remaining = sorted(precedents, key=lambda p: -p.score)
    ordered: list[Precedent] = []
    while remaining:
        top = remaining[0].score
        close = [p for p in remaining if top - p.score <= NEAR_EQUAL]
        chosen = max(close, key=lambda p: (p.date, p.score))
        remaining.remove(chosen)
        ordered.append(chosen)
    return ordered


@dataclass(frozen=True)
class AnsweredRecommendation:
    """A recommendation an earlier reply quotes, and the passage of the reply answering it."""

    recommendation: str
    answer: str
    """A verbatim stretch (spaces collapsed) of one stored chunk of the reply."""
    record: DocumentRecord
    chunk: StoredChunk

    def precedent(self, similarity: float) -> Precedent:
        """This answer as a precedent for a recommendation `similarity` away."""
        passage = Hit.from_chunk(self.chunk, similarity)
        return _precedent(passage, similarity, "svar", self.recommendation, self.answer)


_SOURCE_FIELDS = ("file", "title", "doc_type", "date", "organ", "diarienummer", "page", "section")
"""What a precedent tells of the document and place it comes from, as a search hit has it."""


def _precedent(
    hit: Hit, score: float, kind: PrecedentKind = "text", recommendation: str = "",
    answer: str | None = None,
) -> Precedent:
    """A stored passage as a precedent; by default a merely similar one, shown whole."""
    return Precedent(
        kind=kind,
        recommendation=recommendation,
        answer=hit.text if answer is None else answer,
        score=round(score, 4),
        **{name: getattr(hit, name) for name in _SOURCE_FIELDS},
    )


# -- reading the replies ----------------------------------------------------------------


def _reply_text(record: DocumentRecord, chunks: Sequence[StoredChunk]) -> str:
    """The reply as loaded from its file when it is unchanged, else its stored chunks."""
    path = Path(record.path)
    if path.is_file():
        try:
            loaded = load_file(path, record.file)
            if loaded.sha256 == record.sha256:
                return loaded.text
        except YttraError as error:
            log.info("precedents: %s read from the index instead: %s", record.file, error)
    return "\n\n".join(chunk.text for chunk in chunks)


def _usable(item: CoverageItem) -> bool:
    """Whether the reply's passage is an answer, not just the quote of the recommendation."""
    if item.evidence is None:
        return False
    return item.status == Status.BESVARAD or (
        item.status == Status.DELVIS and any(item.elements.values())
    )


def _locate(evidence: str, chunks: Sequence[StoredChunk]) -> tuple[StoredChunk, str] | None:
    """The chunk holding most of the evidence, and the stretch of it the evidence spans."""
    sentences = [_flat(s) for s in _EVIDENCE_SPLIT.split(evidence)]
    sentences = [s for s in sentences if len(s.split()) >= MIN_EVIDENCE_WORDS]
    best: tuple[int, StoredChunk, str] | None = None
    for chunk in chunks:
        flat = _flat(chunk.text)
        spans = [(i, i + len(s)) for s in sentences if (i := flat.find(s)) >= 0]
        if spans and (best is None or len(spans) > best[0]):
            start, end = min(s for s, _ in spans), max(e for _, e in spans)
            best = (len(spans), chunk, flat[start:end])
    return (best[1], best[2]) if best else None


def _answers_in(store: Store, record: DocumentRecord) -> tuple[list[AnsweredRecommendation],
                                                               list[str]]:
    """The recommendations one reply answers, and every recommendation it quotes."""
    chunks = store.document_chunks(record.doc_id)
    text = _reply_text(record, chunks)
    quoted = extract_recommendations(text)
    if not quoted:
        return [], []
    answers: list[AnsweredRecommendation] = []
    seen: set[str] = set()
    for item in check_coverage(quoted, text, store.embedder, None).items:
        key = _flat(item.recommendation.text).casefold()
        if key in seen or not _usable(item):
            continue
        assert item.evidence is not None
        located = _locate(item.evidence.text, chunks)
        if located is None:
            continue
        seen.add(key)
        chunk, answer = located
        answers.append(AnsweredRecommendation(item.recommendation.text, answer, record, chunk))
    return answers, [r.text for r in quoted]


@dataclass(frozen=True)
class _Answers:
    answers: list[AnsweredRecommendation]
    vectors: np.ndarray
    """e5 query vectors of the earlier recommendations, one row per answer."""
    quoted: list[str]
    """Every recommendation the replies quote, answered or not: no precedent sentence."""


def _read_answers(store: Store) -> _Answers:
    answers: list[AnsweredRecommendation] = []
    quoted: list[str] = []
    for record in store.documents():
        if record.metadata.doc_type in REPLY_TYPES:
            found, texts = _answers_in(store, record)
            answers += found
            quoted += texts
    vectors = (
        store.embedder.embed_queries([a.recommendation for a in answers])
        if answers
        else np.zeros((0, 1))
    )
    return _Answers(answers, np.asarray(vectors), list(dict.fromkeys(quoted)))


# -- the index --------------------------------------------------------------------------


class PrecedentIndex:
    """The store's answered recommendations, and the precedents they give a new one.

    Reading every reply takes seconds, so it is done when first needed and again only
    after the store has changed (a new store generation). Safe to share between threads.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._built: tuple[int, _Answers] | None = None

    def _current(self) -> _Answers:
        generation = self.store.generation()
        with self._lock:
            if self._built is None or self._built[0] != generation:
                self._built = (generation, _read_answers(self.store))
            return self._built[1]

    def answers(self) -> list[AnsweredRecommendation]:
        """Every (earlier recommendation, answer passage) the store's replies hold."""
        return self._current().answers

    def quoted(self) -> list[str]:
        """Every recommendation the store's replies quote: sentences repeating one are
        quotes, not answers."""
        return self._current().quoted

    def find(
        self, recommendation: Recommendation, count: int, exclude_files: Collection[str] = ()
    ) -> list[Precedent]:
        """Up to `count` passages of earlier replies to draft this answer from.

        Answers to similar recommendations ("svar") come first; passages of replies that
        are merely similar ("text") fill up the list.
        """
        excluded = set(exclude_files)
        index = self._current()
        query = self.store.embedder.embed_queries([recommendation.text])[0]
        found: dict[tuple[str, str], Precedent] = {}
        similarities = index.vectors @ query if index.answers else np.zeros(0)
        for answered, similarity in zip(index.answers, similarities, strict=True):
            if answered.record.file in excluded or similarity < SIMILAR_RECOMMENDATION:
                continue
            precedent = answered.precedent(float(similarity))
            key = (precedent.file, precedent.answer)
            if key not in found or found[key].score < precedent.score:
                found[key] = precedent
        answers = order_precedents(list(found.values()))[:count]
        missing = count - len(answers)
        if missing <= 0:
            return answers
        known = [recommendation.text, *index.quoted]
        return answers + self._similar_passages(
            recommendation, query, excluded, answers, missing, known
        )

    def _similar_passages(
        self,
        recommendation: Recommendation,
        query: np.ndarray,
        excluded: set[str],
        answers: Sequence[Precedent],
        count: int,
        known: Sequence[str],
    ) -> list[Precedent]:
        """Hybrid search hits from replies that say something of their own.

        A hit must hold a sentence taking a position or naming a measure that is not a
        quoted recommendation (lists of quoted recommendations and letterheads share
        words, but answer nothing). Hits are scored by the e5 similarity of their stored
        vector to the recommendation.
        """
        replies = {
            r.doc_id
            for r in self.store.documents()
            if r.metadata.doc_type in REPLY_TYPES and r.file not in excluded
        }
        if not replies:
            return []
        depth = max(SEARCH_DEPTH, count * SEARCH_DEPTH_PER_PASSAGE)
        cosines = self.store.dense_similarities(query, depth, replies)
        passages: list[Precedent] = []
        for hit in self.store.search(recommendation.text, k=depth):
            if hit.doc_type not in REPLY_TYPES or hit.file in excluded:
                continue
            flat = _flat(hit.text)
            if any(a.file == hit.file and a.answer in flat for a in answers):
                continue  # already shown as an answer
            if not _answers_something(hit.text, known):
                continue
            score = cosines.get(hit.chunk_id, min(cosines.values(), default=0.0))
            passages.append(_precedent(hit, score))
        return order_precedents(passages)[:count]
