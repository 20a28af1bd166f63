"""Find input files and read them into `LoadedDocument`s, one format at a time.

Every problem with a single file becomes an `IngestError` with a one-line Swedish reason,
so that the caller can report it and go on with the rest of the batch. A file is read as
what its first bytes say it is, whatever its extension; nothing is read before its size
is checked against the limit.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import docx
import pypdf
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree
from pypdf.errors import DependencyError, DeprecationError, PyPdfError

from ingest.errors import IngestError
from ingest.models import LoadedDocument
from ingest.normalize import normalize_text
from ingest.pdf_text import page_text
from ingest.text.bullets import BULLET
from ingest.text.pages import is_page_marker, page_marker

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".txt", ".md", ".pdf", ".docx"}

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
_HASH_BLOCK = 1024 * 1024

# Zip-bomb guard for .docx: limits on what the archive says it will unpack to.
_DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
_DOCX_MAX_MEMBERS = 10_000
_DOCX_BIG_MEMBER = 10 * 1024 * 1024
_DOCX_MAX_RATIO = 100

# A text file with more than this share of control characters is taken to be binary.
_MAX_CONTROL_SHARE = 0.05
_DELETE_CONTROLS = {
    code: None for code in (*range(0x20), *range(0x7F, 0xA0)) if chr(code) not in "\t\n\r\f\v"
}

# What pypdf raises on damaged input: its own errors (two of which do not derive from
# PyPdfError), and, since it parses untrusted bytes in plain Python, the built-ins below.
_PDF_ERRORS: tuple[type[BaseException], ...] = (
    PyPdfError,
    DependencyError,  # e.g. AES encryption without the cryptography package
    DeprecationError,  # raised on junk filter names that happen to be obsolete abbreviations
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,
    OverflowError,
    RecursionError,
    NotImplementedError,
    struct.error,
    zlib.error,
)

# What python-docx and the zip and XML layers under it raise on a file that is not a
# readable Word document.
_DOCX_ERRORS: tuple[type[BaseException], ...] = (
    PackageNotFoundError,
    zipfile.BadZipFile,
    etree.LxmlError,
    KeyError,
    ValueError,
    IndexError,
    TypeError,
    AttributeError,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    zlib.error,
)

_NOT_DOCX = "filen är inte ett giltigt Word-dokument (.docx)"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# A file is read by what it contains, not by its name: the first bytes tell a PDF or a
# Word document saved under the wrong extension. Readers accept a PDF header anywhere
# in the first kilobyte.
_SNIFF_BYTES = 1024
_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
# Acrobat looks for the end-of-file marker in the last kilobyte; without it the file
# was cut short (an interrupted download or copy).
_PDF_TAIL_BYTES = 1024
_PDF_EOF = b"%%EOF"
_PDF_DAMAGED = "PDF-filen är skadad och går inte att läsa"
_PDF_TRUNCATED = "PDF-filen är ofullständig (avklippt, t.ex. vid en avbruten nedladdning)"
# What the extension promised, for reasons that name the real type.
_PROMISED = {".pdf": "en PDF-fil", ".docx": "ett Word-dokument (.docx)"}
_PROMISED_TEXT = "en textfil"
# Formats recognised by their first bytes that cannot be read: (magic, what it is, advice).
_UNREADABLE_FORMATS: tuple[tuple[bytes, str, str], ...] = (
    (
        _OLE_MAGIC,
        "ett äldre Office-dokument (.doc, .xls) eller ett lösenordsskyddat Office-dokument",
        "spara den som .docx eller PDF utan lösenord",
    ),
    (b"\x89PNG\r\n\x1a\n", "en bild (PNG)", "kör OCR först"),
    (b"\xff\xd8\xff", "en bild (JPEG)", "kör OCR först"),
    (b"GIF8", "en bild (GIF)", "kör OCR först"),
    (b"II*\x00", "en bild (TIFF)", "kör OCR först"),
    (b"MM\x00*", "en bild (TIFF)", "kör OCR först"),
    (b"{\\rtf", "ett RTF-dokument", "spara den som .docx eller PDF"),
)
# Archives that are Office or OpenDocument files of another kind, by a part they contain.
_ZIP_KINDS: tuple[tuple[str, str], ...] = (
    ("xl/workbook.xml", "ett Excel-dokument (.xlsx)"),
    ("ppt/presentation.xml", "en PowerPoint-presentation (.pptx)"),
    ("mimetype", "ett OpenDocument-dokument (.odt, .ods)"),
)

_SURROGATES = re.compile("[\ud800-\udfff]")

_HEADING_STYLE = re.compile(r"\b(?:heading|rubrik) ?([1-9])\b", re.I)
_TITLE_STYLES = frozenset({"title", "rubrik"})
_LIST_STYLE = re.compile(r"\blist|\bliststycke|punktlista|numrerad lista", re.I)


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """Yield (absolute path, label) for each file to load, in a stable order.

    A file named directly is yielded whatever its type, so that loading can say why it is
    not supported; folders are walked recursively for supported, non-hidden files.
    """
    seen_files: set[Path] = set()
    for given in paths:
        given = Path(given)
        if given.is_dir():
            for path, label in _walk(given):
                if _first_time(path, seen_files):
                    yield path, label
        elif _first_time(given, seen_files):
            yield given.absolute(), display_name(given.name)


def display_name(name: str) -> str:
    """A file name as text that can be shown and stored: bytes that are not valid in the
    file system's encoding (kept by Python as lone surrogates) become "\ufffd"."""
    return _SURROGATES.sub("\ufffd", name)


