"""Gradio pieces the pages share: the document input, the recommendation list, named
outputs, private events, notices in the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import gradio as gr
from gradio.components import Component

from app.review.lists import HEADERS
from app.web.common import escape_markdown
from app.web.documents import DocumentInput
from app.web.recommendation_lists import (
    ListView,
    NoRecommendations,
    RecommendationLists,
    TableEdits,
)
from ingest.errors import YttraError

_R = TypeVar("_R")

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

    @classmethod
    def of(cls, owner: object, *names: str, **components: Component) -> Outputs:
        """The components `owner` holds as attributes `names`, under those names, then
        `components` under their own."""
        return cls(**{name: getattr(owner, name) for name in names}, **components)

    @property
    def components(self) -> list[Component]:
        return list(self._components.values())

    @property
    def named(self) -> dict[str, Component]:
        """The components by name: to merge into another event's outputs."""
        return dict(self._components)

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


def error_notice(error: YttraError, prefix: str = "") -> str:
    """A domain error as a Swedish notice in the page (Markdown), not a pop-up."""
    return f"⚠️ {escape_markdown(f'{prefix}{error}')}"


PASTE_HINT = (
    "En rekommendation per rad. Punkter och nummer tas bort. Inled en rad med "
    "\"Kommunstyrelsen: …\" för att ange adressat, eller skriv en rad som \"Vi "
    "rekommenderar kommunstyrelsen att:\" före raderna."
)


