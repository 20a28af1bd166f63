"""The text of one PDF page, read with the layout its text layer records.

pypdf gives a page's text in content-stream order, one line per baseline. Two things a
reader of the printed page sees at once are lost on the way: the extra space that ends a
paragraph, and the gutter of a page set in two columns (a stream that draws both columns
line by line reads them interleaved). While pypdf extracts the page, each text run's
position, size and width are recorded; then a page whose runs leave a vertical gutter free,
with text on both sides down most of the page, is read column by column, and a blank line
is written wherever the gap between two lines is clearly wider than the page's own line
spacing.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pypdf import PageObject
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject

# pypdf's font model knows each glyph's advance width. It lives in a private module; if a
# later pypdf moves it, widths fall back to an average glyph width.
try:
    from pypdf.generic._font import Font
except ImportError:  # pragma: no cover - depends on the installed pypdf
    Font = None  # type: ignore[assignment,misc]

# A gap between two lines this many times the page's usual line advance ends a paragraph.
# Word and LibreOffice put 6 pt or more after a paragraph: 1.45 times single spacing or
# more, while lines of one paragraph vary by a few percent.
_PARAGRAPH_GAP = 1.3
# The usual advance is a low quantile of the page's line advances (per point of type), so
# pages of mostly one-line paragraphs still measure the spacing inside a paragraph.
_USUAL_QUANTILE = 0.25
# Fewer line pairs than this say nothing about a page's spacing.
_MIN_PAIRS = 3
# Advances under half a type size are a superscript or a split baseline, not a new line.
_MIN_ADVANCE = 0.5
# The width of a glyph whose width the font does not tell, per point of type.
_FALLBACK_GLYPH_WIDTH = 0.5

# A gutter lies in the middle half of the text area, is at least one type size wide, and
# at most this share of the lines may cross it (a title or letterhead over both columns).
_GUTTER_MARGIN = 0.25
_MAX_CROSSING_SHARE = 0.25
# Each column needs this many lines, and the columns must run beside each other over this
# share of the shorter one's height.
_MIN_COLUMN_LINES = 3
_MIN_COLUMN_OVERLAP = 0.5
# A line of the left column below the end of the right one is still in the column when it
# follows the line above at no more than this many line advances (a paragraph gap).
_MAX_COLUMN_GAP = 2.5
# Tables: when most paragraphs of the right-hand side start level with one on the left,
# the page is rows of cells, which read across, not columns.
_MAX_ALIGNED_STARTS = 0.5


@dataclass(frozen=True)
class Run:
    """A piece of text as pypdf reported it, with where it sits on the page (in points).

    `placed` is false for whitespace and for text that is not upright (rotated): such a
    run has no say in the page's geometry.
    """

    text: str
    x0: float = 0.0
    x1: float = 0.0
    y: float = 0.0
    size: float = 0.0
    placed: bool = False


@dataclass
class Line:
    """One line of the page's text: the runs on one baseline, in stream order."""

    runs: list[Run] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def placed(self) -> list[Run]:
        return [run for run in self.runs if run.placed]

    @property
    def y(self) -> float | None:
        placed = self.placed
        return placed[0].y if placed else None

    @property
    def size(self) -> float:
        return max((run.size for run in self.placed), default=0.0)


def page_text(page: PageObject) -> str:
    """The page's text: pypdf's lines, in column order when the page has two columns, with
    a blank line where a paragraph ends."""
    lines = page_lines(page)
    columns = in_column_order(lines)
    return with_paragraph_breaks(columns if columns is not None else lines)


def page_lines(page: PageObject) -> list[Line]:
    """pypdf's text of the page split into lines, each knowing where its runs are.

    The lines joined with newlines are exactly what `page.extract_text()` returns.
    """
    widths = _WidthCache()
    lines = [Line()]

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], font: Any, size: Any) -> None:
        pieces = text.split("\n")
        for number, piece in enumerate(pieces):
            if number:
                lines.append(Line())
            if piece:
                lines[-1].runs.append(_run(piece, cm, tm, font, size, widths))

    page.extract_text(visitor_text=visit)
    return lines


