"""The dense side: a Chroma collection, embedded on disk or behind a `chroma run` server."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import YttraError
from vectorstore.catalog import document_of
from vectorstore.embeddings import NORM_FLOOR

MODEL_KEY = "embedding_model"
# How the embedded engine says the files of its vector index cannot be loaded (and not,
# say, that its database is busy): the first seen after a SIGKILL, the second reported.
_UNREADABLE_INDEX = ("Error deserializing pickle file", "Error loading hnsw index")

# A search restricted to some documents (a filter) is answered the cheapest way that is
# exact; see `ChromaIndex._search_among`. Measured with bench/scale.py at 100,000 vectors.
OVERFETCH = 1000
"""First, the best this many of all vectors (about 10 ms at 100,000): when the filter keeps
a large share of the archive, the best `k` of its chunks are among them."""
EXACT_SEARCH_MAX = 500
"""Else, when the filter leaves at most this many chunks, their vectors are fetched and
compared exactly (a few ms); above it Chroma searches among the chunk ids (about 20 ms for
a few thousand). Chroma's own metadata filter took 60-350 ms."""
PAGE_SIZE = 10_000
"""Ids are listed this many at a time, so that a large collection is never read whole."""
DEFAULT_PORT = 8000
"""The port `chroma run` listens on unless told otherwise."""


class StoreError(YttraError):
    """The store cannot be opened or used."""


class EmbeddingModelMismatch(StoreError):
    """The collection was built with another embedding model than the configured one."""

    def __init__(self, stored: str, configured: str) -> None:
        self.stored = stored
        self.configured = configured
        super().__init__(
            f"Indexet är byggt med embeddingmodellen {stored!r}, men {configured!r} är "
            "konfigurerad. Byt tillbaka modell, eller indexera om: "
            "`yttra ingest --reindex <mappar>`."
        )


class _Remote:
    """A Chroma client or collection behind a server: a lost connection is a StoreError.

    Embedded Chroma cannot lose its connection; over HTTP every call can, and httpx's
    own exceptions would otherwise reach the user as a traceback.
    """

    def __init__(self, target: Any, location: str) -> None:
        self._target = target
        self._location = location

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value
        return self._guarded(value)

    def _guarded(self, call: Callable[..., Any]) -> Callable[..., Any]:
        import httpx  # loaded with chromadb's HTTP client already

        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return call(*args, **kwargs)
            except httpx.TransportError as error:
                reason = str(error) or type(error).__name__
                raise StoreError(
                    f"Chroma-servern {self._location} svarar inte ({reason}). Kontrollera att"
                    " den körs och att YTTRA_CHROMA_HOST och YTTRA_CHROMA_PORT stämmer."
                ) from error

        return guarded


