"""`consistency.compare` on hand-made snapshots: the disagreements a real store rarely shows."""

from __future__ import annotations

import json

from ingest.models import DocMetadata
from vectorstore.catalog import ChunkRow, DocumentRecord, chunk_id, document_of
from vectorstore.consistency import Snapshot, compare


def _record(doc_id: str, n_chunks: int, state: str = "ready") -> DocumentRecord:
    return DocumentRecord(
        doc_id=doc_id, file=f"{doc_id}.txt", path=f"/nowhere/{doc_id}.txt", sha256="0" * 64,
        signature="test", format="txt", metadata=DocMetadata(), n_chunks=n_chunks, state=state,
    )


def _rows(doc_id: str, n: int) -> list[ChunkRow]:
    terms = json.dumps({"ord": 2})
    return [ChunkRow(chunk_id(doc_id, i), doc_id, i, terms, 2) for i in range(n)]


def _snapshot(**changes: object) -> Snapshot:
    """Two ready documents of two chunks each, consistent everywhere unless changed."""
    rows = _rows("a", 2) + _rows("b", 2)
    fields: dict[str, object] = {
        "catalog_file": "catalog.sqlite3",
        "records": {"a": _record("a", 2), "b": _record("b", 2)},
        "rows": rows,
        "integrity_errors": [],
        "vector_error": "",
        "vectors": [(row.chunk_id, row.doc_id) for row in rows],
        "vector_count": len(rows),
        "lexical": [row.chunk_id for row in rows],
    }
    fields.update(changes)
    return Snapshot(**fields)  # type: ignore[arg-type]


def _kinds(snapshot: Snapshot, unreadable: bool = False) -> list[tuple[str, str]]:
    report = compare(snapshot, lambda error: unreadable)
    return [(problem.kind, problem.subject) for problem in report.problems]


def test_a_consistent_snapshot_has_no_problems_and_counts_everything() -> None:
    report = compare(_snapshot(), lambda error: False)
    assert report.consistent and report.repairable
    assert (report.documents, report.chunks, report.vectors, report.lexical) == (2, 4, 4, 4)


def test_document_of_undoes_chunk_id() -> None:
    assert document_of(chunk_id("ab:c", 12)) == "ab:c"


def test_a_vector_listed_twice_is_a_count_problem() -> None:
    rows = _rows("a", 2) + _rows("b", 2)
    vectors = [(row.chunk_id, row.doc_id) for row in rows]
    report = compare(_snapshot(vectors=[*vectors, vectors[0]], vector_count=5),
                     lambda error: False)
    assert [(p.kind, p.message) for p in report.problems] == [
        ("vector-count", "Chroma räknar 5 vektorer men listar 5 (4 olika id).")
    ]
    assert not report.repairable


def test_an_unreadable_chroma_is_repairable_other_errors_are_not() -> None:
    broken = _snapshot(vector_error="Error loading hnsw index", vectors=[], vector_count=0)
    assert _kinds(broken, unreadable=True) == [("unreadable-vectors", "chroma")]
    assert compare(broken, lambda error: True).repairable
    assert _kinds(broken, unreadable=False) == [("vector-search", "chroma")]
    assert not compare(broken, lambda error: False).repairable


def test_lexical_rows_missing_left_over_and_doubled() -> None:
    lexical = [chunk_id("a", 0), chunk_id("a", 0), chunk_id("b", 0), chunk_id("b", 1),
               chunk_id("gone", 0)]
    assert _kinds(_snapshot(lexical=lexical)) == [
        ("missing-lexical", "a.txt"),
        ("orphan-lexical", "okänt dokument gone"),
        ("duplicate-lexical", "a.txt"),
    ]


def test_pending_documents_are_not_expected_anywhere_else() -> None:
    records = {"a": _record("a", 2), "b": _record("b", 0, state="pending")}
    rows = _rows("a", 2)
    snapshot = _snapshot(
        records=records, rows=rows, vectors=[(r.chunk_id, r.doc_id) for r in rows],
        vector_count=2, lexical=[r.chunk_id for r in rows],
    )
    report = compare(snapshot, lambda error: False)
    assert [(p.kind, p.subject) for p in report.problems] == [("pending", "b.txt")]
    assert report.documents == 1 and report.repairable


def test_bad_term_counts_and_integrity_errors_are_named() -> None:
    rows = _rows("a", 2) + _rows("b", 2)
    rows[3] = ChunkRow(rows[3].chunk_id, "b", 1, "{not json", 2)
    kinds = _kinds(_snapshot(rows=rows, integrity_errors=["row 3 missing from index"]))
    assert kinds == [("catalog-integrity", "catalog.sqlite3"), ("term-counts", "b.txt")]