def _run(
    text: str,
    cm: Sequence[float],
    tm: Sequence[float],
    font: Any,
    size: Any,
    widths: _WidthCache,
) -> Run:
    """A run placed on the page by the text matrix times the current transformation."""
    if not text.strip() or not isinstance(size, int | float):
        return Run(text)
    a = tm[0] * cm[0] + tm[1] * cm[2]
    b = tm[0] * cm[1] + tm[1] * cm[3]
    c = tm[2] * cm[0] + tm[3] * cm[2]
    d = tm[2] * cm[1] + tm[3] * cm[3]
    upright = a > 0 and d > 0 and abs(b) <= 0.01 * a and abs(c) <= 0.01 * d
    if not upright or size <= 0:
        return Run(text)
    x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
    y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
    width = widths.width(text, font) * float(size) * a
    return Run(text, x, x + width, y, float(size) * d, placed=True)


class _WidthCache:
    """Glyph widths (in thousandths of the type size) of the page's fonts, read once each."""

    def __init__(self) -> None:
        self._fonts: dict[int, Callable[[str], float]] = {}

    def width(self, text: str, font: Any) -> float:
        """The advance of `text` in units of the type size."""
        measure = self._fonts.get(id(font))
        if measure is None:
            measure = _measure(font)
            self._fonts[id(font)] = measure
        return measure(text)


def _average_width(text: str) -> float:
    return _FALLBACK_GLYPH_WIDTH * len(text)


