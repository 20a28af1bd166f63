"""Is a text the model quotes really in the document? Finding it, verbatim or nearly.

A model asked to quote may change the case, the line breaks, a hyphenation or the
punctuation, or drop a bullet; it may also invent. A quote is found when its letters and
digits, case folded, occur in that order in the document (page markers, spaces,
punctuation and hyphens ignored); a quote of some length is also found where a span of the
document is a very close match (`Tolerance.fuzzy_ratio`), so one changed ending does not
lose it. Callers keep the document's own span, never the model's wording: whatever is
shown as a quote stands in the document.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property

from ingest.text.bullets import strip_bullet
from ingest.text.headings import heading_at
from ingest.text.lines import is_toc_line, join_lines, read_lines
from ingest.text.pages import PAGE_MARKER

__all__ = ["TOLERANCE", "Grounding", "Span", "Tolerance", "clean_span", "fold", "folded_words"]


@dataclass(frozen=True)
class Tolerance:
    """How closely a quote must match the document, and how hard it is looked for."""

    fuzzy_ratio: float = 0.9
    """Similarity (difflib ratio over the folded letters) a span needs to count as the
    quote: about one changed character in ten, enough for an inflection or a typo, not for
    a paraphrase."""
    fuzzy_min_words: int = 6
    """Shorter quotes must occur exactly: a near match of a few words means little."""
    min_words: int = 2
    """A quote of fewer words is not looked for at all."""
    min_chars: int = 8
    """Nor is one of fewer folded letters."""
    candidate_share: float = 0.6
    """Share of the quote's words a window of the document must hold to be compared
    closely."""
    candidates: int = 5
    """Windows compared closely per quote, at most (the ones sharing most words)."""
    max_occurrences: int = 50
    """Exact occurrences of one quote looked at, at most, to find one outside a contents
    list."""
    min_block: int = 3
    """Matching runs shorter than this do not stretch a fuzzy span (stray letters)."""


TOLERANCE = Tolerance()
"""The tolerance quotes are found with."""

_WORD = re.compile(r"[^\W_]+")
_EMPHASIS = re.compile(r"(?<![^\W_])[*_]+|[*_]+(?![^\W_])")
_HEADING_SIGNS = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_CLOSING = ".!?)»”\"'"
"""Punctuation right after a span that belongs to it."""
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def folded_words(text: str) -> list[str]:
    """The words (letters and digits) of `text`, case folded, without page markers."""
    return [word.casefold() for word in _WORD.findall(PAGE_MARKER.sub(" ", text))]


def fold(text: str) -> str:
    """`text` reduced to its letters and digits, case folded: what quotes are compared by."""
    return "".join(folded_words(text))


def clean_span(text: str) -> str:
    """A span of the document as one line: no page markers, emphasis, heading signs or
    bullets, a word hyphenated at a line end joined again ("upp-" + "följning")."""
    text = _EMPHASIS.sub("", _HEADING_SIGNS.sub("", PAGE_MARKER.sub("\n", text)))
    joined = ""
    for line in text.splitlines():
        if line.strip():
            joined = join_lines(joined, strip_bullet(" ".join(line.split())))
    return joined


@dataclass(frozen=True)
class Span:
    """Where a quote stands in the document, and the document's own words there."""

    start: int
    end: int
    """Offsets in the document's text, end exclusive."""
    text: str
    """The document's words of the span, on one line (`clean_span`)."""
    exact: bool
    """True when the folded quote occurs as it is; False for a close match."""
    ratio: float
    """1.0 for an exact match, else the similarity of the close match."""


