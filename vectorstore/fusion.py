"""Reciprocal rank fusion: combine rankings without comparing their raw scores.

Dense cosine similarities and BM25 scores live on different scales; RRF uses only each
item's rank in each list, which makes it robust and parameter-light.
"""

from __future__ import annotations

from collections.abc import Sequence

RRF_K = 60
"""The rank offset in 1 / (k + rank): the value of the paper that introduced RRF (Cormack,
Clarke and Büttcher, 2009), used unchanged. It flattens the head of each list, so that
agreement between the lists outweighs one list's first place; it was not tuned here."""


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]],
    k: int = RRF_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[str, float]]:
    """Fuse ranked id lists; each id scores sum(weight / (k + rank)), best first.

    Ties keep the order in which ids were first seen, so results are deterministic.
    """
    if weights is not None and len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[str, float] = {}
    for index, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[index]
        for rank, item in enumerate(dict.fromkeys(ranking), start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])
