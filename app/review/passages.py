"""A reply read as blocks and passages, each with its lines, section, quotes and owners.

Where the reply quotes a recommendation (as a heading, a numbered "Rekommendation: …" or
a bullet), the quote itself is never taken as an answer: it makes the blocks that follow
it belong to the quoted recommendations (their owners) until the answer's section ends.
What a block says itself, without quotes, questions and reports of the audit, is its
answer; passages are single blocks and short windows of blocks within one answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.structure import Block, parse_blocks
from ingest.text.elements import STANCE, reports_audit
from ingest.text.sentences import split_sentences
from vectorstore.lexical import tokenize

# How a quote of a recommendation is told from an answer that uses its words. In the three
# gold sample replies (tests/fixtures/eval/coverage.jsonl), a block that quotes a
# recommendation holds all of its distinct stemmed words; every other block at most 75%.
QUOTE_COVERAGE = 0.8
"""A block quotes a recommendation when it contains this share of its distinct words."""
QUOTE_SENTENCE_SHARE = 0.7
"""A run of sentences is (part of) a quote when this share of its words come from it."""
MAX_QUOTE_SENTENCES = 6
"""A quote spans at most this many sentences; the 50 recommendations of the eval fixtures
have one or two."""
MIN_ANSWER_TOKENS = 3
"""Passages with fewer content words than this say nothing of their own."""
MAX_WINDOW = 3
"""Consecutive blocks taken together as one passage, at most."""


@dataclass(frozen=True)
class ReplyBlock:
    """A block of the reply with its lines, section and what it quotes."""

    block: Block
    start_line: int
    end_line: int
    section: str
    quoted: frozenset[int]
    """Indices of the recommendations this block quotes."""
    answer: str
    """The block's text without sentences that only repeat a quoted recommendation."""
    owners: frozenset[int]
    """Recommendations whose quote this block follows (empty when none)."""
    direct: bool
    """The first block that says something of its own after the quote of its owners."""


@dataclass(frozen=True)
class Passage:
    """One block, or a window of consecutive blocks within one answer."""

    first: int
    last: int
    """Block indices, inclusive."""
    text: str
    owners: frozenset[int]
    direct: bool
    part: int = -1
    """For one sentence of a block: its number in the block's answer; -1 for whole blocks."""

    @property
    def position(self) -> tuple[int, int]:
        """Where the passage starts, in reading order."""
        return (self.first, self.part)


def token_set(text: str) -> set[str]:
    """The distinct stemmed content words of `text`."""
    return set(tokenize(text))


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _locate(blocks: Sequence[Block], lines: Sequence[str]) -> list[tuple[int, int]]:
    """(first line, last line), from 1, of each block in the text it was parsed from.

    Blocks are found in order in the text reduced to letters and digits, which undoes
    the joins, bullet removal and emphasis stripping of `parse_blocks`.
    """
    chars: list[str] = []
    line_of: list[int] = []
    for number, line in enumerate(lines, start=1):
        if line.strip().startswith("<!--"):
            continue
        for ch in _alnum(line):
            chars.append(ch)
            line_of.append(number)
    stream = "".join(chars)
    cursor = 0
    spans: list[tuple[int, int]] = []
    fallback = 1
    for block in blocks:
        key = _alnum(block.text)
        if block.kind == "heading" and re.fullmatch(r"Rekommendation(?: \d+)?", block.text):
            key = "rekommendation"  # synthesised from "N. Rekommendation: …"
        found = stream.find(key, cursor) if key else -1
        if found < 0 and len(key) > 40:
            # A long block whose middle differs (a join): find its first and last 40.
            head = stream.find(key[:40], cursor)
            tail = stream.find(key[-40:], max(head, cursor)) if head >= 0 else -1
            if head >= 0 and tail >= 0:
                spans.append((line_of[head], line_of[tail + 39]))
                cursor = tail + 40
                fallback = line_of[tail + 39]
                continue
        if found < 0:
            spans.append((fallback, fallback))
            continue
        end = found + len(key) - 1
        spans.append((line_of[found], line_of[end]))
        cursor = end + 1
        fallback = line_of[end]
    return spans