def _client(path: Path, host: str, port: int) -> Any:
    import chromadb
    from chromadb.config import Settings

    # Chroma's product telemetry is off, whatever ANONYMIZED_TELEMETRY says.
    settings = Settings(anonymized_telemetry=False)
    if host:
        try:
            client = chromadb.HttpClient(host=host, port=port, settings=settings)
        except (ValueError, ConnectionError) as error:
            raise StoreError(f"Kan inte nå Chroma-servern {host}:{port}: {error}") from error
        return _Remote(client, f"{host}:{port}")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class ChromaIndex:
    """Vectors of chunks, keyed by chunk id, with the chunk's document id as metadata."""

    def __init__(
        self, path: Path, model_name: str, collection: str = "yttra", host: str = "",
        port: int = DEFAULT_PORT,
        replace_mismatched: bool = False,
    ) -> None:
        self._client = _client(path, host, port)
        self._replace_mismatched = replace_mismatched
        self.was_reset = False
        self.location = f"chroma://{host}:{port}" if host else str(path)
        self._name = collection
        self.model_name = model_name
        self._collection = self._open()

    def _open(self) -> Any:
        collection = self._client.get_or_create_collection(
            self._name,
            metadata={MODEL_KEY: self.model_name},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
        if isinstance(self._client, _Remote):
            collection = _Remote(collection, self._client._location)
        stored = (collection.metadata or {}).get(MODEL_KEY)
        if stored != self.model_name:
            if collection.count() == 0 or self._replace_mismatched:
                self._client.delete_collection(self._name)
                self.was_reset = True
                return self._open()
            raise EmbeddingModelMismatch(str(stored), self.model_name)
        return collection

    def reset(self) -> None:
        """Drop every vector (used when re-indexing with another model)."""
        self._client.delete_collection(self._name)
        self._collection = self._open()

    def count(self) -> int:
        return int(self._collection.count())

    def check(self) -> str:
        """Count, read and search once: '' when that works, else Chroma's error message."""
        from chromadb.errors import ChromaError

        try:
            self._collection.count()
            stored = self._collection.get(limit=1, include=["embeddings"])
            if stored["ids"]:
                self._collection.query(
                    query_embeddings=[stored["embeddings"][0]], n_results=1, include=[]
                )
        except ChromaError as error:
            return " ".join(str(error).split()) or type(error).__name__
        return ""

    def is_unreadable(self, error: str) -> bool:
        """Whether `error` (from `check`) means the embedded index's files cannot be read.

        Chroma rewrites its index metadata in place (index_metadata.pickle, opened with
        O_TRUNC); a process killed during that write leaves it truncated, and from then
        on every read fails with this error. The vectors are gone (Chroma's log is purged
        once the index is written), so the collection has to be dropped and rebuilt.
        A Chroma server keeps its own files: its errors are never taken for this.
        """
        embedded = not isinstance(self._client, _Remote)
        return embedded and any(cause in error for cause in _UNREADABLE_INDEX)

    def add(
        self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]
    ) -> None:
        batch = max(1, int(self._client.get_max_batch_size()))
        for start in range(0, len(ids), batch):
            end = start + batch
            self._collection.upsert(
                ids=list(ids[start:end]),
                embeddings=vectors[start:end],
                metadatas=list(metadatas[start:end]),
            )

    def delete_document(self, doc_id: str) -> None:
        self._collection.delete(where={"doc_id": doc_id})

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._collection.delete(ids=list(ids))

    def _pages(self, include: list[str]) -> Iterator[dict[str, Any]]:
        """The whole collection, `PAGE_SIZE` entries at a time."""
        offset = 0
        while True:
            got = self._collection.get(include=include, limit=PAGE_SIZE, offset=offset)
            yield got
            if len(got["ids"]) < PAGE_SIZE:
                return
            offset += PAGE_SIZE

    def ids(self) -> set[str]:
        """Every id in the collection."""
        return {i for page in self._pages([]) for i in page["ids"]}

    def entries(self) -> list[tuple[str, str]]:
        """(chunk id, document id from its metadata) for every vector."""
        found: list[tuple[str, str]] = []
        for page in self._pages(["metadatas"]):
            metadatas = page["metadatas"] or [None] * len(page["ids"])
            found.extend(
                (i, str((meta or {}).get("doc_id", "")))
                for i, meta in zip(page["ids"], metadatas, strict=True)
            )
        return found

    def search(
        self,
        vector: np.ndarray,
        k: int,
        doc_ids: set[str] | None = None,
        chunk_ids: Callable[[], Sequence[str]] | None = None,
    ) -> list[tuple[str, float]]:
        """Top `k` (chunk_id, cosine similarity), restricted to `doc_ids` when given.

        `chunk_ids`, when given, returns the ids of the chunks of `doc_ids` (the catalog
        knows them); with it a restricted search avoids Chroma's metadata filter, which
        is slow on a large collection. It is called only when needed.
        """
        if k <= 0 or (doc_ids is not None and not doc_ids):
            return []
        if doc_ids is None:
            return self._query(vector, k, None)
        if chunk_ids is None:
            return self._query(vector, k, {"doc_id": {"$in": sorted(doc_ids)}})
        return self._search_among(vector, k, doc_ids, chunk_ids)

    def _query(
        self, vector: np.ndarray, k: int, where: dict[str, Any] | None, **restrict: Any
    ) -> list[tuple[str, float]]:
        # Chroma returns fewer than `n_results` when it holds fewer (none when empty), so
        # no count() first: at 100,000 vectors that costs ten times the query itself.
        result = self._collection.query(
            query_embeddings=[vector.tolist()],
            n_results=k,
            where=where,
            include=["distances"],
            **restrict,
        )
        ids = result["ids"][0]
        distances = result["distances"][0] if result["distances"] else [1.0] * len(ids)
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def _search_among(
        self,
        vector: np.ndarray,
        k: int,
        doc_ids: set[str],
        chunk_ids: Callable[[], Sequence[str]],
    ) -> list[tuple[str, float]]:
        """Top `k` of the documents' chunks, found the cheapest way for the filter at hand.

        At 100,000 vectors (bench/scale.py) Chroma's metadata filter took 60-350 ms, and
        longest when few documents matched. Instead: the unrestricted top 1,000 (about
        10 ms) answers when the filter keeps a large share; a few hundred chunks are
        fetched and compared exactly (a few ms); otherwise Chroma searches among the
        chunk ids (about 20 ms for a few thousand).
        """
        from chromadb.errors import InternalError

        # The best of the documents' chunks among the best of all are their best.
        wide = self._query(vector, max(k, OVERFETCH), None)
        kept = [hit for hit in wide if document_of(hit[0]) in doc_ids]
        if len(kept) >= k or len(wide) < max(k, OVERFETCH):
            return kept[:k]
        allowed = list(chunk_ids())
        if not allowed:
            return []
        if len(allowed) <= EXACT_SEARCH_MAX:
            got = self._collection.get(ids=allowed, include=["embeddings"])
            if not got["ids"]:
                return []
            matrix = np.asarray(got["embeddings"], dtype=np.float32)
            norms = np.linalg.norm(matrix, axis=1) * float(np.linalg.norm(vector))
            similarity = matrix @ vector.astype(np.float32) / np.maximum(norms, NORM_FLOOR)
            best = np.argsort(-similarity, kind="stable")[:k]
            return [(got["ids"][i], float(similarity[i])) for i in best]
        try:
            return self._query(vector, k, None, ids=allowed)
        except InternalError:
            # An id without a vector (a document being removed right now): Chroma refuses
            # the whole list, so filter on the documents' metadata instead.
            return self._query(vector, k, {"doc_id": {"$in": sorted(doc_ids)}})
