"""The "Fråga" tab's components and events; the answering itself is `ChatSession`'s."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from app.answering.answerer import Turn
from app.web.chat.render import NO_SOURCES, SOURCES_CSS
from app.web.chat.session import ALL, ChatSession, ChatUpdate, build_filters
from app.web.widgets import PRIVATE, Outputs, html_panel

QUESTION_PLACEHOLDER = "Ställ en fråga om tidigare granskningar och svar …"
CHAT_PLACEHOLDER = (
    "Svaren bygger bara på de inlästa dokumenten och hänvisar till källorna med [1], [2] …"
)


class ChatPage:
    """The "Fråga" tab: filters, the conversation, the question box and the sources."""

    def __init__(self, session: ChatSession) -> None:
        self.session = session

    def build(self) -> None:
        """Add the tab to the Blocks being built and wire its events."""
        self.history = gr.State([])
        with gr.Tab("Fråga", id="fraga", elem_id="tab-fraga"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    self._conversation()
                with gr.Column(scale=2):
                    self.sources = html_panel(NO_SOURCES, "sources", SOURCES_CSS, side=True)
        self._wire()

    def _conversation(self) -> None:
        with gr.Row():
            self.type_filter = gr.Dropdown(
                [(ALL, ALL)], value=ALL, label="Dokumenttyp", elem_id="filter-type"
            )
            self.organ_filter = gr.Dropdown(
                [(ALL, ALL)], value=ALL, label="Organ", elem_id="filter-organ"
            )
            self.year_filter = gr.Dropdown(
                [(ALL, ALL)], value=ALL, label="År", elem_id="filter-year"
            )
        self.chatbot = gr.Chatbot(
            label="Samtal",
            elem_id="chat",
            height=520,
            buttons=["copy"],
            feedback_options=None,
            placeholder=CHAT_PLACEHOLDER,
        )
        self.question = gr.Textbox(
            placeholder=QUESTION_PLACEHOLDER,
            show_label=False,
            lines=1,  # Enter sends, Shift+Enter breaks the line
            max_lines=6,
            elem_id="question",
            submit_btn=False,
        )
        with gr.Row():
            self.send = gr.Button("Skicka", variant="primary", elem_id="send", scale=3)
            self.reset = gr.Button("Rensa", elem_id="clear", scale=1)

    @property
    def filters(self) -> list[gr.Dropdown]:
        """The filter dropdowns: document type, body, year."""
        return [self.type_filter, self.organ_filter, self.year_filter]

    def _wire(self) -> None:
        self.shown = Outputs(
            question=self.question,
            messages=self.chatbot,
            history=self.history,
            sources=self.sources,
        )
        inputs = [self.question, self.chatbot, self.history, *self.filters]
        # Questions pass Gradio's queue at once and wait in the session's admission
        # instead, which tells the user in Swedish when the line is full.
        asking: dict[str, Any] = {"concurrency_id": "ask", "concurrency_limit": None, **PRIVATE}
        self.send.click(self.ask, inputs, self.shown.components, **asking)
        self.question.submit(self.ask, inputs, self.shown.components, **asking)
        self.reset.click(self.clear, None, self.shown.components, queue=False, **PRIVATE)
        self.chatbot.clear(self.clear, None, self.shown.components, queue=False, **PRIVATE)

    def _show(self, update: ChatUpdate) -> tuple[Any, ...]:
        named = {
            "question": update.question,
            "messages": update.messages,
            "history": update.history,
            "sources": update.sources,
        }
        return self.shown.values(**{name: v for name, v in named.items() if v is not None})

    def ask(
        self,
        message: str,
        chat: list[dict[str, Any]] | None,
        history: list[Turn] | None,
        doc_type: str | None,
        organ: str | None,
        year: str | None,
    ) -> Iterator[tuple[Any, ...]]:
        filters = build_filters(doc_type, organ, year)
        for update in self.session.ask(message, chat, history, filters):
            yield self._show(update)

    def clear(self) -> tuple[Any, ...]:
        return self._show(self.session.clear())
