"""BM25 over Swedish-stemmed tokens.

Term counts per chunk are persisted in the catalog (written in the same transaction as
the chunk), so the lexical side can never drift from the registry. The in-memory
postings are rebuilt when the catalog's generation changes.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import snowballstemmer

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

BM25_K1 = 1.2
"""How fast repeats of a term stop adding to a chunk's score: Okapi BM25's usual value."""
BM25_B = 0.75
"""How much a long chunk's score is discounted for its length: Okapi BM25's usual value.
Neither was tuned: chunks are of similar length by construction (ingest.chunking)."""
MAX_WORD_CHARS = 40
"""Longer "words" are left out: in real documents they are URLs, hashes or text whose
spaces were lost, which no one searches for and which would only fill the postings."""
STEM_CACHE_SIZE = 200_000
"""Distinct words whose stems are remembered; a large archive has fewer than this."""

# Swedish function words (the common snowball list), plus words that fill questions
# ("Hur svarade nämnden förra gången ...") without saying what they are about.
_STOPWORDS = frozenset(
    """alla allt att av blev bli blir blivit de dem den denna deras dess dessa det detta dig
    din dina ditt du där då efter ej eller en er era ert ett från för ha hade han hans har
    henne hennes hon honom hur här i icke ingen inom inte jag ju kan kunde man med mellan
    men mig min mina mitt mot mycket ni nu när någon något några och om oss på samma sedan
    sig sin sina sitta själv skulle som så sådan sådana sådant till under upp ut utan vad
    var vara varför varit varje vars vart vem vi vid vilka vilkas vilken vilket vår våra
    vårt än är åt över också även samt dock här
    förra gången ville vill fick få finns gjort gjorde göra""".split()
)

_stemmer = snowballstemmer.stemmer("swedish")
_stem_lock = threading.Lock()


@lru_cache(maxsize=STEM_CACHE_SIZE)
def _stem(word: str) -> str:
    with _stem_lock:
        return str(_stemmer.stemWord(word))


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed Swedish tokens without stopwords."""
    tokens = []
    for word in _WORD.findall(text.lower()):
        if word in _STOPWORDS or len(word) > MAX_WORD_CHARS:
            continue
        tokens.append(_stem(word) if word.isalpha() else word)
    return tokens


def term_counts(text: str) -> dict[str, int]:
    return dict(Counter(tokenize(text)))


@dataclass
class _Postings:
    chunk_ids: list[str]
    doc_ids: np.ndarray
    lengths: np.ndarray
    postings: dict[str, tuple[np.ndarray, np.ndarray]]
    doc_index: dict[str, int]


class BM25Index:
    """Okapi BM25 over the catalog's chunks, with optional document filtering."""

    def __init__(
        self,
        load: Callable[[], Iterable[tuple[str, str, str]]],
        generation: Callable[[], int],
        k1: float = BM25_K1,
        b: float = BM25_B,
    ) -> None:
        self._load = load
        self._generation = generation
        self._k1 = k1
        self._b = b
        # (generation it was built for, postings), replaced whole: never seen half-built.
        self._built: tuple[int, _Postings] | None = None
        self._lock = threading.Lock()

    def _current(self) -> _Postings:
        """Postings at least as new as the catalog's generation when called.

        When many queries notice a change at once, one rebuilds and the others wait for it
        and share the result. An index built for a newer generation than a caller saw
        serves that caller too, so a slow caller never rebuilds an older state.
        """
        generation = self._generation()
        built = self._built
        if built is not None and built[0] >= generation:
            return built[1]
        with self._lock:
            built = self._built
            if built is not None and built[0] >= generation:
                return built[1]
            # Read again just before loading: the load sees at least this generation, so
            # the index is never labelled newer than what it holds.
            generation = self._generation()
            data = self._build()
            self._built = (generation, data)
            return data

    def _build(self) -> _Postings:
        chunk_ids: list[str] = []
        doc_numbers: list[int] = []
        lengths: list[int] = []
        doc_index: dict[str, int] = {}
        lists: dict[str, tuple[list[int], list[int]]] = {}
        for row, (chunk_id, doc_id, terms_json) in enumerate(self._load()):
            counts: dict[str, int] = json.loads(terms_json)
            chunk_ids.append(chunk_id)
            doc_numbers.append(doc_index.setdefault(doc_id, len(doc_index)))
            lengths.append(sum(counts.values()))
            for term, count in counts.items():
                rows, tfs = lists.setdefault(term, ([], []))
                rows.append(row)
                tfs.append(count)
        postings = {
            term: (np.asarray(rows, dtype=np.int32), np.asarray(tfs, dtype=np.float32))
            for term, (rows, tfs) in lists.items()
        }
        return _Postings(
            chunk_ids,
            np.asarray(doc_numbers, dtype=np.int32),
            np.asarray(lengths, dtype=np.float32),
            postings,
            doc_index,
        )

    def chunk_ids(self) -> list[str]:
        """The chunk ids the postings hold, one per row (so duplicates show)."""
        return list(self._current().chunk_ids)

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        """BM25 inverse document frequency of each (already tokenized) term."""
        data = self._current()
        n = len(data.chunk_ids)
        weights = {}
        for term in terms:
            posting = data.postings.get(term)
            df = len(posting[0]) if posting is not None else 0
            weights[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return weights

    def search(
        self, query: str, k: int, doc_ids: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """Top `k` (chunk_id, score) pairs, restricted to `doc_ids` when given."""
        data = self._current()
        n = len(data.chunk_ids)
        terms = tokenize(query)
        if n == 0 or not terms or k <= 0:
            return []
        average = float(data.lengths.mean()) or 1.0
        norm = self._k1 * (1 - self._b + self._b * data.lengths / average)
        scores = np.zeros(n, dtype=np.float32)
        for term, weight in Counter(terms).items():
            posting = data.postings.get(term)
            if posting is None:
                continue
            rows, tfs = posting
            idf = math.log(1 + (n - len(rows) + 0.5) / (len(rows) + 0.5))
            scores[rows] += weight * idf * tfs * (self._k1 + 1) / (tfs + norm[rows])
        if doc_ids is not None:
            allowed = [data.doc_index[d] for d in doc_ids if d in data.doc_index]
            scores[~np.isin(data.doc_ids, np.asarray(allowed, dtype=np.int32))] = 0
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(data.chunk_ids[i], float(scores[i])) for i in ordered]
