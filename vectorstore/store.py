"""The store: catalog + Chroma + BM25 behind one small interface.

Writes go catalog (pending) → Chroma → catalog (ready), so a crash at any point leaves
either a pending row or vectors without a ready row; `repair` removes both, and the
next ingest run writes the document again.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np

from ingest.models import Chunk
from vectorstore.catalog import (
    Catalog,
    ChunkRow,
    DocumentRecord,
    Filters,
    StoredChunk,
    chunk_id,
)
from vectorstore.chroma import ChromaIndex, StoreError
from vectorstore.embeddings import Embedder
from vectorstore.fusion import reciprocal_rank_fusion
from vectorstore.lexical import BM25Index, term_counts

SearchMode = Literal["hybrid", "dense", "lexical"]
CATALOG_FILE = "catalog.sqlite3"
# Weight of the dense ranking against BM25 in the fusion. Equal weights, the usual default:
# on the small shared eval set other settings moved recall by a query or two either way,
# which is noise, not evidence.
DENSE_WEIGHT = 1.0
CHROMA_DIR = "chroma"


@dataclass(frozen=True)
class Hit:
    """One search result; `as_json` gives the documented `--json` schema."""

    chunk_id: str
    file: str
    title: str
    doc_type: str
    organ: str
    diarienummer: str
    date: str
    section: str
    page: int | None
    text: str
    score: float

    @classmethod
    def from_chunk(cls, chunk: StoredChunk, score: float) -> Hit:
        meta = chunk.document.metadata
        return cls(
            chunk_id=chunk.chunk_id,
            file=chunk.document.file,
            title=meta.title,
            doc_type=meta.doc_type,
            organ=meta.organ,
            diarienummer=meta.diarienummer,
            date=meta.date,
            section=chunk.section,
            page=chunk.page,
            text=chunk.text,
            score=round(score, 6),
        )

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class RepairReport:
    """What `Store.repair` had to fix."""

    pending_removed: list[str] = field(default_factory=list)
    orphan_vectors: int = 0
    incomplete_documents: list[str] = field(default_factory=list)
    vectors_rebuilt: bool = False
    """Chroma's files could not be read and the collection was emptied: every document
    is in `incomplete_documents` and is written again by the ingest."""

    @property
    def changed(self) -> bool:
        return bool(self.pending_removed or self.orphan_vectors or self.incomplete_documents
                    or self.vectors_rebuilt)


ProblemKind = Literal[
    "catalog-integrity", "pending", "chunk-count", "chunk-numbering", "orphan-chunk",
    "term-counts", "missing-vector", "orphan-vector", "vector-document", "vector-count",
    "missing-lexical", "orphan-lexical", "duplicate-lexical", "unreadable-vectors",
    "vector-search",
]


# What `Store.repair` removes: leftovers of an interrupted write or removal. The other
# kinds cannot come from a crash (SQLite transactions); they need a rebuild.
_REPAIRABLE: frozenset[ProblemKind] = frozenset(
    {"pending", "missing-vector", "orphan-vector", "unreadable-vectors"}
)


@dataclass(frozen=True)
class Inconsistency:
    """One way the catalog, Chroma and the lexical index disagree."""

    kind: ProblemKind
    subject: str
    message: str


@dataclass
class ConsistencyReport:
    """What `Store.verify` compared and every disagreement it found."""

    documents: int = 0
    chunks: int = 0
    vectors: int = 0
    lexical: int = 0
    problems: list[Inconsistency] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.problems

    @property
    def repairable(self) -> bool:
        """Whether `repair` (run first by every ingest) fixes every problem found."""
        return all(problem.kind in _REPAIRABLE for problem in self.problems)

    def add(self, kind: ProblemKind, subject: str, message: str) -> None:
        self.problems.append(Inconsistency(kind, subject, message))

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "consistent": self.consistent, "repairable": self.repairable}


def _vectors(n: int) -> str:
    return "1 vektor" if n == 1 else f"{n} vektorer"


def _valid_terms(terms: str, length: int) -> bool:
    """Term counts are a JSON object of positive counts that sum to the stored length."""
    try:
        counts = json.loads(terms)
    except ValueError:
        return False
    return (
        isinstance(counts, dict)
        and all(isinstance(n, int) and n > 0 for n in counts.values())
        and sum(counts.values()) == length
    )


@dataclass(frozen=True)
class StoreStats:
    """What is in the store, for `yttra stats` and the corpus overview."""

    documents: int
    chunks: int
    vectors: int
    embedding_model: str
    location: str
    by_type: dict[str, int]
    by_organ: dict[str, int]
    by_year: dict[str, int]


def embedding_text(record: DocumentRecord, chunk: Chunk) -> str:
    """What is embedded and indexed for a chunk: its text with title and section as context."""
    context = " – ".join(part for part in (record.metadata.title, chunk.section) if part)
    return f"{context}\n{chunk.text}" if context else chunk.text


class Store:
    """Documents and chunks with dense, lexical and hybrid search."""

    def __init__(
        self,
        data_dir: Path,
        embedder: Embedder,
        collection: str = "yttra",
        chroma_host: str = "",
        chroma_port: int = 8000,
        replace_mismatched: bool = False,
    ) -> None:
        """Open (or create) the store; `replace_mismatched` empties a store that was
        built with another embedding model instead of refusing to open it."""
        self.data_dir = data_dir
        self.embedder = embedder
        self.catalog = Catalog(data_dir / CATALOG_FILE)
        self.chroma = ChromaIndex(
            data_dir / CHROMA_DIR, embedder.name, collection, chroma_host, chroma_port,
            replace_mismatched=replace_mismatched,
        )
        if self.chroma.was_reset:
            for record in self.catalog.documents(state=None):
                self.catalog.delete_document(record.doc_id)
        self.lexical = BM25Index(self.catalog.chunk_terms, self.catalog.generation)
        self._write_lock = threading.Lock()
        # Pending rows are not cleaned here: another process may be writing them right now.
        # `repair`, run by every ingest under its cross-process lock, removes leftovers.

    def close(self) -> None:
        self.catalog.close()

    # -- writing ----------------------------------------------------------------------

    def write_document(
        self, record: DocumentRecord, chunks: list[Chunk], vectors: np.ndarray | None = None
    ) -> None:
        """Add or replace a document and all its chunks.

        `vectors` (one row per chunk) skips embedding; bench/scale.py uses it to fill large
        stores without hours of model time.
        """
        texts = [embedding_text(record, chunk) for chunk in chunks]
        if vectors is None:
            vectors = self.embedder.embed_passages(texts)
        elif len(vectors) != len(chunks):
            raise ValueError(f"{len(vectors)} vectors for {len(chunks)} chunks")
        terms = [term_counts(text) for text in texts]
        meta = record.metadata
        metadatas = [
            {
                "doc_id": record.doc_id,
                "file": record.file,
                "ordinal": chunk.ordinal,
                "page": chunk.page or 0,
                "section": chunk.section[:500],
                "doc_type": meta.doc_type,
                "year": meta.year or 0,
                "organ": meta.organ,
                "municipality": meta.municipality,
            }
            for chunk in chunks
        ]
        ids = [chunk_id(record.doc_id, chunk.ordinal) for chunk in chunks]
        with self._write_lock:
            self.catalog.begin_document(record)
            self.chroma.delete_document(record.doc_id)
            self.chroma.add(ids, vectors, metadatas)
            self.catalog.finish_document(record.doc_id, chunks, terms)

    def remove_document(self, doc_id: str) -> None:
        with self._write_lock:
            self.chroma.delete_document(doc_id)
            self.catalog.delete_document(doc_id)

    def reset(self) -> None:
        """Remove every document and vector."""
        with self._write_lock:
            for record in self.catalog.documents(state=None):
                self.catalog.delete_document(record.doc_id)
            self.chroma.reset()

    def _clean_pending(self) -> list[str]:
        """Drop documents whose write was interrupted; the next ingest writes them again."""
        removed = []
        for record in self.catalog.documents(state="pending"):
            self.chroma.delete_document(record.doc_id)
            self.catalog.delete_document(record.doc_id)
            removed.append(record.file)
        return removed

    def repair(self) -> RepairReport:
        """Make Chroma and the catalog agree exactly; anything half-written is removed.

        A Chroma collection whose files a crash left unreadable is emptied first, so
        that every document counts as half-written and the ingest writes it again.
        """
        with self._write_lock:
            error = self.chroma.check()
            if error and self.chroma.is_unreadable(error):
                # Its vectors are lost: empty it, and every document is written again below.
                self.chroma.reset()
            elif error:
                raise StoreError(
                    f"Chroma kan inte läsas ({error}); bygg om indexet med "
                    "`yttra ingest --reindex <mappar>`."
                )
            report = RepairReport(vectors_rebuilt=bool(error))
            report.pending_removed = self._clean_pending()
            catalog_ids = self.catalog.chunk_ids()
            vector_ids = self.chroma.ids()
            orphans = vector_ids - catalog_ids
            self.chroma.delete(sorted(orphans))
            report.orphan_vectors = len(orphans)
            missing = catalog_ids - vector_ids
            broken = sorted({i.rsplit(":", 1)[0] for i in missing})
            for doc_id in broken:
                record = self.catalog.document(doc_id)
                self.chroma.delete_document(doc_id)
                self.catalog.delete_document(doc_id)
                report.incomplete_documents.append(record.file if record else doc_id)
            return report

    @staticmethod
    def _compare_vectors(
        report: ConsistencyReport,
        expected: dict[str, str],
        vectors: list[tuple[str, str]],
        vector_count: int,
        name: Callable[[str], str],
    ) -> None:
        """Chroma's ids and document tags against the catalog's chunks (id → doc_id)."""
        tagged = dict(vectors)
        missing = Counter(expected[i] for i in expected.keys() - tagged.keys())
        for doc_id, n in sorted(missing.items()):
            report.add("missing-vector", name(doc_id),
                       f"{name(doc_id)}: {n} avsnitt saknar vektor i Chroma.")
        orphans = Counter(tagged[i] or i.rsplit(":", 1)[0] for i in tagged.keys() - expected.keys())
        for doc_id, n in sorted(orphans.items()):
            report.add("orphan-vector", name(doc_id),
                       f"Chroma har {_vectors(n)} för {name(doc_id)} som katalogen saknar.")
        mislabelled = Counter(
            expected[i] for i in expected.keys() & tagged.keys() if tagged[i] != expected[i]
        )
        for doc_id, n in sorted(mislabelled.items()):
            report.add("vector-document", name(doc_id),
                       f"{name(doc_id)}: {_vectors(n)} är märkta med fel dokument i Chroma.")
        if vector_count != len(tagged) or len(vectors) != len(tagged):
            report.add("vector-count", "chroma",
                       f"Chroma räknar {_vectors(vector_count)} men listar {len(vectors)} "
                       f"({len(tagged)} olika id).")

    def verify(self) -> ConsistencyReport:
        """Compare the catalog, Chroma and the lexical index exactly; changes nothing.

        Each chunk of a ready document must have term counts, one vector tagged with its
        document and one lexical row; the registry's chunk counts must match; nothing may
        be pending, duplicated or left over.
        """
        with self._write_lock:
            records = {record.doc_id: record for record in self.catalog.documents(state=None)}
            rows = self.catalog.chunk_rows()
            integrity = self.catalog.integrity_errors()
            vector_error = self.chroma.check()
            vectors = [] if vector_error else self.chroma.entries()
            vector_count = 0 if vector_error else self.chroma.count()
            try:
                lexical = self.lexical.chunk_ids()
            except ValueError:  # unreadable term counts; reported per chunk below
                lexical = []
        ready = {doc_id for doc_id, record in records.items() if record.state == "ready"}
        report = ConsistencyReport(
            documents=len(ready), chunks=len(rows), vectors=len(vectors), lexical=len(lexical)
        )

        def name(doc_id: str) -> str:
            record = records.get(doc_id)
            return record.file if record else f"okänt dokument {doc_id}"

        def per_document(ids: Iterable[str], doc_of: Callable[[str], str]) -> list[tuple[str, int]]:
            return sorted(Counter(doc_of(i) for i in ids).items())

        def doc_of_id(chunk: str) -> str:
            return chunk.rsplit(":", 1)[0]

        for error in integrity:
            report.add("catalog-integrity", CATALOG_FILE, f"Katalogfilen är skadad: {error}.")
        by_doc: dict[str, list[ChunkRow]] = {}
        for row in rows:
            by_doc.setdefault(row.doc_id, []).append(row)
        for doc_id, record in sorted(records.items(), key=lambda item: item[1].file):
            own = by_doc.get(doc_id, [])
            if doc_id not in ready:
                report.add("pending", record.file,
                           f"{record.file}: halvskrivet dokument från en avbruten inläsning.")
                continue
            if len(own) != record.n_chunks:
                report.add("chunk-count", record.file,
                           f"{record.file}: registret anger {record.n_chunks} avsnitt men "
                           f"katalogen har {len(own)}.")
            if [row.chunk_id for row in own] != [chunk_id(doc_id, n) for n in range(len(own))]:
                report.add("chunk-numbering", record.file,
                           f"{record.file}: avsnitten är inte numrerade 0–{len(own) - 1}.")
        for doc_id, n in per_document((r.doc_id for r in rows if r.doc_id not in records), str):
            report.add("orphan-chunk", doc_id,
                       f"Katalogen har {n} avsnitt för dokumentet {doc_id}, som inte är "
                       "registrerat.")

        expected = {row.chunk_id: row.doc_id for row in rows if row.doc_id in ready}
        unscored = [r.chunk_id for r in rows if r.doc_id in ready
                    and not _valid_terms(r.terms, r.length)]
        for doc_id, n in per_document(unscored, expected.__getitem__):
            report.add("term-counts", name(doc_id),
                       f"{name(doc_id)}: {n} avsnitt saknar giltiga termräkningar.")

        if vector_error:  # nothing to compare the catalog with
            kind: ProblemKind = (
                "unreadable-vectors" if self.chroma.is_unreadable(vector_error)
                else "vector-search"
            )
            report.add(kind, "chroma", f"Chroma kan inte läsa vektorerna: {vector_error}")
        else:
            self._compare_vectors(report, expected, vectors, vector_count, name)

        held = Counter(lexical)
        for doc_id, n in per_document(expected.keys() - held.keys(), expected.__getitem__):
            report.add("missing-lexical", name(doc_id),
                       f"{name(doc_id)}: {n} avsnitt saknas i ordindexet (BM25).")
        for doc_id, n in per_document(held.keys() - expected.keys(), doc_of_id):
            report.add("orphan-lexical", name(doc_id),
                       f"Ordindexet har {n} avsnitt för {name(doc_id)} som katalogen saknar.")
        doubled = [i for i, n in held.items() if n > 1]
        for doc_id, n in per_document(doubled, doc_of_id):
            report.add("duplicate-lexical", name(doc_id),
                       f"{name(doc_id)}: {n} avsnitt finns flera gånger i ordindexet.")
        return report

    # -- reading ----------------------------------------------------------------------

    def document(self, doc_id: str) -> DocumentRecord | None:
        return self.catalog.document(doc_id)

    def stats(self) -> StoreStats:
        counts = self.catalog.counts()
        return StoreStats(
            documents=counts["documents"],
            chunks=counts["chunks"],
            vectors=self.chroma.count(),
            embedding_model=self.embedder.name,
            location=self.chroma.location,
            by_type=self.catalog.count_by("doc_type"),
            by_organ=self.catalog.organ_counts(),
            by_year=self.catalog.count_by("year"),
        )

    def documents(self) -> list[DocumentRecord]:
        return self.catalog.documents()

    def document_chunks(self, doc_id: str) -> list[StoredChunk]:
        """A document's chunks in reading order."""
        return self.catalog.document_chunks(doc_id)

    def generation(self) -> int:
        """A number that changes whenever a document is written or removed."""
        return self.catalog.generation()

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        """BM25 inverse document frequency of each (already tokenized) term."""
        return self.lexical.idf(terms)

    def dense_similarities(
        self, vector: np.ndarray, k: int, doc_ids: set[str] | None = None
    ) -> dict[str, float]:
        """Cosine similarity of the `k` chunks nearest to `vector`, by chunk id.

        Restricted to the chunks of `doc_ids` when given.
        """
        chunks_of = None if doc_ids is None else partial(self.catalog.chunk_ids_of, doc_ids)
        return dict(self.chroma.search(vector, k, doc_ids, chunks_of))

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        mode: SearchMode = "hybrid",
        candidates: int = 50,
        dense_weight: float = DENSE_WEIGHT,
    ) -> list[Hit]:
        """Best `k` chunks for `query`; hybrid fuses dense and BM25 rankings by RRF."""
        doc_ids = None
        if filters is not None and not filters.is_empty():
            doc_ids = self.catalog.matching_doc_ids(filters)
            if not doc_ids:
                return []
        depth = max(candidates, k)
        rankings: list[list[str]] = []
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_queries([query])[0]
            chunks_of = None if doc_ids is None else partial(self.catalog.chunk_ids_of, doc_ids)
            rankings.append([i for i, _ in self.chroma.search(vector, depth, doc_ids, chunks_of)])
        if mode in ("hybrid", "lexical"):
            rankings.append([i for i, _ in self.lexical.search(query, depth, doc_ids)])
        if len(rankings) == 1:
            ranked = [(i, 1.0 / (60 + rank)) for rank, i in enumerate(rankings[0], 1)]
        else:
            ranked = reciprocal_rank_fusion(rankings, weights=[dense_weight, 1.0])
        scores = dict(ranked)
        # Chroma can be ahead of the catalog (a document still being written) or behind it
        # (one just removed); such ids are skipped, not counted against `k`.
        chunks: list[StoredChunk] = []
        for start in range(0, len(ranked), max(k, 1)):
            chunks += self.catalog.chunks([i for i, _ in ranked[start : start + max(k, 1)]])
            if len(chunks) >= k:
                break
        return [Hit.from_chunk(c, scores[c.chunk_id]) for c in chunks[:k]]
