"""The "Utkast" tab's components and events, over `DraftingSession`.

Handlers turn the session's named views into Gradio outputs in one place each
(`_draft`, `_section`), and the session's errors into Swedish messages.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from functools import partial
from typing import Any

import gradio as gr

from app.web.coverage.render import COVERAGE_CSS
from app.web.drafting.render import NO_PRECEDENTS, PRECEDENTS_CSS
from app.web.drafting.session import (
    DraftingSession,
    DraftView,
    ExportError,
    ExportFormat,
    HeadingFields,
    PageEdits,
    SectionChange,
    SectionView,
    StatusChange,
)
from app.web.widgets import (
    PRIVATE,
    DocumentField,
    Outputs,
    RecommendationEditor,
    html_panel,
    shown_as_error,
)
from ingest.errors import YttraError

NO_DRAFT = "Inget utkast är öppet. Skapa ett nytt eller öppna ett tidigare."
NO_CHECK = (
    '<p class="yttra-empty">Tryck på "Sammanställ och kontrollera" för att se vilka '
    "rekommendationer utkastet besvarar.</p>"
)
CLEARED_RESULTS: dict[str, Any] = {
    "coverage_summary": "",
    "coverage": NO_CHECK,
    "preview": "",
    "download": None,
}
"""A new or opened draft shows no assembled yttrande, coverage check or download yet."""
HEADING_FIELDS = tuple(field.name for field in fields(HeadingFields))
"""The heading block, summary and decision: the tab's components of those names, in
`HeadingFields` order."""
SECTION_FIELDS = ("section_pick", "recommendation", "precedents", "section_text", "done")
"""The section picker and what shows the picked section."""
RESULT_FIELDS = ("coverage_summary", "coverage", "preview")
"""What shows the assembled yttrande and its coverage check."""


def _heading(values: tuple[str, ...]) -> HeadingFields:
    return HeadingFields(*values)


def _edits(
    draft_id: str | None, index: int | None, text: str | None, head: tuple[str, ...]
) -> PageEdits:
    return PageEdits(draft_id, index, text, _heading(head))


def _page_edits(values: tuple[Any, ...]) -> PageEdits:
    """The values of the tab's `edits` inputs: draft id, section index, editor text and the
    heading fields, in that order."""
    draft_id, index, text, *head = values
    return _edits(draft_id, index, text, tuple(head))


class DraftingPage:
    """Choose an audit, write the answer section by section, check it, export it."""

    def __init__(self, session: DraftingSession) -> None:
        self.session = session

    # -- layout -------------------------------------------------------------------

    def build(self) -> None:
        """Add the tab to the Blocks being built and wire its events."""
        with gr.Tab("Utkast", id="utkast", elem_id="tab-utkast") as tab:
            self.draft_id = gr.State("")
            self.index = gr.State(0)
            gr.Markdown(
                "Skriv yttrandet över en granskning: ett avsnitt per rekommendation, med "
                "tidigare svar på liknande rekommendationer som underlag. Utkasten sparas "
                "och kan öppnas igen."
            )
            self._choosing()
            self._writing()
            self._checking()
            self._exporting()
        self._wire(tab)

    def _choosing(self) -> None:
        gr.Markdown("### 1. Välj granskning")
        self.audit = DocumentField("draft-audit", "Ladda upp granskningen", beside=True)
        self.recommendations = RecommendationEditor(self.session.lists, self.audit, "draft")
        with gr.Row(equal_height=True):
            self.addressee = gr.Textbox(
                label="Nämnd/styrelse som svarar",
                placeholder="t.ex. nämnden för Service",
                elem_id="draft-addressee",
                scale=3,
            )
            self.create_button = gr.Button(
                "Skapa utkast", variant="primary", elem_id="draft-create", scale=1
            )
        self.notice = gr.Markdown(elem_id="draft-notice")
        with gr.Row(equal_height=True):
            self.draft_list = gr.Dropdown(
                [], label="Tidigare utkast", elem_id="draft-list", scale=3
            )
            self.open_button = gr.Button("Öppna", elem_id="draft-open", scale=1)
        self.status = gr.Markdown(NO_DRAFT, elem_id="draft-status")

    def _writing(self) -> None:
        gr.Markdown("### 2. Skriv svaret")
        with gr.Row():
            self.till = gr.Textbox(label="Till", elem_id="draft-till")
            self.datum = gr.Textbox(label="Datum", elem_id="draft-datum")
            self.diarienummer = gr.Textbox(label="Diarienummer", elem_id="draft-diarienummer")
            self.arende = gr.Textbox(label="Ärende", elem_id="draft-arende")
        self.summary = gr.Textbox(label="Sammanfattning", lines=4, elem_id="draft-summary")
        self.decision = gr.Textbox(label="Förslag till beslut", lines=2, elem_id="draft-decision")
        self.section_pick = gr.Radio([], label="Rekommendation", elem_id="draft-section-pick")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                self.recommendation = gr.Markdown(elem_id="draft-recommendation")
                self.section_text = gr.Textbox(
                    label="Svar på rekommendationen",
                    lines=14,
                    interactive=False,
                    elem_id="draft-section-text",
                )
                with gr.Row():
                    self.save_button = gr.Button(
                        "Spara avsnitt", variant="primary", elem_id="draft-section-save"
                    )
                    self.regenerate_button = gr.Button("Generera om", elem_id="draft-regenerate")
                    self.done = gr.Checkbox(
                        label="Markera som klar", interactive=False, elem_id="draft-done"
                    )
            with gr.Column(scale=2):
                self.precedents = html_panel(
                    NO_PRECEDENTS, "draft-precedents", PRECEDENTS_CSS, side=True
                )

    def _checking(self) -> None:
        gr.Markdown("### 3. Sammanställ och kontrollera")
        self.assemble_button = gr.Button(
            "Sammanställ och kontrollera", variant="primary", elem_id="draft-assemble"
        )
        self.coverage_summary = gr.Markdown(elem_id="draft-coverage-summary")
        self.coverage = html_panel(NO_CHECK, "draft-coverage", COVERAGE_CSS)
        with gr.Accordion("Förhandsgranskning av yttrandet", open=False) as preview_box:
            self.preview = gr.Markdown(elem_id="draft-preview")
        self.preview_box = preview_box

    def _exporting(self) -> None:
        gr.Markdown("### 4. Exportera")
        with gr.Row():
            self.docx_button = gr.Button("Ladda ner Word (.docx)", elem_id="draft-docx")
            self.md_button = gr.Button("Ladda ner Markdown", elem_id="draft-md")
        self.download = gr.File(label="Yttrandet", interactive=False, elem_id="draft-download")

    # -- events -------------------------------------------------------------------

    def _wire(self, tab: gr.Tab) -> None:
        self.shown = Outputs.of(
            self,
            "draft_id",
            "index",
            "status",
            *HEADING_FIELDS,
            *SECTION_FIELDS,
            *RESULT_FIELDS,
            "download",
            "draft_list",
        )
        self.created = Outputs(
            **self.shown.named, draft_notice=self.notice, **self.recommendations.shown.named
        )
        self.picked = Outputs.of(self, "index", "status", *SECTION_FIELDS)
        self.saved = Outputs.of(self, "status", "section_pick")
        self.assembled = Outputs.of(self, "status", *RESULT_FIELDS, "preview_box")
        self.exported = Outputs.of(self, "status", "download")
        head = [getattr(self, name) for name in HEADING_FIELDS]
        edits = [self.draft_id, self.index, self.section_text, *head]
        # Slow work (retrieval, the LLM) runs beside other users; a draft's quick
        # load-change-save steps run one at a time so that no save overwrites another.
        slow: dict[str, Any] = {"concurrency_id": "drafting", **PRIVATE}
        quick: dict[str, Any] = {"concurrency_id": "draft-edit", "concurrency_limit": 1, **PRIVATE}
        self.recommendations.wire(self.addressee)
        tab.select(self.refresh, None, [self.audit.pick, self.draft_list], queue=False, **PRIVATE)
        self.create_button.click(
            self.create,
            [
                *self.audit.components,
                self.addressee,
                self.recommendations.key,
                self.recommendations.table,
            ],
            self.created.components,
            **slow,
        )
        self.open_button.click(self.open_draft, self.draft_list, self.shown.components, **quick)
        # .input, not .change: only the official's own choice saves and switches the section.
        self.section_pick.input(
            self.pick_section,
            [self.draft_id, self.index, self.section_pick, self.section_text, *head],
            self.picked.components,
            **quick,
        )
        self.save_button.click(self.save_section, edits, self.saved.components, **quick)
        self.done.input(
            self.mark_done, [*edits[:3], self.done, *head], self.saved.components, **quick
        )
        self.regenerate_button.click(
            self.regenerate, [self.draft_id, self.index, *head], self.picked.components, **slow
        )
        self.assemble_button.click(self.assemble, edits, self.assembled.components, **slow)
        self.docx_button.click(self.export_docx, edits, self.exported.components, **quick)
        self.md_button.click(self.export_md, edits, self.exported.components, **quick)

    # -- views to outputs ---------------------------------------------------------

    @staticmethod
    def _section(view: SectionView) -> dict[str, Any]:
        return {
            "section_pick": gr.update(choices=view.choices, value=view.index),
            "recommendation": view.recommendation,
            "precedents": view.precedents,
            "section_text": gr.update(value=view.text, interactive=view.editable),
            "done": gr.update(value=view.done, interactive=view.editable),
        }

    def _draft(self, view: DraftView) -> tuple[Any, ...]:
        return self.shown.values(**self._draft_values(view))

    def _draft_values(self, view: DraftView) -> dict[str, Any]:
        return dict(
            draft_id=view.draft_id,
            index=0,  # a new or opened draft shows its first section
            status=view.status,
            **asdict(view.heading),
            **self._section(view.section),
            **CLEARED_RESULTS,
            draft_list=gr.update(choices=view.saved, value=view.draft_id),
        )

    def _picked(self, change: SectionChange) -> tuple[Any, ...]:
        return self.picked.values(
            index=change.index, status=change.status, **self._section(change.section)
        )

    def _status(self, change: StatusChange) -> tuple[Any, ...]:
        return self.saved.values(
            status=change.status, section_pick=gr.update(choices=change.choices)
        )

    # -- handlers -----------------------------------------------------------------

    def refresh(self) -> tuple[Any, Any]:
        return (
            gr.update(choices=self.session.audit_choices()),
            gr.update(choices=self.session.saved()),
        )

    def create(
        self,
        upload: str | None,
        picked: str | None,
        pasted: str | None,
        addressee: str,
        key: str,
        rows: Any,
    ) -> tuple[Any, ...]:
        audit = DocumentField.value(upload, picked, pasted)
        return self.recommendations.run(
            self.created,
            partial(self.session.create, audit, addressee),
            key,
            rows,
            self._created,
            notice="draft_notice",
            prefix="Utkastet kunde inte skapas: ",
        )

    def _created(self, view: DraftView) -> dict[str, Any]:
        notice = (
            "⚠️ Inga rekommendationer till adressaten finns i listan." if view.section.index
            is None else ""
        )
        editor = self.recommendations
        shown = editor.view_values(view.recommendations) if view.recommendations else {}
        return {**self._draft_values(view), "draft_notice": notice, **shown}

    def open_draft(self, draft_id: str | None) -> tuple[Any, ...]:
        with shown_as_error():
            return self._draft(self.session.open(draft_id))

    def pick_section(
        self, draft_id: str | None, previous: int | None, chosen: int | None, text: str, *head: str
    ) -> tuple[Any, ...]:
        with shown_as_error():
            change = self.session.pick_section(_edits(draft_id, previous, text, head), chosen)
        return self._picked(change)

    def save_section(self, *edits: Any) -> tuple[Any, ...]:
        with shown_as_error("Utkastet kunde inte sparas: "):
            change = self.session.save(_page_edits(edits))
        gr.Info("Utkastet är sparat.")
        return self._status(change)

    def mark_done(
        self, draft_id: str | None, index: int | None, text: str, done: bool, *head: str
    ) -> tuple[Any, ...]:
        with shown_as_error("Utkastet kunde inte sparas: "):
            change = self.session.mark_done(_edits(draft_id, index, text, head), done)
        return self._status(change)

    def regenerate(self, draft_id: str | None, index: int | None, *head: str) -> tuple[Any, ...]:
        with shown_as_error("Avsnittet kunde inte genereras om: "):
            change = self.session.regenerate(draft_id, index, _heading(head))
        return self._picked(change)

    def assemble(self, *edits: Any) -> tuple[Any, ...]:
        with shown_as_error("Utkastet kunde inte sammanställas: "):
            view = self.session.assemble(_page_edits(edits))
        return self.assembled.values(
            status=view.status,
            coverage_summary=view.coverage_summary,
            coverage=view.coverage,
            preview=view.preview,
            preview_box=gr.update(open=True),
        )

    def _export_as(self, kind: ExportFormat, edits: PageEdits) -> tuple[Any, ...]:
        try:
            view = self.session.export(edits, kind)
        except ExportError as error:
            raise gr.Error(str(error)) from error
        except YttraError as error:
            raise gr.Error(f"Utkastet kunde inte exporteras: {error}") from error
        if view.open_sections:
            gr.Info(f"{view.open_sections} avsnitt är ännu inte markerade som klara.")
        return self.exported.values(status=view.status, download=str(view.path))

    def export_docx(self, *edits: Any) -> tuple[Any, ...]:
        return self._export_as("docx", _page_edits(edits))

    def export_md(self, *edits: Any) -> tuple[Any, ...]:
        return self._export_as("md", _page_edits(edits))
