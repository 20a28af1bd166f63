"""The "Utkast" tab: draft a yttrande section by section, check it, export it.

Only the draft's id lives in the page. Every action loads the draft from the DraftStore,
changes it and saves it again, so a draft survives a restart and two tabs never hold
diverging copies.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import gradio as gr

from app.drafting.docx import write_docx
from app.drafting.drafter import Drafter
from app.drafting.model import Draft, DraftStore, Precedent, Section
from app.settings import Settings
from app.web.common import document_choices, escape_html
from app.web.coverage_page import COVERAGE_CSS, coverage_html, summary_line
from app.web.uploads import check_upload
from ingest.errors import YttraError
from ingest.loaders import load_file
from ingest.normalize import normalize_text
from vectorstore.store import Store

AUDIT_TYPES = [".pdf", ".docx", ".txt", ".md"]
KIND_SV = {"svar": "Svar på liknande rekommendation", "text": "Liknande text"}
STATUS_SV = {"utkast": "utkast", "klar": "klar"}
NO_DRAFT = "Inget utkast är öppet. Skapa ett nytt eller öppna ett tidigare."
NO_PRECEDENTS = '<p class="yttra-empty">Tidigare svar på liknande rekommendationer visas här.</p>'
NO_CHECK = (
    '<p class="yttra-empty">Tryck på "Sammanställ och kontrollera" för att se vilka '
    "rekommendationer utkastet besvarar.</p>"
)
LABEL_CHARS = 80

PRECEDENTS_CSS = """
.yttra-precedents h3 { margin: 0 0 .5rem 0; font-size: 1rem; }
.yttra-precedent { border: 1px solid var(--border-color-primary); border-radius: 6px;
  margin: 0 0 .5rem 0; padding: .35rem .6rem; background: var(--background-fill-primary); }
.yttra-precedent > summary { cursor: pointer; font-size: .9rem; line-height: 1.35; }
.yttra-precedent[data-kind="svar"] { border-left: 4px solid var(--color-accent); }
.yttra-precedent .label { font-weight: 600; font-size: .8rem; margin: .5rem 0 .2rem 0; }
.yttra-precedent blockquote { white-space: pre-wrap; font-size: .85rem; margin: 0;
  padding: .5rem; border-left: 3px solid var(--border-color-primary);
  background: var(--background-fill-secondary); }
