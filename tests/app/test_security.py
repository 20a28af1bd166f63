"""Security: binding and login, upload checks, personal data in the UI and to the LLM, logs.

Real store, real files, the real OpenAI client against the local fake server; the web
UI's handlers are called directly, and one test serves the app on loopback over HTTP.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from app.answering.answerer import Answerer
from app.cli import cli
from app.indexing.ingestor import Ingestor
from app.llm.clients import build_chat_model
from app.logging_setup import QUIET_LOGGERS, configure_logging
from app.settings import Settings
from app.web.access import ExposureError, check_binding, is_loopback
from app.web.privacy_page import find_in_store
from app.web.server import build_ui, launch
from app.wiring import build_ingestor
from bench.common import free_port
from tests.conftest import SAMPLE_CORPUS
from tests.fakes.openai_server import FakeOpenAIServer
from tests.ingest.test_pii import number
from vectorstore.store import Store

PASSWORD = "korrekt-häst-batteri"
AUDIT = SAMPLE_CORPUS / "kungsbacka" / (
    "014_kungsbacka-revision-upphandling-oegentligheter-granskning.txt"
)
GOOD = SAMPLE_CORPUS / "malmo" / "003_af51514f7c559115.txt"

PNR = number("870315")  # computed, valid by date and Luhn
PNR_WRITTEN = f"{PNR[:6]}-{PNR[6:]}"
EMAIL = "handlaggare.bostad@exempelkommun.se"
API_KEY = "sk-yttra-test-7f3a9c1e5b2d4a6f"
SENTENCES = [
    "Nämnden har prövat ärendet om bostadsanpassningsbidrag för sökanden med personnummer "
    f"{PNR_WRITTEN} och beviljat bidrag för ombyggnad av badrummet.",
    f"Handläggaren nås på {EMAIL} för frågor om beslutet och om överklagande.",
    "Nämnden instämmer i revisorernas bedömning att handläggningstiderna för "
    "bostadsanpassningsbidrag var för långa under 2022.",
    "Från och med den första mars 2023 gäller en ny rutin där varje ansökan ska vara "
    "registrerad inom fem arbetsdagar och beslutad inom tio veckor.",
    "Uppföljningen rapporteras till nämnden vid sammanträdet i oktober 2023 och därefter "
    "varje kvartal.",
]
PII_DOCUMENT = (
    "# Yttrande över granskning av bostadsanpassningsbidrag\n\n"
    "Diarienummer KS-2023-00730\n\n"
    + "\n\n".join(" ".join(SENTENCES[i : i + 2]) for i in range(0, len(SENTENCES), 2))
    + "\n"
)
QUESTION = f"Vad skrev handläggaren på {EMAIL} om handläggningstiderna för bostadsanpassning?"


def _handler(demo: gr.Blocks, name: str) -> Callable[..., Any]:
    """The UI's event handler of that name, to be called directly."""
    (found,) = [block.fn for block in demo.fns.values() if block.name == name]
    assert found is not None
    return found


@pytest.fixture
def pii_file(tmp_path: Path) -> Path:
    path = tmp_path / "docs" / "yttrande-bostadsanpassning.md"
    path.parent.mkdir()
    path.write_text(PII_DOCUMENT, encoding="utf-8")
    return path


@pytest.fixture
def pii_store(store: Store, pii_file: Path) -> Store:
    summary = Ingestor(store).ingest([pii_file])
    assert not summary.failed, summary.failed
    return store


