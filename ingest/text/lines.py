"""Reading text line by line: the one line reader every ingest step shares.

A `Line` is one non-blank line with what the steps after it look at: the page it is on
(from `<!-- sida N -->` markers, which may also sit inside a line), where it starts, its
indentation, whether a blank line came before it, its Markdown heading level, whether it is
set in bold, its text with emphasis removed and the list marker it opens with.

The small predicates below ("does this line end a sentence", "does it end mid-phrase",
"is it a table-of-contents entry") are questions about the end of one line, asked while
lines are joined back into paragraphs and headings are found; they are not a sentence
splitter (that is `ingest.text.sentences`). All of them look at a bounded end of the line,
so reading stays linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text.bullets import ListMarker, list_marker
from ingest.text.pages import split_at_page_markers

__all__ = [
    "HYPHEN_CONJUNCTIONS",
    "Line",
    "awaits_continuation",
    "ends_sentence",
    "hyphen_glue",
    "is_toc_line",
    "join_lines",
    "keeps_hyphen",
    "opens_with_label",
    "read_lines",
    "table_cells",
]

HYPHEN_CONJUNCTIONS = frozenset(
    {"och", "eller", "samt", "respektive", "resp", "alternativt", "liksom", "som", "till",
     "and", "or"}
)  # fmt: skip
"""Words that follow the hyphen of a Swedish coordinated compound ("arbetsmarknads- och
socialnämnden", "såväl IT- som ekonomifrågor", "barn- till äldreomsorg"): the hyphen is
real and survives a line break after it."""

_MD_HEADING = re.compile(r"#{1,6}(?=\s)")
_LEAD_STAR = re.compile(r"^\*+(?=[^\s*])")
_TRAIL_STAR = re.compile(r"(?<=[^\s*])\*+$")

_SENTENCE_STOPS = frozenset(".!?;")
_CONTINUATION_END = re.compile(
    r"(?:\b(?:och|eller|samt|att|av|i|på|till|för|med|om|som|en|ett|den|det|de|vid|från|"
    r"inom|under|genom|mot|utifrån|avseende|gällande|rörande|angående|kopplade|kopplad|"
    r"kring|hos|mellan|både|såväl|över|efter)|[,\-–])$",
    re.IGNORECASE,
)
_CONTINUATION_WINDOW = 40
"""How much of a line's end `awaits_continuation` reads: more than the longest word listed."""
_TOC_LINE = re.compile(r"(?:\.{3,}|…)\s*\d*\s*$")
_TOC_WINDOW = 120
"""How much of a line's end `is_toc_line` reads: dot leaders and a page number fit in it."""
# "Åtgärd:", "Ansvarig nämnd:", "Tidplan 2025:": up to three words and a colon.
_LABEL = re.compile(r"[A-ZÅÄÖ]\w*(?: \w+){0,2}:(?:\s|$)")


@dataclass(frozen=True)
class Line:
    """One non-blank line of a text, as every reading step sees it."""

    text: str
    """The line without Markdown heading signs, bold/italic asterisks and underscores, with
    whitespace collapsed: what rules about words look at."""
    raw: str
    """The line as written, stripped of surrounding whitespace."""
    index: int
    """Position in the list `read_lines` returns."""
    start: int
    """Offset of the line's first non-blank character in the text read."""
    page: int | None
    """The page in force (the last page marker before the line), None before any marker."""
    indent: int
    """Spaces and tabs before the line's first character."""
    blank_before: bool
    """Whether a blank line, a page break or the start of the text comes right before it."""
    md_level: int = 0
    """The Markdown heading level ("## Rubrik" is 2), 0 for other lines."""
    bold: bool = False
    """Whether the whole line is set in bold ("**Rubrik**")."""
    marker: ListMarker | None = None
    """The bullet or item number that opens `text`, if any."""


def read_lines(text: str) -> list[Line]:
    """The non-blank lines of `text` with their page, position and layout.

    Page markers end a line and set the page for what follows; a line left with no text
    once markup is removed ("**", "__") reads as a blank line.
    """
    lines: list[Line] = []
    page: int | None = None
    blank = True
    offset = 0
    for physical in text.splitlines(keepends=True):
        content = physical.splitlines()[0]  # without its line break
        line_start = offset
        offset += len(physical)
        for position, piece in split_at_page_markers(content):
            if isinstance(piece, int):
                page, blank = piece, True
                continue
            raw = piece.strip()
            plain, level, bold = _markup(raw) if raw else ("", 0, False)
            if not plain:
                blank = True
                continue
            indent = len(piece) - len(piece.lstrip())
            lines.append(
                Line(
                    plain,
                    raw,
                    len(lines),
                    line_start + position + indent,
                    page,
                    indent,
                    blank,
                    level,
                    bold,
                    list_marker(plain),
                )
            )
            blank = False
    return lines


def _markup(raw: str) -> tuple[str, int, bool]:
    """(text without heading signs or emphasis, Markdown level, whole line bold)."""
    text = raw
    level = 0
    match = _MD_HEADING.match(text)
    if match:
        level = match.end()
        text = text[level:].strip()
    bold = len(text) > 4 and text.startswith("**") and text.endswith("**")
    text = text.replace("**", "").replace("__", "")
    text = _TRAIL_STAR.sub("", _LEAD_STAR.sub("", text))
    return " ".join(text.split()), level, bold


def ends_sentence(text: str, *, colon: bool = False) -> bool:
    """Whether `text` ends a sentence: ".", "!", "?" or ";" (and ":" with `colon`, for a
    lead-in), possibly followed by closing quotes, brackets or emphasis.

    A loop rather than a pattern like `[.!?]\\W*$`: searched for, that backtracks
    quadratically on long runs of punctuation (dot leaders, a paragraph of "....").
    """
    for char in reversed(text):
        if char.isalnum() or char == "_":
            return False
        if char in _SENTENCE_STOPS or (colon and char == ":"):
            return True
    return False


def awaits_continuation(text: str) -> bool:
    """Whether `text` ends mid-phrase, on a word such as "och", "för", "avseende" or on a
    comma or hyphen: the next line continues it."""
    return _CONTINUATION_END.search(text[-_CONTINUATION_WINDOW:]) is not None


def is_toc_line(text: str) -> bool:
    """Whether `text` is a table-of-contents entry: dot leaders (and a page number) at the end."""
    return _TOC_LINE.search(text[-_TOC_WINDOW:]) is not None


def opens_with_label(text: str) -> bool:
    """Whether `text` opens with a field label of up to three words: "Åtgärd: ...",
    "Ansvarig nämnd:"."""
    return _LABEL.match(text) is not None


def table_cells(text: str) -> list[str] | None:
    """The cells of a table row as loaders write it ("1 | Tydliggöra ..."), or None.

    Markdown rows ("| a | b |") count too; a Markdown rule ("|---|---|") has no cells.
    """
    if " | " not in text and not text.startswith("|"):
        return None
    cells = [cell.strip() for cell in text.strip().strip("|").split("|")]
    cells = [cell for cell in cells if cell]
    if len(cells) < 2 or all(set(cell) <= set("-: ") for cell in cells):
        return None
    return cells


def keeps_hyphen(head: str) -> bool:
    """Tell whether the word before a line-end hyphen is an abbreviation, number or letter."""
    start = len(head)
    while start > 0 and len(head) - start < 40 and head[start - 1].isalnum():
        start -= 1
    fragment = head[start:]
    return (
        len(fragment) == 1
        or any(char.isdigit() for char in fragment)
        or any(char.isupper() for char in fragment[1:])
    )


def hyphen_glue(line: str, following: str) -> str | None:
    """What replaces the final "-" of `line` when joined to the next line; None: keep apart.

    A lowercase continuation means a word was broken: "revis-" + "ionsrapport". A
    conjunction after the hyphen means a coordinated compound ("arbetsmarknads- och ..."),
    so the hyphen stays, followed by a space. Abbreviations, numbers and single letters
    keep their hyphen too ("IT-system", "2020-talet", "e-post").
    """
    if len(line) < 2 or not line.endswith("-") or not line[-2].isalnum():
        return None
    if not following:
        return None
    if following[0] == ",":
        return "-"
    if not following[0].islower():
        return None
    first_word = following.split(maxsplit=1)[0].rstrip(".,;:!?)").casefold()
    if first_word in HYPHEN_CONJUNCTIONS:
        return "- "
    return "-" if keeps_hyphen(line[:-1]) else ""


def join_lines(text: str, following: str) -> str:
    """Append a line to `text`, undoing end-of-line hyphenation ("uppfölj-" + "ningen")."""
    if not text:
        return following
    glue = hyphen_glue(text, following)
    if glue is None:
        return f"{text} {following}"
    return text[:-1] + glue + following
