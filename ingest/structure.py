"""Reading the structure of normalised text: headings, paragraphs, list items, tables.

Input is the text produced by `ingest.normalize` (page markers as `<!-- sida N -->`).
PDF conversion wraps paragraphs over lines and sometimes inserts blank lines inside
them, so paragraphs are rebuilt from lines before anything else looks at them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item", "table"]

PAGE_MARKER = re.compile(r"^<!--\s*sida\s+(\d{1,6})\s*-->$", re.IGNORECASE)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^(?:[►•▪●◦‣–\-](?:\s+|(?=[A-ZÅÄÖa-zåäö]))|\*\s*-\s*|\*\s+|\d{1,2}[.)]\s+)")
_RECOMMENDATION = re.compile(
    r"^(?:(\d{1,2})\.\s*)?Rekommendation(?:\s+(\d{1,2}))?\s*:\s*(.*)$", re.IGNORECASE
)
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+([A-ZÅÄÖ].{1,100})$")
_TOC_LINE = re.compile(r"(?:\.{3,}|…)\s*\d+\s*$")
_SENTENCE_PUNCTUATION = frozenset(".!?:;")
_CONTINUATION_END = re.compile(
    r"(?:\b(?:och|eller|samt|att|av|i|på|till|för|med|om|som|en|ett|den|det|de|vid|från)|[,\-])$",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^[A-ZÅÄÖ][\wåäö]*(?: [\wåäö]+){0,2}:\s")
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


@dataclass
class _Line:
    text: str
    page: int | None
    blank_before: bool


def _strip_emphasis(text: str) -> str:
    """Remove markdown bold/italic wrapping around a whole line."""
    previous = None
    while previous != text:
        previous = text
        match = _EMPHASIS.match(text)
        if match:
            text = match.group(1).strip()
    return text


def _lines(text: str) -> Iterator[_Line]:
    """Non-blank lines with their page and whether a blank line preceded them."""
    page: int | None = None
    blank = True
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            blank = True
            continue
        marker = PAGE_MARKER.match(line)
        if marker:
            page = int(marker.group(1))
            blank = True
            continue
        yield _Line(line, page, blank)
        blank = False


def _heading(line: _Line, next_line: _Line | None) -> tuple[int, str, bool] | None:
    """(level, text, took the next line too) when the line is a heading, else None."""
    text = line.text
    md = _MD_HEADING.match(text)
    if md:
        title = _strip_emphasis(md.group(2).strip())
        return (len(md.group(1)), title, False) if title else None
    if len(text) > 160:
        return None
    if text.startswith("**") and text.endswith("**") and len(text) > 4:
        title = _strip_emphasis(text)
        if title and not title.startswith("-"):
            return 4, title, False
    numbered = _NUMBERED_HEADING.match(text)
    if (
        numbered
        and not _TOC_LINE.search(text)
        and not _ends_sentence(text)
        and len(text.split()) <= 14
        and line.blank_before
    ):
        level = numbered.group(1).count(".") + 1
        if _CONTINUATION_END.search(text) and next_line and not next_line.blank_before:
            if _TOC_LINE.search(next_line.text):
                return None
            return level, f"{text} {next_line.text}", True
        return level, text, False
    if next_line is None:
        return None  # nothing follows, so it heads nothing
    if (
        line.blank_before
        and next_line.blank_before
        and len(text) <= 80
        and len(text.split()) <= 10
        and text[0].isupper()
        and not _ends_sentence(text)
        and not _CONTINUATION_END.search(text)
        and not _BULLET.match(text)
        and not _TOC_LINE.search(text)
        and any(c.isalpha() for c in text)
        and not next_line.text[0].islower()
        and not text[-1].isdigit()
    ):
        return 5, text, False
    return None


def _ends_sentence(text: str) -> bool:
    """Whether `text` ends in sentence punctuation, possibly followed by non-word characters.

    A loop rather than a pattern like `[.!?:;]\\W*$`: searched for, that backtracks
    quadratically on long runs of punctuation (dot leaders, a paragraph of "....").
    """
    for char in reversed(text):
        if char.isalnum() or char == "_":
            return False
        if char in _SENTENCE_PUNCTUATION:
            return True
    return False


def _continues(previous: str, line: _Line) -> bool:
    """Whether `line` continues the paragraph or item that ends with `previous`."""
    if _BULLET.match(line.text) or _RECOMMENDATION.match(line.text) or _LABEL.match(line.text):
        return False
    if not line.blank_before:
        return True
    # A blank line inside a sentence: PDF conversion does this across columns and pages.
    return not _ends_sentence(previous) and line.text[0].islower()


def _join(left: str, right: str) -> str:
    return f"{left} {right}" if left else right


def parse_blocks(text: str) -> list[Block]:
    """Split normalised text into headings, paragraphs, list items and table rows."""
    lines = list(_lines(text))
    blocks: list[Block] = []
    kind: BlockKind | None = None
    buffer = ""
    page: int | None = None

    def flush() -> None:
        nonlocal kind, buffer
        if kind is not None and buffer.strip():
            blocks.append(Block(kind, buffer.strip(), page))
        kind, buffer = None, ""

    skip = False
    for index, line in enumerate(lines):
        if skip:
            skip = False
            continue
        next_line = lines[index + 1] if index + 1 < len(lines) else None
        recommendation = _RECOMMENDATION.match(line.text)
        if recommendation:
            flush()
            number = recommendation.group(1) or recommendation.group(2) or ""
            blocks.append(Block("heading", f"Rekommendation {number}".strip(), line.page, 6))
            kind, buffer, page = "paragraph", recommendation.group(3).strip(), line.page
            continue
        heading = _heading(line, next_line)
        if heading and not (kind == "paragraph" and _continues(buffer, line) and heading[0] == 5):
            flush()
            blocks.append(Block("heading", heading[1], line.page, heading[0]))
            skip = heading[2]
            continue
        if "|" in line.text and line.text.count("|") >= 2 - line.text.startswith("|"):
            if set(line.text) <= set("|-: "):
                continue  # markdown table rule
            flush()
            cells = [c.strip() for c in line.text.strip("|").split("|")]
            blocks.append(Block("table", " | ".join(c for c in cells if c), line.page))
            continue
        bullet = _BULLET.match(line.text)
        if bullet:
            flush()
            kind, page = "item", line.page
            buffer = _strip_emphasis(line.text[bullet.end() :].strip().rstrip("*").strip())
            marker = bullet.group(0).strip()
            if marker[0].isdigit():  # a numbered item keeps its number
                buffer = f"{marker} {buffer}"
            continue
        if kind is not None and _continues(buffer, line):
            buffer = _join(buffer, _strip_emphasis(line.text))
            continue
        flush()
        kind, buffer, page = "paragraph", _strip_emphasis(line.text), line.page
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
