"""A simulated user of the web UI: asks a question the way the page does, over plain HTTP.

The "Fråga" tab's events are private (not offered to API clients, so `gradio_client`
refuses them); the page itself joins Gradio's queue with the event's function index and
reads the answer from a server-sent event stream. This module does the same with httpx,
so a load test exercises the real queue, the real handler and the real store.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from gradio_client.utils import apply_diff

from app.llm.calls import message_text
from app.web.admission import QueueFull

_CITATION = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class AskResult:
    """What one question got: the last assistant message, the sources panel, the time."""

    question: str
    answer: str
    sources_html: str
    seconds: float
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def cited(self) -> bool:
        """A complete cited answer: a citation in the text and a cited source shown."""
        return bool(_CITATION.search(self.answer)) and "yttra-cited" in self.sources_html

    @property
    def turned_away(self) -> bool:
        """The UI said it has too many questions and asked the user to try again."""
        return str(QueueFull(0)) in self.answer



def _value(output: Any, previous: Any) -> Any:
    """An output as sent whole: an update without a value leaves the previous one."""
    if isinstance(output, dict) and output.get("__type__") == "update":
        if "value" in output:
            return output["value"]
        props = output.get("props") or {}
        return props["value"] if "value" in props else previous
    return output


class PageClient:
    """Asks questions in the "Fråga" tab of a running Yttra UI at `url`."""

    def __init__(self, url: str, timeout: float = 300.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        config = httpx.get(f"{self.url}/config", timeout=30).json()
        self.api = self.url + config.get("api_prefix", "/gradio_api")
        by_elem = {
            c["props"]["elem_id"]: c for c in config["components"] if c["props"].get("elem_id")
        }
        send = by_elem["send"]["id"]
        for dependency in config["dependencies"]:
            if [send, "click"] in [list(target) for target in dependency["targets"]]:
                self.fn_index = int(dependency["id"])
                self.trigger = send
                self.inputs = list(dependency["inputs"])
                self.outputs = list(dependency["outputs"])
                break
        else:
            raise RuntimeError(f"{url}: the page has no ask event on #send")
        self._chat = self.outputs.index(by_elem["chat"]["id"])
        self._sources = self.outputs.index(by_elem["sources"]["id"])
        question_id = by_elem["question"]["id"]
        chat_id = by_elem["chat"]["id"]
        components = {c["id"]: c for c in config["components"]}

        def initial(component_id: int, question: str) -> Any:
            if component_id == question_id:
                return question
            if component_id == chat_id:
                return []
            return components[component_id]["props"].get("value")

        self._initial = initial

    def ask(self, question: str, on_update: Callable[[str], None] | None = None) -> AskResult:
        """Ask `question` as a new visitor (own session, empty chat, no filters).

        `on_update` gets the assistant's message each time the page would show a new one.
        """
        session = uuid.uuid4().hex[:12]
        body = {
            "data": [self._initial(i, question) for i in self.inputs],
            "event_data": None,
            "fn_index": self.fn_index,
            "trigger_id": self.trigger,
            "session_hash": session,
        }
        began = time.perf_counter()

        def result(answer: str = "", sources: str = "", error: str = "") -> AskResult:
            return AskResult(question, answer, sources, time.perf_counter() - began, error)

        raw: list[Any] | None = None  # the outputs as last yielded, skips included
        shown: list[Any] = [None] * len(self.outputs)  # what the page shows
        try:
            with httpx.Client(timeout=self.timeout) as http:
                joined = http.post(f"{self.api}/queue/join", json=body)
                if joined.status_code != 200:
                    detail = joined.json().get("detail", joined.text)
                    return result(error=f"HTTP {joined.status_code}: {detail}")
                with http.stream(
                    "GET", f"{self.api}/queue/data", params={"session_hash": session}
                ) as stream:
                    for line in stream.iter_lines():
                        if not line.startswith("data:"):
                            continue
                        message = json.loads(line[5:])
                        kind = message.get("msg")
                        if kind == "unexpected_error":
                            return result(error=str(message.get("message")))
                        if kind not in ("process_generating", "process_completed"):
                            continue
                        if not message.get("success", True):
                            return result(error=str(message["output"].get("error")))
                        data = message["output"]["data"]
                        if raw is not None and kind == "process_generating":
                            # Later yields come as diffs against the previous yield.
                            data = [apply_diff(r, d) for r, d in zip(raw, data, strict=True)]
                        raw = list(data)
                        shown = [_value(d, s) for d, s in zip(data, shown, strict=True)]
                        if on_update is not None:
                            on_update(self._assistant(shown))
                        if kind == "process_completed":
                            break
        except httpx.HTTPError as error:
            return result(error=f"{type(error).__name__}: {error}")
        if raw is None:
            return result(error="the stream ended without an answer")
        sources = shown[self._sources]
        return result(self._assistant(shown), sources if isinstance(sources, str) else "")

    def _assistant(self, shown: list[Any]) -> str:
        """The text of the last message in the chat if the assistant wrote it."""
        chat = shown[self._chat] or []
        last = chat[-1] if chat else {}
        return message_text(last.get("content")) if last.get("role") == "assistant" else ""
