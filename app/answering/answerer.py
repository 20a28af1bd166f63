"""Answering questions about past audits, every claim cited to a retrieved passage.

Without an LLM the answer is extractive: the few sentences of the top passages that best
match the question, each followed by its citation. With an LLM the answer is generated
from numbered passages given as material (never as instructions), streamed, and its
citations are checked afterwards. Any LLM failure falls back to the extractive answer
with a plain Swedish notice; it never raises and never hangs past the timeout.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import KW_ONLY, dataclass, replace
from typing import TYPE_CHECKING, Literal

from app.answering.extractive import best_sentences
from app.answering.followup import Turn, condense, history_text
from app.llm.calls import CITATION, failure_reason, stream_text, validate_citations
from app.llm.prompts import escape_material, load_prompt, truncate_tokens
from ingest.text.sentences import complete_sentences
from ingest.tokens import count_tokens
from vectorstore.catalog import Filters
from vectorstore.store import Hit, Store

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

__all__ = ["NOTHING_FOUND", "Answer", "Answerer", "Mode", "Source", "Turn", "split_sentences"]

log = logging.getLogger(__name__)

Mode = Literal["utdrag", "llm"]

NOTHING_FOUND = "Jag hittade inget i de inlästa dokumenten som besvarar frågan."

split_sentences = complete_sentences
"""The whole sentences and list items of a passage (the name callers import from here)."""

DEFAULT_PASSAGES = 6
"""Passages retrieved per question: enough for several sources, few enough to read."""
DEFAULT_CONTEXT_TOKENS = 6000
"""Token budget of a prompt: instructions, history and passages (as `Settings`' default)."""
DEFAULT_TIMEOUT = 30.0
"""Seconds the LLM may take before the extracts are shown instead (as `Settings`' default)."""
DEFAULT_MAX_SENTENCES = 3
"""Sentences in an extractive answer: a short answer, each sentence cited."""
HISTORY_SHARE = 4
"""The conversation gets at most 1/HISTORY_SHARE of the prompt budget; passages the rest."""
PASSAGE_SEPARATOR_TOKENS = 2
"""Tokens counted for the blank line between two passages: it takes one, and one more is
kept spare because tokens counted per passage may not add up to those of the joined text."""
TRUNCATION_MARGIN = 80
MIN_TRUNCATED_TOKENS = 50
"""A single passage too long for the prompt keeps what fits, less TRUNCATION_MARGIN tokens
for its fence and header, but never fewer than MIN_TRUNCATED_TOKENS."""


@dataclass(frozen=True)
class Source:
    """A numbered passage offered as evidence."""

    number: int
    hit: Hit

    def reference(self) -> str:
        """Where the passage is, in one line: title, registration number, date, body, place."""
        hit = self.hit
        facts = ", ".join(p for p in (hit.diarienummer, hit.date) if p)
        title = f"{hit.title or hit.file} ({facts})" if facts else (hit.title or hit.file)
        place = ", ".join(
            p for p in (hit.organ, hit.section, f"s. {hit.page}" if hit.page else "", hit.file) if p
        )
        return f"[{self.number}] {title} – {place}"


@dataclass(frozen=True)
class Answer:
    """An answer, complete or still streaming (`done`)."""

    question: str
    query: str
    """The standalone question used for retrieval (differs for follow-ups)."""
    text: str
    sources: tuple[Source, ...]
    mode: Mode
    done: bool = True
    notice: str = ""
    """Something the reader should know, e.g. that the LLM failed and extracts are shown."""
    invalid_citations: bool = False

    def cited(self) -> list[Source]:
        """The sources the text cites, in the order they are first cited."""
        by_number = {s.number: s for s in self.sources}
        order: dict[int, None] = {}
        for group in CITATION.findall(self.text):
            for number in re.split(r"\s*[,;]\s*", group):
                if int(number) in by_number:
                    order.setdefault(int(number), None)
        return [by_number[n] for n in order]

    def markdown(self) -> str:
        """The answer with its notice and the list of cited sources, for chat and CLI."""
        parts = [f"*{self.notice}*"] if self.notice else []
        parts.append(self.text)
        cited = self.cited()
        if cited:
            parts.append("**Källor**\n\n" + "\n".join(f"- {s.reference()}" for s in cited))
        return "\n\n".join(parts)

    def as_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "query": self.query,
            "answer": self.text,
            "mode": self.mode,
            "notice": self.notice,
            "invalid_citations": self.invalid_citations,
            "sources": [
                {"number": s.number, "cited": s in self.cited(), **s.hit.as_json()}
                for s in self.sources
            ],
        }


def _format_passage(source: Source) -> str:
    hit = source.hit
    about = ", ".join(p for p in (hit.doc_type, hit.diarienummer, hit.date, hit.organ) if p)
    where = ", ".join(p for p in (hit.section, f"s. {hit.page}" if hit.page else "") if p)
    header = f"Dokument: {escape_material(hit.title or hit.file)}"
    if about:
        header += f" ({escape_material(about)})"
    if where:
        header += f"\nAvsnitt: {escape_material(where)}"
    return (
        f"<<<KÄLLA {source.number}>>>\n{header}\nText:\n{escape_material(hit.text)}\n"
        f"<<<SLUT PÅ KÄLLA {source.number}>>>"
    )


