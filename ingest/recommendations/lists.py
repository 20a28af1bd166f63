"""Reading the list of recommendations that follows a lead-in.

Items are marked by a bullet, a dash, a number or a letter; by a "Rekommendation N:" label;
by the rows of a table (one recommendation per row); by indentation when the bullet glyph
was lost in conversion; or not at all, each item then opening with a verb ("Säkerställa
..."). A sub-list belongs to the item that announces it, numbered and lettered items must
count on, a page header between two items of one list is stepped over, and so are up to two
sub-headings (or a table's header row) between the lead-in and the first item. Under
labelled items, a reply's answer ("Åtgärd: ...") is stepped over to the next label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.recommendations.lead_ins import KEYWORD
from ingest.recommendations.phrases import leading_bodies, opens_with_verb
from ingest.recommendations.reading import MAX_ITEM_CHARS, continues, marker_text
from ingest.text.bullets import ListMarker, MarkerKind
from ingest.text.headings import opens_like_numbered_title, recommendation_label
from ingest.text.lines import (
    Line,
    awaits_continuation,
    ends_sentence,
    join_lines,
    opens_with_label,
    table_cells,
)

INDENT = "indent"
"""Items whose glyph was lost: indented lines opening with a capital or a verb."""
PLAIN = "plain"
"""Unmarked items: each opens with a verb or a body that should act ("Regeringen bör …"),
after a blank line or a finished sentence."""
LABEL = "label"
"""Labelled items: "Rekommendation 1: ...", "1. Rekommendation: ..."."""
ROW = "row"
"""Table rows, one recommendation each: its longest cell ("1 | Tydliggöra ...")."""

_MIN_INDENT = 2
"""Indentation that marks an item whose bullet glyph was lost (one space is noise)."""
_MAX_FURNITURE_LINES = 2
_MAX_FURNITURE_CHARS = 60
"""A page header between two items is short: at most two lines of this length."""
_MAX_SUBHEADINGS = 2
"""Sub-headings ("### Rekommendationer", "**Våra rekommendationer**") a lead-in may have
between it and its first item."""
_MAX_HEADER_CELL_WORDS = 4
"""A table's header row has short cells ("Nr | Rekommendation"); items are sentences."""
_MAX_ANSWER_LINES = 60
"""How far a reply's answer to one labelled recommendation may run before the next label."""


@dataclass
class Item:
    """A list item being read: its text so far and the page it starts on."""

    text: str
    page: int | None
    indent: int = 0
    """Indentation of the item's first line: a deeper marked line under an unfinished
    item ("… genom att") is part of it."""


def _item_mode(line: Line) -> tuple[str, int] | None:
    """How the first item of a list is marked: marker family (and number), or the layout."""
    if recommendation_label(line.text):
        return LABEL, 0
    if line.marker:
        return line.marker.family, _ordinal(line.marker)
    if table_cells(line.text):
        return ROW, 0
    if _indented_item(line):
        return INDENT, 0
    if _opens_plain(line.text):
        return PLAIN, 0
    return None


def _ordinal(marker: ListMarker) -> int:
    """The place a numbered or lettered item states ("3." is 3, "c)" is 3), else 0."""
    if marker.kind is MarkerKind.LETTER:
        return ord(marker.label[0].casefold()) - ord("a") + 1
    return marker.number


def _indented_item(line: Line) -> bool:
    """An item whose glyph was lost: indented, opening with a capital or a verb."""
    return line.indent >= _MIN_INDENT and (
        line.text[:1].isupper() or opens_with_verb(line.text)
    )


def _opens_plain(text: str) -> bool:
    return opens_with_verb(text) or bool(leading_bodies(text))


def _opens_item(mode: str, first: int, count: int, previous: Line, line: Line) -> bool:
    """Whether `line` opens the next item of a list marked as `mode`."""
    marker = line.marker
    if mode == LABEL:
        return recommendation_label(line.text) is not None
    if mode == ROW:
        return table_cells(line.text) is not None
    if mode == INDENT:
        return marker is None and _indented_item(line)
    if mode == PLAIN:
        return (
            marker is None
            and (line.blank_before or ends_sentence(previous.text))
            and _opens_plain(line.text)
        )
    if marker is None or marker.family != mode:
        return False
    # Numbered items must count on: "1. Inledning" after the list is a chapter.
    counted = mode in (MarkerKind.NUMBER, MarkerKind.LETTER)
    return not counted or _ordinal(marker) == first + count + 1


def _item_text(mode: str, line: Line) -> str:
    """The text of the line that opens an item, without its marker, label or row number."""
    label = recommendation_label(line.text) if mode == LABEL else None
    if label is not None:
        return line.text[label.end :].strip()
    cells = table_cells(line.text) if mode == ROW else None
    if cells:
        return max(cells, key=len)
    if line.marker is not None and mode not in (INDENT, PLAIN):
        return marker_text(line)
    return line.text