# -- binding and login --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("10.0.0.5", False),
        ("yttra.kommun.local", False),
    ],
)
def test_only_loopback_addresses_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_binding_rules() -> None:
    check_binding("127.0.0.1", "", "")  # loopback needs no login
    check_binding("127.0.0.1", "revisor", "kort")  # nor a long password
    check_binding("0.0.0.0", "revisor", PASSWORD)
    with pytest.raises(ExposureError, match="utan inloggning"):
        check_binding("0.0.0.0", "", "")
    with pytest.raises(ExposureError, match="för kort"):
        check_binding("192.168.1.20", "revisor", "hemligt")
    with pytest.raises(ExposureError, match="halvt konfigurerad"):
        check_binding("127.0.0.1", "revisor", "")


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--host", "0.0.0.0"], {}, "Vägrar att lyssna på 0.0.0.0 utan inloggning"),
        (["--host", "::"], {}, "Vägrar att lyssna på :: utan inloggning"),
        ([], {"YTTRA_UI_HOST": "0.0.0.0"}, "Vägrar att lyssna på 0.0.0.0 utan inloggning"),
        (
            ["--host", "192.168.1.20"],
            {"YTTRA_UI_USERNAME": "revisor", "YTTRA_UI_PASSWORD": "hemligt"},
            "YTTRA_UI_PASSWORD är för kort",
        ),
        (
            ["--host", "10.0.0.5"],
            {"YTTRA_UI_USERNAME": "revisor"},
            "halvt konfigurerad",
        ),
    ],
)
def test_serve_refuses_an_exposed_host_without_a_proper_login(
    monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str], expected: str
) -> None:
    def server_would_start(*_: object, **__: object) -> None:
        raise AssertionError("the check must come before the store and the server")

    monkeypatch.setattr("app.wiring.open_store", server_would_start)  # what Services calls
    result = CliRunner().invoke(cli, ["serve", *args], env=env)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fel: ") and expected in lines[0]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")
def test_a_configured_login_is_enforced_by_the_running_server(store: Store) -> None:
    settings = Settings(ui_username="revisor", ui_password=SecretStr(PASSWORD))
    demo = build_ui(settings, store, Answerer(store), build_ingestor(settings, store))
    with pytest.raises(ExposureError):
        launch(demo, Settings(), "0.0.0.0", free_port(), block=False)
    url = launch(demo, settings, "127.0.0.1", free_port(), block=False)
    upload = {"files": ("anteckning.txt", b"En rad text.", "text/plain")}
    try:
        with httpx.Client(base_url=url, timeout=20) as client:
            assert client.get("/config").status_code == 401
            assert client.get("/gradio_api/info").status_code == 401
            assert client.post("/gradio_api/upload", files=upload).status_code == 401
            wrong = client.post("/login", data={"username": "revisor", "password": "fel"})
            assert wrong.status_code == 400
            assert client.get("/config").status_code == 401
            right = client.post("/login", data={"username": "revisor", "password": PASSWORD})
            assert right.status_code == 200
            config = client.get("/config")
            assert config.status_code == 200
            assert config.json()["title"] == "Yttra" and "Personuppgifter" in config.text
            assert client.post("/gradio_api/upload", files=upload).status_code == 200
    finally:
        demo.close(verbose=False)


# -- uploads ------------------------------------------------------------------------------


@pytest.fixture
def small_limit_ui(store: Store) -> gr.Blocks:
    """The app with a 1 MB upload limit (the smallest the setting allows)."""
    settings = Settings(max_file_mb=1)
    return build_ui(settings, store, Answerer(store), build_ingestor(settings, store))


@pytest.fixture
def uploads(tmp_path: Path) -> dict[str, Path]:
    """Files as Gradio hands them over: in a temporary folder, under the sender's name."""
    folder = tmp_path / "gradio-temp"
    folder.mkdir()
    files = {
        "good": folder / "yttrande.txt",
        "text_as_pdf": folder / "rapport.pdf",
        "binary_as_txt": folder / "anteckningar.txt",
        "program_as_docx": folder / "svar.docx",
        "too_large": folder / "bilaga.pdf",
    }
    shutil.copyfile(GOOD, files["good"])
    files["text_as_pdf"].write_text("Det här är ingen PDF, bara text.\n", encoding="utf-8")
    files["binary_as_txt"].write_bytes(bytes(range(256)) * 40)
    files["program_as_docx"].write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 2000)
    # Refused by size before its content is read (it would fail as a PDF anyway).
    files["too_large"].write_bytes(b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1))
    assert files["too_large"].stat().st_size > 1024 * 1024
    return files