@dataclass(eq=False)
class Answerer:
    """Retrieves passages for a question and answers from them."""

    store: Store
    chat_model: BaseChatModel | None = None
    _: KW_ONLY
    k: int = DEFAULT_PASSAGES
    context_tokens: int = DEFAULT_CONTEXT_TOKENS
    timeout: float = DEFAULT_TIMEOUT
    max_sentences: int = DEFAULT_MAX_SENTENCES

    # -- public -----------------------------------------------------------------------

    def answer(
        self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None
    ) -> Answer:
        """The complete answer (the last state of `stream`)."""
        states = list(self.stream(question, history, filters))
        return states[-1]

    def stream(
        self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None
    ) -> Iterator[Answer]:
        """Successive states of the answer; the last one has `done=True`."""
        question = question.strip()
        query = self.condense(question, history)
        hits = self.store.search(query, k=self.k, filters=filters)
        if not hits:
            yield Answer(question, query, NOTHING_FOUND, (), "utdrag")
            return
        if self.chat_model is None:
            yield self.extractive(question, query, hits)
            return
        yield from self._generate(question, query, hits, history)

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """A follow-up question rewritten to stand alone, for retrieval."""
        return condense(question, history, self.chat_model)

    def extractive(self, question: str, query: str, hits: Sequence[Hit]) -> Answer:
        """An answer made of the best-matching sentences of the passages, each cited."""
        chosen = best_sentences(self.store, query, hits, self.max_sentences)
        if not chosen:
            sources = tuple(Source(n, hit) for n, hit in enumerate(hits, 1))
            return Answer(question, query, NOTHING_FOUND, sources, "utdrag")
        # Number the cited passages in reading order, then the rest.
        order: list[int] = list(dict.fromkeys(c.passage for c in chosen))
        order += [i for i in range(len(hits)) if i not in order]
        number = {passage: n for n, passage in enumerate(order, 1)}
        text = " ".join(f"{c.text} [{number[c.passage]}]" for c in chosen)
        sources = tuple(Source(number[i], hits[i]) for i in order)
        return Answer(question, query, text, sources, "utdrag")

    # -- generation -------------------------------------------------------------------

    def build_prompt(
        self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()
    ) -> tuple[str, str, list[Source]]:
        """(system, user, sources) with as many passages as fit in the token budget."""
        system = load_prompt("answer_system").render()
        template = load_prompt("answer_user")
        earlier = history_text(history, self.context_tokens // HISTORY_SHARE)
        history_block = f"Tidigare i samtalet:\n{earlier}\n\n" if earlier else ""
        fixed = count_tokens(system) + count_tokens(
            template.render(history=history_block, passages="", question=question)
        )
        room = self.context_tokens - fixed
        sources: list[Source] = []
        blocks: list[str] = []
        for hit in hits:
            source = Source(len(sources) + 1, hit)
            block = _format_passage(source)
            cost = count_tokens(block) + PASSAGE_SEPARATOR_TOKENS
            if cost > room:
                if sources:
                    break
                # Even one passage is too long: keep what fits of it.
                shortened = truncate_tokens(
                    hit.text, max(room - TRUNCATION_MARGIN, MIN_TRUNCATED_TOKENS)
                )
                source = Source(1, replace(hit, text=shortened))
                block = _format_passage(source)
                cost = count_tokens(block)
            sources.append(source)
            blocks.append(block)
            room -= cost
        user = template.render(
            history=history_block, passages="\n\n".join(blocks), question=question
        )
        return system, user, sources

    def _generate(
        self, question: str, query: str, hits: Sequence[Hit], history: Sequence[Turn]
    ) -> Iterator[Answer]:
        from langchain_core.messages import HumanMessage, SystemMessage

        assert self.chat_model is not None
        system, user, sources = self.build_prompt(question, hits, history)
        partial = Answer(question, query, "", tuple(sources), "llm", done=False)
        text = ""
        try:
            messages = [SystemMessage(system), HumanMessage(user)]
            for piece in stream_text(self.chat_model, messages, self.timeout):
                text += piece
                yield replace(partial, text=text)
        except Exception as error:  # the LLM boundary: any failure shows the extracts
            log.warning("LLM answer failed: %s", type(error).__name__)
            yield self._fallback(question, query, hits, failure_reason(error, self.timeout))
            return
        cleaned, invalid = validate_citations(text, len(sources))
        if not cleaned:
            yield self._fallback(question, query, hits, "gav ett tomt svar")
            return
        notice = ""
        if invalid:
            notice = "Svaret hänvisade till källor som inte finns; de hänvisningarna är borttagna."
        elif not CITATION.search(cleaned):
            notice = "Svaret saknar källhänvisningar; kontrollera det mot källorna nedan."
        yield Answer(question, query, cleaned, tuple(sources), "llm", True, notice, invalid)

    def _fallback(self, question: str, query: str, hits: Sequence[Hit], reason: str) -> Answer:
        answer = self.extractive(question, query, hits)
        return replace(
            answer,
            notice=f"Språkmodellen {reason}. Här är i stället utdrag ur källorna.",
        )
