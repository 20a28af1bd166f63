"""The assistant: ingestion runs, answering, drafting, coverage, CLI and UI."""
