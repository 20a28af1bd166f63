"""Finding and loading real files: the sample corpus, generated PDFs and DOCX, bad input."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import random
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from fpdf import FPDF

from ingest.errors import IngestError
from ingest.loaders import (
    SUPPORTED_SUFFIXES,
    decode_bytes,
    display_name,
    iter_files,
    load_file,
    os_error_reason,
)

CORPUS = Path(__file__).parents[2] / "data" / "sample-corpus"
JUNK = random.Random(20250122).randbytes

PAGE_BODIES = [
    [
        "Kommunrevisionen har vid sitt möte antagit bifogad revis-",
        "ionsrapport om interna kontroller i upp-",
        "handlingsprocessen. Arbetsmarknads-",
        "och socialnämnden har också fått rapporten.",
    ],
    [
        "Nämnden för Service välkomnar granskningen och ser den som ett",
        "viktigt bidrag till arbetet mot oegentligheter. Åtgärder planeras",
        "under våren, och ansvaret ligger på förvaltningen.",
    ],
    [
        "Uppföljning sker i internkontrollplanen för år 2025.",
        "Nämnden återrapporterar till kommunrevisionen i december.",
    ],
]


def make_pdf(pages: list[list[str]], *, letterhead: bool = True) -> bytes:
    """A PDF with one text line per entry, and a letterhead and page counter on each page."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for number, lines in enumerate(pages, 1):
        pdf.add_page()
        if letterhead:
            pdf.cell(0, 8, "KUNGSBACKA KOMMUN", new_x="LMARGIN", new_y="NEXT")
        for line in lines:
            pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        if letterhead:
            pdf.set_y(-40)
            for footer in (
                f"{number} ({len(pages)})",
                "Telefon 0300-83 40 00",
                "www.kungsbacka.se",
            ):
                pdf.cell(0, 6, footer, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def reason_of(path: Path, **kwargs: int) -> str:
    with pytest.raises(IngestError) as caught:
        load_file(path, path.name, **kwargs)
    assert caught.value.path == path.absolute()
    return caught.value.reason


# --- PDF ------------------------------------------------------------------------------


def test_pdf_pages_text_and_cleanup(tmp_path: Path) -> None:
    data = make_pdf(PAGE_BODIES)
    path = write(tmp_path / "granskning.pdf", data)

    doc = load_file(path, "rapporter/granskning.pdf")

    assert doc.path == path and doc.path.is_absolute()
    assert doc.file == "rapporter/granskning.pdf"
    assert doc.format == "pdf"
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    markers = [line for line in doc.text.split("\n") if line.startswith("<!--")]
    assert markers == ["<!-- sida 1 -->", "<!-- sida 2 -->", "<!-- sida 3 -->"]
    assert "bifogad revisionsrapport om interna kontroller" in doc.text
    assert "i upphandlingsprocessen." in doc.text
    assert "Arbetsmarknads- och socialnämnden har också" in doc.text
    assert "Nämnden för Service välkomnar" in doc.text and "Åtgärder planeras" in doc.text
    for furniture in ("KUNGSBACKA", "Telefon", "www.kungsbacka.se", "(3)"):
        assert furniture not in doc.text
    assert doc.text.index("<!-- sida 2 -->") < doc.text.index("välkomnar")


def test_pdf_encrypted_with_password_is_refused(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf(PAGE_BODIES))))
    writer.encrypt("hemligt")
    path = tmp_path / "hemlig.pdf"
    writer.write(path)
    assert reason_of(path) == "PDF-filen är lösenordsskyddad"


def test_pdf_encrypted_with_empty_user_password_is_read(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf(PAGE_BODIES))))
    writer.encrypt("", owner_password="ägare")
    path = tmp_path / "skyddad.pdf"
    writer.write(path)
    assert "revisionsrapport" in load_file(path, path.name).text


def test_pdf_without_text_layer_asks_for_ocr(tmp_path: Path) -> None:
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 100, 60, style="F")
    path = write(tmp_path / "inskannad.pdf", bytes(pdf.output()))
    assert reason_of(path) == "PDF-filen saknar textlager (inskannad?); kör OCR först"


