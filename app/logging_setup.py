"""Logging for the `yttra` command: Yttra's own messages at the chosen level, others quiet.

Yttra's log messages name files, ids and error types, never document text or keys. The
libraries under it are not ours to vouch for: at DEBUG and INFO, HTTP clients log
requests, responses and their headers, and LLM and store clients log what they send and
store, which may change with any upgrade. So only Yttra's own loggers follow the chosen
level; everything else logs warnings and errors only, and the HTTP, LLM and store
libraries are held there even if something later lowers the root logger's level.
"""

from __future__ import annotations

import logging

OWN_LOGGERS = ("app", "ingest", "vectorstore")
QUIET_LOGGERS = (
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
    "urllib3",
    "requests",
    "openai",
    "ollama",
    "langchain",
    "langchain_core",
    "langchain_openai",
    "langchain_ollama",
    "chromadb",
    "posthog",
    "gradio",
    "uvicorn",
    "fastapi",
    "sentence_transformers",
    "transformers",
    "huggingface_hub",
)
FORMAT = "%(levelname)s %(name)s: %(message)s"


def configure_logging(level: str = "WARNING") -> None:
    """Send warnings to stderr, Yttra's own messages from `level` up; safe to call again."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    own = logging.getLevelNamesMapping()[level]
    for name in OWN_LOGGERS:
        # At the default they simply follow the root logger.
        logging.getLogger(name).setLevel(logging.NOTSET if own == logging.WARNING else own)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
