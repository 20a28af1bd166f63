"""Asking in the "Fråga" tab without a browser: the states the page goes through."""

from __future__ import annotations

from itertools import pairwise

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from app.answering.answerer import Answerer
from app.web.admission import Admission, QueueFull
from app.web.chat.render import NO_SOURCES
from app.web.chat.session import (
    ALL,
    ChatSession,
    ChatUpdate,
    build_filters,
    filter_choices,
    queued_message,
)
from vectorstore.catalog import Filters
from vectorstore.store import Store, StoreStats

QUESTION = "Vem tar fram rutinen för kontroll av belastningsregister?"
LLM_ANSWER = "Upphandlingschefen tar fram rutinen [1]."


def _session(store: Store, model: GenericFakeChatModel | None = None, *, waiting: int = 4):
    return ChatSession(Answerer(store, model), Admission(1, waiting))


def test_an_empty_question_changes_nothing(store: Store) -> None:
    assert list(_session(store).ask("   ", [], [])) == [ChatUpdate()]


def test_an_extract_answer_shows_the_question_then_the_cited_answer(reply_store: Store) -> None:
    earlier = [
        {"role": "user", "content": "Hej"},
        {"role": "assistant", "content": [{"type": "text", "text": "Hej!"}]},
    ]
    states = list(_session(reply_store).ask(f"  {QUESTION} ", earlier, [("Hej", "Hej!")]))
    first, *answering, last = states
    assert first.question == "" and first.sources is None
    assert first.messages == [
        {"role": "user", "content": "Hej"},
        {"role": "assistant", "content": "Hej!"},
        {"role": "user", "content": QUESTION},
    ]
    assert answering, "no state shows the answer"
    shown = answering[-1]
    assert shown.messages is not None and shown.messages[:3] == first.messages
    reply = shown.messages[-1]
    assert reply["role"] == "assistant" and "[1]" in reply["content"]
    assert shown.sources is not None and "yttra-cited" in shown.sources
    assert last == ChatUpdate(history=[("Hej", "Hej!"), (QUESTION, last.history[-1][1])])
    assert "upphandlingschefen" in last.history[-1][1].lower()


def test_an_llm_answer_streams_and_the_sources_panel_changes_only_when_they_do(
    reply_store: Store,
) -> None:
    model = GenericFakeChatModel(messages=iter([AIMessage(content=LLM_ANSWER)]))
    states = list(_session(reply_store, model).ask(QUESTION, None, None))
    texts = [s.messages[-1]["content"] for s in states[1:-1] if s.messages]
    assert len(texts) > 2, "the answer did not stream"
    assert all(LLM_ANSWER.startswith(text) for text in texts[:-1])
    assert LLM_ANSWER in texts[-1]
    panels = [s.sources for s in states if s.sources is not None]
    assert panels and all(a != b for a, b in pairwise(panels))
    assert states[-1].history == [(QUESTION, LLM_ANSWER)]


def test_a_question_that_must_wait_says_its_place_then_is_answered(reply_store: Store) -> None:
    session = _session(reply_store)
    with session.admission.slot():  # someone else's question is being answered
        states = session.ask(QUESTION, [], [])
        next(states)
        queued = next(states)
        assert queued.messages is not None
        assert queued.messages[-1] == {"role": "assistant", "content": queued_message(0)}
        assert "nummer 1 i kön" in queued_message(0)
    rest = list(states)  # the slot was handed on when the other question finished
    assert rest[-1].history and rest[-1].history[0][0] == QUESTION


def test_a_full_line_is_said_in_the_chat_and_clears_the_sources(reply_store: Store) -> None:
    session = _session(reply_store, waiting=0)
    with session.admission.slot():
        *_, failed = session.ask(QUESTION, [], [])
    assert failed.messages is not None
    assert str(QueueFull(0)) in failed.messages[-1]["content"]
    assert failed.messages[-1]["content"].startswith("*Frågan kunde inte besvaras: ")
    assert failed.sources == NO_SOURCES and failed.history == []


def test_clear_empties_everything(store: Store) -> None:
    cleared = _session(store).clear()
    assert cleared == ChatUpdate("", [], [], NO_SOURCES)


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ((ALL, ALL, ALL), None),
        ((None, "", None), None),
        (("granskning", ALL, ALL), Filters(doc_type="granskning")),
        ((ALL, "Kommunstyrelsen", "2021"), Filters(organ="Kommunstyrelsen", year=2021)),
        ((ALL, ALL, "okänt"), None),
    ],
)
def test_filters_from_the_dropdowns(
    chosen: tuple[str | None, str | None, str | None], expected: Filters | None
) -> None:
    assert build_filters(*chosen) == expected


def test_filter_choices_count_documents_and_read_in_swedish() -> None:
    stats = StoreStats(
        documents=5, chunks=9, vectors=9, embedding_model="e5", location="/tmp",
        by_type={"tjansteskrivelse": 2, "granskning": 3, "": 1},
        by_organ={"Kommunstyrelsen": 4, "": 1},
        by_year={"2020": 1, "2022": 4, "": 1},
    )
    choices = filter_choices(stats)
    assert choices.types == [
        (ALL, ALL), ("tjänsteskrivelse (2)", "tjansteskrivelse"), ("granskning (3)", "granskning")
    ]
    assert choices.organs == [(ALL, ALL), ("Kommunstyrelsen (4)", "Kommunstyrelsen")]
    assert choices.years == [(ALL, ALL), ("2022 (4)", "2022"), ("2020 (1)", "2020")]