def _is_header_row(lines: Sequence[Line], index: int) -> bool:
    """A table's header row: short cells, with another row right after it."""
    cells = table_cells(lines[index].text)
    return (
        cells is not None
        and all(len(cell.split()) <= _MAX_HEADER_CELL_WORDS for cell in cells)
        and not any(ends_sentence(cell) for cell in cells)
        and index + 1 < len(lines)
        and table_cells(lines[index + 1].text) is not None
    )


def _after_subheadings(lines: Sequence[Line], start: int) -> int:
    """Where the items start: after up to two sub-headings or a table header at `start`,
    when a marked, labelled, tabled or indented list follows them; else `start`."""
    index = start
    while (
        index < len(lines)
        and index - start < _MAX_SUBHEADINGS
        and (lines[index].md_level or lines[index].bold or _is_header_row(lines, index))
        and not lines[index].text.endswith(":")
    ):
        index += 1
    if index == start or index >= len(lines):
        return start
    found = _item_mode(lines[index])
    return index if found is not None and found[0] != PLAIN else start


def _after_answer(lines: Sequence[Line], index: int) -> int | None:
    """The next labelled item after a reply's answer starting at `index`, or None when the
    answer runs into a heading or a new lead-in (or too far) first."""
    for ahead in range(index + 1, min(len(lines), index + _MAX_ANSWER_LINES)):
        line = lines[ahead]
        if recommendation_label(line.text):
            return ahead
        if line.md_level or _announces(line):
            return None
    return None


def _announces(line: Line) -> bool:
    """A line that ends like a lead-in ("Tillväxtanalys rekommenderas att:")."""
    return line.text.endswith(":") and KEYWORD.search(line.text) is not None


def read_list(lines: Sequence[Line], start: int, width: int) -> tuple[list[Item], int]:
    """Items of the list that starts at line `start`; the index after the list."""
    start = _after_subheadings(lines, start)
    if start >= len(lines) or lines[start].md_level or lines[start].bold:
        return [], start
    found = _item_mode(lines[start])
    if found is None:
        return [], start
    mode, first = found
    items: list[Item] = []
    current: Item | None = None
    sub_family = ""  # marker of a sub-list inside the current item
    index = start
    while index < len(lines):
        line = lines[index]
        previous = lines[index - 1]
        marker = line.marker
        nested = (
            current is not None
            and marker is not None
            and line.indent > current.indent
            and (
                bool(sub_family)
                or current.text.endswith(":")
                or awaits_continuation(current.text)
            )
        )
        if current is None or (not nested and _opens_item(mode, first, len(items), previous, line)):
            if current is not None:
                items.append(current)
            current = Item(_item_text(mode, line), line.page, line.indent)
            sub_family = ""
        elif mode == ROW:
            break  # a row holds its whole item: the table has ended
        elif marker is not None and (
            nested
            or marker.family == sub_family
            or (not sub_family and current.text.endswith(":"))
        ):
            sub_family = marker.family  # a sub-list belongs to the item that announces it
            current.text = join_lines(current.text, marker_text(line))
        elif continues(current.text, previous, line, width, strict=mode == PLAIN):
            if len(current.text) <= MAX_ITEM_CHARS:  # longer is no recommendation anyway
                current.text = join_lines(current.text, line.text)
        elif mode == LABEL and opens_with_label(line.text) and not _announces(line):
            following = _after_answer(lines, index)  # "Åtgärd: ..." answers the item
            if following is None:
                break
            index = following
            continue
        else:
            skip = _furniture_before_item(lines, index, mode)
            if not skip:
                break
            index += skip
            continue
        index += 1
    if current is not None:
        items.append(current)
    return items, index


def _furniture_before_item(lines: Sequence[Line], index: int, mode: str) -> int:
    """Lines of page header (at most two) between a page break and the list's next item."""
    if mode in (INDENT, PLAIN) or index == 0 or lines[index].page == lines[index - 1].page:
        return 0
    for offset in range(1, _MAX_FURNITURE_LINES + 1):
        if index + offset >= len(lines):
            return 0
        furniture = lines[index + offset - 1].text
        if (
            len(furniture) > _MAX_FURNITURE_CHARS
            or furniture[-1] in ".!?:;,"
            or opens_like_numbered_title(furniture)
            or KEYWORD.search(furniture)
        ):
            return 0
        following = lines[index + offset]
        marker = following.marker
        if following.page == lines[index].page and marker is not None and marker.family == mode:
            return offset
    return 0
