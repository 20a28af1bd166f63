"""`Store.verify`: each way the catalog, Chroma and the lexical index can disagree is found,
named, and (for what a crash can leave) removed by `repair`."""

from __future__ import annotations

import sqlite3

from ingest.models import Chunk, DocMetadata
from vectorstore.catalog import DocumentRecord, chunk_id
from vectorstore.store import CATALOG_FILE, Store


def _record(doc_id: str) -> DocumentRecord:
    return DocumentRecord(
        doc_id=doc_id, file=f"{doc_id}.txt", path=f"/nowhere/{doc_id}.txt", sha256="0" * 64,
        signature="test", format="txt", metadata=DocMetadata(title=f"Titel {doc_id}"),
    )


def _fill(store: Store) -> None:
    for doc_id, texts in (
        ("audit", ["Nämnden rekommenderas att införa kontroller av leverantörer.",
                   "Riskanalyser saknas i upphandlingsprocessen."]),
        ("reply", ["Nämnden har tagit fram en modell för uppföljning.",
                   "Deltagarna får ett intyg när anställningen avslutas."]),
    ):
        store.write_document(_record(doc_id), [
            Chunk(text=t, section="Avsnitt", page=1, ordinal=n, token_count=len(t.split()))
            for n, t in enumerate(texts)
        ])


def _sql(store: Store, statement: str, *params: object) -> None:
    """Change the catalog behind the store's back, as damage or a bug would."""
    with sqlite3.connect(store.data_dir / CATALOG_FILE) as conn:
        conn.execute(statement, params)


def _kinds(store: Store) -> list[tuple[str, str]]:
    return [(p.kind, p.subject) for p in store.verify().problems]


def test_a_consistent_store_reports_nothing(store: Store) -> None:
    _fill(store)
    report = store.verify()
    assert report.consistent and report.problems == []
    assert (report.documents, report.chunks, report.vectors, report.lexical) == (2, 4, 4, 4)


def test_leftovers_of_an_interrupted_write_are_found_and_repaired(store: Store) -> None:
    _fill(store)
    # Killed after Chroma got the vectors of a new version, before the catalog step two.
    store.catalog.begin_document(_record("reply"))
    # Killed in a removal after Chroma dropped the vectors, before the catalog did.
    store.chroma.delete_document("audit")
    assert _kinds(store) == [
        ("pending", "reply.txt"),
        ("missing-vector", "audit.txt"),
        ("orphan-vector", "reply.txt"),
    ]
    report = store.verify()
    assert report.repairable and report.vectors == 2 and report.documents == 1
    assert report.problems[1].message == "audit.txt: 2 avsnitt saknar vektor i Chroma."
    repaired = store.repair()
    assert repaired.pending_removed == ["reply.txt"]
    assert repaired.incomplete_documents == ["audit.txt"] and repaired.orphan_vectors == 0
    assert store.verify().consistent and store.stats().documents == 0


def test_registry_counts_and_term_counts_are_checked(store: Store) -> None:
    _fill(store)
    _sql(store, "UPDATE documents SET n_chunks = 3 WHERE doc_id = 'audit'")
    _sql(store, "UPDATE chunks SET length = length + 1 WHERE chunk_id = ?", chunk_id("reply", 0))
    assert _kinds(store) == [("chunk-count", "audit.txt"), ("term-counts", "reply.txt")]
    report = store.verify()
    assert not report.repairable
    assert report.problems[0].message == (
        "audit.txt: registret anger 3 avsnitt men katalogen har 2."
    )


def test_a_chunk_deleted_behind_the_stores_back(store: Store) -> None:
    _fill(store)
    assert store.search("riskanalyser", k=1, mode="lexical")  # lexical index built
    # Raw SQL neither removes the vector nor bumps the generation: every part now differs.
    _sql(store, "DELETE FROM chunks WHERE chunk_id = ?", chunk_id("audit", 0))
    assert _kinds(store) == [
        ("chunk-count", "audit.txt"),
        ("chunk-numbering", "audit.txt"),
        ("orphan-vector", "audit.txt"),
        ("orphan-lexical", "audit.txt"),
    ]


def test_vectors_tagged_with_another_document(store: Store) -> None:
    _fill(store)
    vector = store.embedder.embed_passages(["något"])
    store.chroma.add([chunk_id("audit", 0)], vector, [{"doc_id": "reply"}])
    assert _kinds(store) == [("vector-document", "audit.txt")]


def test_chunks_without_a_document(store: Store) -> None:
    _fill(store)
    with sqlite3.connect(store.data_dir / CATALOG_FILE) as conn:  # foreign keys off
        conn.execute(
            "INSERT INTO chunks VALUES ('ghost:00000', 'ghost', 0, 'text', '', NULL, 1,"
            " '{\"text\": 1}', 1)"
        )
    kinds = _kinds(store)
    assert ("orphan-chunk", "ghost") in kinds
    assert ("catalog-integrity", CATALOG_FILE) in kinds  # SQLite's foreign_key_check
