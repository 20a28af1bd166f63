"""Embedding, storing and searching chunks: Chroma for dense, BM25 beside it, fused."""
