"""The fake OpenAI server works with the real ``ChatOpenAI`` client, failures included.

Exception types the real client raises (langchain-openai 1.7.3, openai SDK 3.54), the same
for ``.invoke`` and ``.stream``:

- "error":   ``langchain_openai.chat_models.base.OpenAIAPIError``, a subclass of
             ``openai.InternalServerError`` (hence ``openai.APIStatusError``), status 500.
- "hang":    ``langchain_openai.chat_models.base.OpenAITimeoutError``, a subclass of
             ``openai.APITimeoutError`` (hence ``openai.APIConnectionError``).
- "garbage": ``json.JSONDecodeError`` (a ``ValueError``), unwrapped, from the SDK's body
             or SSE parsing.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import openai
import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from tests.fakes.openai_server import FakeOpenAIServer

pytestmark = pytest.mark.timeout(30)

REPLY = "Revisorerna frågade om budgeten; svaret finns i protokollet [1]."


def _chat(server: FakeOpenAIServer, timeout: float = 5.0, **kwargs: object) -> ChatOpenAI:
    return ChatOpenAI(
        base_url=server.base_url,
        api_key="test",
        model="fake",
        timeout=timeout,
        max_retries=0,
        **kwargs,
    )


def _invoke_or_stream(llm: ChatOpenAI, how: str) -> object:
    return llm.invoke("Hej") if how == "invoke" else list(llm.stream("Hej"))


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer([REPLY, "Andra svaret."]) as running:
        yield running


def test_invoke_returns_reply_and_records_messages(server: FakeOpenAIServer) -> None:
    messages = [SystemMessage("Svara kort."), HumanMessage("Vad sa revisorerna?")]

    answer = _chat(server).invoke(messages)

    assert answer.content == REPLY
    assert answer.usage_metadata is not None and answer.usage_metadata["output_tokens"] > 0
    assert len(server.requests) == 1
    body = server.requests[0]
    assert body["model"] == "fake"
    assert not body.get("stream")
    assert body["messages"] == [
        {"role": "system", "content": "Svara kort."},
        {"role": "user", "content": "Vad sa revisorerna?"},
    ]


def test_replies_cycle(server: FakeOpenAIServer) -> None:
    llm = _chat(server)

    contents = [llm.invoke("Hej").content for _ in range(3)]

    assert contents == [REPLY, "Andra svaret.", REPLY]


def test_default_reply() -> None:
    with FakeOpenAIServer() as running:
        assert _chat(running).invoke("Hej").content == "Svar [1]."


def test_stream_yields_chunks_that_join_to_reply(server: FakeOpenAIServer) -> None:
    chunks = list(_chat(server).stream("Hej"))

    texts = [chunk.content for chunk in chunks if chunk.content]
    assert len(texts) == -(-len(REPLY) // 8)  # one per chunk_size characters
    assert "".join(str(text) for text in texts) == REPLY
    assert server.requests[0]["stream"] is True
    assert server.requests[0]["messages"] == [{"role": "user", "content": "Hej"}]


def test_stream_reports_usage_when_asked(server: FakeOpenAIServer) -> None:
    chunks = list(_chat(server, stream_usage=True).stream("Hej"))

    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert isinstance(total, AIMessageChunk)
    assert total.content == REPLY
    assert server.requests[0]["stream_options"] == {"include_usage": True}
    assert total.usage_metadata is not None
    assert total.usage_metadata["output_tokens"] == len(REPLY.split())


def test_slow_mode_spaces_out_chunks() -> None:
    with FakeOpenAIServer(["abcdefghij"], mode="slow", delay=0.1, chunk_size=2) as running:
        arrivals = []
        for chunk in _chat(running).stream("Hej"):
            if chunk.content:
                arrivals.append(time.monotonic())

    assert len(arrivals) == 5
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
    assert min(gaps) >= 0.05


@pytest.mark.parametrize("how", ["invoke", "stream"])
def test_error_mode_raises_status_error(how: str) -> None:
    with FakeOpenAIServer(mode="error") as running:
        # A client that would wait far longer than the test may run: only an answer from
        # the server can end this call.
        with pytest.raises(openai.InternalServerError) as caught:
            _invoke_or_stream(_chat(running, timeout=600), how)

    assert isinstance(caught.value, openai.APIStatusError)
    assert caught.value.status_code == 500
    assert caught.value.response.status_code == 500  # the server's own response
    assert "told to fail" in str(caught.value)
    assert len(running.requests) == 1  # max_retries=0: no second attempt


@pytest.mark.parametrize("how", ["invoke", "stream"])
def test_hang_mode_times_out_and_stops_promptly(how: str) -> None:
    running = FakeOpenAIServer(mode="hang").start()
    try:
        with pytest.raises(openai.APITimeoutError):
            _invoke_or_stream(_chat(running, timeout=1), how)
        # The client's own timeout ended the call: the server got the request and is
        # still holding it unanswered.
        assert len(running.requests) == 1
        assert running.in_flight == 1
    finally:
        running.stop()
    # stop() released the handler that was waiting for the request it never answered.
    assert running.in_flight == 0


def test_stop_releases_a_client_still_waiting() -> None:
    """A hanging request must not hold up stop(), and its client hears about it."""
    running = FakeOpenAIServer(mode="hang").start()
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            _chat(running, timeout=20).invoke("Hej")
        except Exception as exc:  # recorded and asserted below
            errors.append(exc)

    client = threading.Thread(target=ask, daemon=True)
    client.start()
    assert running.wait_for_requests(1), "the request never reached the server"
    assert running.in_flight == 1

    running.stop()
    assert running.in_flight == 0  # the hanging request was let go
    client.join(timeout=25)  # only reached if the client is never released
    assert not client.is_alive()
    # The client heard that the connection was dropped; it did not sit out its timeout.
    assert len(errors) == 1 and isinstance(errors[0], openai.APIConnectionError)
    assert not isinstance(errors[0], openai.APITimeoutError)


@pytest.mark.parametrize("how", ["invoke", "stream"])
def test_garbage_mode_raises(how: str) -> None:
    with FakeOpenAIServer(mode="garbage") as running:
        # The SDK does not wrap this: it is json.JSONDecodeError for both paths.
        with pytest.raises(Exception) as caught:  # noqa: B017 - any failure is the point
            _invoke_or_stream(_chat(running), how)

    assert isinstance(caught.value, json.JSONDecodeError)


def test_models_and_unknown_paths(server: FakeOpenAIServer) -> None:
    with urllib.request.urlopen(f"{server.base_url}/models", timeout=5) as response:
        models = json.load(response)
    assert models["object"] == "list"
    assert [model["id"] for model in models["data"]] == ["fake"]

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{server.base_url}/nowhere", timeout=5)
    assert caught.value.code == 404
    assert "error" in json.load(caught.value)
    assert server.requests == []


def test_stop_leaves_no_threads_behind() -> None:
    before = set(threading.enumerate())
    with FakeOpenAIServer() as running:
        _chat(running).invoke("Hej")
        list(_chat(running).stream("Hej"))
        assert set(threading.enumerate()) - before  # serving and handler threads ran

    # stop() (on leaving the block) returns once its threads have ended.
    leftover = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert leftover == []
    with pytest.raises(RuntimeError):
        running.base_url  # noqa: B018 - a stopped server has no address
