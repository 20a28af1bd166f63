"""Questions answered from the archive: extractive answers with citations, or an LLM's."""
