"""Structure-aware chunking: sections follow headings, lists stay with their lead-in.

Sizes are counted in tiktoken tokens. A chunk never mixes two sections unless the first
is too small to stand alone; then the next heading is kept inside the chunk text so the
reader still sees where the passage turns.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from ingest.models import Chunk
from ingest.structure import Block, parse_blocks
from ingest.text.bullets import BULLET, list_marker
from ingest.text.sentences import split_sentences
from ingest.tokens import count_tokens


@dataclass(frozen=True)
class ChunkingConfig:
    """Token bounds for chunks."""

    max_tokens: int = 320
    min_tokens: int = 60

    def signature(self) -> str:
        """Changes whenever chunk boundaries may change, so stored chunks get rebuilt."""
        return f"chunk-v3:{self.max_tokens}:{self.min_tokens}"


@dataclass
class _Unit:
    """Text that should stay together: a paragraph, a table, or a lead-in with its list."""

    lines: list[str]
    page: int | None
    headings: tuple[str, ...]
    tokens: int


def _bullet(text: str) -> str:
    """A list item as a line: numbered items keep their number, others get a bullet."""
    marker = list_marker(text)
    return text if marker is not None and marker.numbered else f"{BULLET} {text}"


def _units(blocks: list[Block]) -> list[_Unit | str]:
    """Group blocks into units; headings are passed through as plain strings."""
    units: list[_Unit | str] = []
    stack: list[tuple[int, str]] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if block.kind == "heading":
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, block.text))
            units.append(block.text)
            index += 1
            if not block.lead_in:
                continue
            lines: list[str] = []
        else:
            lines = [_bullet(block.text) if block.kind == "item" else block.text]
            index += 1
        headings = tuple(text for _, text in stack)
        if block.lead_in or block.kind in ("item", "table"):
            follower = "table" if block.kind == "table" else "item"
            while index < len(blocks) and blocks[index].kind == follower:
                text = blocks[index].text
                lines.append(_bullet(text) if follower == "item" else text)
                index += 1
        if lines:
            units.append(_Unit(lines, block.page, headings, count_tokens("\n".join(lines))))
    return units


def _split_long(unit: _Unit, max_tokens: int) -> list[_Unit]:
    """Split a unit over the limit: lists by items, text by sentences.

    A list's lead-in sentence is repeated at the top of every piece so that each piece
    still says what the items are ("Nämnden rekommenderas att:").
    """
    if unit.tokens <= max_tokens:
        return [unit]
    groups: list[list[str]]
    if len(unit.lines) > 1 and unit.lines[0].endswith(":"):
        *before, lead = split_sentences(unit.lines[0], verbatim=True)
        groups = _pack(before, max_tokens, None) + _pack(unit.lines[1:], max_tokens, lead)
    else:
        pieces = [s for line in unit.lines for s in split_sentences(line, verbatim=True)]
        groups = _pack(pieces, max_tokens, None)
    return [
        _Unit(lines, unit.page, unit.headings, count_tokens("\n".join(lines)))
        for lines in groups
    ]


def _pack(pieces: list[str], max_tokens: int, lead: str | None) -> list[list[str]]:
    """Greedily pack pieces into groups under `max_tokens`, each opened by `lead`."""
    opening = [lead] if lead else []
    budget = max_tokens - (count_tokens(lead) + 1 if lead else 0)
    groups: list[list[str]] = []
    current = list(opening)
    for piece in pieces:
        for part in _hard_split(piece, max(budget, 16)):
            candidate = current + [part]
            if len(current) > len(opening) and count_tokens("\n".join(candidate)) > max_tokens:
                groups.append(current)
                current = opening + [part]
            else:
                current = candidate
    if len(current) > len(opening):
        groups.append(current)
    return groups


def _hard_split(text: str, max_tokens: int) -> list[str]:
    """Last resort for a single sentence over the limit: cut between words, else on tokens.

    Each piece holds at most `max_tokens` tokens of the original encoding. A piece ends at
    the last whitespace in the second half of its token window, so words stay whole; a
    "word" longer than half a window (a run of symbols, a URL) is cut on token boundaries.
    """
    from ingest.tokens import get_encoding

    encoding = get_encoding()
    tokens = encoding.encode(text, disallowed_special=())
    if len(tokens) <= max_tokens:
        return [text]
    decoded, offsets = encoding.decode_with_offsets(tokens)
    if decoded != text:  # text that does not round-trip (lone surrogates): tokens only
        return [
            encoding.decode(tokens[start : start + max_tokens]).strip()
            for start in range(0, len(tokens), max_tokens)
        ]
    pieces: list[str] = []
    first, position = 0, 0  # first token and first character of the next piece
    while first < len(tokens):
        last = min(first + max_tokens, len(tokens))
        end = offsets[last] if last < len(tokens) else len(text)
        if last < len(tokens):
            half = max(offsets[first + max_tokens // 2], position + 1)
            space = max(text.rfind(" ", half, end), text.rfind("\n", half, end))
            if space > 0:
                end = space
                last = bisect.bisect_left(offsets, space, first + 1, last)
        piece = text[position:end].strip()
        if piece:
            pieces.append(piece)
        first, position = last, end
    return pieces


def chunk_text(text: str, config: ChunkingConfig | None = None) -> list[Chunk]:
    """Cut normalised document text into chunks with heading path and page."""
    config = config or ChunkingConfig()
    chunks: list[Chunk] = []
    current: list[str] = []
    current_tokens = 0
    first: _Unit | None = None
    pending_headings: list[str] = []

    def flush() -> None:
        nonlocal current, current_tokens, first
        if first is not None and current:
            body = "\n".join(current).strip()
            chunks.append(
                Chunk(
                    text=body,
                    section=" > ".join(first.headings),
                    page=first.page,
                    ordinal=len(chunks),
                    token_count=count_tokens(body),
                    headings=first.headings,
                )
            )
        current, current_tokens, first = [], 0, None

    for item in _units(parse_blocks(text)):
        if isinstance(item, str):
            if current_tokens >= config.min_tokens:
                flush()
            pending_headings.append(item)
            continue
        for unit in _split_long(item, config.max_tokens):
            # Headings since the last text: inside a running chunk they are kept as lines;
            # a new chunk shows them in its section path, and keeps as lines only those
            # the path lost (a heading whose section was empty).
            heads = pending_headings if first is not None else [
                h for h in pending_headings if h not in unit.headings
            ]
            extra = heads + unit.lines
            joined_tokens = count_tokens("\n".join(current + extra))
            if current and joined_tokens > config.max_tokens:
                flush()
                extra = [h for h in pending_headings if h not in unit.headings] + unit.lines
                joined_tokens = count_tokens("\n".join(extra))
            pending_headings = []
            if first is None:
                first = unit
            current.extend(extra)
            current_tokens = joined_tokens
    if pending_headings and current:
        current.extend(pending_headings)
    elif pending_headings:
        # Headings that head nothing (a document ending in a heading) are still text.
        first = _Unit(pending_headings, None, (), 0)
        current = list(pending_headings)
    flush()
    return _merge_small_tail(chunks, config)


def _merge_small_tail(chunks: list[Chunk], config: ChunkingConfig) -> list[Chunk]:
    """Fold a too-small last chunk (typically signatures) into the one before it."""
    if len(chunks) < 2 or chunks[-1].token_count >= config.min_tokens:
        return chunks
    previous, last = chunks[-2], chunks[-1]
    # Keep, as lines, the headings the tail entered beyond the path the two share.
    shared = 0
    for mine, theirs in zip(previous.headings, last.headings, strict=False):
        if mine != theirs:
            break
        shared += 1
    text = "\n".join([previous.text, *last.headings[shared:], last.text])
    tokens = count_tokens(text)
    if tokens > config.max_tokens:
        return chunks
    merged = Chunk(text, previous.section, previous.page, previous.ordinal, tokens,
                   previous.headings)
    return [*chunks[:-2], merged]
