"""Calling a chat model: streamed text with a deadline, citations checked, failures named.

Both the answerer and the drafter talk to the model through these few functions, so a
slow, broken or chatty endpoint is handled the same way everywhere.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

CITATION = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
"""A citation as the model writes it: "[2]" or several numbers "[1, 3]"."""


def message_text(content: Any) -> str:
    """Text of a message's content, whether a string or a list of parts (str or dicts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, list):
        return "".join(message_text(part) for part in content)
    return ""


def stream_text(
    model: BaseChatModel, messages: Sequence[BaseMessage], timeout: float
) -> Iterator[str]:
    """The model's reply piece by piece; TimeoutError once `timeout` seconds have passed.

    The deadline is checked after every piece, so a model that keeps streaming forever
    is cut off; the client's own timeout covers a model that sends nothing at all.
    """
    deadline = time.monotonic() + timeout
    for chunk in model.stream(list(messages)):
        piece = message_text(chunk.content)
        if piece:
            yield piece
        if time.monotonic() > deadline:
            raise TimeoutError("the model took too long")


def failure_reason(error: BaseException, timeout: float) -> str:
    """A short Swedish reason for an LLM failure, without leaking details like keys."""
    name = type(error).__name__
    if isinstance(error, TimeoutError) or "Timeout" in name:
        return f"svarade inte inom {timeout:g} sekunder"
    if "Connect" in name or isinstance(error, ConnectionError):
        return "gick inte att nå"
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        return f"svarade med fel {status}"
    return "gav ett svar som inte gick att tolka"


def validate_citations(text: str, count: int) -> tuple[str, bool]:
    """Drop citations that point at no passage (1..count); tell whether any were dropped."""
    invalid = False

    def keep(match: re.Match[str]) -> str:
        nonlocal invalid
        numbers = re.split(r"\s*[,;]\s*", match.group(1))
        valid = [n for n in numbers if 1 <= int(n) <= count]
        invalid |= len(valid) != len(numbers)
        return "".join(f"[{n}]" for n in valid)

    cleaned = CITATION.sub(keep, text)
    return re.sub(r"[ \t]+([.,;:])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned)).strip(), invalid
