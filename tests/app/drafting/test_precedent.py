"""The precedent index: read once per store generation, shared safely, owned by the drafter."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import app.drafting.precedent as precedent_module
from app.drafting.drafter import Drafter
from app.drafting.precedent import PrecedentIndex, quotable_sentences
from app.indexing.ingestor import Ingestor
from ingest.loaders import load_file
from ingest.recommendations import extract_recommendations
from tests.conftest import SAMPLE_CORPUS
from vectorstore.store import Store

AUDIT = "kungsbacka/014_kungsbacka-revision-upphandling-oegentligheter-granskning.txt"
REPLY = "kungsbacka/012_kungsbacka-service-upphandling-oegentligheter-yttrande.txt"


def _ingest(store: Store, tmp_path: Path, name: str) -> None:
    target = tmp_path / "corpus" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((SAMPLE_CORPUS / name).read_bytes())
    summary = Ingestor(store).ingest([target])
    assert summary.count("added") == 1, summary


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how often an index reads the store's replies."""
    calls: list[int] = []
    read = precedent_module._read_answers

    def counting(store: Store) -> precedent_module._Answers:
        calls.append(store.generation())
        return read(store)

    monkeypatch.setattr(precedent_module, "_read_answers", counting)
    return calls


def test_the_index_is_read_again_only_when_the_store_changes(
    store: Store, tmp_path: Path, reads: list[int]
) -> None:
    _ingest(store, tmp_path, AUDIT)
    index = PrecedentIndex(store)
    assert reads == []  # lazy: nothing is read before it is needed
    recommendation = extract_recommendations(load_file(SAMPLE_CORPUS / AUDIT, AUDIT).text)[3]

    assert index.answers() == [] and index.find(recommendation, 3) == []
    assert len(reads) == 1  # an audit is no reply: nothing answered yet

    _ingest(store, tmp_path, REPLY)
    first = index.answers()
    assert len(reads) == 2 and reads[0] != reads[1] == store.generation()
    assert first and {a.record.file for a in first} == {REPLY.split("/")[1]}
    found = index.find(recommendation, 3)
    assert found and found[0].kind == "svar" and found[0].file == REPLY.split("/")[1]
    assert index.answers() is first and index.quoted()
    assert index.find(recommendation, 3, exclude_files={REPLY.split("/")[1]}) == []
    assert len(reads) == 2


def test_threads_share_one_reading(store: Store, tmp_path: Path, reads: list[int]) -> None:
    _ingest(store, tmp_path, REPLY)
    index = PrecedentIndex(store)
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(id(index.answers()))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reads) == 1 and len(set(results)) == 1 and len(results) == 4


def test_each_drafter_owns_an_index_unless_one_is_shared(store: Store) -> None:
    own, other = Drafter(store), Drafter(store)
    assert own.index is not other.index and own.index.store is store
    shared = PrecedentIndex(store)
    assert Drafter(store, index=shared).index is Drafter(store, index=shared).index is shared


def test_quotable_sentences_are_whole_statements_of_the_reply_itself() -> None:
    recommendation = "Säkerställa att riskanalyser genomförs inför varje upphandling."
    text = (
        "Åtgärd: Nämnden har infört en ny rutin för riskanalyser i samband med upphandling. "
        "Granskningen visar att riskanalyser saknas i flera upphandlingar. "
        "Säkerställa att riskanalyser genomförs inför varje upphandling. "
        "Kort mening. "
        "När avser nämnden att vara klar med arbetet: Arbetet ska vara klart under hösten 2025."
    )
    assert quotable_sentences(text, [recommendation]) == [
        "Nämnden har infört en ny rutin för riskanalyser i samband med upphandling.",
        "Arbetet ska vara klart under hösten 2025.",
    ]