def is_storable_name(path: Path) -> bool:
    """Tell whether a path is valid text (no undecodable bytes), so it can be stored."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _real(path: Path) -> Path:
    """The path with symlinks resolved; never raises, even on a symlink loop."""
    return Path(os.path.realpath(path))


def _first_time(path: Path, seen: set[Path]) -> bool:
    """Remember `path` by its real location; tell whether it was new."""
    key = _real(path)
    if key in seen:
        return False
    seen.add(key)
    return True


def _walk(root: Path) -> Iterator[tuple[Path, str]]:
    """Depth-first walk of `root`, sorted by name, following each real folder only once."""
    root = root.absolute()
    visited: set[Path] = {_real(root)}
    stack: list[Iterator[Path]] = [iter(_sorted_children(root))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        name = child.name
        if name.startswith(".") or name.startswith("~$"):  # hidden, or an Office lock file
            continue
        if child.stem.upper() == "README":  # describes the folder; not a document in it
            continue
        if _is_dir(child):
            real = _real(child)
            if real not in visited:
                visited.add(real)
                stack.append(iter(_sorted_children(child)))
            else:
                logger.info("Skipping %s: folder already walked (symlink)", child)
        elif child.suffix.lower() in SUPPORTED_SUFFIXES:
            yield child, display_name(child.relative_to(root).as_posix())


def _is_dir(path: Path) -> bool:
    """Tell whether `path` is a folder (following symlinks); unreadable entries are not."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _sorted_children(folder: Path) -> list[Path]:
    """The entries of `folder` sorted by name; an unreadable folder is logged and skipped."""
    try:
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in entries)
    except OSError as exc:
        logger.warning("Cannot list folder %s: %s", folder, exc.strerror or exc)
        return []
    return [folder / name for name in names]


