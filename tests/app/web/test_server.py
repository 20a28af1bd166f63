"""The assembled app without a browser: every tab's elements and events are in place."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pytest

from app.answering.answerer import Answerer
from app.settings import Settings
from app.web.server import build_ui, build_ui_for
from app.web.widgets import Outputs
from app.wiring import Services, build_ingestor
from vectorstore.store import Store

# Every element id the browser test, the UI client and the benchmarks find the page by.
ELEMENT_IDS = {
    "tab-fraga", "filter-type", "filter-organ", "filter-year", "chat", "question", "send",
    "clear", "sources",
    "tab-tackning", "audit-file", "audit-pick", "audit-text", "reply-file", "reply-pick",
    "reply-text", "addressee", "check-coverage", "coverage-summary", "coverage-matrix",
    "coverage-export",
    "tab-utkast", "draft-audit-file", "draft-audit-pick", "draft-audit-text",
    "draft-addressee", "draft-create", "draft-list", "draft-open", "draft-status",
    "draft-till", "draft-datum", "draft-diarienummer", "draft-arende", "draft-summary",
    "draft-decision", "draft-section-pick", "draft-recommendation", "draft-section-text",
    "draft-section-save", "draft-regenerate", "draft-done", "draft-precedents",
    "draft-assemble", "draft-coverage-summary", "draft-coverage", "draft-preview",
    "draft-docx", "draft-md", "draft-download",
    "tab-las-in", "upload", "ingest", "ingest-result",
    "tab-oversikt", "overview",
    "tab-personuppgifter", "privacy-summary", "privacy-findings",
}


def _elements(demo: gr.Blocks) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for block in demo.blocks.values():
        elem_id = getattr(block, "elem_id", None)
        if elem_id:
            found[str(elem_id)] = block
    return found


@pytest.fixture
def demo(store: Store) -> gr.Blocks:
    settings = Settings()
    return build_ui(settings, store, Answerer(store), build_ingestor(settings, store))


def test_every_element_is_there_once(demo: gr.Blocks) -> None:
    ids = [b.elem_id for b in demo.blocks.values() if getattr(b, "elem_id", None)]
    assert ELEMENT_IDS <= set(ids)
    assert len(ids) == len(set(ids)), "an element id is used twice"


def test_the_events_are_private_and_named_after_what_they_do(demo: gr.Blocks) -> None:
    names = [fn.name for fn in demo.fns.values()]
    for name in ("ask", "clear", "run", "create", "open_draft", "ingest", "scan", "assemble"):
        assert name in names, name
    for name in ("run", "create", "ingest", "scan"):
        assert names.count(name) == 1, name
    assert all(fn.api_visibility == "private" for fn in demo.fns.values())
    elements = _elements(demo)
    send = elements["send"]
    (asking,) = [fn for fn in demo.fns.values() if fn.name == "ask" and
                 any(target[0] == send._id for target in fn.targets)]
    assert [b.elem_id for b in asking.outputs] == ["question", "chat", None, "sources"]
    assert asking.concurrency_limit is None


def test_services_build_the_same_app() -> None:
    with Services(Settings()) as services:
        demo = build_ui_for(services)
        assert ELEMENT_IDS <= set(_elements(demo))


def test_outputs_are_given_by_name_and_the_rest_left_as_is() -> None:
    with gr.Blocks():
        first, second, third = gr.Textbox(), gr.Markdown(), gr.State()
    outputs = Outputs(a=first, b=second, c=third)
    assert outputs.components == [first, second, third]
    values = outputs.values(c=3, a="ett")
    assert values[0] == "ett" and values[2] == 3
    assert values[1] == gr.skip()
    with pytest.raises(KeyError, match="d"):
        outputs.values(d=1)
