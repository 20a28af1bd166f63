"""The "Täckning" tab's components and events, over `CoverageSession`."""

from __future__ import annotations

from typing import Any

import gradio as gr

from app.web.coverage.render import COVERAGE_CSS
from app.web.coverage.session import CoverageSession
from app.web.documents import DocumentResolver
from app.web.widgets import PRIVATE, DocumentField, html_panel, shown_as_error

EMPTY = '<p class="yttra-empty">Välj en granskning och ett svar och tryck på "Kontrollera".</p>'


class CoveragePage:
    """Audit and reply (each uploaded, picked or pasted), an addressee, the result."""

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
        tab.select(self.refresh, None, [self.audit.pick, self.reply.pick], queue=False, **PRIVATE)
        check.click(
            self.run,
            [*self.audit.components, *self.reply.components, self.addressee],
            [self.summary, self.matrix, self.downloads],
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
    ) -> tuple[str, str, list[str]]:
        with shown_as_error():
            result = self.session.check(
                DocumentField.value(audit_file, audit_pick, audit_text),
                DocumentField.value(reply_file, reply_pick, reply_text),
                addressee,
            )
        return result.summary, result.matrix, [str(path) for path in result.exports]
