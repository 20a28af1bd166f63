"""The dense side: a Chroma collection, embedded on disk or behind a `chroma run` server."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import YttraError

MODEL_KEY = "embedding_model"


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


def _client(path: Path, host: str, port: int) -> Any:
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if host:
        try:
            return chromadb.HttpClient(host=host, port=port, settings=settings)
        except (ValueError, ConnectionError) as error:
            raise StoreError(f"Kan inte nå Chroma-servern {host}:{port}: {error}") from error
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class ChromaIndex:
    """Vectors of chunks, keyed by chunk id, with the chunk's document id as metadata."""

    def __init__(
        self, path: Path, model_name: str, collection: str = "yttra", host: str = "",
        port: int = 8000,
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

    def ids(self) -> set[str]:
        """Every id in the collection (paged, so large collections work)."""
        found: set[str] = set()
        page = 10_000
        offset = 0
        while True:
            got = self._collection.get(include=[], limit=page, offset=offset)["ids"]
            found.update(got)
            if len(got) < page:
                return found
            offset += page

    def search(
        self, vector: np.ndarray, k: int, doc_ids: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """Top `k` (chunk_id, cosine similarity), restricted to `doc_ids` when given."""
        total = self.count()
        if total == 0 or k <= 0 or (doc_ids is not None and not doc_ids):
            return []
        where: dict[str, Any] | None = None
        if doc_ids is not None:
            where = {"doc_id": {"$in": sorted(doc_ids)}}
        result = self._collection.query(
            query_embeddings=[vector.tolist()],
            n_results=min(k, total),
            where=where,
            include=["distances"],
        )
        ids = result["ids"][0]
        distances = result["distances"][0] if result["distances"] else [1.0] * len(ids)
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]
