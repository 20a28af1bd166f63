"""Reading JSON out of a model's reply: fences, prose around it, a list cut short."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from app.llm.structured import (
    EmptyAnswer,
    UnreadableAnswer,
    ask_json,
    json_objects,
    key,
    llm_failure,
)


def test_objects_are_found_in_fences_and_prose_with_keys_folded() -> None:
    reply = 'Här:\n```json\n{"Rekommendationer": [{"Mottagare": "KS", "Text": "a"}]}\n```\nKlart.'
    assert list(json_objects(reply)) == [{"mottagare": "KS", "text": "a"}]


def test_a_verdict_with_a_list_of_quotes_is_one_object() -> None:
    reply = '{"status": "delvis", "Ställningstagande": null, "citat": ["x", "y"]}'
    assert list(json_objects(reply)) == [
        {"status": "delvis", "stallningstagande": None, "citat": ["x", "y"]}
    ]
    assert list(json_objects('{"status": "saknas", "citat": []}')) == [
        {"status": "saknas", "citat": []}
    ]


def test_a_list_cut_short_gives_its_complete_objects() -> None:
    reply = '{"rekommendationer": [{"text": "a"}, {"text": "b"}, {"text": "c'
    assert [o["text"] for o in json_objects(reply)] == ["a", "b"]


def test_key_folds_case_and_diacritics() -> None:
    assert key(" Ställningstagande ") == "stallningstagande"


def _ask(reply: str) -> list[dict[str, object]]:
    return ask_json(FakeListChatModel(responses=[reply]), "fråga", timeout=5)


def test_ask_json_tells_empty_unreadable_and_nothing_found_apart() -> None:
    assert _ask('{"rekommendationer": []}') == [{"rekommendationer": []}]
    assert _ask("[]") == []
    with pytest.raises(EmptyAnswer):
        _ask("  ")
    with pytest.raises(UnreadableAnswer):
        _ask("Det finns inga rekommendationer.")


def test_failures_are_named_in_swedish() -> None:
    assert llm_failure(EmptyAnswer(), 5) == "gav ett tomt svar"
    assert llm_failure(UnreadableAnswer(), 5) == "gav ett svar som inte gick att tolka"
    assert llm_failure(TimeoutError(), 5) == "svarade inte inom 5 sekunder"
