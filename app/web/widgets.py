"""Gradio pieces the pages share: the document input, named outputs, private events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import gradio as gr
from gradio.components import Component

from app.web.documents import DocumentInput
from ingest.errors import YttraError

PRIVATE: dict[str, Any] = {"api_visibility": "private"}
"""Event options: the page is the only client, no endpoint is offered to API clients."""

UPLOAD_TYPES = [".pdf", ".docx", ".txt", ".md"]
PANEL_HEIGHT = 700
"""Pixels a side panel (sources, precedents) grows to before it scrolls: about the height
of the conversation or editor beside it."""


@contextmanager
def shown_as_error(prefix: str = "") -> Iterator[None]:
    """A domain error inside becomes Gradio's error notice: `prefix` and the message."""
    try:
        yield
    except YttraError as error:
        raise gr.Error(f"{prefix}{error}") from error


def html_panel(value: str, elem_id: str, css: str, *, side: bool = False) -> gr.HTML:
    """An HTML component styled by `css`, running no script; a `side` panel scrolls."""
    return gr.HTML(
        value,
        elem_id=elem_id,
        css_template=css,
        js_on_load=None,
        max_height=PANEL_HEIGHT if side else None,
    )


class Outputs:
    """The components an event updates, named: handlers give values by name, not position.

    `components` is the list to register the event with; `values(...)` puts the named
    values in that order, and a component given no value is left as it is.
    """

    def __init__(self, **components: Component) -> None:
        self._components = components

    @property
    def components(self) -> list[Component]:
        return list(self._components.values())

    def values(self, **values: Any) -> tuple[Any, ...]:
        unknown = set(values) - set(self._components)
        if unknown:
            raise KeyError(f"not an output of this event: {sorted(unknown)}")
        return tuple(values.get(name, gr.skip()) for name in self._components)


class DocumentField:
    """Upload a file, pick a stored document or paste text: one document for a tab.

    Built inside a tab; `elem_prefix` names the components ("audit" gives #audit-file,
    #audit-pick and #audit-text). With `beside`, the upload sits left of the other two.
    """

    def __init__(
        self, elem_prefix: str, upload_label: str = "Ladda upp", *, beside: bool = False
    ) -> None:
        if beside:
            with gr.Row():
                self.upload = self._upload(elem_prefix, upload_label)
                with gr.Column():
                    self.pick, self.paste = self._alternatives(elem_prefix)
        else:
            self.upload = self._upload(elem_prefix, upload_label)
            self.pick, self.paste = self._alternatives(elem_prefix)

    @staticmethod
    def _upload(prefix: str, label: str) -> gr.File:
        return gr.File(
            label=label, type="filepath", file_types=UPLOAD_TYPES, elem_id=f"{prefix}-file"
        )

    @staticmethod
    def _alternatives(prefix: str) -> tuple[gr.Dropdown, gr.Textbox]:
        pick = gr.Dropdown([], label="… eller välj ett inläst dokument", elem_id=f"{prefix}-pick")
        paste = gr.Textbox(label="… eller klistra in text", lines=4, elem_id=f"{prefix}-text")
        return pick, paste

    @property
    def components(self) -> list[Component]:
        """The inputs of an event that reads the document, in `value` order."""
        return [self.upload, self.pick, self.paste]

    @staticmethod
    def value(upload: str | None, picked: str | None, pasted: str | None) -> DocumentInput:
        """The document as the event's handler receives it."""
        return DocumentInput(upload, picked, pasted)
