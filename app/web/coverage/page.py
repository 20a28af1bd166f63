"""The "Täckning" tab's components and events, over `CoverageSession`."""

from __future__ import annotations

from functools import partial
from typing import Any

import gradio as gr

from app.web.coverage.render import COVERAGE_CSS
from app.web.coverage.session import CoverageResult, CoverageSession
from app.web.documents import DocumentResolver
from app.web.widgets import (
    PRIVATE,
    DocumentField,
    Outputs,
    RecommendationEditor,
    html_panel,
)

EMPTY = '<p class="yttra-empty">Välj en granskning och ett svar och tryck på "Kontrollera".</p>'


class CoveragePage:
    """Audit and reply (each uploaded, picked or pasted), the audit's recommendation list,
    an addressee, the result."""

    def __init__(self, session: CoverageSession, documents: DocumentResolver) -> None:
        self.session = session
        self.documents = documents

    def build(self) -> None:
        """Add the tab to the Blocks being built and wire its events."""
        with gr.Tab("Täckning", id="tackning", elem_id="tab-tackning") as tab:
            gr.Markdown(
                "Kontrollera att ett svar (yttrande, tjänsteskrivelse eller utkast) besvarar "
                "varje rekommendation i granskningen: ställningstagande, åtgärd, ansvarig, "
                "tidplan och uppföljning."
            )
            with gr.Row():
                with gr.Column():
                    gr.Markdown("### Granskning")
                    self.audit = DocumentField("audit")
                with gr.Column():
                    gr.Markdown("### Svar")
                    self.reply = DocumentField("reply")
            self.recommendations = RecommendationEditor(self.session.lists, self.audit, "coverage")
            self.addressee = gr.Textbox(
                label="Adressat (valfritt, t.ex. nämnden för Service)", elem_id="addressee"
            )
            check = gr.Button("Kontrollera", variant="primary", elem_id="check-coverage")
            self.summary = gr.Markdown(elem_id="coverage-summary")
            self.matrix = html_panel(EMPTY, "coverage-matrix", COVERAGE_CSS)
            self.downloads = gr.File(
                label="Exportera (CSV och Markdown)",
                file_count="multiple",
                interactive=False,
                elem_id="coverage-export",
            )
        self.result = Outputs(
            summary=self.summary,
            matrix=self.matrix,
            downloads=self.downloads,
            **self.recommendations.shown.named,
        )
        self.recommendations.wire(self.addressee)
        tab.select(self.refresh, None, [self.audit.pick, self.reply.pick], queue=False, **PRIVATE)
        check.click(
            self.run,
            [
                *self.audit.components,
                *self.reply.components,
                self.addressee,
                self.recommendations.key,
                self.recommendations.table,
            ],
            self.result.components,
            concurrency_id="coverage",
            **PRIVATE,
        )

    def refresh(self) -> tuple[Any, Any]:
        choices = self.documents.choices()
        return gr.update(choices=choices), gr.update(choices=choices)

    def run(
        self,
        audit_file: str | None,
        audit_pick: str | None,
        audit_text: str,
        reply_file: str | None,
        reply_pick: str | None,
        reply_text: str,
        addressee: str,
        key: str,
        rows: Any,
    ) -> tuple[Any, ...]:
        audit = DocumentField.value(audit_file, audit_pick, audit_text)
        reply = DocumentField.value(reply_file, reply_pick, reply_text)
        return self.recommendations.run(
            self.result,
            partial(self.session.check, audit, reply, addressee),
            key,
            rows,
            self._shown,
            notice="summary",
            prefix="Kontrollen kunde inte göras: ",
            cleared={"matrix": EMPTY, "downloads": None},
        )

    def _shown(self, result: CoverageResult) -> dict[str, Any]:
        return {
            "summary": result.summary,
            "matrix": result.matrix,
            "downloads": [str(path) for path in result.exports],
            **self.recommendations.view_values(result.recommendations),
        }
