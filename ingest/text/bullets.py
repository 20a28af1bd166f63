"""List bullets and item numbers as real documents write them, and how to read them.

One glyph set serves every step: normalising (`tidy_bullet`), reading structure and
recommendations (`list_marker`), metadata (`strip_bullet`) and lists written inside a line
(`INLINE_BULLET`). Whatever glyph a document uses, the item it opens reads the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "BULLET",
    "BULLET_CHARS",
    "DASH_BULLETS",
    "ESCAPED_DASH",
    "INLINE_BULLET",
    "PRIVATE_USE_BULLETS",
    "SYMBOL_BULLETS",
    "ListMarker",
    "MarkerKind",
    "canonical_glyph",
    "list_marker",
    "strip_bullet",
    "tidy_bullet",
]

BULLET = "•"
"""The glyph written for an item without a number, and what font-specific glyphs become."""

PRIVATE_USE_BULLETS = "\uf0b7\uf0a7\uf0a8\uf0d8\uf0fc\uf076\uf06e\uf0e0"
"""Word's bullets from the Symbol and Wingdings fonts, as PDF text layers give them."""

SYMBOL_BULLETS = "•►▪■●◦○‣⁃➢➤✓✔❖→·∙" + PRIVATE_USE_BULLETS
"""Glyphs that open a list item wherever they start a line, whatever follows them."""

DASH_BULLETS = "-–—−*"
"""Hyphen, en dash, em dash, minus sign and asterisk: they open an item only when a space or
a letter follows, because "-5 %" and "*Rubrik*" start lines too."""

ESCAPED_DASH = "\\-"
"""A hyphen bullet as Markdown converters escape it ("\\- text")."""

BULLET_CHARS = frozenset(SYMBOL_BULLETS + DASH_BULLETS)
"""Every character a bullet can start with (the escaped dash starts with a backslash)."""

_SYMBOLS = re.escape(SYMBOL_BULLETS)
_DASHES = re.escape(DASH_BULLETS)
_ESCAPED = re.escape(ESCAPED_DASH)

# At the start of a stripped line, emphasis already removed. Numbers count as "1." / "1)" /
# "(1)", letters as "a)" or "a." (then a word must follow: "f. d." is an abbreviation), and
# "o" as the bullet of Word's second list level.
_LIST_MARKER = re.compile(
    rf"(?P<glyph>[{_SYMBOLS}])[ \t]*"
    rf"|(?P<dash>{_ESCAPED}|[{_DASHES}])(?:[ \t]+(?=\S)|(?=[^\W\d_]))"
    r"|(?P<num>\d{1,2})[.)][ \t]+(?=\S)"
    r"|\((?P<pnum>\d{1,2})\)[ \t]+(?=\S)"
    r"|(?P<letter>[a-h])(?:\)[ \t]+(?=\S)|\.[ \t]+(?=[^\W\d_]{2}))"
    r"|(?P<circle>o)[ \t]+(?=[^\W\d_])"
)

_INLINE_DASHES = re.escape(DASH_BULLETS.replace("*", ""))
INLINE_BULLET = re.compile(rf"(?<!\S)(?:{_ESCAPED}|[{_SYMBOLS}{_INLINE_DASHES}])(?:\s+|$)")
"""A bullet inside a line, between items written one after another ("att: - a - b").
The asterisk is left out: inside a line it is emphasis or multiplication."""

# What `tidy_bullet` rewrites: a symbol with any spacing, a dash followed by a wide gap.
_SYMBOL_START = re.compile(rf"([ \t]*)([{_SYMBOLS}])[ \t]*(?=\S)")
_WIDE_DASH_START = re.compile(rf"([ \t]*)({_ESCAPED}|[{_DASHES}])[ \t]{{2,}}(?=\S)")


class MarkerKind(StrEnum):
    """How a list item is marked."""

    GLYPH = "glyph"
    """A bullet symbol: •, ►, ▪, ..."""
    DASH = "dash"
    """A dash or an asterisk."""
    NUMBER = "number"
    """"1.", "1)" or "(1)"."""
    LETTER = "letter"
    """"a)" or "a."."""
    CIRCLE = "circle"
    """A lower-case "o", Word's second-level bullet in many fonts."""


@dataclass(frozen=True)
class ListMarker:
    """The marker that opens a list item."""

    kind: MarkerKind
    label: str
    """The marker as written, without the space after it: "►", "\\-", "3.", "(3)", "b)"."""
    number: int
    """The item's number for `NUMBER`, else 0."""
    end: int
    """Where the item's own text starts."""

    @property
    def family(self) -> str:
        """What the items of one list share: the glyph for symbols (a sub-list often has
        another one), else the kind; every dash is one family, every numbering style too."""
        if self.kind is MarkerKind.GLYPH:
            return f"{self.kind}{canonical_glyph(self.label)}"
        return str(self.kind)

    @property
    def numbered(self) -> bool:
        """Whether the label carries the item's place in the list ("3.", "b)")."""
        return self.kind in (MarkerKind.NUMBER, MarkerKind.LETTER)


def canonical_glyph(glyph: str) -> str:
    """A font-specific bullet as `BULLET`, every other glyph as it is."""
    return BULLET if glyph in PRIVATE_USE_BULLETS else glyph


def list_marker(text: str) -> ListMarker | None:
    """The list marker opening `text` (a stripped line without emphasis), or None."""
    match = _LIST_MARKER.match(text)
    if match is None:
        return None
    if match["glyph"]:
        return ListMarker(MarkerKind.GLYPH, match["glyph"], 0, match.end())
    if match["dash"]:
        return ListMarker(MarkerKind.DASH, match["dash"], 0, match.end())
    number = match["num"] or match["pnum"]
    if number:
        label = match[0].rstrip()
        return ListMarker(MarkerKind.NUMBER, label, int(number), match.end())
    if match["letter"]:
        return ListMarker(MarkerKind.LETTER, match[0].rstrip(), 0, match.end())
    return ListMarker(MarkerKind.CIRCLE, "o", 0, match.end())


def strip_bullet(text: str) -> str:
    """`text` without the bullet glyph or dash that opens it; numbered items keep the number."""
    marker = list_marker(text)
    if marker is None or marker.kind not in (MarkerKind.GLYPH, MarkerKind.DASH):
        return text
    return text[marker.end :]


def tidy_bullet(line: str) -> str:
    """Write a leading bullet as "<glyph> text": one space after a symbol (font-specific
    glyphs become `BULLET`), a wide gap after a dash closed up to one space."""
    match = _SYMBOL_START.match(line)
    if match:
        return f"{match[1]}{canonical_glyph(match[2])} {line[match.end() :]}"
    match = _WIDE_DASH_START.match(line)
    if match:
        return f"{match[1]}{match[2]} {line[match.end() :]}"
    return line
