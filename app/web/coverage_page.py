"""The "Täckning" tab: which recommendations of an audit a reply answers, with evidence."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import gradio as gr

from app.review.coverage import ELEMENTS, CoverageItem, CoverageReport, check_coverage
from app.review.export import ELEMENT_SV, STATUS_SV, report_csv, report_markdown
from app.settings import Settings
from app.web.common import document_choices, escape_html
from app.web.uploads import check_upload
from ingest.errors import YttraError
from ingest.loaders import load_file
from ingest.normalize import normalize_text
from ingest.recommendations import extract_recommendations
from vectorstore.store import Store

COVERAGE_CSS = """
.yttra-coverage table { border-collapse: collapse; width: 100%; }
.yttra-coverage th, .yttra-coverage td {
  border-bottom: 1px solid var(--border-color-primary); padding: 6px; vertical-align: top;
}
.yttra-coverage td.status { font-weight: 600; white-space: nowrap; }
.yttra-coverage tr.besvarad td.status { background: #d9f2dd; color: #135c22; }
.yttra-coverage tr.delvis td.status { background: #fdf0cc; color: #7a5300; }
.yttra-coverage tr.saknas td.status { background: #fbdcdc; color: #8a1c1c; }
.yttra-coverage td.mark { text-align: center; }
.yttra-coverage summary { cursor: pointer; }
.yttra-coverage blockquote { margin: 6px 0; padding-left: 8px;
  border-left: 3px solid var(--border-color-primary); white-space: pre-wrap; }
"""
EMPTY = '<p class="yttra-empty">Välj en granskning och ett svar och tryck på "Kontrollera".</p>'


def _row(number: int, item: CoverageItem) -> str:
    marks = "".join(
        f'<td class="mark">{"✓" if item.elements.get(e) else "–"}</td>' for e in ELEMENTS
    )
    detail = f"<p>{escape_html(item.reason)}</p>"
    if item.evidence:
        where = ", ".join(
            p
            for p in (
                f"s. {item.evidence.page}" if item.evidence.page else "",
                item.evidence.section,
                f"rad {item.evidence.start_line}–{item.evidence.end_line}",
            )
            if p
        )
        detail += (
            f"<p><em>{escape_html(where)}</em></p><blockquote>{escape_html(item.evidence.text)}"
        )
        detail += "</blockquote>"
    return (
        f'<tr class="{item.status}" data-id="{escape_html(item.recommendation.id)}">'
        f"<td>{number}</td>"
        f'<td><details class="yttra-evidence"><summary>{escape_html(item.recommendation.text)}'
        f"</summary>{detail}</details></td>"
        f'<td class="status">{STATUS_SV[item.status]}</td><td>{item.score:.2f}</td>{marks}</tr>'
    )


def coverage_html(report: CoverageReport) -> str:
    """The coverage matrix: a coloured row per recommendation; a click shows the evidence."""
    if not report.items:
        return '<p class="yttra-empty">Inga rekommendationer att kontrollera.</p>'
    head = "".join(f"<th>{ELEMENT_SV[e]}</th>" for e in ELEMENTS)
    rows = "\n".join(_row(n, item) for n, item in enumerate(report.items, 1))
    return (
        '<div class="yttra-coverage"><table><thead><tr><th>Nr</th><th>Rekommendation '
        f"(klicka för belägg)</th><th>Status</th><th>Poäng</th>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


def summary_line(report: CoverageReport) -> str:
    who = f" till {report.addressee}" if report.addressee else ""
    return (
        f"**{len(report.items)} rekommendationer{who}:** {report.count('besvarad')} besvarade, "
        f"{report.count('delvis')} delvis besvarade, {report.count('saknas')} saknas."
    )


def _slug(text: str) -> str:
    return re.sub(r"[^\w-]+", "-", text.lower()).strip("-")[:40] or "tackning"


def coverage_tab(settings: Settings, store: Store, private: dict[str, Any]) -> None:
    """Add the "Täckning" tab to the Blocks being built."""
    exports = settings.resolved_data_dir() / "exports"

    def documents() -> list[tuple[str, str]]:
        return document_choices(store.documents())

    def text_of(upload: str | None, picked: str | None, pasted: str, what: str) -> str:
        if upload:
            return check_upload(Path(upload), settings.max_file_mb).text
        if picked:
            record = store.document(picked)
            if record is None:
                raise YttraError(f"{what}: dokumentet finns inte längre i indexet.")
            return load_file(Path(record.path), record.file).text
        if pasted.strip():
            return normalize_text(pasted)
        raise YttraError(f"Ange {what}: ladda upp, välj ett inläst dokument eller klistra in.")

    def refresh() -> tuple[Any, Any]:
        choices = documents()
        return gr.update(choices=choices), gr.update(choices=choices)

    def run(
        audit_file: str | None,
        audit_pick: str | None,
        audit_text: str,
        reply_file: str | None,
        reply_pick: str | None,
        reply_text: str,
        addressee: str,
    ) -> tuple[str, str, list[str] | None]:
        try:
            found = extract_recommendations(
                text_of(audit_file, audit_pick, audit_text, "granskningen")
            )
            if not found:
                raise YttraError("Inga rekommendationer hittades i granskningen.")
            reply = text_of(reply_file, reply_pick, reply_text, "svaret")
            report = check_coverage(found, reply, store.embedder, addressee.strip() or None)
        except YttraError as error:
            raise gr.Error(str(error)) from error
        exports.mkdir(parents=True, exist_ok=True)
        stem = _slug(f"tackning-{addressee}" if addressee.strip() else "tackning")
        csv_path = exports / f"{stem}.csv"
        md_path = exports / f"{stem}.md"
        # utf-8-sig so that Excel reads å, ä, ö correctly.
        csv_path.write_text(report_csv(report), encoding="utf-8-sig")
        md_path.write_text(report_markdown(report), encoding="utf-8")
        return summary_line(report), coverage_html(report), [str(csv_path), str(md_path)]

    with gr.Tab("Täckning", id="tackning", elem_id="tab-tackning") as tab:
        gr.Markdown(
            "Kontrollera att ett svar (yttrande, tjänsteskrivelse eller utkast) besvarar "
            "varje rekommendation i granskningen: ställningstagande, åtgärd, ansvarig, "
            "tidplan och uppföljning."
        )
        with gr.Row():
            with gr.Column():
                gr.Markdown("### Granskning")
                audit_file = gr.File(
                    label="Ladda upp",
                    type="filepath",
                    file_types=[".pdf", ".docx", ".txt", ".md"],
                    elem_id="audit-file",
                )
                audit_pick = gr.Dropdown(
                    [], label="… eller välj ett inläst dokument", elem_id="audit-pick"
                )
                audit_text = gr.Textbox(
                    label="… eller klistra in text", lines=4, elem_id="audit-text"
                )
            with gr.Column():
                gr.Markdown("### Svar")
                reply_file = gr.File(
                    label="Ladda upp",
                    type="filepath",
                    file_types=[".pdf", ".docx", ".txt", ".md"],
                    elem_id="reply-file",
                )
                reply_pick = gr.Dropdown(
                    [], label="… eller välj ett inläst dokument", elem_id="reply-pick"
                )
                reply_text = gr.Textbox(
                    label="… eller klistra in text", lines=4, elem_id="reply-text"
                )
        addressee = gr.Textbox(
            label="Adressat (valfritt, t.ex. nämnden för Service)", elem_id="addressee"
        )
        check = gr.Button("Kontrollera", variant="primary", elem_id="check-coverage")
        summary = gr.Markdown(elem_id="coverage-summary")
        matrix = gr.HTML(
            EMPTY, elem_id="coverage-matrix", css_template=COVERAGE_CSS, js_on_load=None
        )
        downloads = gr.File(
            label="Exportera (CSV och Markdown)",
            file_count="multiple",
            interactive=False,
            elem_id="coverage-export",
        )
    tab.select(refresh, None, [audit_pick, reply_pick], queue=False, **private)
    check.click(
        run,
        [audit_file, audit_pick, audit_text, reply_file, reply_pick, reply_text, addressee],
        [summary, matrix, downloads],
        concurrency_id="coverage",
        **private,
    )
