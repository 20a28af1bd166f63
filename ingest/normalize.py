"""Clean text extracted from PDF, Word and text files into one predictable form.

Every loader runs its output through `normalize_text`, so the chunker sees the same
conventions whatever the source: `<!-- sida N -->` page markers on their own lines, no page
counters or repeated letterheads, words hyphenated across lines joined again, one blank line
between paragraphs.

Everything here works line by line with simple anchored patterns: the function is fed
arbitrary text (and fuzzed), so it must never raise and must stay linear in the input.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

from ingest.text.bullets import BULLET_CHARS, tidy_bullet
from ingest.text.lines import hyphen_glue
from ingest.text.pages import is_page_marker, markers_on_own_lines

# Page counters printed in headers and footers: "1 (3)", "Sida 2 av 5", "Page 2 of 5", "- 3 -".
_PAGE_COUNTER = re.compile(
    r"(?:(?:sida|page|s\.) ?)?\d{1,4} ?\( ?\d{1,4} ?\)"
    r"|(?:sida|page|s\.) ?\d{1,4} ?(?:av|of|/) ?\d{1,4}"
    r"|(?:sida|page) \d{1,4}"
    r"|[-–—] ?\d{1,4} ?[-–—]",
    re.I,
)
_BARE_PAGE_NUMBER = re.compile(r"\d{1,3}")
# A page counter line is short: longer lines that look like one are text ("sida 3 av 5 ...").
_MAX_COUNTER_LEN = 40

# Lines this long are body text, never letterhead.
_MAX_BOILERPLATE_LEN = 90
# How many non-blank lines at the top and the bottom of a page count as header or footer.
_EDGE_LINES = 10
# Lines that name an organisation or its contact details, or are set in capitals, go when
# they open or close two pages: the typical letterhead of a short reply.
_TIGHT_EDGE_LINES = 2
_LETTERHEAD_LIKE = re.compile(
    r"^[^a-zåäö]*[A-ZÅÄÖ]{2}[^a-zåäö]*$|\b(?i:kommun|stad|region|www\.|tel(?:efon)?\b)"
)
# A repeated line must be on at least this share of the pages (and on three pages) to go.
_MIN_PAGE_SHARE = 0.25


def _build_char_table() -> dict[int, str | None]:
    """Map odd spaces to " ", invisible and control characters to nothing."""
    table: dict[int, str | None] = {}
    for code in range(0x20):
        table[code] = None
    table[ord("\t")] = "\t"
    table[ord("\n")] = "\n"
    for code in (0x0B, 0x0C, 0x85, 0x2028, 0x2029):  # vertical tab, form feed, separators
        table[code] = "\n"
    table[0x7F] = None
    for code in range(0x80, 0xA0):
        table.setdefault(code, None)
    for code in (0xA0, 0x1680, 0x2007, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B)):
        table[code] = " "
    for code in (0x200B, 0x2060, 0xFEFF):  # zero-width space, word joiner, stray BOM
        table[code] = None
    # Lone surrogates (PDF text layers can yield them) cannot be stored as UTF-8.
    for code in range(0xD800, 0xE000):
        table[code] = "\ufffd"
    ligatures = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
    for char, replacement in ligatures.items():
        table[ord(char)] = replacement
    return table


_CHAR_TABLE = _build_char_table()


def normalize_text(text: str) -> str:
    """Return `text` cleaned for chunking: see the module docstring for what changes.

    Pure and total: any string gives a string, in time roughly linear in its length.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text).translate(_CHAR_TABLE)
    # A soft hyphen at a line end is a hyphenation point; anywhere else it is invisible.
    text = text.replace("\u00ad\n", "-\n").replace("\u00ad", "")
    text = markers_on_own_lines(text)

    lines = [tidy_bullet(line.rstrip()) for line in text.split("\n")]
    lines = _drop_page_furniture(lines)
    lines = _join_hyphenated(lines)
    return _tidy_blank_lines(lines)


def _collapse(line: str) -> str:
    """Key for comparing lines: whitespace collapsed and case folded."""
    return " ".join(line.split()).casefold()


def _split_pages(lines: Sequence[str]) -> list[list[int]]:
    """Indices of the non-blank, non-marker lines of each page, in order."""
    pages: list[list[int]] = [[]]
    for index, line in enumerate(lines):
        if is_page_marker(line):
            pages.append([])
        elif line.strip():
            pages[-1].append(index)
    return [page for page in pages if page]


def _may_be_boilerplate(line: str) -> bool:
    """Tell whether a line could be letterhead: short, and not a bullet, heading or lead-in."""
    stripped = line.strip()
    return (
        0 < len(stripped) < _MAX_BOILERPLATE_LEN
        and stripped[0] not in BULLET_CHARS
        and not stripped.startswith("#")
        and not stripped.endswith(":")
        and any(char.isalnum() for char in stripped)
    )


