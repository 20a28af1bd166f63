"""A chat model wrapper that masks personal data in every message before it is sent.

Answers, drafts and condensed questions all reach the language model through the one
chat model that `app.llm.clients.build_chat_model` builds; wrapping it there masks them all.
Imported only when an LLM is configured (langchain_core takes over a second to import).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from ingest.pii import find_pii, mask_pii

log = logging.getLogger(__name__)


def _mask_content(content: str | list[str | dict[str, Any]]) -> tuple[Any, int]:
    """The message content with personal data masked, and how many pieces were masked."""
    if isinstance(content, str):
        matches = find_pii(content)
        return (mask_pii(content, matches) if matches else content), len(matches)
    parts: list[str | dict[str, Any]] = []
    count = 0
    for part in content:
        if isinstance(part, str):
            masked, n = _mask_content(part)
            parts.append(masked)
        elif isinstance(part.get("text"), str):
            masked, n = _mask_content(part["text"])
            parts.append({**part, "text": masked})
        else:
            n = 0
            parts.append(part)
        count += n
    return parts, count


def mask_messages(messages: list[BaseMessage]) -> list[BaseMessage]:
    """Copies of `messages` with personnummer and e-mail addresses replaced by placeholders."""
    masked: list[BaseMessage] = []
    total = 0
    for message in messages:
        content, count = _mask_content(message.content)
        total += count
        masked.append(message.model_copy(update={"content": content}) if count else message)
    if total:
        log.debug("masked %d pieces of personal data before calling the LLM", total)
    return masked


class MaskingChatModel(BaseChatModel):
    """Sends every prompt to `inner` with its personal data masked; replies pass unchanged."""

    inner: BaseChatModel

    @property
    def _llm_type(self) -> str:
        return f"masked-{self.inner._llm_type}"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"inner": self.inner._identifying_params}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = self.inner.invoke(mask_messages(messages), stop=stop, **kwargs)
        message = reply if isinstance(reply, AIMessage) else AIMessage(content=reply.content)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in self.inner.stream(mask_messages(messages), stop=stop, **kwargs):
            if not isinstance(chunk, AIMessageChunk):
                chunk = AIMessageChunk(content=chunk.content)
            yield ChatGenerationChunk(message=chunk)
