"""Recommendation extraction benchmark against tests/fixtures/eval/recommendations.jsonl.

Each gold document is loaded as ingestion loads it and run through
`extract_recommendations`. A prediction matches a gold recommendation when their normalised
token sets have a Jaccard overlap of at least 0.6 and their addressees agree (case, "&" for
"och" and containment forgiven); matching is greedy and one-to-one. Per-document and micro
precision, recall and F1 are printed, then what the extractor found in the sample documents
that have no gold entry, for a human to judge.

Figures are also given per source family (kungsbacka, malmo, other, riksrevisionen): the
rules were written with one family set aside (`--held-out`, marked in the output), whose
figure is the honest estimate for documents never seen.

    .venv/bin/python bench/recommendations.py [--corpus DIR] [--gold FILE] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the project packages importable
    sys.path.insert(0, str(REPO))

from ingest.errors import IngestError  # noqa: E402
from ingest.loaders import iter_files, load_file  # noqa: E402
from ingest.models import Recommendation  # noqa: E402
from ingest.recommendations import extract_recommendations  # noqa: E402

THRESHOLD = 0.6


@dataclass(frozen=True)
class Gold:
    addressee: str
    text: str


@dataclass
class DocScore:
    """Counts for one gold document, with the unmatched items for inspection."""

    file: str
    gold: int
    predicted: int
    matched: int
    seconds: float
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0 if not self.gold else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0


def normalise_text(text: str) -> str:
    """Lower case, punctuation removed, whitespace collapsed."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def normalise_addressee(name: str) -> str:
    """Lower case, "&" read as "och", whitespace collapsed."""
    return " ".join(name.casefold().replace("&", " och ").split())


def jaccard(left: str, right: str) -> float:
    a, b = set(normalise_text(left).split()), set(normalise_text(right).split())
    return len(a & b) / len(a | b) if a | b else 0.0


def same_addressee(left: str, right: str) -> bool:
    a, b = normalise_addressee(left), normalise_addressee(right)
    return bool(a and b) and (a == b or a in b or b in a)


def match(
    predicted: Sequence[Recommendation], gold: Sequence[Gold]
) -> list[tuple[int, int, float]]:
    """Greedy one-to-one pairs (predicted index, gold index, score), best score first."""
    scored = sorted(
        (
            (jaccard(p.text, g.text), pi, gi)
            for pi, p in enumerate(predicted)
            for gi, g in enumerate(gold)
            if same_addressee(p.addressee, g.addressee)
        ),
        reverse=True,
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    for score, pi, gi in scored:
        if score < THRESHOLD:
            break
        if pi in used_p or gi in used_g:
            continue
        used_p.add(pi)
        used_g.add(gi)
        pairs.append((pi, gi, score))
    return pairs


def score_document(corpus: Path, file: str, gold: Sequence[Gold]) -> DocScore:
    document = load_file(corpus / file, file)
    started = time.perf_counter()
    predicted = extract_recommendations(document.text)
    seconds = time.perf_counter() - started
    pairs = match(predicted, gold)
    matched_p = {pi for pi, _, _ in pairs}
    matched_g = {gi for _, gi, _ in pairs}
    return DocScore(
        file=file,
        gold=len(gold),
        predicted=len(predicted),
        matched=len(pairs),
        seconds=seconds,
        missed=[f"[{g.addressee}] {g.text}" for i, g in enumerate(gold) if i not in matched_g],
        spurious=[
            f"[{p.addressee}] {p.text}" for i, p in enumerate(predicted) if i not in matched_p
        ],
    )


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def family_figures(scores: Sequence[DocScore]) -> dict[str, tuple[int, int, int]]:
    """(gold, predicted, matched) per source family: the first folder of the file's path."""
    totals: dict[str, tuple[int, int, int]] = {}
    for s in scores:
        family = s.file.split("/", 1)[0] if "/" in s.file else "(root)"
        gold, predicted, matched = totals.get(family, (0, 0, 0))
        totals[family] = (gold + s.gold, predicted + s.predicted, matched + s.matched)
    return dict(sorted(totals.items()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "data" / "sample-corpus")
    parser.add_argument(
        "--gold", type=Path, default=REPO / "tests" / "fixtures" / "eval" / "recommendations.jsonl"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--held-out", default="kungsbacka", help="the family set aside while tuning (marked)"
    )
    args = parser.parse_args(argv)

    entries = [
        json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line
    ]
    scores = [
        score_document(
            args.corpus,
            entry["file"],
            [Gold(r["addressee"], r["text"]) for r in entry["recommendations"]],
        )
        for entry in entries
    ]

    print(f"{'document':<78} {'gold':>4} {'pred':>4} {'hit':>4} {'P':>6} {'R':>6}")
    for s in scores:
        print(
            f"{s.file[:78]:<78} {s.gold:>4} {s.predicted:>4} {s.matched:>4} "
            f"{s.precision:>6.3f} {s.recall:>6.3f}"
        )
        for text in s.missed:
            print(f"    missed:   {text}")
        for text in s.spurious:
            print(f"    spurious: {text}")
    gold_total = sum(s.gold for s in scores)
    predicted_total = sum(s.predicted for s in scores)
    matched_total = sum(s.matched for s in scores)
    precision = matched_total / predicted_total if predicted_total else 0.0
    recall = matched_total / gold_total if gold_total else 0.0
    print(
        f"\nOverall (micro, {len(scores)} documents): precision {precision:.3f}  "
        f"recall {recall:.3f}  F1 {f1(precision, recall):.3f}  "
        f"({matched_total} of {gold_total} gold, {predicted_total} predicted; "
        f"{sum(s.seconds for s in scores) * 1000:.0f} ms extracting)"
    )

    families = family_figures(scores)
    print("\nBy source family (the rules have no fitted parameters: each family's figure is")
    print("its leave-one-source-out figure when it was held out while the rules were written):")
    for family, (gold_n, predicted_n, matched_n) in families.items():
        p = matched_n / predicted_n if predicted_n else 0.0
        r = matched_n / gold_n if gold_n else 0.0
        marker = "  <- held out" if family == args.held_out else ""
        print(
            f"  {family:<16} P {p:.3f}  R {r:.3f}  F1 {f1(p, r):.3f}  "
            f"({matched_n}/{gold_n} gold, {predicted_n} predicted){marker}"
        )

    gold_files = {entry["file"] for entry in entries}
    others: dict[str, list[dict[str, object]]] = {}
    print("\nDocuments without gold (judge by hand; an excerpt or no recommendations):")
    for path, label in iter_files([args.corpus]):
        if label in gold_files:
            continue
        try:
            document = load_file(path, label)
        except IngestError as exc:
            print(f"  {label}: not loaded ({exc.reason})")
            continue
        found = extract_recommendations(document.text)
        others[label] = [asdict(r) for r in found]
        print(f"  {label}: {len(found)} found")
        for r in found:
            print(f"    [{r.addressee}] p.{r.page} {r.text}")

    if args.json:
        figures = {
            "precision": precision,
            "recall": recall,
            "f1": f1(precision, recall),
            "families": {
                family: {"gold": g, "predicted": p, "matched": m}
                for family, (g, p, m) in families.items()
            },
            "held_out": args.held_out,
            "documents": [
                {**asdict(s), "precision": s.precision, "recall": s.recall} for s in scores
            ],
            "without_gold": others,
        }
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