def _quote_runs(
    sentences: Sequence[list[str]], quotes: Sequence[set[str]], keep: set[int]
) -> set[int]:
    """Indices of the sentences that make up the quotes, each quote taken once.

    Sentences in `keep` take a position on what they state ("Regeringen instämmer inte i
    rekommendationen att …"): they are answers, never quotes.

    A quote is the shortest run of sentences holding QUOTE_COVERAGE of the
    recommendation's words, when the run is mostly those words; a sentence that merely
    uses the recommendation ("Nämnden instämmer i att …") is no quote. Later sentences
    that say much the same (an answer in the recommendation's words) stay.
    """
    removed: set[int] = set()
    for quote in quotes:
        best: tuple[int, int] | None = None
        for first in range(len(sentences)):
            seen: set[str] = set()
            for last in range(first, min(first + MAX_QUOTE_SENTENCES, len(sentences))):
                if last in removed or last in keep:
                    break
                seen.update(sentences[last])
                if len(quote & seen) / len(quote) >= QUOTE_COVERAGE:
                    if best is None or last - first < best[1] - best[0]:
                        best = (first, last)
                    break
        if best is None:
            continue
        run = range(best[0], best[1] + 1)
        words = [t for i in run for t in sentences[i]]
        if words and sum(t in quote for t in words) / len(words) >= QUOTE_SENTENCE_SHARE:
            removed.update(run)
    return removed


def _sentence_tokens(sentences: Sequence[str]) -> list[list[str]]:
    return [[t for t in tokenize(s) if t != "rekommendation"] for s in sentences]


def _quoting(text: str, candidates: dict[int, set[str]]) -> frozenset[int]:
    """Which of the candidates (recommendations whose words the block holds) it states.

    A block states a recommendation when a run of its sentences is mostly that
    recommendation's words (a quote), or when one sentence that takes a position holds
    them ("Regeringen instämmer i rekommendationen att …"). A long paragraph that merely
    uses the same words across its sentences, answering in them, states none.
    """
    if not candidates:
        return frozenset()
    sentences = split_sentences(text)
    tokens = _sentence_tokens(sentences)
    positions = {i for i, sentence in enumerate(sentences) if STANCE.search(sentence)}
    stated: set[int] = set()
    for index, rec in candidates.items():
        if _quote_runs(tokens, [rec], positions) or any(
            len(rec & set(tokens[p])) >= QUOTE_COVERAGE * len(rec) for p in positions
        ):
            stated.add(index)
    return frozenset(stated)


def own_words(text: str, quotes: Sequence[set[str]]) -> str:
    """What the reply says itself: the text without quotes, questions and audit reports.

    Dropped are the quoted recommendations, questions (the auditors' questions are often
    repeated as lead-ins) and sentences that report what the audit found or asked,
    unless they also take a position on it.
    """
    sentences = split_sentences(text)
    tokens = _sentence_tokens(sentences)
    positions = {i for i, sentence in enumerate(sentences) if STANCE.search(sentence)}
    quoted = _quote_runs(tokens, quotes, positions) if quotes else set()
    kept: list[str] = []
    reporting = False
    for index, sentence in enumerate(sentences):
        if index in quoted or not tokens[index] or sentence.endswith("?"):
            continue
        if reports_audit(sentence, reporting):
            reporting = True
            continue
        reporting = False
        kept.append(sentence)
    return " ".join(kept)


def says_something(text: str) -> bool:
    """Whether `text` has MIN_ANSWER_TOKENS content words or more."""
    return len(tokenize(text)) >= MIN_ANSWER_TOKENS


_AUDIT_LEAD_IN = re.compile(
    r"\b(?:rekommendera[rs]|rekommenderat|visar|konstaterar|bedömer|framhåller)\b", re.IGNORECASE
)


