"""The web UI: ask questions with cited sources, upload documents, see what is indexed.

Built with Gradio and served on the configured host (loopback by default). The page
loads nothing from outside the server: no analytics, no web fonts, no CDN scripts, no
share link. Everything the user sees is in Swedish.
"""

from __future__ import annotations

import logging
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from app.answering.answerer import Answer, Answerer, Source, Turn
from app.drafting.drafter import Drafter
from app.drafting.model import DraftStore
from app.indexing.ingestor import FileOutcome, Ingestor
from app.llm.calls import message_text
from app.llm.clients import describe_llm
from app.settings import Settings
from app.web.access import DEFAULT_HOST, check_binding
from app.web.admission import Admission
from app.web.common import escape_html
from app.web.coverage_page import coverage_tab
from app.web.drafting_page import drafting_tab
from app.web.privacy_page import privacy_tab
from app.web.uploads import UploadError, check_upload
from ingest.errors import YttraError
from vectorstore.catalog import Filters
from vectorstore.store import Store, StoreStats

log = logging.getLogger(__name__)


class UIError(YttraError):
    """The web UI could not be started."""


ALL = "Alla"
UPLOAD_TYPES = [".pdf", ".docx", ".txt", ".md"]
# Last-resort bound on Gradio's own queue (all tabs). Questions leave it at once (their
# line is `Admission`, with a Swedish message), so only other tabs' jobs or a burst of
# simultaneous clicks fill it; whoever hits it gets Gradio's own "busy" notice.
GRADIO_QUEUE_LIMIT = 64
QUESTION_PLACEHOLDER = "Ställ en fråga om tidigare granskningar och svar …"
NO_SOURCES = '<p class="yttra-empty">Källorna till det senaste svaret visas här.</p>'
TYPE_LABELS = {
    "granskning": "granskning",
    "missiv": "missiv",
    "yttrande": "yttrande",
    "tjansteskrivelse": "tjänsteskrivelse",
    "protokoll": "protokoll",
    "other": "övrigt",
}
STATUS_LABELS = {
    "added": "inläst",
    "updated": "uppdaterad",
    "unchanged": "oförändrad",
    "removed": "borttagen",
}

SOURCES_CSS = """
.yttra-sources h3 { margin: 0 0 .5rem 0; font-size: 1rem; }
.yttra-source { border: 1px solid var(--border-color-primary); border-radius: 6px;
  margin: 0 0 .5rem 0; padding: .35rem .6rem; background: var(--background-fill-primary); }
.yttra-source > summary { cursor: pointer; font-size: .9rem; line-height: 1.35; }
.yttra-cited { border-left: 4px solid var(--color-accent); }
.yttra-badge { display: inline-block; font-size: .75rem; font-weight: 600; padding: 0 .4rem;
  margin-right: .3rem; border-radius: 4px; background: var(--color-accent-soft); }
.yttra-meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .6rem;
  font-size: .8rem; margin: .5rem 0; }
.yttra-meta dt { font-weight: 600; }
.yttra-meta dd { margin: 0; overflow-wrap: anywhere; }
.yttra-passage { white-space: pre-wrap; font-size: .85rem; margin: 0; padding: .5rem;
  border-left: 3px solid var(--border-color-primary);
  background: var(--background-fill-secondary); }
.yttra-empty { color: var(--body-text-color-subdued); font-size: .9rem; }
"""


# -- rendering ----------------------------------------------------------------------------


def sources_html(answer: Answer | None) -> str:
    """Every source of the answer as a collapsible passage; cited ones marked and first."""
    if answer is None or not answer.sources:
        return NO_SOURCES
    cited = {source.number for source in answer.cited()}
    ordered = sorted(answer.sources, key=lambda s: (s.number not in cited, s.number))
    items = "\n".join(_source_html(source, source.number in cited) for source in ordered)
    count = (
        f"{len(cited)} citerade av {len(answer.sources)}"
        if cited
        else (f"{len(answer.sources)} hämtade, ingen citerad")
    )
    return f'<div class="yttra-sources"><h3>Källor ({count})</h3>\n{items}\n</div>'


