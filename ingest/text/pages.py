"""Page markers: where a page of the source document starts, written into the text.

Every loader writes a page break as `<!-- sida N -->` on a line of its own (see
`ingest.normalize`). Converted text from elsewhere has variants (`<!--sida 5-->`,
`<!-- page 5 -->`, `<!-- Sida 05 -->`), and raw text may have a marker inside a line, so
`PAGE_MARKER` accepts all of them and the helpers here are the only place that reads them.
"""

from __future__ import annotations

import re

__all__ = [
    "PAGE_MARKER",
    "PAGE_MARKER_FORMAT",
    "is_page_marker",
    "marker_page",
    "markers_on_own_lines",
    "page_marker",
    "split_at_page_markers",
]

PAGE_MARKER_FORMAT = "<!-- sida {} -->"
"""The normalised marker; `.format(page)` gives the line for one page."""

# No leading whitespace in the pattern: a run of spaces before it would make searching a
# long line quadratic. Spaces after a marker belong to it: the text after it starts a line.
PAGE_MARKER = re.compile(r"<!--[ \t]*(?:sida|page|side)[ \t]*(\d{1,7})[ \t]*-->[ \t]*", re.I)
"""Any page marker variant; group 1 is the page number."""


def page_marker(page: int) -> str:
    """The normalised marker line for `page`."""
    return PAGE_MARKER_FORMAT.format(page)


def marker_page(line: str) -> int | None:
    """The page a line that is only a page marker starts (surrounding spaces allowed)."""
    match = PAGE_MARKER.fullmatch(line.strip())
    return int(match[1]) if match else None


def is_page_marker(line: str) -> bool:
    """Tell whether `line` is a page marker and nothing else."""
    return marker_page(line) is not None


def split_at_page_markers(line: str) -> list[tuple[int, str | int]]:
    """The pieces of `line` between page markers, each with its offset in `line`, and each
    marker's page number in its place.

    A line without a marker gives `[(0, line)]`; `"a <!-- sida 3 --> b"` gives
    `[(0, "a "), (2, 3), (17, "b")]`.
    """
    if "<!--" not in line:
        return [(0, line)]
    pieces: list[tuple[int, str | int]] = []
    position = 0
    for match in PAGE_MARKER.finditer(line):
        pieces += [(position, line[position : match.start()]), (match.start(), int(match[1]))]
        position = match.end()
    pieces.append((position, line[position:]))
    return pieces


def markers_on_own_lines(text: str) -> str:
    """`text` with every marker variant rewritten as the normalised marker on its own line."""
    return PAGE_MARKER.sub(lambda match: f"\n{page_marker(int(match[1]))}\n", text)