def load_file(path: Path, label: str, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedDocument:
    """Read one file into normalised text, or raise `IngestError` saying why it cannot be."""
    path = Path(path).absolute()
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise IngestError(path, "länken pekar på en fil som inte finns") from None
        raise IngestError(path, "filen finns inte") from None
    except OSError as exc:
        raise IngestError(path, os_error_reason(exc)) from exc
    if not stat.S_ISREG(info.st_mode):
        raise IngestError(path, "är inte en vanlig fil")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        shown = suffix or "(utan filändelse)"
        raise IngestError(path, f"filtypen {shown} stöds inte (stöds: {supported})")
    if info.st_size > max_bytes:
        raise IngestError(
            path,
            f"filen är för stor ({_megabytes(info.st_size)}; gränsen är {_megabytes(max_bytes)})",
        )
    if info.st_size == 0:
        raise IngestError(path, "filen är tom")

    try:
        digest = file_sha256(path)
        kind = _content_kind(path, suffix)
        if kind != suffix[1:]:
            logger.info("%s: read as %s by its content", path, kind)
        if kind == "pdf":
            text = _read_pdf(path)
        elif kind == "docx":
            text = _read_docx(path, suffix)
        else:
            text = _read_text(path)
    except OSError as exc:
        raise IngestError(path, os_error_reason(exc)) from exc

    if not text.strip():
        raise IngestError(path, "filen innehåller ingen text")
    return LoadedDocument(path=path, file=label, text=text, sha256=digest, format=kind)


_OS_ERROR_REASONS = {
    errno.ENOENT: "filen finns inte",
    errno.EACCES: "filen kan inte läsas: behörighet saknas",
    errno.EPERM: "filen kan inte läsas: behörighet saknas",
    errno.ELOOP: "länken pekar på sig själv (en slinga)",
    errno.ENAMETOOLONG: "sökvägen är för lång",
    errno.EIO: "filen kan inte läsas: läsfel på lagringsmediet",
}


def os_error_reason(error: OSError) -> str:
    """A one-line Swedish reason for an operating-system error on a file."""
    reason = _OS_ERROR_REASONS.get(error.errno or 0)
    if reason is None:
        code = errno.errorcode.get(error.errno or 0, "okänt")
        reason = f"filen kan inte läsas (systemfel {code})"
    return reason


def _megabytes(size: int) -> str:
    """A byte count as Swedish megabytes, e.g. "12,5 MB"."""
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def file_sha256(path: Path) -> str:
    """Hash the file's bytes in blocks, so a large file is never held twice in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _promised(suffix: str) -> str:
    """What a file with this extension should be, in words ("en PDF-fil")."""
    return _PROMISED.get(suffix, _PROMISED_TEXT)


def _content_kind(path: Path, suffix: str) -> str:
    """How to read the file, judged by its first bytes: "pdf", "docx", or "txt"/"md".

    A PDF or Word document under another extension is read as what it is, as an
    official opening it would expect. Formats that cannot be read (images, old binary
    Office files, RTF) are refused with a reason that names them.
    """
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    text_suffix = suffix not in _PROMISED
    if head.lstrip().startswith(_PDF_MAGIC) or (not text_suffix and _PDF_MAGIC in head):
        return "pdf"
    if head.startswith(_ZIP_MAGIC):
        return "docx"
    for magic, what, advice in _UNREADABLE_FORMATS:
        if head.startswith(magic):
            if suffix == ".docx" and magic == _OLE_MAGIC:
                raise IngestError(
                    path, f"{_NOT_DOCX}; den är lösenordsskyddad eller i det äldre .doc-formatet"
                )
            raise IngestError(path, f"filen är {what}, inte {_promised(suffix)}; {advice}")
    if not text_suffix and head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        # Typically a login or error page saved in place of a downloaded document.
        raise IngestError(path, f"filen är en webbsida (HTML), inte {_promised(suffix)}")
    return suffix[1:]


# --- plain text ------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    """Decode a .txt or .md file and normalise it; refuse files that are really binary."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Windows "Unicode" text files: UTF-16 with a byte order mark.
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        raise IngestError(path, "ser ut som en binärfil, inte text")
    else:
        text = decode_bytes(data)
    if _looks_binary(text):
        raise IngestError(path, "ser ut som en binärfil, inte text")
    return normalize_text(text)


def decode_bytes(data: bytes) -> str:
    """Decode text as UTF-8 (with or without BOM), else cp1252, else latin-1, which never fails.

    Swedish files from older Windows tools are cp1252; trying UTF-8 first is safe because
    cp1252 text with å, ä or ö is almost never valid UTF-8.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _looks_binary(text: str) -> bool:
    """Tell whether decoded text has NULs or a high share of control characters."""
    if "\x00" in text:
        return True
    controls = len(text) - len(text.translate(_DELETE_CONTROLS))
    return controls > _MAX_CONTROL_SHARE * len(text)


# --- PDF -------------------------------------------------------------------------------


def _read_pdf(path: Path) -> str:
    """Extract the text layer page by page, each page preceded by its `<!-- sida N -->`."""
    if _pdf_is_truncated(path):
        raise IngestError(path, _PDF_TRUNCATED)
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(path, "PDF-filen är lösenordsskyddad")
        page_count = len(reader.pages)
    except DependencyError as exc:
        raise IngestError(
            path, "PDF-filen är krypterad på ett sätt som kräver paketet cryptography"
        ) from exc
    except _PDF_ERRORS as exc:
        # pypdf's messages are technical and may quote the file's bytes: only the kind of
        # error is logged, and the user gets a plain reason.
        logger.warning("%s: pypdf cannot open the file (%s)", path, type(exc).__name__)
        raise IngestError(path, _PDF_DAMAGED) from exc
    if page_count == 0:
        raise IngestError(path, "PDF-filen har inga sidor")

    parts: list[str] = []
    failed = 0
    for number in range(1, page_count + 1):
        try:
            text = page_text(reader.pages[number - 1])
        except _PDF_ERRORS as exc:
            # One damaged page should not cost the rest of the document.
            logger.warning("%s: page %d cannot be read (%s)", path, number, type(exc).__name__)
            failed += 1
            text = ""
        parts.append(f"{page_marker(number)}\n\n{text}")
    if failed == page_count:
        raise IngestError(path, _PDF_DAMAGED)

    text = normalize_text("\n\n".join(parts))
    if not any(line.strip() and not is_page_marker(line) for line in text.split("\n")):
        raise IngestError(path, "PDF-filen saknar textlager (inskannad?); kör OCR först")
    return text


def _pdf_is_truncated(path: Path) -> bool:
    """Tell whether the file lacks the end-of-file marker a complete PDF ends with."""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        handle.seek(max(0, handle.tell() - _PDF_TAIL_BYTES))
        return _PDF_EOF not in handle.read()


# --- Word ------------------------------------------------------------------------------


def _read_docx(path: Path, suffix: str = ".docx") -> str:
    """Extract a .docx body in document order: headings as markdown, tables as rows."""
    _check_docx_archive(path, suffix)
    try:
        document = docx.Document(str(path))
        blocks = list(_docx_blocks(document, document.element.body))
    except _DOCX_ERRORS as exc:
        logger.debug("%s: python-docx cannot read it (%s)", path, type(exc).__name__)
        raise IngestError(path, _NOT_DOCX) from exc
    return normalize_text("\n\n".join(blocks))


def _check_docx_archive(path: Path, suffix: str) -> None:
    """Refuse files that are not zip archives, archives that would unpack too far, and
    archives that are another kind of document (a workbook saved as .docx)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,  # zip features the standard library does not read
        ValueError,
        EOFError,
        OSError,
    ) as exc:
        raise IngestError(path, _NOT_DOCX) from exc
    if len(members) > _DOCX_MAX_MEMBERS:
        raise IngestError(path, "misstänkt zip-bomb: orimligt många delar i filen")
    if sum(member.file_size for member in members) > _DOCX_MAX_UNCOMPRESSED:
        raise IngestError(path, "misstänkt zip-bomb: packas upp till över 200 MB")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _DOCX_BIG_MEMBER and ratio > _DOCX_MAX_RATIO:
            name = " ".join(member.filename.split())[:80]  # member names are untrusted
            raise IngestError(path, f"misstänkt zip-bomb: {name} är packad {ratio:.0f}:1")
    names = {member.filename for member in members}
    if "word/document.xml" in names:
        return
    for part, what in _ZIP_KINDS:
        if part in names:
            raise IngestError(path, f"filen är {what}, inte {_promised(suffix)}")
    if suffix != ".docx":
        raise IngestError(path, f"filen är ett zip-arkiv, inte {_promised(suffix)}")


