"""Finding every recommendation in the lines of a document, addressees not yet settled.

The shapes are tried at each line in turn: a "Rekommendation N:" label, a lead-in followed by
a list, a lead-in with its items on the same line, and a heading that is a recommendation.
Recommendations in running text are read by `ingest.recommendations.prose`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ingest.recommendations.lead_ins import inline_items, inline_lead_in, lead_in_ending_at
from ingest.recommendations.lists import read_list
from ingest.recommendations.phrases import (
    leading_bodies,
    looks_like_recommendation,
)
from ingest.recommendations.reading import (
    MAX_ITEM_CHARS,
    Candidate,
    continues,
    finish,
    is_boundary,
    line_width,
    plausible,
)
from ingest.recommendations.sections import (
    Sections,
    heading_recommendation,
    recommendation_headings,
)
from ingest.text.headings import heading_at, recommendation_label
from ingest.text.lines import Line, join_lines

# How many lines of one paragraph an inline lead-in's items may run over.
_MAX_INLINE_LINES = 20


@dataclass
class _Found:
    """The candidates found so far, and the groups that tie items of one list together."""

    sections: Sections = field(default_factory=Sections)
    candidates: list[Candidate] = field(default_factory=list)
    group: int = 0
    labelled_group: int = -1
    """Labelled recommendations form one group until their numbering starts over."""
    last_label: str = ""
    heading_groups: dict[tuple[int, int], int] = field(default_factory=dict)
    line: int = 0
    """The line being read: candidates keep it to be put in document order."""

    def new_group(self) -> int:
        self.group += 1
        return self.group

    def add(
        self,
        text: str,
        page: int | None,
        group: int,
        lead: Iterable[str] = (),
        section: str | None = None,
    ) -> None:
        text = finish(text)
        if plausible(text):
            own = tuple(leading_bodies(text))
            where = self.sections.path if section is None else section
            self.candidates.append(
                Candidate(text, page, where, group, own, tuple(lead), order=self.line)
            )


def candidates(lines: Sequence[Line]) -> list[Candidate]:
    """Every recommendation the rules find, in document order, addressees unresolved."""
    width = line_width(lines)
    rec_headings = recommendation_headings(lines)
    found = _Found()
    index = 0
    while index < len(lines):
        line = lines[index]
        found.line = index
        if recommendation_label(line.text):
            index = _read_labelled(lines, index, width, found)
            continue
        lead = lead_in_ending_at(lines, index)
        heading = heading_at(lines, index)
        if heading and not (lead is not None and line.text.endswith(":")):
            found.sections.push(heading.level, heading.text)
        if lead is not None:
            items, end = read_list(lines, index + 1, width)
            group = found.new_group()
            for item in items:
                if lead.named or looks_like_recommendation(item.text):
                    found.add(item.text, item.page, group, lead.bodies)
            if items:
                index = end
                continue
        after_inline = _read_inline(lines, index, found)
        if after_inline is not None:
            index = after_inline
            continue
        if index in rec_headings:
            # The heading is the recommendation; its section is the one it sits in.
            key = rec_headings[index]
            if key not in found.heading_groups:
                found.heading_groups[key] = found.new_group()
            text = heading_recommendation(line.text)
            section = found.sections.parent_path
            found.add(text, line.page, found.heading_groups[key], section=section)
        index += 1
    return found.candidates


def _read_labelled(lines: Sequence[Line], index: int, width: int, found: _Found) -> int:
    """Read the labelled recommendation at `index`; the index after it."""
    line = lines[index]
    label = recommendation_label(line.text)
    number = label.number if label else ""
    if found.labelled_group < 0 or (number and number == "1" and found.last_label):
        found.labelled_group = found.new_group()  # a summary's labels, then the body's
    found.last_label = number
    text = line.text[label.end :] if label else line.text
    end = index + 1
    # A heading holds its whole recommendation; a bare label takes what follows.
    while end < len(lines) and not (text and (line.md_level or line.bold)):
        previous = lines[end - 1]
        following = lines[end]
        if not text and not is_boundary(following):
            text = following.text
        elif not continues(text, previous, following, width, strict=True):
            break
        elif len(text) <= MAX_ITEM_CHARS:
            text = join_lines(text, following.text)
        end += 1
    found.add(text, line.page, found.labelled_group)
    return end


def _read_inline(lines: Sequence[Line], index: int, found: _Found) -> int | None:
    """Read a lead-in and its items written in one paragraph; the index after it, or None."""
    line = lines[index]
    inline = inline_lead_in(line.text)
    if inline is None:
        return None
    lead, rest = inline
    end = index + 1
    while (
        end < len(lines)
        and end - index < _MAX_INLINE_LINES
        and not lines[end].blank_before
        and not is_boundary(lines[end])
    ):
        rest = join_lines(rest, lines[end].text)
        end += 1
    ends = end == len(lines) or lines[end].blank_before or is_boundary(lines[end])
    texts = inline_items(rest, lead, paragraph_ends=ends)
    if not texts:
        return None
    group = found.new_group()
    for text in texts:
        found.add(text, line.page, group, lead.bodies)
    return end
