"""Follow-up questions: telling them apart, the history as text, standing alone."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from app.answering.followup import (
    HISTORY_TURNS,
    MAX_CONDENSED_CHARS,
    condense,
    history_text,
    is_follow_up,
)
from ingest.tokens import count_tokens


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("och vad sa servicenämnden?", True),
        ("Men hur gick det för dessa åtgärder i kommunstyrelsen sedan?", True),
        ("Gäller samma sak för socialnämnden i Malmö stad?", True),
        ("Och i Malmö?", True),
        ("Vilka åtgärder vidtog kommunstyrelsen i Malmö efter granskningen 2019?", False),
    ],
)
def test_follow_ups_lean_on_the_previous_question(question: str, expected: bool) -> None:
    assert is_follow_up(question) is expected


def test_history_keeps_the_latest_turns_that_fit_without_citations() -> None:
    history = [(f"Fråga nummer {n}?", f"Svar nummer {n} [1].") for n in range(6)]
    text = history_text(history, 1000)
    assert text.count("Fråga:") == HISTORY_TURNS
    assert "Fråga nummer 5?" in text and "Fråga nummer 2?" not in text
    assert "[1]" not in text
    budget = count_tokens(history_text(history[-1:], 1000))
    assert history_text(history, budget) == history_text(history[-1:], 1000)
    assert history_text(history, budget - 1) == ""


def test_a_standalone_question_is_kept_as_it_is() -> None:
    question = "Vilka åtgärder vidtog kommunstyrelsen i Malmö efter granskningen 2019?"
    assert condense(question, [("Tidigare fråga om jäv?", "…")], None) == question
    assert condense("och i Malmö?", [], None) == "och i Malmö?"


def test_without_a_model_the_previous_question_is_put_in_front() -> None:
    history = [("Hur har nämnden arbetat med kompetensintyg?", "…")]
    assert condense("och i Malmö?", history, None) == (
        "Hur har nämnden arbetat med kompetensintyg? och i Malmö?"
    )


def test_a_models_rewrite_is_used_unless_it_is_empty_or_too_long() -> None:
    history = [("Hur har nämnden arbetat med kompetensintyg?", "…")]
    rewrite = "Hur har Malmö arbetat med kompetensintyg?"
    model = FakeListChatModel(responses=[f"{rewrite}\nFörklaring som ignoreras."])
    assert condense("och i Malmö?", history, model) == rewrite
    for bad in ["", "x" * (MAX_CONDENSED_CHARS + 1)]:
        model = FakeListChatModel(responses=[bad])
        assert condense("och i Malmö?", history, model).endswith("kompetensintyg? och i Malmö?")
