"""The web UI: ask questions with cited sources, upload documents, see what is indexed.

Built with Gradio and served on the configured host (loopback by default). The page
loads nothing from outside the server: no analytics, no web fonts, no CDN scripts, no
share link. Everything the user sees is in Swedish. Each tab is a page (components and
events) over a session that holds its logic and knows nothing of Gradio.
"""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from app.answering.answerer import Answerer
from app.drafting.drafter import Drafter
from app.indexing.ingestor import Ingestor
from app.review.assisted import Assistance
from app.review.lists import LISTS_DIR, ListStore
from app.settings import Settings
from app.web.access import DEFAULT_HOST, check_binding
from app.web.admission import Admission
from app.web.chat.page import ChatPage
from app.web.chat.session import ChatSession
from app.web.corpus.page import CorpusDisplay, IngestPage, OverviewPage
from app.web.corpus.session import IngestSession
from app.web.coverage.page import CoveragePage
from app.web.coverage.session import CoverageSession
from app.web.documents import DocumentResolver
from app.web.drafting.page import DraftingPage
from app.web.drafting.session import DraftingSession
from app.web.privacy.page import PrivacyPage
from app.web.privacy.session import PrivacySession
from app.web.recommendation_lists import RecommendationLists
from app.web.widgets import PRIVATE
from app.wiring import Services, build_drafter, draft_store
from ingest.errors import YttraError
from vectorstore.store import Store

EXPORTS_DIR = "exports"
"""Where coverage reports and drafts are exported for download, below the data directory."""
# Last-resort bound on Gradio's own queue (all tabs). Questions leave it at once (their
# line is `Admission`, with a Swedish message), so only other tabs' jobs or a burst of
# simultaneous clicks fill it; whoever hits it gets Gradio's own "busy" notice.
GRADIO_QUEUE_LIMIT = 64
INTRO = (
    "# Yttra\nSvar ur tidigare granskningar, yttranden och tjänsteskrivelser, "
    "med hänvisning till källorna."
)


class UIError(YttraError):
    """The web UI could not be started."""


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
    data = settings.resolved_data_dir()
    if drafter is None:
        drafter = build_drafter(settings, store, answerer.chat_model)
    exports = data / EXPORTS_DIR
    documents = DocumentResolver(store, settings.max_file_mb)
    admission = Admission(settings.ui_concurrency, settings.ui_queue_size)
    chat = ChatPage(ChatSession(answerer, admission))
    assistance = Assistance(
        answerer.chat_model, settings.llm_timeout, settings.llm_context_tokens
    )
    # The officials' edited recommendation lists, one per audit for both tabs.
    lists = RecommendationLists(documents, ListStore(data / LISTS_DIR), assistance)
    coverage = CoveragePage(CoverageSession(store, lists, exports), documents)
    drafts = drafter.drafts if drafter.drafts is not None else draft_store(settings)
    drafting = DraftingPage(DraftingSession(drafter, drafts, lists, exports))
    ingest = IngestPage(IngestSession(settings, store, ingestor))
    overview = OverviewPage()
    privacy = PrivacyPage(PrivacySession(store, settings.llm_mask_pii))
    with gr.Blocks(title="Yttra", analytics_enabled=False) as demo:
        gr.Markdown(INTRO)
        chat.build()
        coverage.build()
        drafting.build()
        ingest.build()
        overview.build()
        privacy.build()
        display = CorpusDisplay(overview.overview, chat.filters)
        ingest.wire(display)
        demo.load(ingest.refresh, None, display.components, **PRIVATE)
    # The other tabs' jobs run as many at once as questions do.
    demo.queue(default_concurrency_limit=settings.ui_concurrency, max_size=GRADIO_QUEUE_LIMIT)
    return demo


def build_ui_for(services: Services) -> gr.Blocks:
    """`build_ui` over the objects `services` holds: one store for every tab."""
    return build_ui(
        services.settings,
        services.store,
        services.answerer,
        services.ingestor,
        drafter=services.drafter,
    )


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
            allowed_paths=[str(settings.resolved_data_dir() / EXPORTS_DIR)],
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
