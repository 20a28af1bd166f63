"""Chat model clients: any OpenAI-compatible endpoint, or Ollama; or none at all.

Only the configured endpoint is ever contacted. Construction loads nothing and opens no
connection; the first request does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.settings import Settings
from ingest.errors import YttraError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

NO_LLM = "inget LLM: utdragssvar"
PLACEHOLDER_KEY = "ingen-nyckel"
"""Sent as the API key when none is configured: local servers (vLLM, llama.cpp) accept any
key, but the OpenAI client refuses to start without one."""


class LLMConfigError(YttraError):
    """The LLM settings are incomplete."""


def describe_llm(settings: Settings) -> str:
    """One line for the UI: which model answers, or that answers are extracts."""
    if settings.llm_provider == "openai":
        return f"{settings.llm_model} via {settings.llm_base_url or 'OpenAI'}"
    if settings.llm_provider == "ollama":
        return f"{settings.llm_model} via Ollama ({settings.ollama_host})"
    return NO_LLM


def build_chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model, or None when answers should be extractive.

    With `llm_mask_pii` (the default) the model is wrapped so that personnummer,
    samordningsnummer and e-mail addresses are masked in every message it sends.
    """
    if settings.llm_provider == "none":
        return None
    if not settings.llm_model:
        raise LLMConfigError("YTTRA_LLM_MODEL måste anges när ett LLM är konfigurerat.")
    model = _client(settings)
    if not settings.llm_mask_pii:
        return model
    from app.llm.masking import MaskingChatModel

    return MaskingChatModel(inner=model)


def _client(settings: Settings) -> BaseChatModel:
    """The client of the configured provider (OpenAI-compatible or Ollama)."""
    if settings.llm_provider == "openai":
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url or None,
            api_key=settings.llm_api_key.get_secret_value() or PLACEHOLDER_KEY,
            timeout=settings.llm_timeout,
            # No retries: each would wait up to the timeout again, so a user would wait a
            # multiple of the time configured before hearing that the model did not answer.
            max_retries=0,
            max_tokens=settings.llm_max_tokens,
            temperature=settings.llm_temperature,
        )
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=settings.llm_model,
        base_url=settings.ollama_host,
        num_predict=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
        client_kwargs={"timeout": settings.llm_timeout},
    )
