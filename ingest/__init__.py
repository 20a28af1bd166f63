"""Turning files into documents with metadata and structured chunks.

Nothing in this package talks to a model or a store: it reads files and text.
"""
