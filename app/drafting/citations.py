"""Numbering a draft's citations once across the whole yttrande.

In a section, `[n]` points at that section's n-th precedent. In the assembled yttrande,
citations are numbered once across the document, in order of appearance, and listed at
the end ("Källor").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.drafting.model import Draft, Precedent, Section

_CITATION = re.compile(r"\[(\d{1,3})\]")
SAME_PASSAGE_CHARS = 200
"""Two cited precedents are one source when file, section and this many first characters of
the passage agree: the same passage reached from two sections gets one number."""


@dataclass(frozen=True)
class Citations:
    """Document-wide numbering of the precedents cited in a draft's sections."""

    sources: list[Precedent]
    """Cited precedents; global number = position + 1."""
    texts: list[str]
    """Each section's text with its citations renumbered to the global numbers."""
    bodies: list[str]
    """Each section's body (no notices, no precedent quotes), renumbered the same way."""


def number_citations(draft: Draft) -> Citations:
    """Renumber section-local `[n]` citations globally; unknown numbers are dropped."""
    sources: list[Precedent] = []
    numbers: dict[tuple[str, str, str], int] = {}
    texts: list[str] = []
    bodies: list[str] = []
    for section in draft.sections:

        def renumber(match: re.Match[str], section: Section = section) -> str:
            local = int(match.group(1))
            if not 1 <= local <= len(section.precedents):
                return ""
            precedent = section.precedents[local - 1]
            key = (precedent.file, precedent.section, precedent.answer[:SAME_PASSAGE_CHARS])
            if key not in numbers:
                sources.append(precedent)
                numbers[key] = len(sources)
            return f"[{numbers[key]}]"

        texts.append(_CITATION.sub(renumber, section.text))
        bodies.append(_CITATION.sub(renumber, section.body))
    return Citations(sources, texts, bodies)
