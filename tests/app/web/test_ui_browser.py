"""The web UI in a real browser: Debian's headless Chromium driven by Playwright.

The app is served on loopback from a real store of the sample corpus, without an LLM
(extractive answers). Every request the page makes is recorded: none may leave loopback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from app.answering.answerer import Answerer
from app.settings import Settings
from app.web.server import build_ui, launch
from app.wiring import build_ingestor
from bench.common import free_port
from bench.ui_latency import CHROMIUM_ARGS
from tests.conftest import SAMPLE_CORPUS
from vectorstore.store import Store

pytestmark = [
    pytest.mark.slow,
    # Gradio's queue statistics call pandas APIs that pandas 3 deprecates; not ours to fix.
    pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning"),
]

CHROMIUM = Path("/usr/bin/chromium")
QUESTION = "Hur många deltagare avslutade en arbetsmarknadsanställning under 2020?"
SOURCE_FILE = "malmo/001_74f6e0640af84ef9.txt"
STREAMED = "Under 2020 avslutade 292 deltagare en arbetsmarknadsanställning [1]."
LAST_ANSWER = """() => [...document.querySelectorAll('#chat [data-testid="bot"]')].pop()
    ?.textContent ?? ''"""
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _serve(store: Store, answerer: Answerer | None = None) -> Iterator[str]:
    settings = Settings()  # its data directory is tmp_path (see tests/conftest.py)
    answerer = answerer or Answerer(store)
    demo = build_ui(settings, store, answerer, build_ingestor(settings, store))
    url = launch(demo, settings, "127.0.0.1", free_port(), block=False)
    try:
        yield url
    finally:
        demo.close(verbose=False)


@pytest.fixture
def corpus_app(corpus_store: Store) -> Iterator[str]:
    yield from _serve(corpus_store)


@pytest.fixture
def llm_app(corpus_store: Store) -> Iterator[str]:
    """An LLM that streams its answer slowly, one character at a time."""
    model = FakeListChatModel(responses=[STREAMED], sleep=0.02)
    yield from _serve(corpus_store, Answerer(corpus_store, model))


@pytest.fixture
def broken_llm_app(corpus_store: Store) -> Iterator[str]:
    """An LLM that fails in the middle of its answer."""
    model = FakeListChatModel(responses=[STREAMED], error_on_chunk_number=10)
    yield from _serve(corpus_store, Answerer(corpus_store, model))


@pytest.fixture
def empty_app(store: Store) -> Iterator[str]:
    yield from _serve(store)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} saknas: installera Debians Chromium med `make browser` "
            "(apt-get install -y chromium chromium-driver).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        opened = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield opened
        opened.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A fresh Swedish page and the list of every URL it requests."""
    context = browser.new_context(locale="sv-SE", viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    expect.set_options(timeout=30_000)
    requested: list[str] = []
    opened.on("request", lambda request: requested.append(request.url))
    yield opened, requested
    context.close()


def _assert_loopback_only(requested: list[str]) -> None:
    assert requested, "the page made no requests at all"
    outside = [
        url for url in requested
        if urlsplit(url).scheme not in ("data", "blob")
        and urlsplit(url).hostname not in LOOPBACK
    ]
    assert not outside, f"requests left loopback: {sorted(set(outside))}"


def test_a_question_is_answered_with_cited_sources(
    corpus_app: str, page: tuple[Page, list[str]], tmp_path: Path
) -> None:
    tab, requested = page
    tab.goto(corpus_app)
    tab.locator("#question textarea").fill(QUESTION)
    tab.locator("#send").click()

    answer = tab.locator('#chat [data-testid="bot"]').last
    expect(answer).to_contain_text("[1]")
    expect(answer).to_contain_text("deltagare")
    expect(tab.locator("#question textarea")).to_have_value("")

    source = tab.locator(f'#sources details.yttra-source[data-file="{SOURCE_FILE}"]').first
    expect(source).to_be_attached()
    expect(tab.locator("#sources details.yttra-cited").first).to_contain_text("citerad")
    passage = source.locator(".yttra-passage")
    expect(passage).to_be_hidden()
    source.locator("summary").click()
    expect(passage).to_be_visible()
    expect(passage).to_contain_text("arbetsmarknadsanställning")
    expect(source.locator(".yttra-meta")).to_contain_text(SOURCE_FILE)

    screenshot = tmp_path / "chat.png"
    tab.screenshot(path=str(screenshot), full_page=True)
    print(f"skärmbild: {screenshot}")

    # A follow-up is answered in the same conversation.
    tab.locator("#question textarea").fill("Och hur många av dem var kvinnor?")
    tab.locator("#question textarea").press("Enter")
    expect(tab.locator('#chat [data-testid="bot"]')).to_have_count(2)
    expect(tab.locator('#chat [data-testid="bot"]').last).to_contain_text("[1]")

    tab.get_by_role("tab", name="Översikt").click()
    overview = tab.locator("#overview")
    expect(overview).to_contain_text(f"{len(list(SAMPLE_CORPUS.rglob('*.txt')))} dokument")
    expect(overview).to_contain_text("inget LLM")

    tab.get_by_role("tab", name="Fråga").click()
    tab.locator("#clear").click()
    expect(tab.locator('#chat [data-testid="bot"]')).to_have_count(0)
    expect(tab.locator("#sources details")).to_have_count(0)

    # A filter chosen in a dropdown applies to the next question: only reviews now.
    tab.locator("#filter-type input").click()
    tab.get_by_role("option", name=re.compile(r"^granskning \(\d+\)$")).click()
    tab.locator("#question textarea").fill(QUESTION)
    tab.locator("#send").click()
    expect(tab.locator('#chat [data-testid="bot"]')).to_have_count(1)
    expect(tab.locator("#sources details.yttra-source").first).to_be_attached()
    types = tab.locator("#sources .yttra-meta dt:text-is('Typ') + dd").all_text_contents()
    assert types and set(types) == {"granskning"}, types
    _assert_loopback_only(requested)


def test_an_llm_answer_streams_into_the_chat(
    llm_app: str, page: tuple[Page, list[str]]
) -> None:
    tab, requested = page
    tab.goto(llm_app)
    tab.locator("#question textarea").fill(QUESTION)
    tab.locator("#send").click()
    # Part of the text shows before the answer is complete (its list of sources).
    tab.wait_for_function(
        f"() => {{ const t = ({LAST_ANSWER})(); "
        "return t.includes('Under 2020') && !t.includes('[1]'); }",
        polling=50,
    )
    answer = tab.locator('#chat [data-testid="bot"]').last
    expect(answer).to_contain_text(STREAMED)
    expect(answer).to_contain_text("Källor")
    expect(tab.locator("#sources details.yttra-cited")).to_have_count(1)
    _assert_loopback_only(requested)


def test_an_llm_failure_is_explained_and_extracts_are_shown(
    broken_llm_app: str, page: tuple[Page, list[str]]
) -> None:
    tab, requested = page
    tab.goto(broken_llm_app)
    tab.locator("#question textarea").fill(QUESTION)
    tab.locator("#send").click()
    answer = tab.locator('#chat [data-testid="bot"]').last
    expect(answer.locator("em").first).to_contain_text("Språkmodellen")
    expect(answer).to_contain_text("utdrag ur källorna")
    expect(answer).to_contain_text("[1]")
    _assert_loopback_only(requested)


def test_uploaded_files_are_ingested_and_reported(
    empty_app: str, page: tuple[Page, list[str]], tmp_path: Path
) -> None:
    good = tmp_path / "in" / "Svar på granskning (slutlig).txt"
    good.parent.mkdir()
    good.write_text(
        "Yttrande över revisionens granskning av intern kontroll\n\n"
        "Kommunstyrelsen har tagit del av granskningen och instämmer i revisorernas "
        "bedömning att rutinerna för attest behöver stärkas. En ny attestordning "
        "antas under hösten 2024.\n",
        encoding="utf-8",
    )
    broken = tmp_path / "in" / "trasig.pdf"
    broken.write_bytes(b"inte en pdf")
    tab, requested = page
    tab.goto(empty_app)
    tab.get_by_role("tab", name="Översikt").click()
    expect(tab.locator("#overview")).to_contain_text("0 dokument")

    tab.get_by_role("tab", name="Läs in").click()
    tab.locator("#upload input[type=file]").set_input_files([good, broken])
    expect(tab.locator('#upload a[href$="/trasig.pdf"]')).to_be_attached()  # uploaded
    tab.locator("#ingest").click()
    result = tab.locator("#ingest-result")
    expect(result).to_contain_text("inläst")
    expect(result).to_contain_text("misslyckades:")
    expect(result).to_contain_text("Svar på granskning _slutlig_.txt")

    uploads = tmp_path / "store" / "uploads"
    assert (uploads / "Svar på granskning _slutlig_.txt").read_text(encoding="utf-8") == (
        good.read_text(encoding="utf-8")
    )
    tab.get_by_role("tab", name="Översikt").click()
    expect(tab.locator("#overview")).to_contain_text("1 dokument")
    _assert_loopback_only(requested)


def test_coverage_tab_shows_the_matrix_with_evidence_and_exports(
    corpus_app: str, page: tuple[Page, list[str]], tmp_path: Path
) -> None:
    corpus = Path(__file__).resolve().parents[3] / "data" / "sample-corpus" / "kungsbacka"
    audit = corpus / "014_kungsbacka-revision-upphandling-oegentligheter-granskning.txt"
    reply = corpus / "012_kungsbacka-service-upphandling-oegentligheter-yttrande.txt"
    # A draft that forgets the answer to recommendation 3.
    lines = reply.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("3. Rekommendation"))
    end = next(i for i, line in enumerate(lines) if "Riktlinjerna för Inköp" in line)
    draft = tmp_path / "utkast.txt"
    draft.write_text("\n".join(lines[:start] + lines[end + 2:]), encoding="utf-8")

    tab, requested = page
    tab.goto(corpus_app)
    tab.get_by_role("tab", name="Täckning").click()
    tab.locator("#audit-file input[type=file]").set_input_files(audit)
    tab.locator("#reply-file input[type=file]").set_input_files(draft)
    expect(tab.locator('#reply-file a[href$="/utkast.txt"]')).to_be_attached()
    tab.locator("#addressee textarea").fill("nämnden för Service")
    tab.locator("#check-coverage").click()

    rows = tab.locator("#coverage-matrix tbody tr")
    expect(rows).to_have_count(8)
    expect(tab.locator("#coverage-summary")).to_contain_text("8 rekommendationer")
    missing = tab.locator("#coverage-matrix tr.saknas, #coverage-matrix tr.delvis")
    expect(missing).to_have_count(1)
    expect(missing).to_contain_text("belastningsregister")
    expect(tab.locator("#coverage-matrix tr.besvarad")).to_have_count(7)
    first = rows.first.locator("details.yttra-evidence")
    expect(first.locator("blockquote")).to_be_hidden()
    first.locator("summary").click()
    expect(first.locator("blockquote")).to_be_visible()
    expect(first.locator("blockquote")).to_contain_text("styrdokument")
    exports = tab.locator("#coverage-export a")
    expect(exports).to_have_count(2)
    hrefs = [exports.nth(i).get_attribute("href") or "" for i in range(2)]
    assert any(h.endswith(".csv") for h in hrefs) and any(h.endswith(".md") for h in hrefs)
    tab.screenshot(path=str(tmp_path / "coverage.png"), full_page=True)
    _assert_loopback_only(requested)


