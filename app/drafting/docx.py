"""A draft as a Word document (.docx): the yttrande the official opens, edits and signs.

The layout follows the sample replies: a heading block (Till, Datum, Diarienummer,
Ärende), a summary, the board's answer per recommendation, the proposed decision and
signature lines. Section bodies are simple Markdown; citations become superscript
markers that point into a closing list of sources ("Källor"), since python-docx has no
footnote API. Placeholders in square brackets are highlighted so nobody misses them.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from app.drafting.citations import number_citations
from app.drafting.model import SIGNATORIES, Draft, DraftError

LANGUAGE = "sv-SE"
FILL_IN = "[fylls i]"
"""Shown where the official has not yet written anything."""
SIGNATURE_LINE = "_" * 34

BlockKind = Literal["paragraph", "quote", "bullet", "bullet2", "numbered", "label"]
SpanKind = Literal["text", "citation", "placeholder"]


@dataclass(frozen=True)
class Block:
    """One paragraph-level piece of a Markdown text."""

    kind: BlockKind
    text: str
    """Inline Markdown, without the line marker ("> ", "- ", "**…**" of a label)."""
    number: str = ""
    """The item's own number, for kind "numbered" ("1.", "2)")."""


@dataclass(frozen=True)
class Span:
    """A run of text with uniform formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    kind: SpanKind = "text"


_QUOTE = re.compile(r"^>\s?(.*)$")
_BULLET = re.compile(r"^(\s*)[-•*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*(\d{1,3}[.)])\s+(.*)$")
_LABEL = re.compile(r"^(?:\*\*([^*]+)\*\*|__([^_]+)__|#{1,6}\s+(.+?)\s*#*)$")
_INLINE = re.compile(
    r"\*\*\*(?P<bold_italic>\S(?:.*?\S)?)\*\*\*"
    r"|\*\*(?P<bold>\S(?:.*?\S)?)\*\*"
    r"|(?<![\w*])\*(?P<italic>[^\s*](?:[^*]*?[^\s*])?)\*(?![\w*])"
    r"|\[(?P<citation>\d{1,3})\]"
    # A placeholder needs a letter, so "[…]" (an elision in a quote) stays plain text.
    r"|(?P<placeholder>\[[^\[\]\n]*[^\W\d_][^\[\]\n]*\])"
)


def markdown_blocks(markdown: str) -> list[Block]:
    """Split simple Markdown into paragraphs, quotes, list items and label lines.

    Blank lines separate paragraphs; consecutive plain (or quoted) lines are joined with
    a space, as a Markdown preview shows them.
    """
    blocks: list[Block] = []
    buffer: list[str] = []
    buffer_kind: BlockKind = "paragraph"

    def flush() -> None:
        if buffer:
            blocks.append(Block(buffer_kind, " ".join(buffer)))
            buffer.clear()

    for raw in markdown.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        if quote := _QUOTE.match(line):
            if buffer_kind != "quote":
                flush()
            buffer_kind = "quote"
            if quote.group(1).strip():
                buffer.append(quote.group(1).strip())
            else:
                flush()  # a bare ">" separates paragraphs inside a quote
            continue
        if buffer_kind == "quote":
            flush()
        buffer_kind = "paragraph"
        if label := _LABEL.match(line):
            flush()
            blocks.append(Block("label", next(g for g in label.groups() if g).strip()))
        elif numbered := _NUMBERED.match(raw):
            flush()
            blocks.append(Block("numbered", numbered.group(2).strip(), numbered.group(1)))
        elif bullet := _BULLET.match(raw.rstrip()):
            flush()
            kind: BlockKind = "bullet2" if len(bullet.group(1).expandtabs(4)) >= 2 else "bullet"
            blocks.append(Block(kind, bullet.group(2).strip()))
        else:
            buffer.append(line)
    flush()
    return blocks


def _tidy(text: str) -> str:
    """Close the gaps a dropped citation leaves ("text [9]." became "text .")."""
    text = re.sub(r"[ \t]{2,}", " ", text)
    return re.sub(r"[ \t]+(?=[.,;:!?)])", "", text)


def parse_inline(
    text: str, bold: bool = False, italic: bool = False, citations: bool = True
) -> list[Span]:
    """Bold, italic, citation markers and placeholders of one paragraph, as spans."""
    spans: list[Span] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            spans.append(Span(text[position:match.start()], bold, italic))
        if (inner := match.group("bold_italic")) is not None:
            spans += parse_inline(inner, True, True, citations)
        elif (inner := match.group("bold")) is not None:
            spans += parse_inline(inner, True, italic, citations)
        elif (inner := match.group("italic")) is not None:
            spans += parse_inline(inner, bold, True, citations)
        elif match.group("citation") is not None:
            kind: SpanKind = "citation" if citations else "text"
            spans.append(Span(match.group(0), bold, italic, kind))
        else:
            spans.append(Span(match.group(0), bold, italic, "placeholder"))
        position = match.end()
    if position < len(text):
        spans.append(Span(text[position:], bold, italic))
    return spans


def _add_spans(paragraph: Paragraph, spans: list[Span]) -> None:
    for span in spans:
        run = paragraph.add_run(span.text)
        run.bold = span.bold or None
        run.italic = span.italic or None
        if span.kind == "citation":
            run.font.superscript = True
        elif span.kind == "placeholder":
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _add_text(
    paragraph: Paragraph, text: str, bold: bool = False, citations: bool = True
) -> None:
    _add_spans(paragraph, parse_inline(_tidy(text), bold=bold, citations=citations))


def _add_markdown(
    document: DocumentObject, markdown: str, citations: bool = True, empty: str = FILL_IN
) -> None:
    """Append Markdown as Word paragraphs; an empty text becomes a highlighted gap."""
    blocks = markdown_blocks(markdown) or [Block("paragraph", empty)]
    for block in blocks:
        if block.kind == "quote":
            paragraph = document.add_paragraph(style="Quote")
        elif block.kind == "bullet":
            paragraph = document.add_paragraph(style="List Bullet")
        elif block.kind == "bullet2":
            paragraph = document.add_paragraph(style="List Bullet 2")
        elif block.kind == "numbered":
            # Literal numbers: Word's "List Number" would continue across sections.
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.left_indent = Cm(0.75)
            paragraph.paragraph_format.first_line_indent = Cm(-0.75)
            paragraph.add_run(f"{block.number}\t")
        else:
            paragraph = document.add_paragraph()
        if block.kind == "label":
            paragraph.paragraph_format.keep_with_next = True
        _add_text(paragraph, block.text, bold=block.kind == "label", citations=citations)


def _add_heading_block(document: DocumentObject, draft: Draft) -> None:
    """Till, Datum, Diarienummer and Ärende as a borderless two-column table."""
    heading = draft.heading
    rows = [
        ("Till", heading.till),
        ("Datum", heading.datum),
        ("Diarienummer", heading.diarienummer),
        ("Ärende", heading.arende),
    ]
    table = document.add_table(rows=len(rows), cols=2)  # "Normal Table": no borders
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for (label, value), row in zip(rows, table.rows, strict=True):
        label_cell, value_cell = row.cells
        label_cell.width, value_cell.width = Cm(3.5), Cm(12.5)
        label_cell.paragraphs[0].add_run(label).bold = True
        _add_text(value_cell.paragraphs[0], value.strip() or FILL_IN, citations=False)


def _add_signatures(document: DocumentObject, draft: Draft) -> None:
    """A line to sign on above each signatory's title, kept together on one page."""
    intro = document.add_paragraph()
    intro.paragraph_format.space_before = Pt(18)
    intro.paragraph_format.keep_with_next = True
    intro.add_run(draft.addressee.strip() or FILL_IN)
    if not draft.addressee.strip():
        intro.runs[0].font.highlight_color = WD_COLOR_INDEX.YELLOW
    for number, title in enumerate(SIGNATORIES):
        line = document.add_paragraph(SIGNATURE_LINE)
        line.paragraph_format.space_before = Pt(36)
        line.paragraph_format.space_after = Pt(0)
        line.paragraph_format.keep_with_next = True
        label = document.add_paragraph(title)
        label.paragraph_format.keep_with_next = number < len(SIGNATORIES) - 1


