"""Asking a chat model for JSON, and reading what comes back as leniently as is safe.

Models wrap JSON in code fences, put a sentence before it, or stop in the middle of a long
list when they reach their token limit. `json_objects` reads every complete object in the
reply, so a cut-off list still yields the items before the cut; a reply with no object at
all is an `UnreadableAnswer`, and an empty one an `EmptyAnswer`.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from app.llm.calls import failure_reason, stream_text

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

__all__ = [
    "EmptyAnswer",
    "UnreadableAnswer",
    "ask_json",
    "json_objects",
    "key",
    "llm_failure",
]


class UnreadableAnswer(ValueError):
    """The model answered, but with no JSON object in its reply."""


class EmptyAnswer(UnreadableAnswer):
    """The model's reply was empty."""


def key(name: str) -> str:
    """A JSON key as compared: case folded, without diacritics ("Ställningstagande" ->
    "stallningstagande"), so small spelling liberties of a model still match."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def _keyed(value: Mapping[str, Any]) -> dict[str, Any]:
    return {key(str(name)): item for name, item in value.items()}


def json_objects(text: str) -> Iterator[dict[str, Any]]:
    """Every complete JSON object in `text`, outermost first, keys compared by `key`.

    An object whose values hold a list of objects (`{"rekommendationer": [...]}`) gives
    those objects; any other object (`{"status": ..., "citat": [...]}`) is given itself,
    and a complete top-level list gives its objects. Where the whole does not
    parse (a reply cut short), the complete objects inside it are still found.
    """
    decoder = json.JSONDecoder()
    position = 0
    while True:
        starts = [at for at in (text.find("{", position), text.find("[", position)) if at >= 0]
        if not starts:
            return
        start = min(starts)
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            position = start + 1
            continue
        yield from _objects_in(value)
        position = end


def _objects_in(value: object) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _objects_in(item)
    elif isinstance(value, dict):
        nested = [item for item in value.values() if isinstance(item, list)]
        listed = [x for item in nested for x in item]
        if listed and all(isinstance(x, dict) for x in listed):
            for item in nested:
                yield from _objects_in(item)
        else:
            yield _keyed(value)


def ask_json(model: BaseChatModel, prompt: str, timeout: float) -> list[dict[str, Any]]:
    """The JSON objects of the model's reply to `prompt`, within `timeout` seconds.

    An empty reply raises `EmptyAnswer`; a reply without a JSON object or list raises
    `UnreadableAnswer` (an empty list `[]` is an answer: nothing found). Transport errors
    and the deadline's TimeoutError pass through for `llm_failure` to name.
    """
    from langchain_core.messages import HumanMessage

    reply = "".join(stream_text(model, [HumanMessage(prompt)], timeout)).strip()
    if not reply:
        raise EmptyAnswer("the model's reply was empty")
    found = list(json_objects(reply))
    if not found and not _is_empty_list(reply):
        raise UnreadableAnswer("no JSON object in the model's reply")
    return found


def _is_empty_list(reply: str) -> bool:
    """Whether the reply's JSON says "nothing": `[]` or `{"...": []}`."""
    decoder = json.JSONDecoder()
    for start, char in enumerate(reply):
        if char not in "[{":
            continue
        try:
            value, _ = decoder.raw_decode(reply, start)
        except ValueError:
            continue
        if value == [] or (isinstance(value, dict) and all(v == [] for v in value.values())):
            return True
    return False


def llm_failure(error: BaseException, timeout: float) -> str:
    """`failure_reason`, plus the two ways a JSON answer fails: empty or unreadable."""
    if isinstance(error, EmptyAnswer):
        return "gav ett tomt svar"
    if isinstance(error, UnreadableAnswer):
        return "gav ett svar som inte gick att tolka"
    return failure_reason(error, timeout)