def test_ingest_upload_keeps_only_files_that_pass_size_and_content_checks(
    small_limit_ui: gr.Blocks, store: Store, uploads: dict[str, Path]
) -> None:
    ingest = _handler(small_limit_ui, "ingest")
    rows, *_ = ingest([str(path) for path in uploads.values()])
    status = dict(rows)
    assert status["yttrande.txt"] == "inläst"
    refused = ["rapport.pdf", "anteckningar.txt", "svar.docx", "bilaga.pdf"]
    for name in refused:
        assert status[name].startswith("misslyckades: "), status
        assert len(status[name]) > len("misslyckades: ") + 5
    assert "för stor" in status["bilaga.pdf"] and "1,0 MB" in status["bilaga.pdf"]
    kept = Settings().resolved_data_dir() / "uploads"
    assert sorted(p.name for p in kept.iterdir()) == ["yttrande.txt"]
    assert [record.file for record in store.documents()] == ["yttrande.txt"]


def test_coverage_and_drafting_uploads_are_checked_before_use(
    small_limit_ui: gr.Blocks, uploads: dict[str, Path]
) -> None:
    # Refusals are shown in the tab as Swedish notices, naming the file and the reason.
    run = _handler(small_limit_ui, "run")
    refused = run(str(uploads["text_as_pdf"]), None, "", str(GOOD), None, "", "", "", None)
    assert any("rapport.pdf: " in str(value) for value in refused)
    too_large = run(str(AUDIT), None, "", str(uploads["too_large"]), None, "", "", "", None)
    assert any("bilaga.pdf: filen är för stor" in str(value) for value in too_large)

    create = _handler(small_limit_ui, "create")
    not_text = create(str(uploads["binary_as_txt"]), None, "", "nämnden för Service", "", None)
    assert any(
        "Utkastet kunde inte skapas: anteckningar.txt: " in str(value) for value in not_text
    )
    data = Settings().resolved_data_dir()
    assert not (data / "exports").exists() and not list((data / "drafts").glob("*"))


# -- personal data ------------------------------------------------------------------------


def test_privacy_tab_lists_where_personal_data_is_shown_masked(
    pii_store: Store, small_limit_ui: gr.Blocks
) -> None:
    findings = find_in_store(pii_store)
    assert [(f.file, f.kind, f.masked) for f in findings] == [
        ("yttrande-bostadsanpassning.md", "personnummer", "XXXXXX-XXXX"),
        ("yttrande-bostadsanpassning.md", "e-postadress", "h…@exempelkommun.se"),
    ]
    assert all(f.section for f in findings)
    assert "[personnummer]" in findings[0].context and "[e-postadress]" in findings[1].context
    assert "bostadsanpassningsbidrag" in findings[0].context

    summary, rows = _handler(small_limit_ui, "scan")()
    assert "**1 av 1 dokument** innehåller personuppgifter" in summary
    assert "1 personnummer" in summary and "1 e-postadress." in summary
    assert "maskeras i allt som skickas till språkmodellen" in summary
    shown = json.dumps([summary, rows], ensure_ascii=False)
    assert PNR not in shown.replace("-", "") and PNR_WRITTEN not in shown and EMAIL not in shown
    assert rows[0][0] == "yttrande-bostadsanpassning.md" and rows[0][3] == "personnummer"