def add_field(paragraph: Paragraph, instruction: str) -> None:
    """A simple Word field (PAGE, NUMPAGES) that Word fills in when it lays out pages."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _set_language(document: DocumentObject) -> None:
    """Mark the Normal style (and so the styles based on it) as Swedish, for spelling."""
    properties = document.styles["Normal"].element.get_or_add_rPr()
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        language.set(qn(attribute), LANGUAGE)


def _set_properties(document: DocumentObject, draft: Draft) -> None:
    properties = document.core_properties
    subject = draft.heading.arende.strip() or draft.audit_title.strip()
    properties.title = f"Yttrande – {subject}" if subject else "Yttrande"
    properties.subject = draft.audit_title
    properties.author = "Yttra"
    properties.last_modified_by = "Yttra"
    properties.language = LANGUAGE
    properties.keywords = "yttrande"
    properties.revision = 1
    now = datetime.now(UTC).replace(microsecond=0)
    properties.created = now
    properties.modified = now


def build_document(draft: Draft) -> DocumentObject:
    """The whole yttrande as a python-docx Document, ready to save."""
    citations = number_citations(draft)
    document = Document()
    _set_language(document)
    _set_properties(document, draft)

    section = document.sections[0]
    if draft.addressee.strip():
        section.header.paragraphs[0].text = draft.addressee.strip()
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add_field(footer, "PAGE")
    footer.add_run(" (")
    add_field(footer, "NUMPAGES")
    footer.add_run(")")

    document.add_heading("Yttrande", level=0)
    _add_heading_block(document, draft)

    document.add_heading("Sammanfattning", level=1)
    _add_markdown(document, draft.summary, citations=False)

    document.add_heading("Yttrande", level=1)
    for number, (part, text) in enumerate(
        zip(draft.sections, citations.texts, strict=True), start=1
    ):
        document.add_heading(f"Rekommendation {number}", level=2)
        quote = document.add_paragraph(style="Quote")
        _add_text(quote, part.recommendation.text, citations=False)
        _add_markdown(document, text)

    document.add_heading("Förslag till beslut", level=1)
    _add_markdown(document, draft.decision, citations=False)
    _add_signatures(document, draft)

    if citations.sources:
        document.add_heading("Källor", level=1)
        for number, source in enumerate(citations.sources, start=1):
            entry = document.add_paragraph()
            entry.paragraph_format.left_indent = Cm(1)
            entry.paragraph_format.first_line_indent = Cm(-1)
            entry.add_run(f"[{number}]\t")
            entry.add_run(source.reference())
    return document


def docx_bytes(draft: Draft) -> bytes:
    """The .docx file's content, for a download button."""
    buffer = io.BytesIO()
    build_document(draft).save(buffer)
    return buffer.getvalue()


def write_docx(draft: Draft, path: Path) -> None:
    """Write the yttrande to `path` atomically (temp file in the same folder, then rename)."""
    content = docx_bytes(draft)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".yttrande-", suffix=".tmp")
    except OSError as error:
        raise DraftError(f"Word-filen {path} kunde inte sparas: {error}") from error
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise DraftError(f"Word-filen {path} kunde inte sparas: {error}") from error
        raise
