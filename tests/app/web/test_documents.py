"""The document input of the "Täckning" and "Utkast" tabs: upload, pick or paste."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.web.documents import DocumentInput, DocumentResolver
from app.web.uploads import UploadError
from ingest.errors import YttraError
from ingest.vocabulary import DocType
from tests.app.web.conftest import AUDIT_TEXT, REPLY_TEXT
from vectorstore.store import Store


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_pasted_text_is_normalised_and_comes_from_no_file(store: Store) -> None:
    pasted = "Nämnden instäm-\nmer i rekommendationen.\r\n"
    resolved = DocumentResolver(store, 1).resolve(DocumentInput(pasted=pasted), "svaret")
    assert "instämmer" in resolved.text and "\r" not in resolved.text
    assert resolved.file == "" and resolved.stored_files == ()


def test_nothing_given_is_asked_for_by_name(store: Store) -> None:
    resolver = DocumentResolver(store, 1)
    for empty in (DocumentInput(), DocumentInput(None, None, None), DocumentInput(pasted="  \n")):
        with pytest.raises(YttraError, match="^Ange svaret: ladda upp"):
            resolver.resolve(empty, "svaret")


def test_an_upload_counts_before_a_pick_and_pasted_text(
    reply_store: Store, reply_file: Path
) -> None:
    (record,) = reply_store.documents()
    audit = reply_file.parent / "granskning.txt"
    audit.write_text(AUDIT_TEXT, encoding="utf-8")
    resolver = DocumentResolver(reply_store, 1)
    given = DocumentInput(str(audit), record.doc_id, "inklistrad text")
    resolved = resolver.resolve(given, "granskningen")
    assert resolved.file == "granskning.txt"
    assert "belastningsregister" in resolved.text
    assert resolved.stored_files == ()  # this audit is not in the store
    picked = resolver.resolve(DocumentInput(None, record.doc_id, "inklistrad text"), "svaret")
    assert _flat(picked.text) == _flat(REPLY_TEXT)
    assert picked.file == record.file and picked.stored_files == (record.file,)


def test_an_uploaded_copy_of_a_stored_document_is_known_as_that_document(
    reply_store: Store, reply_file: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "kopia av svaret.txt"
    copy.write_bytes(reply_file.read_bytes())
    resolved = DocumentResolver(reply_store, 1).resolve(DocumentInput(str(copy)), "svaret")
    assert resolved.file == "kopia av svaret.txt"
    assert resolved.stored_files == (reply_file.name,)


def test_a_refused_upload_names_the_file(store: Store, tmp_path: Path) -> None:
    binary = tmp_path / "anteckningar.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(UploadError) as refused:
        DocumentResolver(store, 1).resolve(DocumentInput(str(binary)), "svaret")
    assert refused.value.name == "anteckningar.txt" and refused.value.reason


def test_a_picked_document_that_is_gone_is_reported(store: Store) -> None:
    with pytest.raises(YttraError, match="^Granskningen finns inte längre i indexet"):
        DocumentResolver(store, 1).resolve(DocumentInput(picked="saknas"), "granskningen")


def test_choices_can_put_audits_first(reply_store: Store, tmp_path: Path) -> None:
    from app.indexing.ingestor import Ingestor

    audit = tmp_path / "docs" / "revisionsrapport.txt"
    audit.write_text(AUDIT_TEXT, encoding="utf-8")
    assert not Ingestor(reply_store).ingest([audit]).failed
    types = {r.doc_id: r.metadata.doc_type for r in reply_store.documents()}
    assert set(types.values()) >= {DocType.GRANSKNING}
    resolver = DocumentResolver(reply_store, 1)
    first = resolver.choices(first=DocType.GRANSKNING)
    assert types[first[0][1]] == DocType.GRANSKNING
    assert sorted(first) == sorted(resolver.choices())
    assert all(f"({types[value]}" in label for label, value in first)