@pytest.mark.parametrize("masking", [True, False])
def test_personal_data_reaches_the_llm_only_when_masking_is_off(
    pii_store: Store, masking: bool
) -> None:
    with FakeOpenAIServer(["Handläggningstiderna var för långa [1]."]) as server:
        settings = Settings(
            llm_provider="openai",
            llm_base_url=server.base_url,
            llm_model="fake",
            llm_api_key=SecretStr(API_KEY),
            llm_mask_pii=masking,
        )
        model = build_chat_model(settings)
        answer = Answerer(pii_store, model, timeout=20).answer(QUESTION)
        assert answer.mode == "llm" and answer.text.startswith("Handläggningstiderna")
        assert model is not None
        model.invoke(f"Skriv om frågan: gäller det {PNR_WRITTEN}?")  # the condensing path
    assert len(server.requests) == 2
    sent = json.dumps(server.requests, ensure_ascii=False)
    assert "bostadsanpassningsbidrag" in sent  # the passages did go out
    if masking:
        assert PNR_WRITTEN not in sent and EMAIL not in sent
        assert sent.count("[personnummer]") >= 2 and sent.count("[e-postadress]") >= 2
    else:
        assert sent.count(PNR_WRITTEN) >= 2 and sent.count(EMAIL) >= 2
        assert "[personnummer]" not in sent


# -- logs ---------------------------------------------------------------------------------


@pytest.fixture
def restore_logging() -> Iterator[None]:
    names = ["", "app", "ingest", "vectorstore", *QUIET_LOGGERS, "some_library"]
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_third_party_debug_logs_are_held_back_and_ours_kept(
    caplog: pytest.LogCaptureFixture, restore_logging: None
) -> None:
    caplog.set_level(logging.DEBUG)
    configure_logging("DEBUG")
    logging.getLogger().setLevel(logging.DEBUG)  # even if something lowers the root's level
    for name in ("httpx", "httpcore2.http11", "openai._base_client", "chromadb.api", "urllib3"):
        logging.getLogger(name).debug("Authorization: Bearer %s", API_KEY)
        logging.getLogger(name).info("body: %s", SENTENCES[0])
    logging.getLogger("app.indexing.ingestor").debug("ours at debug")
    logging.getLogger("some_library").setLevel(logging.NOTSET)
    logging.getLogger("some_library").warning("warnings still show")
    assert API_KEY not in caplog.text and SENTENCES[0] not in caplog.text
    assert [r.getMessage() for r in caplog.records] == ["ours at debug", "warnings still show"]


def test_ingest_and_llm_answer_at_debug_log_no_key_and_no_document_text(
    caplog: pytest.LogCaptureFixture, restore_logging: None, pii_file: Path, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    broken = pii_file.parent / "skadad.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + PII_DOCUMENT.encode() + b"\n%%EOF")
    runner = CliRunner()
    with FakeOpenAIServer(["Handläggningstiderna var för långa [1]."]) as server:
        env = {
            "YTTRA_LOG_LEVEL": "debug",
            "YTTRA_LLM_PROVIDER": "openai",
            "YTTRA_LLM_BASE_URL": server.base_url,
            "YTTRA_LLM_MODEL": "fake",
            "YTTRA_LLM_API_KEY": API_KEY,
            "YTTRA_LLM_TIMEOUT": "20",
        }
        ingested = runner.invoke(cli, ["ingest", str(pii_file.parent)], env=env)
        asked = runner.invoke(cli, ["ask", QUESTION], env=env)
    assert ingested.exit_code == 1, ingested.output  # the broken PDF failed, the rest not
    assert "1 tillagda" in ingested.output and "skadad.pdf" in ingested.output
    assert asked.exit_code == 0, asked.output
    assert "Handläggningstiderna var för långa" in asked.output
    assert server.requests  # the answer really came from the LLM
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert any(r.levelno == logging.DEBUG for r in caplog.records)  # captured at DEBUG
    assert "skadad.pdf" in logged  # the failure is logged, by file name
    assert API_KEY not in logged
    for sentence in SENTENCES:
        assert sentence not in logged
        for part in sentence.split(", "):
            assert part not in logged
    assert PNR_WRITTEN not in logged and EMAIL not in logged
