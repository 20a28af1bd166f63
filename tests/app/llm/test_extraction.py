"""The model as a second reader of recommendations: checked against the document, merged
with the rules, and never in the way when it fails.

A real audit of the sample corpus, the real rule-based extraction, and the real ChatOpenAI
client talking to a local fake of the OpenAI wire format.
"""

from __future__ import annotations

import json
import time

import pytest
from langchain_core.language_models import BaseChatModel

from app.llm.clients import build_chat_model
from app.llm.extraction import (
    MAX_PARTS,
    ORIGIN_BOTH,
    ORIGIN_LLM,
    ORIGIN_RULES,
    extract_with_llm,
    read_with_llm,
)
from app.settings import Settings
from app.wiring import Services
from ingest.loaders import load_file
from ingest.models import Recommendation
from ingest.recommendations import extract_recommendations
from tests.conftest import SAMPLE_CORPUS
from tests.fakes.openai_server import FakeOpenAIServer

AUDIT = "kungsbacka/014_kungsbacka-revision-upphandling-oegentligheter-granskning.txt"
SERVICE = "Nämnden för Service"
# A sentence of the audit's summary that the rules do not take as a recommendation; it
# runs over a blank line in the text.
FOUND_BY_MODEL = (
    "Det framgår inte av styrdokument att riskanalys ska genomföras i "
    "upphandlingsprocessen eller inför avtalsskrivning"
)
INVENTED = "Avveckla inköpsenheten och låt varje förvaltning upphandla på egen hand"


@pytest.fixture(scope="module")
def audit() -> str:
    return load_file(SAMPLE_CORPUS / AUDIT, AUDIT).text


@pytest.fixture(scope="module")
def rules(audit: str) -> list[Recommendation]:
    found = extract_recommendations(audit)
    assert len(found) == 8
    return found


def _model(server: FakeOpenAIServer, timeout: float = 10) -> BaseChatModel | None:
    settings = Settings(
        llm_provider="openai", llm_base_url=server.base_url, llm_model="fake", llm_timeout=timeout
    )
    return build_chat_model(settings)


def _answer(*items: tuple[str, str]) -> str:
    listed = [{"mottagare": addressee, "text": text} for addressee, text in items]
    return json.dumps({"rekommendationer": listed}, ensure_ascii=False)


def _prompt(request: dict[str, object]) -> str:
    messages = request["messages"]
    assert isinstance(messages, list)
    return "\n".join(str(m["content"]) for m in messages)


def test_a_verified_answer_is_merged_with_the_rules(
    audit: str, rules: list[Recommendation]
) -> None:
    answer = _answer(
        # A rule item, as a model writes it: label kept, case and spacing changed.
        (SERVICE.lower(), "Rekommendation 2:  INFÖRA tydliga kontroller av leverantörer och dess "
                          "befattningshavare före avtalsperiod samt säkerställa att dessa "
                          "kontroller systematiskt görs under avtalsperioden."),
        (SERVICE, FOUND_BY_MODEL.lower()),
        (SERVICE, FOUND_BY_MODEL + "."),  # a repeat of it
    )
    reply = f"Här är rekommendationerna:\n```json\n{answer}\n```"
    with FakeOpenAIServer([reply]) as server:
        result = read_with_llm(audit, rules, _model(server), 10)
        prompt = _prompt(server.requests[0])

    assert "<<<DOKUMENT>>>" in prompt and "Utifrån granskningen rekommenderas" in prompt
    merged = result.recommendations
    assert len(merged) == 9 and [r for r in merged if r in rules] == rules
    added = next(r for r in merged if r not in rules)
    # The document's words (the case as written there), where they stand: page 120, in the
    # summary, before the recommendation list of that page.
    assert added.text == FOUND_BY_MODEL
    assert (added.addressee, added.page, added.section) == (SERVICE, 120, "Sammanfattning")
    assert merged.index(added) == 0
    assert result.origins[added.id] == ORIGIN_LLM
    assert result.origins[rules[1].id] == ORIGIN_BOTH
    assert result.origins[rules[0].id] == ORIGIN_RULES
    assert result.notices == [
        "Språkmodellen fann 1 rekommendation som reglerna missade; den står ordagrant i "
        "dokumentet och är tillagd."
    ]


def test_an_invented_recommendation_is_dropped_and_reported(
    audit: str, rules: list[Recommendation]
) -> None:
    with FakeOpenAIServer([_answer((SERVICE, INVENTED))]) as server:
        merged, notices = extract_with_llm(audit, rules, _model(server), 10)
    assert merged == rules
    assert len(notices) == 1
    assert "inte står i dokumentet" in notices[0] and INVENTED in notices[0]