def test_drafting_tab_drafts_checks_exports_and_reopens_a_yttrande(
    corpus_app: str, page: tuple[Page, list[str]], tmp_path: Path
) -> None:
    import re
    from io import BytesIO
    from urllib.parse import urljoin

    import docx

    corpus = Path(__file__).resolve().parents[3] / "data" / "sample-corpus" / "kungsbacka"
    audit = corpus / "014_kungsbacka-revision-upphandling-oegentligheter-granskning.txt"
    added = "Nämnden instämmer i rekommendationen."

    tab, requested = page
    tab.goto(corpus_app)
    tab.get_by_role("tab", name="Utkast").click()
    tab.locator("#draft-audit-file input[type=file]").set_input_files(audit)
    expect(tab.locator(f'#draft-audit-file a[href$="/{audit.name}"]')).to_be_attached()
    tab.locator("#draft-addressee textarea").fill("nämnden för Service")
    tab.locator("#draft-create").click()

    choices = tab.locator("#draft-section-pick label")
    # The first draft also reads every earlier reply for its answered recommendations.
    expect(choices).to_have_count(8, timeout=120_000)
    expect(tab.locator("#draft-recommendation")).to_contain_text("Rekommendation 1")
    choices.nth(1).click()
    expect(tab.locator("#draft-recommendation")).to_contain_text("Rekommendation 2")
    expect(tab.locator("#draft-precedents details").first).to_be_attached()
    editor = tab.locator("#draft-section-text textarea")
    expect(editor).not_to_have_value("")
    editor.fill(f"{editor.input_value()}\n\n{added}")
    tab.locator("#draft-section-save").click()
    expect(tab.get_by_text("Utkastet är sparat.").first).to_be_visible()
    tab.locator("#draft-done input").check()
    expect(choices.nth(1)).to_contain_text("(klar)")

    tab.locator("#draft-assemble").click()
    expect(tab.locator("#draft-coverage tbody tr")).to_have_count(8)
    expect(tab.locator("#draft-coverage tr.saknas")).to_have_count(0)
    expect(tab.locator("#draft-coverage-summary")).to_contain_text("8 rekommendationer")
    expect(tab.locator("#draft-preview")).to_contain_text(added)

    tab.locator("#draft-docx").click()
    link = tab.locator('#draft-download a[href$=".docx"]')
    expect(link).to_be_attached()
    response = tab.request.get(urljoin(corpus_app, link.get_attribute("href") or ""))
    assert response.ok, response.status
    saved = tmp_path / "utkast.docx"
    saved.write_bytes(response.body())
    paragraphs = [p.text for p in docx.Document(BytesIO(saved.read_bytes())).paragraphs]
    headings = [text for text in paragraphs if text.startswith("Rekommendation ")]
    assert headings == [f"Rekommendation {n}" for n in range(1, 9)], headings
    assert any(added in text for text in paragraphs)
    tab.screenshot(path=str(tmp_path / "utkast.png"), full_page=True)

    # The draft survives a new page: it is opened again from "Tidigare utkast".
    tab.reload()
    tab.get_by_role("tab", name="Utkast").click()
    tab.locator("#draft-list input").click()
    tab.get_by_role("option").filter(has_text="nämnden för Service").first.click()
    tab.locator("#draft-open").click()
    expect(choices).to_have_count(8)
    expect(choices.nth(1)).to_contain_text("(klar)")
    choices.nth(1).click()
    expect(tab.locator("#draft-section-text textarea")).to_have_value(re.compile(added))
    _assert_loopback_only(requested)


