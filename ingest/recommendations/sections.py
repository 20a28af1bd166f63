"""Where a recommendation stands: the heading path, and headings that are recommendations."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.recommendations.phrases import BOR, leading_bodies, opens_with_verb
from ingest.text.bullets import list_marker
from ingest.text.headings import BOLD_LEVEL
from ingest.text.lines import Line

_RECOMMENDATION_NOUN = re.compile(r"\brekommendation(?:en|er|erna)?\b", re.I)
_ANNOUNCES = re.compile(r"\b(?:nedan|följande|nedanstående)\b", re.I)
_MENTION_WINDOW = 2000
"""How much of a paragraph is searched for a sentence announcing recommendations."""
_HEADING_WINDOW = 300
"""How much of a heading is searched for "bör"."""


class Sections:
    """The heading path in force while the lines are read in order."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def push(self, level: int, title: str) -> None:
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, title))

    @property
    def path(self) -> str:
        return " > ".join(title for _, title in self._stack)

    @property
    def parent_path(self) -> str:
        """The path above the innermost heading."""
        return " > ".join(title for _, title in self._stack[:-1])


def heading_recommendation(title: str) -> str:
    """A heading's text without a list number: "1. Nämnden bör ..." -> "Nämnden bör ..."."""
    marker = list_marker(title)
    return title[marker.end :] if marker and marker.numbered else title


def recommendation_headings(lines: Sequence[Line]) -> dict[int, tuple[int, int]]:
    """Markdown or bold headings that state a recommendation, mapped to their group.

    A heading "X bör ..." always counts. An imperative heading ("Tydliggör ...") counts when
    a sibling heading is an "X bör ..." one, or when a paragraph announcing recommendations
    ("Nedan redogörs för de rekommendationer ...") precedes it in the same parent section.
    """
    last_at_level = [-1] * 7  # by Markdown level, 1 to 6; a bold line counts as level 4
    mention = -1
    records: list[tuple[int, tuple[int, int], str, bool]] = []
    with_bor: set[tuple[int, int]] = set()
    for index, line in enumerate(lines):
        if not (line.md_level or line.bold):
            head = line.text[:_MENTION_WINDOW]
            if _RECOMMENDATION_NOUN.search(head) and (
                _ANNOUNCES.search(head) or line.text.endswith(":")
            ):
                mention = index
            continue
        level = line.md_level or BOLD_LEVEL
        parent = max(last_at_level[1:level], default=-1)
        last_at_level[level] = index
        group = (parent, level)
        title = heading_recommendation(line.text)
        if title.endswith((":", "?")):
            continue
        if leading_bodies(title) and BOR.search(title[:_HEADING_WINDOW]):
            records.append((index, group, "bör", True))
            with_bor.add(group)
        elif opens_with_verb(title):
            records.append((index, group, "verb", mention > parent))
    return {
        index: group
        for index, group, kind, announced in records
        if kind == "bör" or announced or group in with_bor
    }