def _source_html(source: Source, cited: bool) -> str:
    hit = source.hit
    facts = [
        ("Typ", TYPE_LABELS.get(hit.doc_type, hit.doc_type)),
        ("Diarienummer", hit.diarienummer),
        ("Datum", hit.date),
        ("Organ", hit.organ),
        ("Avsnitt", hit.section),
        ("Sida", str(hit.page) if hit.page else ""),
        ("Fil", hit.file),
    ]
    meta = "".join(
        f"<dt>{name}</dt><dd>{escape_html(value)}</dd>" for name, value in facts if value
    )
    badge = '<span class="yttra-badge">citerad</span>' if cited else ""
    classes = "yttra-source yttra-cited" if cited else "yttra-source"
    return (
        f'<details class="{classes}" data-number="{source.number}" '
        f'data-file="{escape_html(hit.file)}">'
        f"<summary>{badge}{escape_html(source.reference())}</summary>"
        f'<dl class="yttra-meta">{meta}</dl>'
        f'<blockquote class="yttra-passage">{escape_html(hit.text.strip())}</blockquote>'
        "</details>"
    )


def _table(title: str, counts: dict[str, int], label: Callable[[str], str] = str) -> str:
    rows = [f"| {title} | Dokument |", "|---|---:|"]
    for key, n in counts.items():
        name = label(key) if key else "okänt"
        rows.append(f"| {name.replace('|', '/')} | {n} |")
    return "\n".join(rows)


def overview_markdown(stats: StoreStats, settings: Settings) -> str:
    """The corpus at a glance: counts, breakdowns, models and where the data lives."""
    parts = [
        "## Innehåll i indexet",
        f"**{stats.documents} dokument** uppdelade i **{stats.chunks} avsnitt** "
        f"({stats.vectors} vektorer).",
    ]
    if stats.documents:
        parts += [
            _table("Dokumenttyp", stats.by_type, lambda t: TYPE_LABELS.get(t, t)),
            _table("Organ", stats.by_organ),
            _table("År", dict(sorted(stats.by_year.items(), reverse=True))),
        ]
    else:
        parts.append("Inga dokument är inlästa ännu. Läs in dokument under fliken *Läs in*.")
    parts += [
        "## Inställningar",
        f"- **Embeddingmodell:** {stats.embedding_model}",
        f"- **Språkmodell:** {describe_llm(settings)}",
        f"- **Lagring:** `{stats.location}`",
    ]
    return "\n\n".join(parts)


def _type_choices(stats: StoreStats) -> list[tuple[str, str]]:
    return [(ALL, ALL)] + [
        (f"{TYPE_LABELS.get(t, t)} ({n})", t) for t, n in stats.by_type.items() if t
    ]


def _organ_choices(stats: StoreStats) -> list[tuple[str, str]]:
    return [(ALL, ALL)] + [(f"{o} ({n})", o) for o, n in stats.by_organ.items() if o]


def _year_choices(stats: StoreStats) -> list[tuple[str, str]]:
    years = sorted((y for y in stats.by_year if y), reverse=True)
    return [(ALL, ALL)] + [(f"{y} ({stats.by_year[y]})", y) for y in years]


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