KUNGSBACKA = Path(__file__).resolve().parents[3] / "data" / "sample-corpus" / "kungsbacka"
KUNGSBACKA_AUDIT = KUNGSBACKA / "014_kungsbacka-revision-upphandling-oegentligheter-granskning.txt"
KUNGSBACKA_REPLY = KUNGSBACKA / "012_kungsbacka-service-upphandling-oegentligheter-yttrande.txt"


def _list_texts(tab: Page, prefix: str) -> Locator:
    """The text cells of a tab's recommendation table."""
    return tab.locator(f'#{prefix}-rec-table [role=gridcell][data-col="2"]')


def _checked(tab: Page, matrix: str) -> list[str]:
    """The recommendations a coverage matrix lists (the evidence's summaries)."""
    return [
        text.strip()
        for text in tab.locator(f"{matrix} details.yttra-evidence > summary").all_inner_texts()
    ]


def test_recommendations_typed_in_when_none_are_found_are_checked(
    corpus_app: str, page: tuple[Page, list[str]], tmp_path: Path
) -> None:
    audit = tmp_path / "granskning-utan-rekommendationer.txt"
    audit.write_text(
        "Granskning av upphandling och avtalsuppföljning\n\n"
        "Revisorerna har granskat hur nämnden för Service arbetar med upphandling och "
        "uppföljning av avtal. Granskningen visar brister i kontrollerna.\n",
        encoding="utf-8",
    )
    typed = [
        "1. Tydliggöra via styrdokument vilka kontroller som ska göras inför varje upphandling",
        "2. Tydliggöra ansvarsfördelningen avseende avtalsuppföljning",
        "3. Systematiskt följa upp arbetet med avtalsuppföljning",
    ]
    tab, requested = page
    tab.goto(corpus_app)
    tab.get_by_role("tab", name="Täckning").click()
    tab.locator("#audit-file input[type=file]").set_input_files(audit)
    notice = tab.locator("#coverage-rec-notice")
    expect(notice).to_contain_text("Inga rekommendationer hittades")
    expect(notice).to_contain_text("rekommenderas att")
    paste = tab.locator("#coverage-rec-paste textarea")
    expect(paste).to_be_visible()  # the paste box is opened for the official
    paste.fill("\n".join(typed))
    tab.locator("#coverage-rec-fill").click()
    expect(_list_texts(tab, "coverage")).to_have_count(3)
    expect(notice).to_contain_text("3 rekommendationer fyller nu listan")

    tab.locator("#reply-file input[type=file]").set_input_files(KUNGSBACKA_REPLY)
    expect(tab.locator(f'#reply-file a[href$="/{KUNGSBACKA_REPLY.name}"]')).to_be_attached()
    tab.locator("#check-coverage").click()
    rows = tab.locator("#coverage-matrix tbody tr")
    expect(rows).to_have_count(3)
    expect(tab.locator("#coverage-summary")).to_contain_text("3 rekommendationer")
    expect(rows.nth(1)).to_contain_text("ansvarsfördelningen avseende avtalsuppföljning")

    # The typed list survives a new page: choosing the audit again shows it.
    tab.reload()
    tab.get_by_role("tab", name="Täckning").click()
    tab.locator("#audit-file input[type=file]").set_input_files(audit)
    expect(_list_texts(tab, "coverage")).to_have_count(3)
    expect(tab.locator("#coverage-rec-notice")).to_contain_text("redigerade lista")
    _assert_loopback_only(requested)


