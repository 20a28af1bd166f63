"""The one path to a chat model: deadline, failure reasons, citations, message text."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import cast

import httpx
import httpx2
import openai
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage

from app.llm import calls
from app.llm.calls import failure_reason, message_text, stream_text, validate_citations


class EndlessModel:
    """A chat model that streams "bla " forever; counts the pieces it was asked for.

    `stream_text` only calls `stream`, so that is all this stand-in has."""

    def __init__(self) -> None:
        self.sent = 0

    def stream(self, messages: list[BaseMessage]) -> Iterator[AIMessageChunk]:
        while True:
            self.sent += 1
            yield AIMessageChunk(content="bla ")


class Clock:
    """A monotonic clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self._ticks = itertools.count()

    def monotonic(self) -> float:
        return float(next(self._ticks))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(calls.time, "monotonic", fake.monotonic)
    return fake


# -- stream_text --------------------------------------------------------------------------


def test_a_model_that_never_stops_is_cut_off_at_the_deadline(clock: Clock) -> None:
    model = EndlessModel()
    pieces: list[str] = []

    with pytest.raises(TimeoutError):
        for piece in stream_text(cast(BaseChatModel, model), [HumanMessage("Hej")], timeout=5):
            pieces.append(piece)

    # The deadline is 5 ticks after the start and the clock is read once per piece: the
    # sixth piece is past it. What came before it was passed on.
    assert pieces == ["bla "] * 6
    assert model.sent == 6


def test_a_reply_within_the_deadline_arrives_whole_without_empty_pieces(clock: Clock) -> None:
    model = GenericFakeChatModel(messages=iter([AIMessage(content="Svar med källa [1].")]))

    pieces = list(stream_text(model, [HumanMessage("Hej")], timeout=100))

    assert "".join(pieces) == "Svar med källa [1]."
    assert len(pieces) > 1 and all(pieces)


def test_the_deadline_counts_from_the_start_not_per_piece(clock: Clock) -> None:
    # Each piece is "quick" (one tick), but together they pass a deadline of 3.
    model = GenericFakeChatModel(messages=iter([AIMessage(content="a b c d e f g h")]))

    with pytest.raises(TimeoutError):
        list(stream_text(model, [HumanMessage("Hej")], timeout=3))


# -- failure_reason ----------------------------------------------------------------------


def _request() -> httpx2.Request:
    """A request as the openai SDK makes them (with its own HTTP library, httpx2)."""
    return httpx2.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (TimeoutError("the model took too long"), "svarade inte inom 12.5 sekunder"),
        (openai.APITimeoutError(request=_request()), "svarade inte inom 12.5 sekunder"),
        (httpx.ReadTimeout("slow"), "svarade inte inom 12.5 sekunder"),
        (ConnectionRefusedError("refused"), "gick inte att nå"),
        (openai.APIConnectionError(request=_request()), "gick inte att nå"),
        (httpx.ConnectError("no route"), "gick inte att nå"),
        (
            openai.InternalServerError(
                "boom", response=httpx2.Response(500, request=_request()), body=None
            ),
            "svarade med fel 500",
        ),
        (
            openai.AuthenticationError(
                "bad key sk-hemlig", response=httpx2.Response(401, request=_request()), body=None
            ),
            "svarade med fel 401",
        ),
        (ValueError("Expecting value: line 1 column 1"), "gav ett svar som inte gick att tolka"),
    ],
)
def test_failure_reasons_are_short_swedish_and_leak_nothing(
    error: BaseException, reason: str
) -> None:
    said = failure_reason(error, 12.5)
    assert said == reason
    assert "sk-" not in said and "line 1" not in said


def test_the_timeout_is_shown_without_needless_decimals() -> None:
    assert failure_reason(TimeoutError(), 30.0) == "svarade inte inom 30 sekunder"


# -- validate_citations ------------------------------------------------------------------


def test_citations_to_no_passage_are_dropped_and_reported() -> None:
    text, invalid = validate_citations("Nämnden har svarat [1] och [3]; se [2, 5].", 2)
    assert (text, invalid) == ("Nämnden har svarat [1] och; se [2].", True)


def test_valid_citations_are_kept_and_split_lists_normalised() -> None:
    assert validate_citations("Se [1, 2] och [2;1].", 2) == ("Se [1][2] och [2][1].", False)


def test_dropping_a_citation_leaves_no_stray_spaces() -> None:
    assert validate_citations("Klart [4].  Nästa  mening [0] .", 3) == (
        "Klart. Nästa mening.", True)


def test_with_no_passages_every_citation_goes() -> None:
    assert validate_citations("Text [1]", 0) == ("Text", True)
    assert validate_citations("Text utan hänvisning", 0) == ("Text utan hänvisning", False)


# -- message_text ------------------------------------------------------------------------


def test_message_text_of_every_content_shape() -> None:
    assert message_text("Hej") == "Hej"
    assert message_text({"type": "text", "text": "Hej"}) == "Hej"
    assert message_text(["Hej ", {"type": "text", "text": "då"}, {"type": "image"}]) == "Hej då"
    assert message_text([["nästlad ", {"text": "lista"}]]) == "nästlad lista"
    assert message_text(None) == "" and message_text(42) == ""
