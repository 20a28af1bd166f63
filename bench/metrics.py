"""Pure retrieval metrics for the gold labels in tests/fixtures/eval/retrieval.jsonl.

A hit is relevant to a gold pair (file, contains) when it comes from `file` and its text
contains `contains`. Both texts are whitespace-normalised first (every run of whitespace
becomes one space, ends stripped) so that line wrapping in a chunk does not matter;
nothing else is normalised: case, hyphenation and punctuation must match as written.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple


class Relevant(NamedTuple):
    """One gold pair: a passage from `file` whose text contains `contains`."""

    file: str
    contains: str


Ranked = Sequence[tuple[str, str]]
"""A ranked result list as (file, text) pairs, best first."""


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return " ".join(text.split())


def distinct(relevant: Iterable[tuple[str, str]]) -> list[Relevant]:
    """The gold pairs without exact duplicates, in their original order."""
    seen: dict[Relevant, None] = {}
    for file, contains in relevant:
        seen.setdefault(Relevant(file, normalise_space(contains)), None)
    return list(seen)


def matched_pairs(
    hit_file: str, hit_text: str, relevant: Iterable[tuple[str, str]]
) -> set[Relevant]:
    """The gold pairs that one hit satisfies."""
    text = normalise_space(hit_text)
    return {pair for pair in distinct(relevant) if pair.file == hit_file and pair.contains in text}


def is_relevant(hit_file: str, hit_text: str, relevant: Iterable[tuple[str, str]]) -> bool:
    """Whether a hit satisfies at least one gold pair."""
    return bool(matched_pairs(hit_file, hit_text, relevant))


def recall_at(k: int, ranked: Ranked, relevant: Iterable[tuple[str, str]]) -> float:
    """Share of the distinct gold pairs found in the top `k` hits (0.0 when none are gold)."""
    gold = distinct(relevant)
    if not gold:
        return 0.0
    found: set[Relevant] = set()
    for hit_file, hit_text in ranked[:k]:
        found |= matched_pairs(hit_file, hit_text, gold)
    return len(found) / len(gold)


def mrr_at(k: int, ranked: Ranked, relevant: Iterable[tuple[str, str]]) -> float:
    """Reciprocal rank of the first relevant hit in the top `k`, or 0.0 if there is none."""
    gold = distinct(relevant)
    for rank, (hit_file, hit_text) in enumerate(ranked[:k], 1):
        if is_relevant(hit_file, hit_text, gold):
            return 1.0 / rank
    return 0.0


def percentile(values: Sequence[float], p: float) -> float:
    """The `p`-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0..100, got {p}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean; 0.0 for an empty sequence."""
    return sum(values) / len(values) if values else 0.0