class RecommendationEditor:
    """The audit's recommendation list as an editable table, for the tab to check or
    draft from: fetched from the document, edited in place, typed or pasted in.

    Built inside a tab below the audit's `DocumentField`; `elem_prefix` names the
    components (#<prefix>-rec-table, #<prefix>-rec-notice, …). `wire` connects the
    events once the tab's addressee field exists: pasted lines that name no addressee get
    the paste box's own, or else the tab's.
    """

    def __init__(self, lists: RecommendationLists, audit: DocumentField, elem_prefix: str) -> None:
        self.lists = lists
        self.audit = audit
        p = f"{elem_prefix}-rec"
        self.key = gr.State("")
        gr.Markdown(
            "#### Rekommendationer\nListan hämtas ur granskningen när du väljer den. Ändra "
            "text eller adressat direkt i tabellen, ta bort en rad genom att tömma dess text "
            "(eller via radens meny) och lägg till rader i tabellen eller genom att klistra "
            "in dem. Ändringarna sparas och används vid kontrollen."
        )
        with gr.Row():
            self.load_button = gr.Button("Hämta rekommendationer", elem_id=f"{p}-load")
            self.reextract_button = gr.Button(
                "Hämta på nytt ur dokumentet", elem_id=f"{p}-reextract"
            )
            self.undo_button = gr.Button("Ångra", interactive=False, elem_id=f"{p}-undo")
        self.notice = gr.Markdown(elem_id=f"{p}-notice")
        with gr.Row(visible=False) as confirm_row:
            self.confirm_button = gr.Button(
                "Ja, ersätt listan", variant="stop", elem_id=f"{p}-confirm"
            )
            self.cancel_button = gr.Button("Nej, behåll min lista", elem_id=f"{p}-cancel")
        self.confirm_row = confirm_row
        self.table = gr.Dataframe(
            [],
            headers=HEADERS,
            datatype="str",
            type="array",
            interactive=True,
            column_count=len(HEADERS),
            column_limits=(len(HEADERS), len(HEADERS)),
            static_columns=[0],
            column_widths=["7%", "23%", "70%"],
            wrap=True,
            label="Rekommendationer att besvara",
            elem_id=f"{p}-table",
        )
        with gr.Accordion("Klistra in eller skriv rekommendationer", open=False) as box:
            self.paste = gr.Textbox(
                label="Rekommendationer", lines=6, info=PASTE_HINT, elem_id=f"{p}-paste"
            )
            self.paste_addressee = gr.Textbox(
                label="Adressat för rader som inte anger någon (valfritt)",
                elem_id=f"{p}-paste-addressee",
            )
            with gr.Row():
                self.fill_button = gr.Button("Ersätt listan med raderna", elem_id=f"{p}-fill")
                self.append_button = gr.Button("Lägg till i listan", elem_id=f"{p}-append")
        self.paste_box = box
        self.shown = Outputs.of(
            self, "key", "table", "notice", "confirm_row", "paste_box", undo=self.undo_button
        )

    @property
    def outputs(self) -> list[Component]:
        """What shows the list: for an event that also shows it (a check, a new draft)."""
        return self.shown.components

    def view_values(self, view: ListView) -> dict[str, Any]:
        """The list's view as named values for `shown` (to merge into another event's)."""
        return {
            "key": view.key,
            "table": gr.skip() if view.rows is None else gr.update(value=view.rows),
            "notice": view.notice,
            "confirm_row": gr.update(visible=view.confirm),
            "paste_box": gr.update(open=True) if view.missing else gr.skip(),
            "undo": gr.update(interactive=view.can_undo),
        }

    def error_values(self, error: YttraError) -> dict[str, Any]:
        """A refused action: the notice says why, the list stays as it is (or, when the
        audit has no recommendations, shows why and opens the paste box)."""
        if isinstance(error, NoRecommendations):
            return self.view_values(error.view)
        return {"notice": error_notice(error)}

    def run(
        self,
        outputs: Outputs,
        action: Callable[[TableEdits], _R],
        key: str,
        rows: Any,
        shown: Callable[[_R], dict[str, Any]],
        *,
        notice: str,
        prefix: str,
        cleared: Mapping[str, Any] | None = None,
    ) -> tuple[Any, ...]:
        """The tab's `action` (a check, a new draft) on the list as the page holds it
        (`key` and the table's `rows`), as values for `outputs`: what `shown` names.

        A refused action is told in the tab's `notice` output (`prefix` and the reason),
        with the `cleared` outputs set as given, and the list says why too (or, for an
        audit without recommendations, opens the paste box).
        """
        try:
            result = action(self.edits(key, rows))
        except YttraError as error:
            return outputs.values(
                **{notice: error_notice(error, prefix)},
                **(cleared or {}),
                **self.error_values(error),
            )
        return outputs.values(**shown(result))

    def _show(self, act: Callable[[], ListView | None]) -> tuple[Any, ...]:
        try:
            view = act()
        except YttraError as error:
            return self.shown.values(**self.error_values(error))
        if view is None:
            return self.shown.values()
        return self.shown.values(**self.view_values(view))

    def wire(self, addressee: gr.Textbox) -> None:
        """Wire the list's events; `addressee` is the tab's addressee field (built after
        the list, beside the button that uses it)."""
        self.addressee = addressee
        audit = self.audit.components
        out = self.outputs
        quick: dict[str, Any] = {
            "concurrency_id": "recommendation-list", "concurrency_limit": 1, **PRIVATE
        }
        for trigger in (
            self.load_button.click, self.audit.upload.upload, self.audit.pick.input
        ):
            trigger(self.load, audit, out, **quick)
        self.reextract_button.click(self.reextract, audit, out, **quick)
        self.confirm_button.click(self.replace, audit, out, **quick)
        self.cancel_button.click(self.cancel, self.key, out, **quick)
        self.undo_button.click(self.undo, self.key, out, **quick)
        pasted = [*audit, self.paste, self.paste_addressee, self.addressee]
        self.fill_button.click(self.fill, pasted, out, **quick)
        self.append_button.click(self.append, pasted, out, **quick)
        self.table.input(
            self.edit, [self.key, self.table], out, trigger_mode="always_last", **quick
        )

    # -- handlers -----------------------------------------------------------------------

    def load(self, upload: str | None, picked: str | None, pasted: str | None) -> tuple[Any, ...]:
        return self._show(lambda: self.lists.load(DocumentField.value(upload, picked, pasted)))

    def reextract(
        self, upload: str | None, picked: str | None, pasted: str | None
    ) -> tuple[Any, ...]:
        audit = DocumentField.value(upload, picked, pasted)
        return self._show(lambda: self.lists.reextract(audit))

    def replace(
        self, upload: str | None, picked: str | None, pasted: str | None
    ) -> tuple[Any, ...]:
        audit = DocumentField.value(upload, picked, pasted)
        return self._show(lambda: self.lists.reextract(audit, confirmed=True))

    def cancel(self, key: str) -> tuple[Any, ...]:
        return self._show(lambda: self.lists.cancel(key))

    def undo(self, key: str) -> tuple[Any, ...]:
        return self._show(lambda: self.lists.undo(key))

    def _fill(self, given: tuple[Any, ...], append: bool) -> tuple[Any, ...]:
        upload, picked, pasted, lines, own, tab_addressee = given
        audit = DocumentField.value(upload, picked, pasted)
        default = (own or "").strip() or (tab_addressee or "")
        return self._show(lambda: self.lists.fill(audit, lines, default, append=append))

    def fill(self, *given: Any) -> tuple[Any, ...]:
        return self._fill(given, append=False)

    def append(self, *given: Any) -> tuple[Any, ...]:
        return self._fill(given, append=True)

    def edit(self, key: str, rows: Any) -> tuple[Any, ...]:
        return self._show(lambda: self.lists.edit(self.edits(key, rows)))

    def edits(self, key: str, rows: Any) -> TableEdits:
        """The table as an event's handler receives it."""
        return TableEdits(key, table_rows(rows))


def table_rows(value: Any) -> list[list[object]]:
    """The Dataframe's value as rows of cells, whatever shape Gradio hands it over in."""
    if value is None:
        return []
    if hasattr(value, "values") and hasattr(value, "columns"):  # a pandas DataFrame
        return [list(row) for row in value.values.tolist()]
    if isinstance(value, dict):  # {"headers": [...], "data": [...]}
        value = value.get("data") or []
    return [list(row) for row in value if isinstance(row, (list, tuple))]
