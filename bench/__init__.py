"""Benchmarks for Yttra: retrieval quality, ingest throughput and query latency."""