def _measure(font: Any) -> Callable[[str], float]:
    """A function giving the width of decoded text set in `font`."""
    if Font is None or not isinstance(font, DictionaryObject):
        return _average_width
    try:
        model = Font.from_font_resource(font)
    except (PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        # A damaged font costs exact widths, not the page.
        return _average_width
    # Widths are keyed by character code; the text is decoded, so map it back.
    codes: dict[str, str] = {}
    for code, decoded in model.character_map.items():
        if isinstance(code, str) and isinstance(decoded, str) and len(decoded) == 1:
            codes.setdefault(decoded, code)
    table = model.character_widths
    default = float(table.get("default", 500) or 500)

    def measure(text: str) -> float:
        total = 0.0
        for char in text:
            value = table.get(codes.get(char, char))
            total += float(value) if isinstance(value, int | float) and value > 0 else default
        return total / 1000

    return measure


# --- paragraph breaks ------------------------------------------------------------------


def with_paragraph_breaks(lines: Sequence[Line]) -> str:
    """The lines joined, with a blank line where the gap below a line is clearly wider than
    the page's usual line advance. Moving up the page (a new column, a stream that jumps
    back) never breaks."""
    usual = _usual_advance(lines)
    out: list[str] = []
    previous: Line | None = None
    for line in lines:
        if usual is not None and previous is not None and line.y is not None:
            advance = _advance(previous, line)
            if advance is not None and advance > _PARAGRAPH_GAP * usual:
                if out and out[-1].strip():
                    out.append("")
        out.append(line.text)
        if line.y is not None:
            previous = line
        elif line.text.strip():
            previous = None
    return "\n".join(out)


def _advance(upper: Line, lower: Line) -> float | None:
    """How far `lower` sits below `upper`, per point of type; None when it is not below."""
    if upper.y is None or lower.y is None:
        return None
    size = (upper.size + lower.size) / 2
    if size <= 0:
        return None
    advance = (upper.y - lower.y) / size
    return advance if advance >= _MIN_ADVANCE else None


def _usual_advance(lines: Sequence[Line]) -> float | None:
    """The page's line advance inside a paragraph, per point of type, if it can be told."""
    placed = [line for line in lines if line.y is not None]
    advances = sorted(
        advance
        for upper, lower in zip(placed, placed[1:], strict=False)
        if (advance := _advance(upper, lower)) is not None
    )
    if len(advances) < _MIN_PAIRS:
        return None
    return advances[int(_USUAL_QUANTILE * (len(advances) - 1))]


# --- columns ---------------------------------------------------------------------------


@dataclass
class _Split:
    """A line cut at the gutter into the parts on each side, or the whole line if it
    crosses the gutter. A stream drawn across both columns gives several parts a side."""

    line: Line
    left: list[Line]
    right: list[Line]
    crosses: bool


def in_column_order(lines: Sequence[Line]) -> list[Line] | None:
    """The lines of a two-column page read left column first, then right; None when the
    page has no gutter with text on both sides."""
    runs = [run for line in lines for run in line.placed]
    if len(runs) < 2 * _MIN_COLUMN_LINES:
        return None
    gutter = _gutter(runs, sum(1 for line in lines if line.placed))
    if gutter is None:
        return None
    splits = [_split(line, gutter) for line in lines]
    left = [part for s in splits if not s.crosses for part in s.left if part.placed]
    right = [part for s in splits if not s.crosses for part in s.right if part.placed]
    if not _beside_each_other(left, right) or _rows_of_a_table(left, right):
        return None
    return _reading_order(splits, _column_span(left, right))


def _gutter(runs: Sequence[Run], line_count: int) -> float | None:
    """The middle of the widest vertical band, in the middle half of the text area, that
    (almost) no run crosses and that is at least a type size wide; None if there is none."""
    left = min(run.x0 for run in runs)
    right = max(run.x1 for run in runs)
    width = right - left
    start = math.ceil(left + _GUTTER_MARGIN * width)
    stop = math.floor(right - _GUTTER_MARGIN * width)
    if stop <= start:
        return None
    crossing = _crossing_counts(runs, start, stop)
    allowed = int(_MAX_CROSSING_SHARE * line_count)
    best: tuple[int, int, int] | None = None  # (runs crossing, -width, first x)
    band_start = start
    for x in range(start, stop + 2):
        if x <= stop and crossing[x - start] == crossing[band_start - start]:
            continue
        count = crossing[band_start - start]
        if count <= allowed:
            candidate = (count, band_start - x, band_start)
            best = candidate if best is None or candidate < best else best
        band_start = x
    if best is None:
        return None
    middle = best[2] - best[1] / 2 - 0.5
    before = [run.x1 for run in runs if run.x1 <= middle]
    after = [run.x0 for run in runs if run.x0 >= middle]
    if not before or not after:
        return None
    size = statistics.median(run.size for run in runs)
    return middle if min(after) - max(before) >= size else None


def _crossing_counts(runs: Sequence[Run], start: int, stop: int) -> list[int]:
    """For each whole point from `start` to `stop`, how many runs cover it."""
    changes = [0] * (stop - start + 2)
    for run in runs:
        first = max(math.floor(run.x0) + 1, start)
        last = min(math.ceil(run.x1) - 1, stop)
        if first <= last:
            changes[first - start] += 1
            changes[last - start + 1] -= 1
    counts: list[int] = []
    running = 0
    for change in changes[:-1]:
        running += change
        counts.append(running)
    return counts


def _split(line: Line, gutter: float) -> _Split:
    """Cut a line wherever it passes the gutter; whitespace goes with the run before it."""
    parts: list[tuple[bool, Line]] = []  # (on the right, part)
    crosses = False
    for run in line.runs:
        if run.placed:
            crosses = crosses or run.x0 < gutter < run.x1
            on_right = run.x1 > gutter
            if not parts or parts[-1][0] != on_right:
                parts.append((on_right, Line()))
        elif not parts:
            parts.append((False, Line()))
        parts[-1][1].runs.append(run)
    left = [_trimmed(part) for on_right, part in parts if not on_right]
    right = [_trimmed(part) for on_right, part in parts if on_right]
    return _Split(
        line, [part for part in left if part.runs], [part for part in right if part.runs], crosses
    )


def _trimmed(line: Line) -> Line:
    """The line without whitespace runs at either end, its text stripped."""
    runs = list(line.runs)
    while runs and not runs[0].text.strip():
        runs.pop(0)
    while runs and not runs[-1].text.strip():
        runs.pop()
    if runs:
        runs[0] = replace(runs[0], text=runs[0].text.lstrip())
        runs[-1] = replace(runs[-1], text=runs[-1].text.rstrip())
    return Line(runs)


def _beside_each_other(left: Sequence[Line], right: Sequence[Line]) -> bool:
    """Whether both sides have lines and run beside each other down the page."""
    if len(left) < _MIN_COLUMN_LINES or len(right) < _MIN_COLUMN_LINES:
        return False
    left_ys = [line.y for line in left if line.y is not None]
    right_ys = [line.y for line in right if line.y is not None]
    overlap = min(max(left_ys), max(right_ys)) - max(min(left_ys), min(right_ys))
    shorter = min(max(left_ys) - min(left_ys), max(right_ys) - min(right_ys))
    return shorter > 0 and overlap >= _MIN_COLUMN_OVERLAP * shorter


def _rows_of_a_table(left: Sequence[Line], right: Sequence[Line]) -> bool:
    """Whether the right side's paragraphs mostly start level with one on the left, as the
    cells of a table row do; columns of running text start their paragraphs anywhere."""
    usual = _usual_advance(sorted(left, key=_top_down)) or 0.0
    left_starts = _paragraph_starts(left, usual)
    right_starts = _paragraph_starts(right, usual)[1:]  # both columns start at the top
    if len(right_starts) < 2:
        return False
    tolerance = 0.25 * statistics.median(line.size for line in right)
    aligned = sum(
        1 for y in right_starts if any(abs(y - other) <= tolerance for other in left_starts)
    )
    return aligned > _MAX_ALIGNED_STARTS * len(right_starts)


def _top_down(line: Line) -> float:
    return -(line.y or 0.0)


def _paragraph_starts(lines: Sequence[Line], usual: float) -> list[float]:
    """The baselines, top down, of lines that follow a gap wider than the usual advance."""
    ordered = sorted(lines, key=_top_down)
    starts: list[float] = []
    for index, line in enumerate(ordered):
        if line.y is None:
            continue
        advance = _advance(ordered[index - 1], line) if index else None
        if index == 0 or (usual and advance is not None and advance > _PARAGRAPH_GAP * usual):
            starts.append(line.y)
    return starts


def _column_span(left: Sequence[Line], right: Sequence[Line]) -> tuple[float, float]:
    """The baselines (top, bottom) between which the page is set in columns.

    The right column starts at the top of the columns; the left one may run on below the
    right one's end, as long as its lines follow at paragraph distance (a footer does not).
    """
    size = statistics.median(line.size for line in (*left, *right))
    ordered = sorted(left, key=_top_down)
    usual = (_usual_advance(ordered) or 1.2) * size
    tolerance = 0.5 * usual
    top = max(line.y for line in right if line.y is not None) + tolerance
    bottom = min(line.y for line in right if line.y is not None) - tolerance
    previous: float | None = None
    for line in ordered:
        if line.y is None:
            continue
        if line.y < bottom:
            if previous is None or previous - line.y > _MAX_COLUMN_GAP * usual:
                break
            bottom = line.y
        previous = line.y
    return top, bottom


def _reading_order(splits: Sequence[_Split], span: tuple[float, float]) -> list[Line]:
    """Lines above and below the columns, and lines across the gutter, stay where they are
    on the page; between them, each stretch of columns is read left side, then right side.
    """
    top, bottom = span
    # (baseline of the block's top, stream position, lines) for whole lines and blocks
    items: list[tuple[float, int, list[Line]]] = []
    block_left: list[Line] = []
    block_right: list[Line] = []
    block_at: tuple[float, int] | None = None

    def close_block() -> None:
        nonlocal block_left, block_right, block_at
        if block_at is not None:
            lines = sorted(block_left, key=_top_down) + sorted(block_right, key=_top_down)
            items.append((block_at[0], block_at[1], lines))
        block_left, block_right, block_at = [], [], None

    for position, split in sorted(enumerate(splits), key=lambda item: _top_down(item[1].line)):
        y = split.line.y
        inside = y is not None and bottom <= y <= top
        if split.crosses or not inside or y is None:
            close_block()
            items.append((y if y is not None else math.inf, position, [split.line]))
            continue
        if block_at is None:
            block_at = (y, position)
        block_left.extend(split.left)
        block_right.extend(split.right)
    close_block()
    return _in_page_order(items)


def _in_page_order(items: Sequence[tuple[float, int, list[Line]]]) -> list[Line]:
    """Items top down; lines that have no place on the page keep their stream position."""
    placed = sorted((item for item in items if item[0] != math.inf), key=lambda i: (-i[0], i[1]))
    loose = sorted((item for item in items if item[0] == math.inf), key=lambda i: i[1])
    return [line for item in placed + loose for line in item[2]]
