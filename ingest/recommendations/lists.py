"""Reading the list of recommendations that follows a lead-in.

Items are marked by a bullet, a dash or a number; by indentation when the bullet glyph was
lost in conversion; or not at all, each item then opening with a verb ("Säkerställa ...").
A sub-list belongs to the item that announces it, numbered items must count on, and a page
header between two items of one list is stepped over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.recommendations.lead_ins import KEYWORD
from ingest.recommendations.phrases import opens_with_verb
from ingest.recommendations.reading import MAX_ITEM_CHARS, continues, marker_text
from ingest.text.bullets import MarkerKind
from ingest.text.headings import opens_like_numbered_title
from ingest.text.lines import Line, ends_sentence, join_lines

INDENT = "indent"
"""Items whose glyph was lost: indented lines opening with a capital."""
PLAIN = "plain"
"""Unmarked items: each opens with a verb, after a blank line or a finished sentence."""

_MIN_INDENT = 2
"""Indentation that marks an item whose bullet glyph was lost (one space is noise)."""
_MAX_FURNITURE_LINES = 2
_MAX_FURNITURE_CHARS = 60
"""A page header between two items is short: at most two lines of this length."""


@dataclass
class Item:
    """A list item being read: its text so far and the page it starts on."""

    text: str
    page: int | None


def _item_mode(line: Line) -> tuple[str, int] | None:
    """How the first item of a list is marked: marker family (and number), or the layout."""
    if line.marker:
        return line.marker.family, line.marker.number
    if line.indent >= _MIN_INDENT and line.text[:1].isupper():
        return INDENT, 0
    if opens_with_verb(line.text):
        return PLAIN, 0
    return None


def _opens_item(mode: str, first: int, count: int, previous: Line, line: Line) -> bool:
    """Whether `line` opens the next item of a list marked as `mode`."""
    marker = line.marker
    if mode == INDENT:
        return marker is None and line.indent >= _MIN_INDENT and line.text[:1].isupper()
    if mode == PLAIN:
        return (
            marker is None
            and (line.blank_before or ends_sentence(previous.text))
            and opens_with_verb(line.text)
        )
    if marker is None or marker.family != mode:
        return False
    # Numbered items must count on: "1. Inledning" after the list is a chapter.
    return mode != MarkerKind.NUMBER or marker.number == first + count + 1


def read_list(lines: Sequence[Line], start: int, width: int) -> tuple[list[Item], int]:
    """Items of the list that starts at line `start`; the index after the list."""
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
        if current is None or _opens_item(mode, first, len(items), previous, line):
            if current is not None:
                items.append(current)
            marked = marker is not None and mode not in (INDENT, PLAIN)
            current = Item(marker_text(line) if marked else line.text, line.page)
            sub_family = ""
        elif marker is not None and (
            marker.family == sub_family or (not sub_family and current.text.endswith(":"))
        ):
            sub_family = marker.family  # a sub-list belongs to the item that announces it
            current.text = join_lines(current.text, marker_text(line))
        elif continues(current.text, previous, line, width, strict=mode == PLAIN):
            if len(current.text) <= MAX_ITEM_CHARS:  # longer is no recommendation anyway
                current.text = join_lines(current.text, line.text)
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