def _drop_page_furniture(lines: list[str]) -> list[str]:
    """Remove page counters, and headers and footers that repeat across pages.

    Only text with page markers is searched for repeated lines and bare page numbers: without
    pages there is no way to tell a letterhead from a line that merely recurs.
    """
    drop: set[int] = set()
    for index, line in enumerate(lines):
        if len(line) < _MAX_COUNTER_LEN and _PAGE_COUNTER.fullmatch(" ".join(line.split())):
            drop.add(index)

    has_markers = any(is_page_marker(line) for line in lines)
    pages = _split_pages(lines) if has_markers else []
    if len(pages) >= 2:
        drop |= _repeated_edge_lines(lines, pages)
        for page in pages:
            kept = [index for index in page if index not in drop]
            for index in (kept[:1] + kept[-1:]) if kept else []:
                if _BARE_PAGE_NUMBER.fullmatch(lines[index].strip()):
                    drop.add(index)
    return [line for index, line in enumerate(lines) if index not in drop]


def _repeated_edge_lines(lines: Sequence[str], pages: Sequence[Sequence[int]]) -> set[int]:
    """Lines found near the top or bottom of many pages, and never in the middle of one.

    The thresholds are deliberately strict: dropping a real heading is worse than keeping
    a letterhead line.
    """
    edge_pages: defaultdict[str, set[int]] = defaultdict(set)
    edge_lines: defaultdict[str, list[int]] = defaultdict(list)
    in_body: set[str] = set()
    for page_number, page in enumerate(pages):
        edge = set(page[:_EDGE_LINES]) | set(page[-_EDGE_LINES:])
        for index in page:
            if not _may_be_boilerplate(lines[index]):
                continue
            key = _collapse(lines[index])
            if index in edge:
                edge_pages[key].add(page_number)
                edge_lines[key].append(index)
            else:
                in_body.add(key)

    if len(pages) == 2:
        needed = 2
    else:
        needed = max(3, math.ceil(len(pages) * _MIN_PAGE_SHARE))
    drop: set[int] = set()
    for key, page_numbers in edge_pages.items():
        if key in in_body:
            continue
        if len(page_numbers) >= needed or (
            len(page_numbers) >= 2 and _LETTERHEAD_LIKE.search(key) and _near_edge(
                edge_lines[key], pages, _TIGHT_EDGE_LINES
            )
        ):
            drop.update(edge_lines[key])
    # Letterhead is a small part of a page. When most of the text repeats (identical pages,
    # forms), it is content, not letterhead; and no page is emptied by this step.
    if 3 * len(drop) > 2 * sum(len(page) for page in pages):
        return set()
    for page in pages:
        if all(index in drop for index in page):
            drop.difference_update(page)
    return drop


def _near_edge(indexes: Sequence[int], pages: Sequence[Sequence[int]], width: int) -> bool:
    """Whether every occurrence sits within `width` lines of its page's top or bottom."""
    edges = {i for page in pages for i in (*page[:width], *page[-width:])}
    return all(index in edges for index in indexes)


def _next_text_line(lines: Sequence[str], index: int) -> int:
    """Index of the first non-blank line at or after `index` (len(lines) if none)."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _join_hyphenated(lines: list[str]) -> list[str]:
    """Join words hyphenated across line ends, also across blank lines and a page break.

    Within a page the two lines are merged (blank lines between them were an artefact of
    extraction). Across a page marker only the continuation word moves up, so the rest of
    the text stays on the page it was printed on.
    """
    out: list[str] = []
    index = 0
    while index < len(lines):
        # The joined line is built from pieces so that long chains stay linear.
        pieces: list[str] = []
        line = lines[index]
        index += 1
        while line.endswith("-"):
            nxt = _next_text_line(lines, index)
            if nxt >= len(lines):
                break
            if is_page_marker(lines[nxt]):
                after = _next_text_line(lines, nxt + 1)
                if after >= len(lines) or is_page_marker(lines[after]):
                    break
                word, _, rest = lines[after].lstrip().partition(" ")
                glue = hyphen_glue(line, word)
                if glue is None or glue == "- ":
                    break
                line = line[:-1] + glue + word
                lines[after] = rest.lstrip()
                break
            following = lines[nxt].lstrip()
            glue = hyphen_glue(line, following)
            if glue is None:
                break
            pieces.append(line[:-1] + glue)
            line = following
            index = nxt + 1
        pieces.append(line)
        out.append("".join(pieces))
    return out


def _tidy_blank_lines(lines: Sequence[str]) -> str:
    """Put markers between blank lines, keep at most one blank line, trim both ends."""
    out: list[str] = []
    for line in lines:
        if is_page_marker(line):
            if out and out[-1]:
                out.append("")
            out.append(line)
            out.append("")
        elif line.strip():
            out.append(line)
        elif out and out[-1]:
            out.append("")
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
