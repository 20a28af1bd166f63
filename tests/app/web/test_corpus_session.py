"""Uploads in the "Läs in" tab and the "Översikt" tab, without a browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.indexing.ingestor import FileOutcome
from app.settings import Settings
from app.web.corpus.session import (
    IngestSession,
    format_outcomes,
    overview_markdown,
    safe_file_name,
    save_uploads,
)
from app.wiring import build_ingestor
from tests.app.web.conftest import REPLY_TEXT
from vectorstore.store import Store, StoreStats


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Svar på granskning (slutlig).txt", "Svar på granskning _slutlig_.txt"),
        ("C:\\Users\\anna\\Yttrande.PDF", "Yttrande.pdf"),
        ("../../etc/passwd", "passwd"),
        ("...", "dokument"),
        ("rapport", "rapport"),
        ("e\u0301n fil.md", "\u00e9n fil.md"),  # decomposed é as one character
    ],
)
def test_uploaded_names_are_kept_safe(sent: str, kept: str) -> None:
    assert safe_file_name(sent) == kept


def test_a_long_name_is_cut_before_its_suffix() -> None:
    kept = safe_file_name("a" * 400 + ".docx")
    assert kept.endswith(".docx") and len(kept) < 200


@pytest.fixture
def sent(tmp_path: Path) -> dict[str, Path]:
    """Files as Gradio hands them over: in a temporary folder each, under the sender's name."""
    files = {}
    for folder, name, content in [
        ("a", "svar.txt", REPLY_TEXT.encode()),
        ("b", "svar.txt", b"Ett annat svar med samma namn.\n"),
        ("c", "bilaga.txt", bytes(range(256)) * 40),
    ]:
        path = tmp_path / "gradio" / folder / name
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
        files[folder] = path
    return files


def test_uploads_are_checked_then_kept_side_by_side(sent: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    kept, refused = save_uploads([str(p) for p in sent.values()], folder, 1)
    assert kept == [folder / "svar.txt", folder / "svar-2.txt"]
    assert (folder / "svar-2.txt").read_bytes() == sent["b"].read_bytes()
    assert [(o.file, o.status) for o in refused] == [("bilaga.txt", "failed")]
    assert refused[0].reason
    assert sorted(p.name for p in folder.iterdir()) == ["svar-2.txt", "svar.txt"]


def test_outcomes_read_in_swedish() -> None:
    rows = format_outcomes(
        [FileOutcome("a.txt", "added"), FileOutcome("b.txt", "unchanged"),
         FileOutcome("c.pdf", "failed", "filen är skadad")]
    )
    assert rows == [["a.txt", "inläst"], ["b.txt", "oförändrad"],
                    ["c.pdf", "misslyckades: filen är skadad"]]


def test_ingesting_uploads_reports_each_file_and_shows_the_new_contents(
    store: Store, sent: dict[str, Path]
) -> None:
    settings = Settings(max_file_mb=1)
    session = IngestSession(settings, store, build_ingestor(settings, store))
    before = session.view()
    assert "**0 dokument**" in before.overview and "Inga dokument är inlästa" in before.overview
    assert before.filters.types == [("Alla", "Alla")]
    result = session.ingest([str(sent["a"]), str(sent["c"])])
    rows = {file: status for file, status in result.rows}
    assert rows["svar.txt"] == "inläst"
    assert rows["bilaga.txt"].startswith("misslyckades: ")
    assert "**1 dokument**" in result.corpus.overview
    assert [value for _, value in result.corpus.filters.types][1:] == [
        r.metadata.doc_type for r in store.documents()
    ]
    assert (settings.resolved_data_dir() / "uploads" / "svar.txt").exists()


def test_the_overview_names_types_in_swedish_and_the_language_model() -> None:
    stats = StoreStats(
        documents=3, chunks=7, vectors=7, embedding_model="e5-small", location="/data",
        by_type={"tjansteskrivelse": 2, "other": 1}, by_organ={"": 3}, by_year={"2021": 3},
    )
    text = overview_markdown(stats, Settings())
    assert "**3 dokument** uppdelade i **7 avsnitt** (7 vektorer)" in text
    assert "| tjänsteskrivelse | 2 |" in text and "| övrigt | 1 |" in text
    assert "| okänt | 3 |" in text and "| 2021 | 3 |" in text
    assert "e5-small" in text and "`/data`" in text
    assert "inget LLM" in text