def _states_audit(text: str) -> bool:
    """Whether a block ends by leading in to what the audit recommends or found.

    "Riksrevisionen rekommenderar regeringen att:", "Granskningen visar att": the list
    that follows is the audit's, stated. ("… och lämnar följande svar:" is the reply's.)
    """
    sentences = split_sentences(text)
    if not sentences:
        return False
    last = sentences[-1].rstrip(": ")
    return bool(_AUDIT_LEAD_IN.search(last)) and reports_audit(last)


def read_reply(reply_text: str, recommendation_tokens: Sequence[set[str]]) -> list[ReplyBlock]:
    """The reply's non-empty blocks with lines, sections, quotes and owners."""
    raw_blocks = parse_blocks(reply_text)
    spans = _locate(raw_blocks, reply_text.splitlines())
    result: list[ReplyBlock] = []
    headings: list[tuple[int, str]] = []
    owners: frozenset[int] = frozenset()
    # Owners last until the next quote, or until a heading at this level or above: the
    # end of the section the quote opened (a quoting heading) or stood in.
    owners_until = 0
    previous_quoted = False
    answered = True  # whether the current owners' answer has started
    stating = False  # whether list items here are led in by the audit's words
    for block, (start, end) in zip(raw_blocks, spans, strict=True):
        tokens = token_set(block.text)
        quoted = _quoting(
            block.text,
            {
                index: rec
                for index, rec in enumerate(recommendation_tokens)
                if len(rec) >= 2 and len(rec & tokens) / len(rec) >= QUOTE_COVERAGE
            },
        )
        quotes = [recommendation_tokens[i] for i in sorted(quoted)]
        answer = own_words(block.text, quotes) if block.kind != "heading" else ""
        if block.kind == "item" and stating:
            answer = ""  # a list the audit's words lead in: what it recommends, stated
        elif block.kind != "item":
            stating = _states_audit(block.text)
        if block.kind == "heading":
            while headings and headings[-1][0] >= block.level:
                headings.pop()
            headings.append((block.level, block.text))
            if quoted:
                owners, owners_until, answered = quoted, block.level, False
            elif block.level <= owners_until:
                owners, owners_until, answered = frozenset(), 0, True
            # Sub-headings under a quote (its answer's own headings) keep its owners.
            previous_quoted = bool(quoted)
        elif quoted and block.kind == "item" and stating:
            # A list the audit's words lead in states what it recommends: no answer
            # follows each item, so it opens no answer of its own.
            previous_quoted = False
        elif quoted:
            # Consecutive bare quotes (a list of recommendations) share what follows them;
            # a quote with its own answer (a table row) opens an answer of its own.
            owners = (owners | quoted) if previous_quoted else quoted
            owners_until = headings[-1][0] - 1 if headings else 0
            previous_quoted = not says_something(answer)
            answered = False
        else:
            previous_quoted = False
        speaks = says_something(answer)
        direct = bool(owners) and not answered and speaks
        answered = answered or speaks
        section = " > ".join(text for _, text in headings)
        result.append(ReplyBlock(block, start, end, section, quoted, answer, owners, direct))
    return result


def passages(blocks: Sequence[ReplyBlock]) -> list[Passage]:
    """Single blocks and windows of up to MAX_WINDOW consecutive blocks that say something.

    A window never crosses a heading, a quote-only block or a change of owners: it stays
    within one answer.
    """
    result: list[Passage] = []
    for first, block in enumerate(blocks):
        texts: list[str] = []
        for last in range(first, min(first + MAX_WINDOW, len(blocks))):
            current = blocks[last]
            if current.block.kind == "heading" or current.owners != block.owners:
                break
            if not says_something(current.answer):
                break
            texts.append(current.answer)
            result.append(Passage(first, last, " ".join(texts), block.owners, block.direct))
        if block.block.kind == "heading" or not says_something(block.answer):
            continue
        # Each sentence of a longer block alone: one paragraph often answers several
        # recommendations, one sentence each.
        sentences = split_sentences(block.answer)
        if len(sentences) > 1:
            for part, sentence in enumerate(sentences):
                if says_something(sentence):
                    result.append(Passage(first, first, sentence, block.owners, block.direct, part))
    return result
