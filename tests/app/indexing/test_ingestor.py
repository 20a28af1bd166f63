"""Ingestion runs on real files: incremental, idempotent, and robust to bad input."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from app.indexing import ingestor as indexing
from app.indexing.ingestor import Ingestor
from tests.conftest import SAMPLE_CORPUS
from vectorstore.store import Store

MALMO_REPLY = "malmo/001_74f6e0640af84ef9.txt"


def _bad_files(folder: Path) -> dict[str, str]:
    """Broken inputs next to good ones; returns file name → word expected in the reason."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trasig.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>> trailer garbage" + os.urandom(300))
    (folder / "tom.txt").write_bytes(b"")
    with zipfile.ZipFile(folder / "skräp.docx", "w") as archive:
        archive.writestr("junk.bin", os.urandom(2000))
    (folder / "binär.txt").write_bytes(bytes(range(256)) * 20)
    return {"trasig.pdf": "PDF", "tom.txt": "tom", "skräp.docx": "Word", "binär.txt": "binär"}


def test_first_run_adds_everything_and_second_run_skips_everything(
    store: Store, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingestor = Ingestor(store)
    first = ingestor.ingest([corpus_copy])
    files = sorted(p for p in corpus_copy.rglob("*.txt"))
    assert first.count("added") == len(files) and not first.failed
    assert {o.file for o in first.outcomes} == {
        p.relative_to(corpus_copy).as_posix() for p in files
    }
    chunks = store.stats().chunks
    # The re-run must not parse or embed anything (the speed-up itself is in bench/).
    work: list[str] = []
    monkeypatch.setattr(indexing, "load_file", lambda *a, **k: work.append("load"))
    monkeypatch.setattr(store, "write_document", lambda *a, **k: work.append("write"))
    second = ingestor.ingest([corpus_copy])
    assert second.count("unchanged") == len(files)
    assert second.chunks_written == 0 and store.stats().chunks == chunks
    assert work == []


def test_editing_one_file_replaces_only_its_chunks(store: Store, corpus_copy: Path) -> None:
    ingestor = Ingestor(store)
    ingestor.ingest([corpus_copy])
    before = {c: store.catalog.chunks([c])[0].text for c in store.catalog.chunk_ids()}
    edited = corpus_copy / MALMO_REPLY
    edited.write_text(edited.read_text() + "\n\nTillägg: uppföljningen redovisas kvartalsvis.\n")
    summary = ingestor.ingest([corpus_copy])
    assert [(o.file, o.status) for o in summary.outcomes if o.status != "unchanged"] == [
        (MALMO_REPLY, "updated")
    ]
    after = {c: store.catalog.chunks([c])[0].text for c in store.catalog.chunk_ids()}
    changed = {c for c in before.keys() | after.keys() if before.get(c) != after.get(c)}
    edited_doc = next(d.doc_id for d in store.documents() if d.file == MALMO_REPLY)
    assert changed and all(c.startswith(edited_doc) for c in changed)
    assert store.chroma.ids() == store.catalog.chunk_ids()
    hits = store.search("uppföljningen redovisas kvartalsvis", k=1)
    assert hits[0].file == MALMO_REPLY and "kvartalsvis" in hits[0].text


def test_prune_forgets_deleted_files(store: Store, corpus_copy: Path) -> None:
    ingestor = Ingestor(store)
    ingestor.ingest([corpus_copy])
    (corpus_copy / MALMO_REPLY).unlink()
    summary = ingestor.ingest([corpus_copy], prune=True)
    assert [(o.file, o.status) for o in summary.outcomes if o.status == "removed"] == [
        (MALMO_REPLY, "removed")
    ]
    assert all(d.file != MALMO_REPLY for d in store.documents())
    assert store.chroma.ids() == store.catalog.chunk_ids()


def test_bad_files_are_reported_and_the_rest_is_ingested(store: Store, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    expected = _bad_files(batch)
    good = batch / "bra.txt"
    good.write_text((SAMPLE_CORPUS / MALMO_REPLY).read_text())
    summary = Ingestor(store).ingest([batch])
    failed = {o.file: o.reason for o in summary.failed}
    assert set(failed) == set(expected)
    for name, word in expected.items():
        assert word.lower() in failed[name].lower(), (name, failed[name])
        assert "\n" not in failed[name]
    assert [o.file for o in summary.outcomes if o.status == "added"] == ["bra.txt"]
    assert store.stats().documents == 1
    # Re-running is safe: the good file is unchanged, the bad ones fail the same way.
    again = Ingestor(store).ingest([batch])
    assert again.count("unchanged") == 1 and len(again.failed) == len(expected)


def test_changed_chunking_rebuilds_documents(store: Store, tmp_path: Path) -> None:
    from ingest.chunking import ChunkingConfig

    doc = tmp_path / "doc.txt"
    doc.write_text((SAMPLE_CORPUS / MALMO_REPLY).read_text())
    Ingestor(store).ingest([doc])
    coarse = store.stats().chunks
    summary = Ingestor(store, ChunkingConfig(max_tokens=120, min_tokens=20)).ingest([doc])
    assert summary.count("updated") == 1 and store.stats().chunks > coarse


def test_links_to_themselves_and_undecodable_names_are_reported_not_fatal(
    store: Store, tmp_path: Path
) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "ögla.txt").symlink_to("ögla.txt")
    with open(os.path.join(os.fsencode(batch), b"fel\xe5namn.txt"), "wb") as handle:
        handle.write((SAMPLE_CORPUS / MALMO_REPLY).read_bytes())
    summary = Ingestor(store).ingest([batch, batch / "ögla.txt"])
    assert [(o.file, o.reason) for o in summary.failed] == [
        ("fel\ufffdnamn.txt", "filnamnet innehåller ogiltiga tecken (fel teckenkodning); "
         "byt namn på filen"),
        ("ögla.txt", "länken pekar på sig själv (en slinga)"),
    ]
    assert store.stats().documents == 0


def test_an_unexpected_failure_on_one_file_fails_only_that_file(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a.txt").write_text((SAMPLE_CORPUS / MALMO_REPLY).read_text())
    (batch / "b.txt").write_text("Nämnden yttrar sig. Hemlig mening om en enskild.")
    infer = indexing.infer_metadata

    def broken_on_b(text: str) -> object:  # stands in for a parser bug on one input
        if "Hemlig mening" in text:
            raise ZeroDivisionError(text)
        return infer(text)

    monkeypatch.setattr(indexing, "infer_metadata", broken_on_b)
    summary = Ingestor(store).ingest([batch])
    assert [(o.file, o.reason) for o in summary.failed] == [
        ("b.txt", "ett oväntat fel uppstod när filen lästes")
    ]
    assert [o.file for o in summary.outcomes if o.status == "added"] == ["a.txt"]
    # The log says where it broke, and never what the document says.
    assert "ZeroDivisionError" in caplog.text and "Hemlig mening" not in caplog.text