.yttra-empty { color: var(--body-text-color-subdued); font-size: .9rem; }
"""


# -- rendering ----------------------------------------------------------------------------


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def section_choices(draft: Draft) -> list[tuple[str, int]]:
    """The section picker: "n. <start of the recommendation> (status)", valued by index."""
    return [
        (f"{n}. {_short(s.recommendation.text)} ({STATUS_SV.get(s.status, s.status)})", n - 1)
        for n, s in enumerate(draft.sections, 1)
    ]


def draft_label(draft: Draft) -> str:
    """A saved draft in the "Tidigare utkast" list: audit, addressee and last change."""
    title = draft.audit_title or draft.audit_file or "Granskning"
    who = draft.addressee or "ingen adressat"
    return f"{_short(title, 70)} – {who} ({draft.updated[:16].replace('T', ' ')})"


def status_markdown(draft: Draft) -> str:
    done = sum(1 for s in draft.sections if s.status == "klar")
    title = draft.audit_title or draft.audit_file or "granskningen"
    who = f" till {draft.addressee}" if draft.addressee else ""
    return (
        f"**Utkast {draft.id}**: svar{who} på *{title}*. {done} av {len(draft.sections)} "
        f"avsnitt klara. Senast sparat {draft.updated.replace('T', ' ')}."
    )


def recommendation_markdown(draft: Draft, index: int) -> str:
    section = draft.sections[index]
    rec = section.recommendation
    facts = ", ".join(
        p
        for p in (
            f"till {rec.addressee}" if rec.addressee else "",
            f"s. {rec.page}" if rec.page else "",
            rec.section,
        )
        if p
    )
    quoted = "\n".join(f"> {line}" for line in rec.text.splitlines() or [""])
    return f"**Rekommendation {index + 1}**{f' ({facts})' if facts else ''}\n\n{quoted}"


def _precedent_html(number: int, precedent: Precedent) -> str:
    kind = KIND_SV.get(precedent.kind, precedent.kind)
    body = ""
    if precedent.recommendation:
        body += (
            '<p class="label">Tidigare rekommendation</p>'
            f"<blockquote>{escape_html(precedent.recommendation.strip())}</blockquote>"
            '<p class="label">Svar</p>'
        )
    body += f"<blockquote>{escape_html(precedent.answer.strip())}</blockquote>"
    return (
        f'<details class="yttra-precedent" data-kind="{escape_html(precedent.kind)}" '
        f'data-file="{escape_html(precedent.file)}">'
        f"<summary>[{number}] <strong>{escape_html(kind)}</strong>: "
        f"{escape_html(precedent.reference())}</summary>{body}</details>"
    )


def precedents_html(section: Section) -> str:
    """The section's precedents, numbered as the section's citations [n] refer to them."""
    if not section.precedents:
        return '<p class="yttra-empty">Inga liknande svar hittades i de inlästa dokumenten.</p>'
    items = "\n".join(_precedent_html(n, p) for n, p in enumerate(section.precedents, 1))
    return (
        '<div class="yttra-precedents"><h3>Tidigare svar att utgå från '
        f"({len(section.precedents)})</h3>\n{items}\n</div>"
    )


def export_stem(draft: Draft) -> str:
    """A file name for the exported yttrande: its matter (or audit title) and its id."""
    base = unicodedata.normalize("NFC", draft.heading.arende or draft.audit_title or "yttrande")
    base = re.sub(r"[^\w\- ]+", "", base)
    base = re.sub(r"[\s_]+", "-", base).strip("-.")[:60].strip("-.")
    return f"{base or 'yttrande'}-{draft.id}"


# -- the tab ------------------------------------------------------------------------------


def drafting_tab(
    settings: Settings, store: Store, drafter: Drafter, private: dict[str, Any]
) -> None:
    """Add the "Utkast" tab to the Blocks being built."""
    exports = settings.resolved_data_dir() / "exports"
    drafts: DraftStore = drafter.drafts or DraftStore(settings.resolved_data_dir() / "drafts")

    def documents() -> list[tuple[str, str]]:
        return document_choices(
            sorted(store.documents(), key=lambda r: r.metadata.doc_type != "granskning")
        )

    def saved() -> list[tuple[str, str]]:
        return [(draft_label(d), d.id) for d in drafts.list()]

    def refresh() -> tuple[Any, Any]:
        return gr.update(choices=documents()), gr.update(choices=saved())

    def load(draft_id: str | None) -> Draft:
        if not draft_id:
            raise YttraError("Skapa eller öppna ett utkast först.")
        return drafts.load(draft_id)

    def edit(draft: Draft, head: tuple[str, ...]) -> None:
        """Take over the heading block, summary and decision as shown in the page."""
        till, datum, diarienummer, arende, summary, decision = head
        draft.heading.till = till.strip()
        draft.heading.datum = datum.strip()
        draft.heading.diarienummer = diarienummer.strip()
        draft.heading.arende = arende.strip()
        draft.summary = summary.strip()
        draft.decision = decision.strip()

    def keep_text(draft: Draft, index: int | None, text: str | None) -> None:
        """Take over the section text shown in the editor, if the official changed it."""
        if index is None or text is None or not 0 <= index < len(draft.sections):
            return
        section = draft.sections[index]
        if text.strip() != section.text.strip():
            section.text = text.strip()
            section.author = "handläggare"

    def section_view(draft: Draft, index: int) -> tuple[Any, ...]:
        if not draft.sections:
            return (
                gr.update(choices=[], value=None),
                "Granskningen har inga rekommendationer till adressaten.",
                NO_PRECEDENTS,
                gr.update(value="", interactive=False),
                gr.update(value=False, interactive=False),
            )
        section = draft.sections[index]
        return (
            gr.update(choices=section_choices(draft), value=index),
            recommendation_markdown(draft, index),
            precedents_html(section),
            gr.update(value=section.text, interactive=True),
            gr.update(value=section.status == "klar", interactive=True),
        )

    def show(draft: Draft) -> tuple[Any, ...]:
        """Everything the tab shows of a freshly created or opened draft."""
        head = draft.heading
        return (
            draft.id,
            0,
            status_markdown(draft),
            head.till,
            head.datum,
            head.diarienummer,
            head.arende,
            draft.summary,
            draft.decision,
            *section_view(draft, 0),
            "",
            NO_CHECK,
            "",
            None,
            gr.update(choices=saved(), value=draft.id),
        )

    def audit_of(
        upload: str | None, picked: str | None, pasted: str
    ) -> tuple[str, str, tuple[str, ...]]:
        """The audit's text, its file label and the stored files that are the audit itself."""
        if upload:
            loaded = check_upload(Path(upload), settings.max_file_mb)
            same = tuple(r.file for r in store.documents() if r.sha256 == loaded.sha256)
            return loaded.text, loaded.file, same
        if picked:
            record = store.document(picked)
            if record is None:
                raise YttraError("Granskningen finns inte längre i indexet.")
            return load_file(Path(record.path), record.file).text, record.file, (record.file,)
        if pasted.strip():
            return normalize_text(pasted), "", ()
        raise YttraError(
            "Ange granskningen: ladda upp, välj ett inläst dokument eller klistra in text."
        )

    def create(
        upload: str | None, picked: str | None, pasted: str, addressee: str
    ) -> tuple[Any, ...]:
        try:
            text, label, same = audit_of(upload, picked, pasted or "")
            draft = drafter.create(text, addressee.strip(), audit_file=label, exclude_files=same)
            if drafter.drafts is None:  # the drafter saves only into a store of its own
                drafts.save(draft)
        except YttraError as error:
            raise gr.Error(f"Utkastet kunde inte skapas: {error}") from error
        if not draft.sections:
            gr.Warning("Inga rekommendationer till adressaten hittades i granskningen.")
        return show(draft)

    def open_draft(draft_id: str | None) -> tuple[Any, ...]:
        if not draft_id:
            raise gr.Error("Välj ett tidigare utkast i listan.")
        try:
            return show(drafts.load(draft_id))
        except YttraError as error:
            raise gr.Error(str(error)) from error

    def pick_section(
        draft_id: str | None,
        previous: int | None,
        chosen: int | None,
        text: str,
        *head: str,
    ) -> tuple[Any, ...]:
        try:
            draft = load(draft_id)
            keep_text(draft, previous, text)
            edit(draft, head)
            drafts.save(draft)
        except YttraError as error:
            raise gr.Error(str(error)) from error
        index = chosen if chosen is not None and 0 <= chosen < len(draft.sections) else 0
        return index, status_markdown(draft), *section_view(draft, index)

    def save_section(
        draft_id: str | None, index: int | None, text: str, *head: str
    ) -> tuple[Any, ...]:
        try:
            draft = load(draft_id)
            keep_text(draft, index, text)
            edit(draft, head)
            drafts.save(draft)
        except YttraError as error:
            raise gr.Error(f"Utkastet kunde inte sparas: {error}") from error
        gr.Info("Utkastet är sparat.")
        return status_markdown(draft), gr.update(choices=section_choices(draft))

    def mark_done(
        draft_id: str | None, index: int | None, text: str, done: bool, *head: str
    ) -> tuple[Any, ...]:
        try:
            draft = load(draft_id)
            if index is None or not 0 <= index < len(draft.sections):
                raise YttraError("Välj en rekommendation först.")
            keep_text(draft, index, text)
            edit(draft, head)
            draft.sections[index].status = "klar" if done else "utkast"
            drafts.save(draft)
        except YttraError as error:
            raise gr.Error(f"Utkastet kunde inte sparas: {error}") from error
        return status_markdown(draft), gr.update(choices=section_choices(draft))

    def regenerate(draft_id: str | None, index: int | None, *head: str) -> tuple[Any, ...]:
        try:
            draft = load(draft_id)
            if index is None or not 0 <= index < len(draft.sections):
                raise YttraError("Välj en rekommendation först.")
            section = drafter.regenerate(draft, index)
            draft = load(draft_id)  # saved edits made while the section was drafted stay
            edit(draft, head)
            draft.sections[index] = section
            drafts.save(draft)
        except YttraError as error:
            raise gr.Error(f"Avsnittet kunde inte genereras om: {error}") from error
        return status_markdown(draft), *section_view(draft, index)

    def current(draft_id: str | None, index: int | None, text: str, head: tuple[str, ...]) -> Draft:
        """The draft with the page's unsaved edits taken over and saved."""
        draft = load(draft_id)
        keep_text(draft, index, text)
        edit(draft, head)
        drafts.save(draft)
        return draft

    def assemble(draft_id: str | None, index: int | None, text: str, *head: str) -> tuple[Any, ...]:
        try:
            draft = current(draft_id, index, text, head)
            report = drafter.check(draft)
            assembled = drafter.assemble(draft)
        except YttraError as error:
            raise gr.Error(f"Utkastet kunde inte sammanställas: {error}") from error
        return (
            status_markdown(draft),
            summary_line(report),
            coverage_html(report),
            assembled,
            gr.update(open=True),
        )

    def export(
        suffix: str, draft_id: str | None, index: int | None, text: str, head: tuple[str, ...]
    ) -> tuple[Any, ...]:
        try:
            draft = current(draft_id, index, text, head)
            exports.mkdir(parents=True, exist_ok=True)
            target = exports / f"{export_stem(draft)}{suffix}"
            if suffix == ".docx":
                write_docx(draft, target)
            else:
                target.write_text(drafter.assemble(draft), encoding="utf-8")
        except YttraError as error:
            raise gr.Error(f"Utkastet kunde inte exporteras: {error}") from error
        except OSError as error:
            raise gr.Error(
                f"Filen kunde inte skrivas i {exports}: {error.strerror or error}"
            ) from error
        open_sections = sum(1 for s in draft.sections if s.status != "klar")
        if open_sections:
            gr.Info(f"{open_sections} avsnitt är ännu inte markerade som klara.")
        return status_markdown(draft), str(target)

    def export_docx(
        draft_id: str | None, index: int | None, text: str, *head: str
    ) -> tuple[Any, ...]:
        return export(".docx", draft_id, index, text, head)

    def export_md(
        draft_id: str | None, index: int | None, text: str, *head: str
    ) -> tuple[Any, ...]:
        return export(".md", draft_id, index, text, head)

    with gr.Tab("Utkast", id="utkast", elem_id="tab-utkast") as tab:
        draft_id = gr.State("")
        index = gr.State(0)
        gr.Markdown(
            "Skriv yttrandet över en granskning: ett avsnitt per rekommendation, med "
            "tidigare svar på liknande rekommendationer som underlag. Utkasten sparas "
            "och kan öppnas igen."
        )
        gr.Markdown("### 1. Välj granskning")
        with gr.Row():
            audit_file = gr.File(
                label="Ladda upp granskningen",
                type="filepath",
                file_types=AUDIT_TYPES,
                elem_id="draft-audit-file",
            )
            with gr.Column():
                audit_pick = gr.Dropdown(
                    [], label="… eller välj ett inläst dokument", elem_id="draft-audit-pick"
                )
                audit_text = gr.Textbox(
                    label="… eller klistra in text", lines=4, elem_id="draft-audit-text"
                )
        with gr.Row(equal_height=True):
            addressee = gr.Textbox(
                label="Nämnd/styrelse som svarar",
                placeholder="t.ex. nämnden för Service",
                elem_id="draft-addressee",
                scale=3,
            )
            create_button = gr.Button(
                "Skapa utkast", variant="primary", elem_id="draft-create", scale=1
            )
        with gr.Row(equal_height=True):
            draft_list = gr.Dropdown([], label="Tidigare utkast", elem_id="draft-list", scale=3)
            open_button = gr.Button("Öppna", elem_id="draft-open", scale=1)
        status = gr.Markdown(NO_DRAFT, elem_id="draft-status")

        gr.Markdown("### 2. Skriv svaret")
        with gr.Row():
            till = gr.Textbox(label="Till", elem_id="draft-till")
            datum = gr.Textbox(label="Datum", elem_id="draft-datum")
            diarienummer = gr.Textbox(label="Diarienummer", elem_id="draft-diarienummer")
            arende = gr.Textbox(label="Ärende", elem_id="draft-arende")
        summary = gr.Textbox(label="Sammanfattning", lines=4, elem_id="draft-summary")
        decision = gr.Textbox(label="Förslag till beslut", lines=2, elem_id="draft-decision")
        section_pick = gr.Radio([], label="Rekommendation", elem_id="draft-section-pick")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                recommendation = gr.Markdown(elem_id="draft-recommendation")
                section_text = gr.Textbox(
                    label="Svar på rekommendationen",
                    lines=14,
                    interactive=False,
                    elem_id="draft-section-text",
                )
                with gr.Row():
                    save_button = gr.Button(
                        "Spara avsnitt", variant="primary", elem_id="draft-section-save"
                    )
                    regenerate_button = gr.Button("Generera om", elem_id="draft-regenerate")
                    done = gr.Checkbox(
                        label="Markera som klar", interactive=False, elem_id="draft-done"
                    )
            with gr.Column(scale=2):
                precedents = gr.HTML(
                    NO_PRECEDENTS,
                    elem_id="draft-precedents",
                    css_template=PRECEDENTS_CSS,
                    js_on_load=None,
                    max_height=700,
                )

        gr.Markdown("### 3. Sammanställ och kontrollera")
        assemble_button = gr.Button(
            "Sammanställ och kontrollera", variant="primary", elem_id="draft-assemble"
        )
        coverage_summary = gr.Markdown(elem_id="draft-coverage-summary")
        coverage = gr.HTML(
            NO_CHECK, elem_id="draft-coverage", css_template=COVERAGE_CSS, js_on_load=None
        )
        with gr.Accordion("Förhandsgranskning av yttrandet", open=False) as preview_box:
            preview = gr.Markdown(elem_id="draft-preview")

        gr.Markdown("### 4. Exportera")
        with gr.Row():
            docx_button = gr.Button("Ladda ner Word (.docx)", elem_id="draft-docx")
            md_button = gr.Button("Ladda ner Markdown", elem_id="draft-md")
        download = gr.File(label="Yttrandet", interactive=False, elem_id="draft-download")

    head = [till, datum, diarienummer, arende, summary, decision]
    view = [section_pick, recommendation, precedents, section_text, done]
    shown = [
        draft_id,
        index,
        status,
        *head,
        *view,
        coverage_summary,
        coverage,
        preview,
        download,
        draft_list,
    ]
    edits = [draft_id, index, section_text]
    # Slow work (retrieval, the LLM) runs beside other users; a draft's quick
    # load-change-save steps run one at a time so that no save overwrites another.
    slow: dict[str, Any] = {"concurrency_id": "drafting", **private}
    quick: dict[str, Any] = {"concurrency_id": "draft-edit", "concurrency_limit": 1, **private}
    tab.select(refresh, None, [audit_pick, draft_list], queue=False, **private)
    create_button.click(create, [audit_file, audit_pick, audit_text, addressee], shown, **slow)
    open_button.click(open_draft, draft_list, shown, **quick)
    # .input, not .change: only the official's own choice saves and switches the section.
    section_pick.input(
        pick_section,
        [draft_id, index, section_pick, section_text, *head],
        [index, status, *view],
        **quick,
    )
    save_button.click(save_section, [*edits, *head], [status, section_pick], **quick)
    done.input(mark_done, [*edits, done, *head], [status, section_pick], **quick)
    regenerate_button.click(regenerate, [draft_id, index, *head], [status, *view], **slow)
    assemble_button.click(
        assemble,
        [*edits, *head],
        [status, coverage_summary, coverage, preview, preview_box],
        **slow,
    )
    docx_button.click(export_docx, [*edits, *head], [status, download], **quick)
    md_button.click(export_md, [*edits, *head], [status, download], **quick)
