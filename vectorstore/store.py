"""The store: catalog + Chroma + BM25 behind one small interface.

Writes go catalog (pending) → Chroma → catalog (ready), so a crash at any point leaves
either a pending row or vectors without a ready row; `repair` removes both, and the
next ingest run writes the document again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np

from ingest.models import Chunk
from vectorstore.catalog import (
    Catalog,
    DocumentRecord,
    Filters,
    StoredChunk,
    chunk_id,
    document_of,
)
from vectorstore.chroma import DEFAULT_PORT, ChromaIndex, StoreError
from vectorstore.consistency import ConsistencyReport, Snapshot, compare
from vectorstore.embeddings import Embedder
from vectorstore.fusion import reciprocal_rank_fusion
from vectorstore.lexical import BM25Index, term_counts

SearchMode = Literal["hybrid", "dense", "lexical"]
CATALOG_FILE = "catalog.sqlite3"
CHROMA_DIR = "chroma"

DENSE_WEIGHT = 1.0
"""Weight of the dense ranking against BM25 in the fusion. Equal weights, the usual
default, and the best measured: on the shared eval set (25 queries, sample corpus) recall@5
was 0.72 at 1.0, 0.70 at 2.0 and 0.64 at 0.5 (one query is 0.04)."""
SEARCH_CANDIDATES = 50
"""How many chunks each side (dense, BM25) ranks before the fusion (at least `k`), so that
a chunk one side ranks low still gets the other side's vote. On the shared eval set
recall@5 and MRR@10 did not change from 30 to 200 candidates, and 10 or 20 moved one query
either way; 50 leaves room for larger archives and costs about 2 ms per side at 100,000
chunks (bench/scale.py)."""
SECTION_METADATA_CHARS = 500
"""Chroma's copy of a chunk's section heading is cut here: it is never searched on, and a
page-long "heading" from a badly structured file would bloat every vector's metadata."""


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
        chroma_port: int = DEFAULT_PORT,
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
                "section": chunk.section[:SECTION_METADATA_CHARS],
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
            broken = sorted({document_of(i) for i in missing})
            for doc_id in broken:
                record = self.catalog.document(doc_id)
                self.chroma.delete_document(doc_id)
                self.catalog.delete_document(doc_id)
                report.incomplete_documents.append(record.file if record else doc_id)
            return report

    def verify(self) -> ConsistencyReport:
        """Compare the catalog, Chroma and the lexical index exactly; changes nothing.

        Each chunk of a ready document must have term counts, one vector tagged with its
        document and one lexical row; the registry's chunk counts must match; nothing may
        be pending, duplicated or left over.
        """
        return compare(self._snapshot(), self.chroma.is_unreadable)

    def _snapshot(self) -> Snapshot:
        """The catalog, Chroma and the lexical index as they are between two writes."""
        with self._write_lock:
            vector_error = self.chroma.check()
            try:
                lexical = self.lexical.chunk_ids()
            except ValueError:  # unreadable term counts; `verify` reports them per chunk
                lexical = []
            return Snapshot(
                catalog_file=CATALOG_FILE,
                records={record.doc_id: record for record in self.catalog.documents(state=None)},
                rows=self.catalog.chunk_rows(),
                integrity_errors=self.catalog.integrity_errors(),
                vector_error=vector_error,
                vectors=[] if vector_error else self.chroma.entries(),
                vector_count=0 if vector_error else self.chroma.count(),
                lexical=lexical,
            )

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
        candidates: int = SEARCH_CANDIDATES,
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
        # One ranking alone keeps its order, scored as the fusion would score it.
        weights = [dense_weight, 1.0] if mode == "hybrid" else None
        ranked = reciprocal_rank_fusion(rankings, weights=weights)
        scores = dict(ranked)
        # Chroma can be ahead of the catalog (a document still being written) or behind it
        # (one just removed); such ids are skipped, not counted against `k`.
        chunks: list[StoredChunk] = []
        for start in range(0, len(ranked), max(k, 1)):
            chunks += self.catalog.chunks([i for i, _ in ranked[start : start + max(k, 1)]])
            if len(chunks) >= k:
                break
        return [Hit.from_chunk(c, scores[c.chunk_id]) for c in chunks[:k]]
