"""Asking in the "Fråga" tab, without Gradio: a question becomes a stream of page states."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from app.answering.answerer import Answer, Answerer, Turn
from app.llm.calls import message_text
from app.web.admission import Admission
from app.web.chat.render import NO_SOURCES, sources_html
from app.web.common import doc_type_label
from ingest.errors import YttraError
from vectorstore.catalog import Filters
from vectorstore.store import StoreStats

log = logging.getLogger(__name__)

ALL = "Alla"
"""The filter choice that does not filter."""

Message = dict[str, str]
"""A chat message as the page shows it: {"role": "user" | "assistant", "content": text}."""

Choices = list[tuple[str, str]]


@dataclass(frozen=True)
class FilterChoices:
    """What the filter dropdowns offer, each with its document count; "Alla" first."""

    types: Choices
    organs: Choices
    years: Choices


def filter_choices(stats: StoreStats) -> FilterChoices:
    """The filter choices for what the store holds."""
    years = sorted((y for y in stats.by_year if y), reverse=True)
    return FilterChoices(
        types=[(ALL, ALL)]
        + [(f"{doc_type_label(t)} ({n})", t) for t, n in stats.by_type.items() if t],
        organs=[(ALL, ALL)] + [(f"{o} ({n})", o) for o, n in stats.by_organ.items() if o],
        years=[(ALL, ALL)] + [(f"{y} ({stats.by_year[y]})", y) for y in years],
    )


def build_filters(doc_type: str | None, organ: str | None, year: str | None) -> Filters | None:
    """The dropdowns' choices as filters; "Alla" (or nothing) does not filter."""

    def chosen(value: str | None) -> str:
        return "" if not value or value == ALL else value

    year_value = chosen(year)
    filters = Filters(
        doc_type=chosen(doc_type),
        organ=chosen(organ),
        year=int(year_value) if year_value.isdigit() else None,
    )
    return None if filters.is_empty() else filters


@dataclass(frozen=True)
class ChatUpdate:
    """One change to the tab while a question is answered; None leaves that part as it is."""

    question: str | None = None
    """The question box."""
    messages: list[Message] | None = None
    """The conversation as shown."""
    history: list[Turn] | None = None
    """The exchanges so far, which follow-up questions lean on."""
    sources: str | None = None
    """The sources panel (HTML)."""


def _assistant(content: str) -> Message:
    return {"role": "assistant", "content": content}


def queued_message(ahead: int) -> str:
    """What a question waiting in line shows instead of an answer."""
    return f"*Många frågar just nu: din fråga är nummer {ahead + 1} i kön.*"


class ChatSession:
    """Answers the tab's questions one exchange at a time, a few at once (`admission`)."""

    def __init__(self, answerer: Answerer, admission: Admission) -> None:
        self.answerer = answerer
        self.admission = admission

    def ask(
        self,
        message: str | None,
        chat: Sequence[dict[str, Any]] | None,
        history: Sequence[Turn] | None,
        filters: Filters | None = None,
    ) -> Iterator[ChatUpdate]:
        """The states of the tab from sending `message` until its answer is complete.

        The question box empties and the question shows at once; a question that must
        wait says its place in line; the answer then streams in, the sources panel
        changing only when the sources do. A failure (also a full line) is said in the
        chat. The last state adds the exchange to the history.
        """
        question = (message or "").strip()
        if not question:
            yield ChatUpdate()
            return
        turns = list(history or [])
        shown = [{"role": m["role"], "content": message_text(m["content"])} for m in chat or []]
        shown.append({"role": "user", "content": question})
        yield ChatUpdate("", shown, turns)
        last: Answer | None = None
        panel = ""
        try:
            with self.admission.slot() as ticket:  # QueueFull when the line is full
                if not ticket.ready:
                    yield ChatUpdate("", [*shown, _assistant(queued_message(ticket.ahead))], turns)
                    ticket.wait()
                for last in self.answerer.stream(question, turns, filters):
                    content = last.markdown() if last.done else last.text
                    new_panel = sources_html(last)
                    changed = new_panel if new_panel != panel else None
                    panel = new_panel
                    yield ChatUpdate("", [*shown, _assistant(content)], turns, changed)
        except YttraError as error:
            log.warning("answering failed: %s", error)
            failure = f"*Frågan kunde inte besvaras: {error}*"
            yield ChatUpdate("", [*shown, _assistant(failure)], turns, NO_SOURCES)
            return
        if last is not None:
            turns.append((question, last.text))
            yield ChatUpdate(history=turns)

    @staticmethod
    def clear() -> ChatUpdate:
        """An empty conversation: no messages, no history, no sources, no question."""
        return ChatUpdate("", [], [], NO_SOURCES)
