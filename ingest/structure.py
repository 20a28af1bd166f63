"""Reading the structure of normalised text: headings, paragraphs, list items, tables.

Input is the text produced by `ingest.normalize` (page markers as `<!-- sida N -->`).
PDF conversion wraps paragraphs over lines and sometimes inserts blank lines inside
them, so paragraphs are rebuilt from lines before anything else looks at them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ingest.text.bullets import ListMarker
from ingest.text.headings import LABEL_LEVEL, PLAIN_LEVEL, heading_at, recommendation_label
from ingest.text.lines import Line, ends_sentence, opens_with_label, read_lines

__all__ = ["Block", "BlockKind", "parse_blocks"]

BlockKind = Literal["heading", "paragraph", "item", "table"]

_EMPHASIS = re.compile(r"^[*_]{1,3}(.+?)[*_]{1,3}$")


@dataclass(frozen=True)
class Block:
    """One structural unit of a document."""

    kind: BlockKind
    text: str
    page: int | None
    level: int = 0
    """Heading level (1 = outermost); 0 for other kinds."""
    lead_in: bool = False
    """A paragraph ending in ':' directly followed by list items."""


def _strip_emphasis(text: str) -> str:
    """Remove markdown bold/italic wrapping around a whole line."""
    previous = None
    while previous != text:
        previous = text
        match = _EMPHASIS.match(text)
        if match:
            text = match.group(1).strip()
    return text


def _continues(previous: str, line: Line) -> bool:
    """Whether `line` continues the paragraph or item that ends with `previous`."""
    if line.marker or recommendation_label(line.text) or opens_with_label(line.text):
        return False
    if not line.blank_before:
        return True
    # A blank line inside a sentence: PDF conversion does this across columns and pages.
    return not ends_sentence(previous, colon=True) and line.text[0].islower()


def _join(left: str, right: str) -> str:
    return f"{left} {right}" if left else right


def _item_text(line: Line, marker: ListMarker) -> str:
    """A list item's text as written, without its marker; a numbered item keeps its number.

    The marker was read from the line without markup; it is found again in the line as
    written, where only emphasis can stand before it ("*-säkerställa ...*").
    """
    start = line.raw.find(marker.label) + len(marker.label)
    text = _strip_emphasis(line.raw[start:].strip().rstrip("*").strip())
    return f"{marker.label} {text}" if marker.numbered else text


def _table_row(line: Line) -> str | None:
    """A table row's cells joined by " | ", "" for a Markdown rule, None for other lines."""
    raw = line.raw
    if "|" not in raw or raw.count("|") < 2 - raw.startswith("|"):
        return None
    if set(raw) <= set("|-: "):
        return ""
    cells = [cell.strip() for cell in raw.strip("|").split("|")]
    return " | ".join(cell for cell in cells if cell)


def parse_blocks(text: str) -> list[Block]:
    """Split normalised text into headings, paragraphs, list items and table rows."""
    lines = read_lines(text)
    blocks: list[Block] = []
    kind: BlockKind | None = None
    buffer = ""
    page: int | None = None

    def flush() -> None:
        nonlocal kind, buffer
        if kind is not None and buffer.strip():
            blocks.append(Block(kind, buffer.strip(), page))
        kind, buffer = None, ""

    skip = 0
    for index, line in enumerate(lines):
        if skip:
            skip -= 1
            continue
        heading = heading_at(lines, index)
        if heading and heading.level == LABEL_LEVEL:
            flush()
            blocks.append(Block("heading", heading.text, line.page, heading.level))
            kind, buffer, page = "paragraph", heading.rest, line.page
            continue
        if heading and not (
            kind == "paragraph" and heading.level == PLAIN_LEVEL and _continues(buffer, line)
        ):
            flush()
            blocks.append(Block("heading", heading.text, line.page, heading.level))
            skip = heading.lines - 1
            continue
        row = _table_row(line)
        if row is not None:
            if row:
                flush()
                blocks.append(Block("table", row, line.page))
            continue
        if line.marker:
            flush()
            kind, page = "item", line.page
            buffer = _item_text(line, line.marker)
            continue
        if kind is not None and _continues(buffer, line):
            buffer = _join(buffer, _strip_emphasis(line.raw))
            continue
        flush()
        kind, buffer, page = "paragraph", _strip_emphasis(line.raw), line.page
    flush()
    return _mark_lead_ins(blocks)


def _mark_lead_ins(blocks: list[Block]) -> list[Block]:
    """Flag paragraphs ending with ':' that introduce a list."""
    marked = list(blocks)
    for index, block in enumerate(blocks[:-1]):
        if (
            block.kind in ("paragraph", "heading")
            and block.text.rstrip("*_ ").endswith(":")
            and blocks[index + 1].kind == "item"
        ):
            marked[index] = Block(block.kind, block.text, block.page, block.level, True)
    return marked