def test_an_addressee_not_in_the_document_is_not_kept(
    audit: str, rules: list[Recommendation]
) -> None:
    with FakeOpenAIServer([_answer(("Regionstyrelsen i Skåne", FOUND_BY_MODEL))]) as server:
        merged, notices = extract_with_llm(audit, rules, _model(server), 10)
    added = [r for r in merged if r not in rules]
    assert [(r.text, r.addressee) for r in added] == [(FOUND_BY_MODEL, "")]
    assert any('"Regionstyrelsen i Skåne"' in n and "står inte i" in n for n in notices)


def test_a_list_cut_short_still_gives_its_complete_items(
    audit: str, rules: list[Recommendation]
) -> None:
    whole = _answer((SERVICE, FOUND_BY_MODEL), (SERVICE, rules[0].text))
    cut = whole[: whole.index(rules[0].text[:20])]
    with FakeOpenAIServer([cut]) as server:
        merged, _ = extract_with_llm(audit, rules, _model(server), 10)
    assert [r.text for r in merged if r not in rules] == [FOUND_BY_MODEL]


@pytest.mark.parametrize(
    ("mode", "reply", "reason"),
    [
        ("error", "", "svarade med fel 500"),
        ("hang", "", "svarade inte inom 1 sekunder"),
        ("garbage", "", "gav ett svar som inte gick att tolka"),
        ("ok", "Jag hittar tyvärr inga rekommendationer.", "gav ett svar som inte gick att tolka"),
        ("ok", "", "gav ett tomt svar"),
    ],
)
def test_a_failing_model_leaves_the_rules_with_a_notice(
    audit: str, rules: list[Recommendation], mode: str, reply: str, reason: str
) -> None:
    started = time.monotonic()
    with FakeOpenAIServer([reply], mode=mode) as server:
        merged, notices = extract_with_llm(audit, rules, _model(server, timeout=1), 1)
        assert len(server.requests) == 1
    assert time.monotonic() - started < 10
    assert merged == rules
    assert notices == [f"Språkmodellen {reason}; rekommendationerna bygger på reglerna."]


def test_an_unreachable_endpoint_leaves_the_rules(
    audit: str, rules: list[Recommendation]
) -> None:
    settings = Settings(llm_provider="openai", llm_base_url="http://127.0.0.1:9/v1",
                        llm_model="fake", llm_timeout=2)
    merged, notices = extract_with_llm(audit, rules, build_chat_model(settings), 2)
    assert merged == rules
    assert notices == ["Språkmodellen gick inte att nå; rekommendationerna bygger på reglerna."]


def test_a_long_document_is_read_in_a_bounded_number_of_parts(
    audit: str, rules: list[Recommendation]
) -> None:
    answer = _answer((SERVICE, rules[3].text))
    with FakeOpenAIServer([answer]) as server:
        result = read_with_llm(audit, rules, _model(server), 10, context_tokens=900)
        prompts = [_prompt(request) for request in server.requests]
    assert len(prompts) == MAX_PARTS
    assert all(f"del {n} av {MAX_PARTS}" in p for n, p in enumerate(prompts, 1))
    # The part holding the recommendation list is among those read.
    assert any("Utifrån granskningen rekommenderas" in p for p in prompts)
    assert result.recommendations == rules
    assert result.notices[0].startswith(f"Dokumentet är långt: språkmodellen läste de {MAX_PARTS}")


def test_a_failure_after_some_parts_keeps_what_was_verified(
    audit: str, rules: list[Recommendation]
) -> None:
    # The first part is answered, the second gets an empty reply: reading stops there.
    with FakeOpenAIServer([_answer((SERVICE, FOUND_BY_MODEL)), ""]) as server:
        merged, notices = extract_with_llm(audit, rules, _model(server), 10, context_tokens=900)
        assert len(server.requests) == 2
    assert [r.text for r in merged if r not in rules] == [FOUND_BY_MODEL]
    assert notices[1] == (
        f"Språkmodellen gav ett tomt svar (den hann läsa 1 av {MAX_PARTS} delar); "
        "rekommendationerna bygger på reglerna."
    )


def test_without_a_model_the_rules_are_the_answer(
    audit: str, rules: list[Recommendation]
) -> None:
    assert extract_with_llm(audit, rules, None, 10) == (rules, [])


def test_services_use_the_configured_model(audit: str, rules: list[Recommendation]) -> None:
    assert Services(Settings()).recommendations(audit) == (rules, [])
    with FakeOpenAIServer([_answer((SERVICE, FOUND_BY_MODEL))]) as server:
        settings = Settings(llm_provider="openai", llm_base_url=server.base_url,
                            llm_model="fake", llm_timeout=10)
        with Services(settings) as services:
            merged, notices = services.recommendations(audit)
    assert len(merged) == len(rules) + 1 and len(notices) == 1