@pytest.mark.parametrize(
    "data",
    [
        JUNK(4000) + b"\n%%EOF\n",
        b"%PDF-1.7\n" + JUNK(4000) + b"\n%%EOF\n",
    ],
    ids=["random", "header-then-junk"],
)
def test_corrupt_pdf_is_reported_in_plain_swedish(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "trasig.pdf", data)
    assert reason_of(path) == "PDF-filen är skadad och går inte att läsa"


@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.9])
def test_truncated_pdf_is_reported_as_incomplete(tmp_path: Path, fraction: float) -> None:
    data = make_pdf(PAGE_BODIES * 3)
    path = write(tmp_path / "avklippt.pdf", data[: int(len(data) * fraction)])
    assert reason_of(path) == (
        "PDF-filen är ofullständig (avklippt, t.ex. vid en avbruten nedladdning)"
    )


def test_pdf_with_a_little_junk_after_its_end_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "bilaga.pdf", make_pdf(PAGE_BODIES) + b"\r\n" + bytes(200))
    assert "Nämnden för Service välkomnar" in load_file(path, path.name).text


def _placed_pdf(lines: list[tuple[float, float, str]], size: int = 11) -> bytes:
    """A one-page PDF drawing each (x mm, baseline mm from the top, text) in the order given."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=size)
    pdf.add_page()
    for x, y, text in lines:
        pdf.text(x, y, text)
    return bytes(pdf.output())


LEFT_COLUMN = [
    "Revisorerna har granskat hur",
    "nämnden styr och följer upp",
    "arbetet med intern kontroll.",
    "Granskningen visar att rutinerna",
    "i huvudsak fungerar men att",
    "dokumentationen är bristfällig.",
]
RIGHT_COLUMN = [
    "Nämnden har antagit en plan",
    "för intern kontroll som följs",
    "upp två gånger per år och",
    "redovisas i samband med",
    "delårsrapporten och i",
    "årsredovisningen.",
]


def test_pdf_paragraph_gap_gives_a_blank_line(tmp_path: Path) -> None:
    first = ["Nämnden har tagit del av granskningen och delar", "revisorernas bedömning."]
    second = ["Förvaltningen får i uppdrag att se över rutinen", "och återkomma till nämnden."]
    placed = [(20, 30 + 6 * n, line) for n, line in enumerate(first)]
    placed += [(20, 50 + 6 * n, line) for n, line in enumerate(second)]  # a 14 mm gap
    path = write(tmp_path / "yttrande.pdf", _placed_pdf(placed))

    text = load_file(path, path.name).text

    assert "delar\nrevisorernas bedömning.\n\nFörvaltningen får" in text
    assert "rutinen\noch återkomma" in text


def test_pdf_evenly_spaced_lines_stay_together(tmp_path: Path) -> None:
    lines = LEFT_COLUMN + RIGHT_COLUMN
    placed = [(20, 30 + 6 * n, line) for n, line in enumerate(lines)]
    path = write(tmp_path / "rapport.pdf", _placed_pdf(placed))
    expected = pypdf.PdfReader(path).pages[0].extract_text()

    text = load_file(path, path.name).text

    assert "\n\n" not in text.split("-->", 1)[1].strip()
    assert " ".join(text.split()[4:]) == " ".join(expected.split())


def test_pdf_two_columns_drawn_row_by_row_are_read_a_column_at_a_time(tmp_path: Path) -> None:
    placed: list[tuple[float, float, str]] = [(20, 20, "Granskning av intern kontroll")]
    for n, (left, right) in enumerate(zip(LEFT_COLUMN, RIGHT_COLUMN, strict=True)):
        placed += [(20, 40 + 6 * n, left), (110, 40 + 6 * n, right)]
    path = write(tmp_path / "spalter.pdf", _placed_pdf(placed))
    assert LEFT_COLUMN[0] + " " + RIGHT_COLUMN[0] in pypdf.PdfReader(path).pages[0].extract_text()

    text = load_file(path, path.name).text

    flat = " ".join(text.split())
    title = flat.index("Granskning av intern kontroll")
    left = flat.index(" ".join(LEFT_COLUMN))
    right = flat.index(" ".join(RIGHT_COLUMN))
    assert title < left < right


def test_pdf_single_column_with_a_wide_gap_line_is_not_split(tmp_path: Path) -> None:
    """Full lines across the page leave no gutter, whatever short lines do."""
    lines = ["Kort rad", "En lång rad som går över hela sidans bredd från vänster marginal"] * 4
    placed = [(20, 30 + 6 * n, line) for n, line in enumerate(lines)]
    path = write(tmp_path / "rapport.pdf", _placed_pdf(placed))

    text = load_file(path, path.name).text

    assert [line for line in text.split("\n")[2:] if line] == lines


def test_pdf_table_rows_read_across_not_down(tmp_path: Path) -> None:
    """Two wide cells a row, rows apart: the rows read across, as a table does."""
    placed: list[tuple[float, float, str]] = []
    top = 30.0
    for row in range(4):
        cells = (LEFT_COLUMN[row::4][:2], RIGHT_COLUMN[row::4][:2])
        for n in range(2):
            placed += [(20, top + 6 * n, cells[0][n % len(cells[0])])]
            placed += [(110, top + 6 * n, cells[1][n % len(cells[1])])]
        top += 20
    path = write(tmp_path / "tabell.pdf", _placed_pdf(placed))
    expected = pypdf.PdfReader(path).pages[0].extract_text()

    text = load_file(path, path.name).text

    assert " ".join(text.split()[4:]) == " ".join(expected.split())


# --- DOCX -----------------------------------------------------------------------------


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Yttrande över granskning av upphandling", level=0)
    document.add_heading("Bakgrund", level=1)
    document.add_paragraph("Arbetsmarknads- och socialnämnden har tagit del av rapporten.")
    document.add_paragraph("Nämnden avser att:")
    document.add_paragraph("uppdatera riktlinjerna för inköp", style="List Bullet")
    document.add_paragraph("införa kontroller av leverantörer", style="List Bullet")
    document.add_heading("Åtgärder och tidplan", level=2)
    table = document.add_table(rows=3, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Åtgärd", "Ansvar", "Klart"), strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("Ny rutin", "Inköp", "2025"), strict=True):
        cell.text = text
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "Uppföljning i internkontrollen"
    table.cell(2, 2).text = "2026"
    document.add_paragraph("Efter tabellen följer beslutet.")
    swedish_heading = document.styles.add_style("Rubrik 3", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Svensk rubrikstil", style=swedish_heading)
    document.save(str(path))
    return path


def test_docx_structure_in_document_order(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "yttrande.docx")

    doc = load_file(path, "yttrande.docx")

    assert doc.format == "docx"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.text.split("\n") == [
        "# Yttrande över granskning av upphandling",
        "",
        "# Bakgrund",
        "",
        "Arbetsmarknads- och socialnämnden har tagit del av rapporten.",
        "",
        "Nämnden avser att:",
        "",
        "• uppdatera riktlinjerna för inköp",
        "• införa kontroller av leverantörer",
        "",
        "## Åtgärder och tidplan",
        "",
        "Åtgärd | Ansvar | Klart",
        "Ny rutin | Inköp | 2025",
        "Uppföljning i internkontrollen | 2026",
        "",
        "Efter tabellen följer beslutet.",
        "",
        "### Svensk rubrikstil",
    ]


@pytest.mark.parametrize(
    "data",
    [
        JUNK(3000),
        b"PK\x03\x04" + JUNK(3000),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(3000),
    ],
    ids=["random", "broken-zip", "ole-container"],
)
def test_file_that_is_not_docx_is_reported(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "dokument.docx", data)
    assert reason_of(path).startswith("filen är inte ett giltigt Word-dokument (.docx)")


def test_zip_that_is_not_a_word_document_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "arkiv.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("anteckning.txt", JUNK(500))
        archive.writestr("[Content_Types].xml", b"<inte xml")
    assert reason_of(path) == "filen är inte ett giltigt Word-dokument (.docx)"


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", bytes(12 * 1024 * 1024))
    assert reason_of(path).startswith("misstänkt zip-bomb")


# --- text files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "name"),
    [
        ("Nämnden för Kultur & Fritid yttrar sig.\r\n".encode(), "utf8.txt"),
        ("Nämnden för Kultur & Fritid yttrar sig.\n".encode("utf-8-sig"), "bom.md"),
        ("Nämnden för Kultur & Fritid yttrar sig.\r\n".encode("cp1252"), "ansi.txt"),
        ("Nämnden för Kultur & Fritid yttrar sig.\r\n".encode("utf-16"), "unicode.txt"),
    ],
)
def test_text_encodings(tmp_path: Path, encoded: bytes, name: str) -> None:
    doc = load_file(write(tmp_path / name, encoded), name)
    assert doc.text == "Nämnden för Kultur & Fritid yttrar sig."
    assert doc.format == name.rsplit(".", 1)[1]
    assert doc.sha256 == hashlib.sha256(encoded).hexdigest()


def test_decoding_falls_back_to_cp1252_then_latin1() -> None:
    assert decode_bytes("Åtgärd – klar".encode("cp1252")) == "Åtgärd – klar"
    assert decode_bytes(b"\x81\xe5") == "\x81å"  # 0x81 is undefined in cp1252


@pytest.mark.parametrize(
    "data",
    [b"\x00\x01\x02binary\x00" * 50, bytes(range(1, 32)) * 20],
    ids=["nul-bytes", "control-characters"],
)
def test_binary_file_named_txt_is_refused(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "data.txt", data)
    assert reason_of(path) == "ser ut som en binärfil, inte text"


def test_text_that_is_only_page_furniture_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path / "tom.txt", b"\n \n\t\n1 (3)\n")
    assert reason_of(path) == "filen innehåller ingen text"


# --- the content decides, not the extension -------------------------------------------


@pytest.mark.parametrize(
    ("name", "real"),
    [("rapport.docx", "pdf"), ("rapport.txt", "pdf"), ("rapport.md", "pdf"),
     ("yttrande.pdf", "docx"), ("yttrande.txt", "docx")],
)
def test_file_under_the_wrong_extension_is_read_as_what_it_is(
    tmp_path: Path, name: str, real: str
) -> None:
    if real == "pdf":
        path = write(tmp_path / name, make_pdf(PAGE_BODIES))
        expected = "Nämnden för Service välkomnar"
    else:
        path = tmp_path / name
        make_docx(path)
        expected = "Arbetsmarknads- och socialnämnden har tagit del"
    doc = load_file(path, name)
    assert doc.format == real and doc.file == name
    assert expected in doc.text


def test_pdf_header_after_leading_junk_is_found_in_a_pdf_only(tmp_path: Path) -> None:
    data = b"\r\n\x00junk from a mail gateway\n" + make_pdf(PAGE_BODIES)
    assert load_file(write(tmp_path / "a.pdf", data), "a.pdf").format == "pdf"
    text = "En text om PDF-formatet (%PDF-1.7) och dess historia på svenska.".encode()
    assert load_file(write(tmp_path / "om-pdf.txt", text), "om-pdf.txt").format == "txt"


def _zip(path: Path, parts: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return path


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("skanning.pdf", b"\x89PNG\r\n\x1a\n" + JUNK(300),
         "filen är en bild (PNG), inte en PDF-fil; kör OCR först"),
        ("foto.docx", b"\xff\xd8\xff\xe0" + JUNK(300),
         "filen är en bild (JPEG), inte ett Word-dokument (.docx); kör OCR först"),
        ("scan.txt", b"II*\x00" + JUNK(300),
         "filen är en bild (TIFF), inte en textfil; kör OCR först"),
        ("gammal.pdf", bytes.fromhex("d0cf11e0a1b11ae1") + bytes(500),
         "filen är ett äldre Office-dokument (.doc, .xls) eller ett lösenordsskyddat "
         "Office-dokument, inte en PDF-fil; spara den som .docx eller PDF utan lösenord"),
        ("brev.txt", b"{\\rtf1\\ansi Hej}",
         "filen är ett RTF-dokument, inte en textfil; spara den som .docx eller PDF"),
        ("nedladdad.pdf", b"  <!DOCTYPE html><html><body>Logga in</body></html>",
         "filen är en webbsida (HTML), inte en PDF-fil"),
    ],
)
def test_unreadable_format_is_named_in_the_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    assert reason_of(write(tmp_path / name, data)) == reason


def test_html_in_a_text_file_is_text(tmp_path: Path) -> None:
    path = write(tmp_path / "sida.md", "<html>Nämnden yttrar sig.</html>".encode())
    assert "Nämnden yttrar sig." in load_file(path, path.name).text


@pytest.mark.parametrize(
    ("name", "parts", "reason"),
    [
        ("budget.docx", {"xl/workbook.xml": "<workbook/>"},
         "filen är ett Excel-dokument (.xlsx), inte ett Word-dokument (.docx)"),
        ("bilder.pdf", {"ppt/presentation.xml": "<p/>"},
         "filen är en PowerPoint-presentation (.pptx), inte en PDF-fil"),
        ("text.docx", {"mimetype": "application/vnd.oasis.opendocument.text"},
         "filen är ett OpenDocument-dokument (.odt, .ods), inte ett Word-dokument (.docx)"),
        ("arkiv.pdf", {"a.txt": "a"}, "filen är ett zip-arkiv, inte en PDF-fil"),
    ],
)
def test_archive_of_another_kind_is_named(
    tmp_path: Path, name: str, parts: dict[str, str], reason: str
) -> None:
    assert reason_of(_zip(tmp_path / name, parts)) == reason


def test_zip_bomb_member_name_cannot_break_the_reason_line(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml\nrad två", bytes(12 * 1024 * 1024))
    reason = reason_of(path)
    assert reason.startswith("misstänkt zip-bomb: word/document.xml rad två är packad ")
    assert "\n" not in reason

# --- problems found before reading ----------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    assert reason_of(tmp_path / "saknas.pdf") == "filen finns inte"


def test_links_to_nothing_and_to_themselves(tmp_path: Path) -> None:
    (tmp_path / "flyttad.pdf").symlink_to(tmp_path / "borta.pdf")
    (tmp_path / "ögla.txt").symlink_to("ögla.txt")
    assert reason_of(tmp_path / "flyttad.pdf") == "länken pekar på en fil som inte finns"
    assert reason_of(tmp_path / "ögla.txt") == "länken pekar på sig själv (en slinga)"


def test_named_pipe_is_refused_without_being_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "rör.txt")  # opening it for reading would block
    assert reason_of(tmp_path / "rör.txt") == "är inte en vanlig fil"


def test_os_errors_have_swedish_reasons() -> None:
    assert os_error_reason(PermissionError(errno.EACCES, "Permission denied")) == (
        "filen kan inte läsas: behörighet saknas"
    )
    assert os_error_reason(OSError(errno.EBUSY, "Device or resource busy")) == (
        "filen kan inte läsas (systemfel EBUSY)"
    )


@pytest.mark.parametrize("name", ["tom.txt", "tom.pdf", "tom.docx"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    assert reason_of(write(tmp_path / name, b"")) == "filen är tom"


def test_too_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path / "stor.txt", b"Text om revision. " * 100)
    assert reason_of(path, max_bytes=1000).startswith("filen är för stor (0,0 MB")


def test_unsupported_type(tmp_path: Path) -> None:
    reason = reason_of(write(tmp_path / "budget.xlsx", b"PK\x03\x04"))
    assert reason.startswith("filtypen .xlsx stöds inte")


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    assert reason_of(tmp_path) == "är inte en vanlig fil"


# --- the sample corpus ----------------------------------------------------------------


def test_whole_sample_corpus_loads() -> None:
    found = list(iter_files([CORPUS]))
    labels = [label for _, label in found]
    documents = [p for p in CORPUS.rglob("*") if p.suffix in {".txt", ".md"}]
    assert len(found) == len(documents) - 1  # README.md describes the folder
    assert "README.md" not in labels
    assert labels == sorted(labels)
    assert "kungsbacka/013_kungsbacka-revision-upphandling-oegentligheter-missiv.txt" in labels
    for path, label in found:
        doc = load_file(path, label)
        assert doc.text and doc.file == label
        assert doc.format == path.suffix[1:]


def test_corpus_missiv_is_cleaned_when_loaded() -> None:
    (path,) = CORPUS.glob("kungsbacka/013_*")
    text = load_file(path, path.name).text
    assert "antagit bifogad revisionsrapport." in text
    assert "1 (1)" not in text


# --- finding files --------------------------------------------------------------------


def make_tree(root: Path) -> None:
    for relative in [
        "b.txt",
        "a.pdf",
        "notes.xlsx",
        ".hidden.txt",
        "~$lås.docx",
        "sub/c.docx",
        "sub/deeper/d.md",
        "sub/deeper/E.TXT",
        ".git/config.txt",
    ]:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")


def test_iter_files_walks_folders_sorted_with_relative_labels(tmp_path: Path) -> None:
    root = tmp_path / "in"
    make_tree(root)

    found = list(iter_files([root]))

    assert [label for _, label in found] == [
        "a.pdf",
        "b.txt",
        "sub/c.docx",
        "sub/deeper/E.TXT",
        "sub/deeper/d.md",
    ]
    assert all(path.is_absolute() and path.exists() for path, _ in found)
    assert found[2][0] == (root / "sub" / "c.docx").absolute()


def test_iter_files_yields_named_files_whatever_their_type(tmp_path: Path) -> None:
    root = tmp_path / "in"
    make_tree(root)
    given = [root / "notes.xlsx", root / "saknas.pdf", root / "sub"]

    found = list(iter_files(given))

    assert [label for _, label in found] == [
        "notes.xlsx",
        "saknas.pdf",
        "c.docx",
        "deeper/E.TXT",
        "deeper/d.md",
    ]


def test_iter_files_survives_symlink_loops_and_yields_each_file_once(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "a").mkdir(parents=True)
    (root / "a" / "doc.txt").write_text("text", encoding="utf-8")
    (root / "a" / "loop").symlink_to(root, target_is_directory=True)
    (root / "self").symlink_to("self")  # a symlink to itself
    (root / "b").symlink_to(root / "a", target_is_directory=True)

    found = list(iter_files([root, root / "a"]))

    assert [label for _, label in found] == ["a/doc.txt"]


def test_labels_of_undecodable_names_are_printable(tmp_path: Path) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"fel\xffnamn.txt")
    with open(raw, "wb") as handle:
        handle.write(b"Text.")
    ((path, label),) = list(iter_files([tmp_path]))
    assert path.exists() and label == "fel\ufffdnamn.txt"
    label.encode("utf-8")  # printable and storable
    assert display_name("Åtgärd \ud800.txt") == "Åtgärd \ufffd.txt"


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".pdf", ".docx"} == SUPPORTED_SUFFIXES


def test_docx_content_controls_and_numbered_paragraphs_are_read(tmp_path: Path) -> None:
    document = docx.Document()
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    control = parse_xml(
        f"<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>Text i en innehållskontroll</w:t></w:r>"
        "</w:p></w:sdtContent></w:sdt>"
    )
    numbered = parse_xml(
        f'<w:p {w}><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
        "<w:r><w:t>Numrerad punkt</w:t></w:r></w:p>"
    )
    document.element.body.insert(0, control)
    document.element.body.insert(1, numbered)
    path = tmp_path / "kontroller.docx"
    document.save(str(path))

    assert load_file(path, path.name).text == "Text i en innehållskontroll\n\n• Numrerad punkt"


def test_readme_is_skipped_in_folders_but_loads_when_named(tmp_path: Path) -> None:
    write(tmp_path / "README.md", b"# Om mappen\n\nDokument om granskningar.\n")
    write(tmp_path / "yttrande.txt", "Nämnden instämmer.".encode())
    assert [label for _, label in iter_files([tmp_path])] == ["yttrande.txt"]
    assert [label for _, label in iter_files([tmp_path / "README.md"])] == ["README.md"]