def safe_file_name(name: str) -> str:
    """The uploaded file's own name, reduced to characters safe in any file system."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    name = re.sub(r"[^\w.\- ]+", "_", name).strip(" ._")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem[:150] or "dokument"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def status_label(outcome: FileOutcome) -> str:
    if outcome.status == "failed":
        return f"misslyckades: {outcome.reason}"
    return STATUS_LABELS.get(outcome.status, outcome.status)


def format_outcomes(outcomes: Sequence[FileOutcome]) -> list[list[str]]:
    """Rows for the upload result table: file and Swedish status."""
    return [[outcome.file, status_label(outcome)] for outcome in outcomes]



# -- the app ------------------------------------------------------------------------------


def build_ui(
    settings: Settings,
    store: Store,
    answerer: Answerer,
    ingestor: Ingestor,
    *,
    drafter: Drafter | None = None,
) -> gr.Blocks:
    """The Gradio app: tabs "Fråga", "Täckning", "Utkast", "Läs in", "Översikt" and
    "Personuppgifter"."""
    uploads = settings.resolved_data_dir() / "uploads"
    admission = Admission(settings.ui_concurrency, settings.ui_queue_size)
    if drafter is None:
        drafter = Drafter(
            store,
            answerer.chat_model,
            drafts=DraftStore(settings.resolved_data_dir() / "drafts"),
            timeout=settings.llm_timeout,
            context_tokens=settings.llm_context_tokens,
        )

    def ask(
        message: str,
        chat: list[dict[str, Any]] | None,
        turns: list[Turn] | None,
        doc_type: str | None,
        organ: str | None,
        year: str | None,
    ) -> Iterator[tuple[Any, ...]]:
        question = (message or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        history = list(turns or [])
        shown = [{"role": m["role"], "content": message_text(m["content"])} for m in chat or []]
        shown.append({"role": "user", "content": question})
        yield "", shown, history, gr.skip()
        last: Answer | None = None
        panel = ""
        filters = build_filters(doc_type, organ, year)
        try:
            with admission.slot() as turn:  # QueueFull when the line is full
                if not turn.ready:
                    queued = f"*Många frågar just nu: din fråga är nummer {turn.ahead + 1} i kön.*"
                    chat_now = [*shown, {"role": "assistant", "content": queued}]
                    yield "", chat_now, history, gr.skip()
                    turn.wait()
                for last in answerer.stream(question, history, filters):
                    content = last.markdown() if last.done else last.text
                    new_panel = sources_html(last)
                    update = new_panel if new_panel != panel else gr.skip()
                    panel = new_panel
                    yield "", [*shown, {"role": "assistant", "content": content}], history, update
        except YttraError as error:
            log.warning("answering failed: %s", error)
            failure = f"*Frågan kunde inte besvaras: {error}*"
            yield "", [*shown, {"role": "assistant", "content": failure}], history, NO_SOURCES
            return
        if last is not None:
            history.append((question, last.text))
            yield gr.skip(), gr.skip(), history, gr.skip()

    def clear() -> tuple[Any, ...]:
        return [], [], NO_SOURCES, ""

    def refresh() -> tuple[Any, ...]:
        stats = store.stats()
        return (
            overview_markdown(stats, settings),
            gr.Dropdown(choices=_type_choices(stats)),
            gr.Dropdown(choices=_organ_choices(stats)),
            gr.Dropdown(choices=_year_choices(stats)),
        )

    # Gradio finds the progress bar by this default value, hence the call in the signature.
    def ingest(
        files: list[str] | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        if not files:
            gr.Warning("Välj en eller flera filer att läsa in.")
            return (gr.skip(),) * 5
        targets: list[Path] = []
        not_saved: list[FileOutcome] = []
        for upload in files:
            name = safe_file_name(Path(upload).name)
            try:  # by size and content, before anything is kept
                check_upload(Path(upload), settings.max_file_mb, name)
            except UploadError as error:
                log.warning("upload refused: %s: %s", name, error.reason)
                not_saved.append(FileOutcome(name, "failed", error.reason))
                continue
            target = uploads / name
            n = 2
            while target in targets:  # two uploads with the same name in one batch
                target = uploads / f"{Path(name).stem}-{n}{Path(name).suffix}"
                n += 1
            try:
                uploads.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(upload, target)
            except OSError as error:
                log.warning("could not save upload %s: %s", name, error)
                reason = f"kunde inte sparas: {error.strerror or error}"
                not_saved.append(FileOutcome(name, "failed", reason))
                continue
            targets.append(target)
        outcomes = list(not_saved)
        if targets:
            try:
                summary = ingestor.ingest(
                    targets,
                    progress=lambda items: progress.tqdm(items, desc="Läser in", unit="fil"),
                )
            except YttraError as error:
                raise gr.Error(f"Inläsningen misslyckades: {error}") from error
            outcomes = summary.outcomes + outcomes
        return (format_outcomes(outcomes), *refresh())

    with gr.Blocks(title="Yttra", analytics_enabled=False) as demo:
        gr.Markdown(
            "# Yttra\nSvar ur tidigare granskningar, yttranden och tjänsteskrivelser, "
            "med hänvisning till källorna."
        )
        turns = gr.State([])
        with gr.Tab("Fråga", id="fraga", elem_id="tab-fraga"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    with gr.Row():
                        type_filter = gr.Dropdown(
                            [(ALL, ALL)], value=ALL, label="Dokumenttyp", elem_id="filter-type"
                        )
                        organ_filter = gr.Dropdown(
                            [(ALL, ALL)], value=ALL, label="Organ", elem_id="filter-organ"
                        )
                        year_filter = gr.Dropdown(
                            [(ALL, ALL)], value=ALL, label="År", elem_id="filter-year"
                        )
                    chatbot = gr.Chatbot(
                        label="Samtal",
                        elem_id="chat",
                        height=520,
                        buttons=["copy"],
                        feedback_options=None,
                        placeholder="Svaren bygger bara på de inlästa dokumenten och "
                        "hänvisar till källorna med [1], [2] …",
                    )
                    question = gr.Textbox(
                        placeholder=QUESTION_PLACEHOLDER,
                        show_label=False,
                        lines=1,  # Enter sends, Shift+Enter breaks the line
                        max_lines=6,
                        elem_id="question",
                        submit_btn=False,
                    )
                    with gr.Row():
                        send = gr.Button("Skicka", variant="primary", elem_id="send", scale=3)
                        reset = gr.Button("Rensa", elem_id="clear", scale=1)
                with gr.Column(scale=2):
                    sources = gr.HTML(
                        NO_SOURCES,
                        elem_id="sources",
                        css_template=SOURCES_CSS,
                        js_on_load=None,
                        max_height=700,
                    )
        # The page is the only client: no endpoint is offered to API clients.
        private: dict[str, Any] = {"api_visibility": "private"}
        coverage_tab(settings, store, private)
        drafting_tab(settings, store, drafter, private)
        with gr.Tab("Läs in", id="las-in", elem_id="tab-las-in"):
            gr.Markdown(
                "Välj dokument (PDF, Word, text eller Markdown). De sparas i "
                f"`{uploads}` och läses in i indexet; en fil med samma namn som en tidigare "
                "ersätter den."
            )
            files = gr.File(
                file_count="multiple",
                file_types=UPLOAD_TYPES,
                type="filepath",
                label="Dokument",
                elem_id="upload",
            )
            load_button = gr.Button("Läs in", variant="primary", elem_id="ingest")
            result = gr.Dataframe(
                headers=["Fil", "Status"],
                column_count=2,
                interactive=False,
                label="Resultat",
                elem_id="ingest-result",
                wrap=True,
            )
        with gr.Tab("Översikt", id="oversikt", elem_id="tab-oversikt"):
            overview = gr.Markdown(elem_id="overview")
        privacy_tab(settings, store, private)

        ask_inputs = [question, chatbot, turns, type_filter, organ_filter, year_filter]
        ask_outputs = [question, chatbot, turns, sources]
        # Questions pass Gradio's queue at once and wait in `admission` instead, which
        # tells the user in Swedish when the line is full.
        asking: dict[str, Any] = {"concurrency_id": "ask", "concurrency_limit": None, **private}
        send.click(ask, ask_inputs, ask_outputs, **asking)
        question.submit(ask, ask_inputs, ask_outputs, **asking)
        cleared = [chatbot, turns, sources, question]
        reset.click(clear, None, cleared, queue=False, **private)
        chatbot.clear(clear, None, cleared, queue=False, **private)
        filters = [overview, type_filter, organ_filter, year_filter]
        load_button.click(
            ingest,
            files,
            [result, *filters],
            concurrency_limit=1,
            concurrency_id="ingest",
            **private,
        )
        demo.load(refresh, None, filters, **private)
    # The other tabs' jobs run as many at once as questions do.
    demo.queue(default_concurrency_limit=settings.ui_concurrency, max_size=GRADIO_QUEUE_LIMIT)
    return demo


def launch(
    demo: gr.Blocks,
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    block: bool = True,
    announce: Callable[[str], None] | None = None,
) -> str:
    """Serve the app on loopback (or `host`) and return its local URL.

    With `block` the call returns only when the server stops (Ctrl+C); `announce` gets
    the URL as soon as the server answers. Never shares, never reports usage. Any other
    address than loopback needs a login (`ExposureError` otherwise).
    """
    server_name = host or settings.ui_host or DEFAULT_HOST
    server_port = port or settings.ui_port
    username = settings.ui_username
    password = settings.ui_password.get_secret_value()
    check_binding(server_name, username, password)  # loopback, or behind a proper login
    login = bool(username and password)
    try:
        _, local_url, _ = demo.launch(
            server_name=server_name,
            server_port=server_port,
            auth=(username, password) if login else None,
            auth_message="Logga in för att använda Yttra." if login else None,
            share=False,
            prevent_thread_lock=True,
            quiet=True,
            footer_links=[],  # no "use via API" or "built with Gradio" links
            run_history=False,
            enable_monitoring=False,
            mcp_server=False,
            pwa=False,
            ssr_mode=False,
            max_file_size=f"{settings.max_file_mb}mb",
            # exports (coverage reports, drafts) are offered for download from here
            allowed_paths=[str(settings.resolved_data_dir() / "exports")],
        )
    except OSError as error:  # the port is taken or the address is not this machine's
        raise UIError(
            f"Webbgränssnittet kunde inte starta på {server_name}:{server_port} "
            "(upptagen eller ogiltig adress); välj en annan med --host eller --port."
        ) from error
    if announce is not None:
        announce(local_url)
    if block:
        try:
            demo.block_thread()
        finally:
            demo.close(verbose=False)
    return local_url