def test_an_edited_list_is_what_coverage_and_the_draft_answer(
    corpus_app: str, page: tuple[Page, list[str]]
) -> None:
    added = "Utbilda alla inköpare i hur oegentligheter upptäcks och rapporteras"
    tab, requested = page
    tab.goto(corpus_app)
    tab.get_by_role("tab", name="Täckning").click()
    tab.locator("#audit-file input[type=file]").set_input_files(KUNGSBACKA_AUDIT)
    texts = _list_texts(tab, "coverage")
    expect(texts).to_have_count(8)
    removed = texts.nth(1).inner_text().replace("⋮", "").strip()
    assert removed

    # Remove the second row and add one below the first, through the table's own menu.
    table = tab.locator("#coverage-rec-table")
    texts.nth(1).click()
    table.locator(".cell-menu-button:visible").first.click()
    tab.get_by_role("menuitem").filter(has_text="Ta bort rad").click()
    notice = tab.locator("#coverage-rec-notice")
    expect(notice).to_contain_text("7 rekommendationer i listan")
    texts.nth(0).click()
    table.locator(".cell-menu-button:visible").first.click()
    tab.get_by_role("menuitem").filter(has_text="Lägg till rad nedanför").click()
    expect(texts).to_have_count(8)
    texts.nth(1).dblclick()
    tab.keyboard.type(added)
    tab.keyboard.press("Enter")
    expect(notice).to_contain_text("8 rekommendationer i listan")

    tab.locator("#reply-file input[type=file]").set_input_files(KUNGSBACKA_REPLY)
    expect(tab.locator(f'#reply-file a[href$="/{KUNGSBACKA_REPLY.name}"]')).to_be_attached()
    tab.locator("#addressee textarea").fill("nämnden för Service")
    tab.locator("#check-coverage").click()
    expect(tab.locator("#coverage-matrix tbody tr")).to_have_count(8)
    checked = _checked(tab, "#coverage-matrix")
    assert added in checked and removed not in checked, checked

    # The draft of the same audit answers the same edited list.
    tab.get_by_role("tab", name="Utkast").click()
    tab.locator("#draft-audit-file input[type=file]").set_input_files(KUNGSBACKA_AUDIT)
    draft_texts = _list_texts(tab, "draft")
    expect(draft_texts).to_have_count(8)
    expect(tab.locator("#draft-rec-table")).to_contain_text(added)
    tab.locator("#draft-addressee textarea").fill("nämnden för Service")
    tab.locator("#draft-create").click()
    sections = tab.locator("#draft-section-pick label")
    expect(sections).to_have_count(8, timeout=120_000)
    expect(sections.nth(1)).to_contain_text(added)
    assert not any(removed[:60] in label for label in sections.all_inner_texts())
    sections.nth(1).click()
    expect(tab.locator("#draft-recommendation")).to_contain_text(added)
    tab.locator("#draft-assemble").click()
    expect(tab.locator("#draft-coverage tbody tr")).to_have_count(8)
    expect(tab.locator("#draft-preview")).to_contain_text(added)
    # The draft's own check lists the same eight; precedents quoting earlier replies may
    # still mention the removed text, the list of recommendations does not.
    drafted = _checked(tab, "#draft-coverage")
    assert added in drafted and removed not in drafted, drafted
    _assert_loopback_only(requested)