def _docx_blocks(document: DocxDocument, container: etree._Element) -> Iterator[str]:
    """Yield the text blocks of a body (or content control) in document order.

    Consecutive list items are yielded as one block so they stay on adjacent lines.
    """
    list_items: list[str] = []
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, document)
            text = paragraph.text.strip()
            if not text:
                continue
            level = _heading_level(paragraph)
            if level is None and _is_list_item(paragraph):
                list_items.append(f"{BULLET} {text}")
                continue
            if list_items:
                yield "\n".join(list_items)
                list_items = []
            if level is not None:
                yield "#" * level + " " + " ".join(text.split())
            else:
                yield text
            continue
        if list_items:
            yield "\n".join(list_items)
            list_items = []
        if child.tag == qn("w:tbl"):
            rows = _table_rows(Table(child, document))
            if rows:
                yield "\n".join(rows)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _docx_blocks(document, content)
    if list_items:
        yield "\n".join(list_items)


def _paragraph_style_names(paragraph: Paragraph) -> Iterator[str]:
    """Names and ids of the paragraph's style and the styles it is based on."""
    style = paragraph.style
    for _ in range(10):  # base_style chains are short; the bound guards against cycles
        if style is None:
            return
        yield style.name or ""
        yield style.style_id or ""
        style = style.base_style


def _heading_level(paragraph: Paragraph) -> int | None:
    """Markdown heading level of a heading or title paragraph, else None."""
    for name in _paragraph_style_names(paragraph):
        if name.casefold() in _TITLE_STYLES:
            return 1
        match = _HEADING_STYLE.search(name)
        if match:
            return min(int(match[1]), 6)
    return None


def _is_list_item(paragraph: Paragraph) -> bool:
    """Tell whether a paragraph is a list item, by numbering or by list style."""
    properties = paragraph._p.pPr
    if properties is not None and properties.numPr is not None:
        return True
    return any(_LIST_STYLE.search(name) for name in _paragraph_style_names(paragraph))


def _table_rows(table: Table) -> list[str]:
    """One "cell | cell" line per non-empty row; a merged cell is written once per row."""
    rows: list[str] = []
    for row in table.rows:
        try:
            cells: list[_Cell] = list(row.cells)
        except (ValueError, IndexError, AttributeError):
            # Vertical merges that start nowhere: fall back to the cells as written.
            cells = [_Cell(tc, table) for tc in row._tr.tc_lst]
        texts: list[str] = []
        previous = None
        for cell in cells:
            if cell._tc is previous:
                continue
            previous = cell._tc
            texts.append(_cell_text(cell))
        if any(texts):
            rows.append(" | ".join(texts))
    return rows


def _cell_text(cell: _Cell) -> str:
    """The text of a cell on one line, nested tables included."""
    parts: list[str] = []
    for item in cell.iter_inner_content():
        if isinstance(item, Paragraph):
            parts.append(item.text)
        else:
            parts.extend(_table_rows(item))
    return " ".join(" ".join(parts).split())
