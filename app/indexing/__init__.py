"""Ingestion runs: files to the store, incrementally, with a report per file."""
