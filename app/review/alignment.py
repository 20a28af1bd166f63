"""Recommendations aligned to a reply in order: who answers what, as the reply is built.

Replies answer in the order of the recommendations: under their own headings or numbered
points, one paragraph after another, or one sentence after another in a government
skrivelse. The alignment is a monotone assignment of recommendations to passages (a
dynamic programme over the reply's positions): recommendation i+1 is never answered
before recommendation i, several may share one passage, and any may be left without one
(a gap). It maximises the summed margin of the chosen matches over a floor, so one strong
match keeps its neighbours from jumping past it, and a recommendation whose answer was
deleted finds its neighbours' passages taken in order rather than borrowing one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scoring uses `slots`; the alignment only names its matches
    from app.review.scoring import Match


@dataclass(frozen=True)
class Alignment:
    """The passage each recommendation is aligned to (None: a gap)."""

    chosen: list[Match | None]


def align(matches: Sequence[Sequence[Match]], floor: float) -> Alignment:
    """The order-preserving assignment with the greatest total margin over `floor`.

    `matches[i]` are recommendation i's matches; only those scoring above `floor` can be
    chosen. Position is where a passage starts (`Passage.position`); equal positions may be shared.
    """
    count = len(matches)
    positions = sorted({m.passage.position for row in matches for m in row})
    if not count or not positions:
        return Alignment([None] * count)
    rank = {position: n for n, position in enumerate(positions)}
    width = len(positions)
    # best[b]: greatest total so far with the last chosen position at rank <= b.
    best = [0.0] * width
    # back[i][b]: the match recommendation i took on the best path ending at <= b.
    back: list[list[Match | None]] = []
    last_rank: list[list[int]] = []
    for row in matches:
        ending = [float("-inf")] * width
        taken: list[Match | None] = [None] * width
        for match in row:
            gain = match.score - floor
            if gain <= 0:
                continue
            r = rank[match.passage.position]
            if best[r] + gain > ending[r]:
                ending[r] = best[r] + gain
                taken[r] = match
        following = [0.0] * width
        choice: list[Match | None] = [None] * width
        where = [0] * width
        running, running_match, running_rank = float("-inf"), None, 0
        for b in range(width):
            if ending[b] > running:
                running, running_match, running_rank = ending[b], taken[b], b
            if running > best[b]:
                following[b], choice[b], where[b] = running, running_match, running_rank
            else:
                following[b], choice[b], where[b] = best[b], None, b
        back.append(choice)
        last_rank.append(where)
        best = following
    chosen: list[Match | None] = [None] * count
    b = width - 1
    for i in range(count - 1, -1, -1):
        chosen[i] = back[i][b]
        b = last_rank[i][b]
    return Alignment(chosen)


SLOT_MARGIN = 0.01
"""A recommendation and a unit pair up when their centred cosine is at least this. On e5
cosines (all 0.80-0.90) an answer stands out from the others by 0.02-0.03; a unit that
answers nothing in particular by less than 0.01."""


def slots(cosines: np.ndarray, margin: float = SLOT_MARGIN) -> list[tuple[int, int]]:
    """(recommendation, unit) pairs the reply's structure and meaning agree on.

    `cosines[r, u]` is the e5 cosine of recommendation r and answer unit u (a list item or
    a section's first paragraph, in reply order). Centred on both axes, it says how much
    more this unit is about this recommendation than the reply's units are about it in
    general, and than this unit is about the other recommendations: a reply written in
    the recommendations' order pairs each with its own unit though they share few words.
    A pair counts when each is the other's best and the pairs keep the reply's order; a
    recommendation whose unit was deleted finds none of the others its own. Unless the
    pairs cover at least half the recommendations, the reply is not built that way and
    none count.
    """
    count, units = cosines.shape
    if count < 2 or units < 2:
        return []
    centred = (
        cosines
        - cosines.mean(axis=0, keepdims=True)
        - cosines.mean(axis=1, keepdims=True)
        + cosines.mean()
    )
    mutual = [
        (r, u)
        for r in range(count)
        for u in [int(np.argmax(centred[r]))]
        if int(np.argmax(centred[:, u])) == r and centred[r, u] >= margin
    ]
    # Keep the largest set in order (recommendations and units both increasing).
    best: list[list[tuple[int, int]]] = []
    for pair in mutual:
        longest = max((chain for chain in best if chain[-1][1] < pair[1]), key=len, default=[])
        best.append([*longest, pair])
    chain = max(best, key=len, default=[])
    # A reply written in the recommendations' order pairs most of them; a few relative
    # best pairs are what any reply gives, a reply to another audit included.
    return chain if 2 * len(chain) >= count else []