class Grounding:
    """A document prepared for finding quotes in it: build once, look up many quotes."""

    def __init__(self, text: str) -> None:
        self.text = text
        chars: list[str] = []
        origin: list[int] = []
        self._words: list[str] = []
        self._word_starts: list[int] = []
        """Index in the folded stream where each word starts."""
        self._word_origins: list[tuple[int, int]] = []
        """Offsets in `text` of each word."""
        for match in _WORD.finditer(PAGE_MARKER.sub(lambda m: " " * len(m[0]), text)):
            word = match[0].casefold()
            self._words.append(word)
            self._word_starts.append(len(chars))
            self._word_origins.append((match.start(), match.end()))
            for position, char in enumerate(match[0]):
                for folded in char.casefold():
                    chars.append(folded)
                    origin.append(match.start() + position)
        self._folded = "".join(chars)
        self._origin = origin

    # -- finding ----------------------------------------------------------------------

    def find(self, quote: str) -> Span | None:
        """Where `quote` stands in the document, or None when it does not (closely enough)."""
        words = folded_words(quote)
        wanted = "".join(words)
        if len(words) < TOLERANCE.min_words or len(wanted) < TOLERANCE.min_chars:
            return None
        exact = self._exact(wanted)
        if exact is not None:
            return exact
        if len(words) < TOLERANCE.fuzzy_min_words:
            return None
        return self._closest(words, wanted)

    def _exact(self, wanted: str) -> Span | None:
        """The first occurrence of `wanted` outside a table of contents (which repeats
        headings, never states anything), or the first one when all are inside one."""
        first: Span | None = None
        at = self._folded.find(wanted)
        for _ in range(TOLERANCE.max_occurrences):
            if at < 0:
                break
            span = self._span(at, at + len(wanted), exact=True, ratio=1.0)
            if not self._in_toc(span):
                return span
            first = first or span
            at = self._folded.find(wanted, at + 1)
        return first

    def _in_toc(self, span: Span) -> bool:
        start = self.text.rfind("\n", 0, span.start) + 1
        end = self.text.find("\n", span.end)
        lines = self.text[start : end if end >= 0 else len(self.text)].splitlines()
        return any(is_toc_line(line.strip()) for line in lines)

    def contains(self, text: str) -> bool:
        """Whether `text`, folded, occurs in the document (a name, a short phrase)."""
        wanted = fold(text)
        return bool(wanted) and wanted in self._folded

    def _closest(self, words: list[str], wanted: str) -> Span | None:
        """The best close match of a quote, from the windows that share most of its words."""
        size = len(words)
        if size > len(self._words):
            size = len(self._words)
        need = Counter(words)
        have: Counter[str] = Counter()
        shared = 0
        scored: list[tuple[int, int]] = []
        for index, word in enumerate(self._words):
            if have[word] < need.get(word, 0):
                shared += 1
            have[word] += 1
            if index >= size:
                old = self._words[index - size]
                have[old] -= 1
                if have[old] < need.get(old, 0):
                    shared -= 1
            if index >= size - 1 and shared >= TOLERANCE.candidate_share * len(words):
                scored.append((shared, -(index - size + 1)))
        best: Span | None = None
        slack = max(2, len(words) // 8)
        for _, negative_start in heapq.nlargest(TOLERANCE.candidates, scored):
            first = max(0, -negative_start - slack)
            last = min(len(self._words) - 1, -negative_start + size - 1 + slack)
            span = self._align(wanted, first, last)
            if span is not None and (best is None or span.ratio > best.ratio):
                best = span
        return best

    def _align(self, wanted: str, first_word: int, last_word: int) -> Span | None:
        """The close match of `wanted` within words first..last, if close enough."""
        low = self._word_starts[first_word]
        high = self._word_starts[last_word] + len(self._words[last_word])
        window = self._folded[low:high]
        blocks = [
            b
            for b in SequenceMatcher(None, wanted, window, autojunk=False).get_matching_blocks()
            if b.size >= TOLERANCE.min_block
        ]
        if not blocks:
            return None
        start, end = low + blocks[0].b, low + blocks[-1].b + blocks[-1].size
        # Whole words only: a span never starts or ends inside a word.
        first = bisect.bisect_right(self._word_starts, start) - 1
        last = bisect.bisect_right(self._word_starts, end - 1) - 1
        start = self._word_starts[first]
        end = self._word_starts[last] + len(self._words[last])
        ratio = SequenceMatcher(None, wanted, self._folded[start:end], autojunk=False).ratio()
        if ratio < TOLERANCE.fuzzy_ratio:
            return None
        return self._span(start, end, exact=False, ratio=round(ratio, 3))

    def _span(self, start: int, end: int, *, exact: bool, ratio: float) -> Span:
        """The span of folded characters start..end, widened to whole words of the text."""
        first = bisect.bisect_right(self._word_starts, start) - 1
        last = bisect.bisect_right(self._word_starts, end - 1) - 1
        begin = self._word_origins[first][0]
        finish = self._word_origins[last][1]
        while finish < len(self.text) and self.text[finish] in _CLOSING:
            finish += 1
        return Span(begin, finish, clean_span(self.text[begin:finish]), exact, ratio)

    # -- where a span is --------------------------------------------------------------

    def page_at(self, offset: int) -> int | None:
        """The page in force at `offset`: the last page marker before it (None if none)."""
        starts, pages = self._page_index
        index = bisect.bisect_right(starts, offset) - 1
        return pages[index] if index >= 0 else None

    def section_at(self, offset: int) -> str:
        """The heading path in force at `offset`, outermost first, joined with " > "."""
        starts, paths = self._section_index
        index = bisect.bisect_right(starts, offset) - 1
        return paths[index] if index >= 0 else ""

    def line_at(self, offset: int) -> int:
        """The line of the text `offset` is on, from 1."""
        return self.text.count("\n", 0, offset) + 1

    def paragraph_around(self, span: Span, limit: int) -> tuple[int, int]:
        """Offsets of the paragraph(s) holding `span`, or the span itself when longer than
        `limit` characters."""
        before = [m.end() for m in _PARAGRAPH_BREAK.finditer(self.text, 0, span.start)]
        start = before[-1] if before else 0
        following = _PARAGRAPH_BREAK.search(self.text, span.end)
        end = following.start() if following else len(self.text)
        if end - start > limit:
            return span.start, span.end
        return start, end

    @cached_property
    def _page_index(self) -> tuple[list[int], list[int]]:
        """Offsets of the page markers, and the page each starts."""
        marks = [(m.start(), int(m[1])) for m in PAGE_MARKER.finditer(self.text)]
        return [start for start, _ in marks], [page for _, page in marks]

    @cached_property
    def _section_index(self) -> tuple[list[int], list[str]]:
        """Offsets of the heading lines, and the heading path each opens."""
        lines = read_lines(self.text)
        stack: list[tuple[int, str]] = []
        starts: list[int] = []
        paths: list[str] = []
        for index, line in enumerate(lines):
            heading = heading_at(lines, index)
            if heading is None:
                continue
            while stack and stack[-1][0] >= heading.level:
                stack.pop()
            stack.append((heading.level, heading.text))
            starts.append(line.start)
            paths.append(" > ".join(title for _, title in stack))
        return starts, paths
