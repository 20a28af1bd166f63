"""The text every metadata rule reads: cleaned once, and its header as lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ingest.text.bullets import strip_bullet
from ingest.text.lines import HYPHEN_CONJUNCTIONS, read_lines

HEADER_CHARS = 6000
"""How much of the text header fields (date, own number, title, type headings) look at."""
BODY_CHARS = 20000
"""How much of the text the frequency-based fields (type cues, organs, place) look at."""
EARLY_CHARS = 2000
"""The top of a document: letterhead, title and the start of the summary."""
EARLY_MENTION_WEIGHT = 1.5
"""A body or place named near the top counts half again as much as one further down."""

_TRANSLATE = str.maketrans(
    {
        "\xa0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\t": " ",
        "\x0c": "\n",
        "\u200b": None,
        "\ufeff": None,
        "\u00ad": None,
    }
)
_HTML_COMMENT = re.compile(r"<!--[^\n]{0,200}?-->")
_CONJUNCTIONS = "|".join(sorted(HYPHEN_CONJUNCTIONS))
_HYPHEN_BREAK = re.compile(rf"([a-zåäö])-[ ]*\n[ \n]*(?!(?:{_CONJUNCTIONS})\b)([a-zåäö])")
_GAP = re.compile(r"[ ]{3,}")


def normalise(text: str) -> str:
    """Unify line breaks and odd spaces and drop comments, `<!-- sida N -->` markers too."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATE)
    return _HTML_COMMENT.sub("", text)


def dehyphenate(text: str) -> str:
    """Undo end-of-line hyphenation ("revis-\\nionsrapport") so phrase cues match."""
    return _HYPHEN_BREAK.sub(r"\1\2", text)


@dataclass(frozen=True)
class HeaderLine:
    """A line as the header rules read it: no markup, no bullet."""

    text: str
    heading: bool
    """Whether the line is a Markdown heading."""
    start: int
    """Offset of the line in the normalised text."""
    raw: str
    """The line as written, its wide gaps kept."""

    @cached_property
    def columns(self) -> tuple[str, ...]:
        """Pieces of the line split at wide gaps (two-column letterheads and footers); worked
        out only for the lines a rule asks about."""
        return tuple(c for c in (" ".join(p.split()) for p in _GAP.split(self.raw)) if c)


def header_lines(text: str, limit: int = HEADER_CHARS) -> list[HeaderLine]:
    """Non-empty lines of the first `limit` characters, with their offsets."""
    out: list[HeaderLine] = []
    for line in read_lines(text[:limit]):
        stripped = " ".join(strip_bullet(line.text.replace("*", "").strip()).split())
        if stripped:
            out.append(HeaderLine(stripped, line.md_level > 0, line.start - line.indent, line.raw))
    return out
