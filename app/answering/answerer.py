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
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from app.llm.calls import CITATION, failure_reason, stream_text, validate_citations
from app.llm.prompts import escape_material, load_prompt, truncate_tokens
from ingest.tokens import count_tokens
from vectorstore.catalog import Filters
from vectorstore.lexical import tokenize
from vectorstore.store import Hit, Store

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

Mode = Literal["utdrag", "llm"]
Turn = tuple[str, str]
"""A past exchange: (the user's question, the assistant's answer)."""

# Below both of these, no sentence is taken to answer the question. e5 similarities of
# unrelated Swedish text sit around 0.75, of answering sentences above 0.8.
MIN_SIMILARITY = 0.78
MIN_OVERLAP = 0.25
NOTHING_FOUND = "Jag hittade inget i de inlästa dokumenten som besvarar frågan."
_ABBREVIATION = re.compile(r"\b(?:bl\.a|t\.ex|s\.k|m\.m|dvs|ca|nr|kap|jfr|resp|p\.g\.a|enl)\.$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9»\"(])")
# A follow-up leans on the previous question: it opens with a conjunction ("och vad sa
# servicenämnden?"), points back ("samma nämnd", "dessa åtgärder"), or is very short.
_FOLLOW_UP_START = re.compile(r"^(?:och|men|samt|även|också|än|då)\b", re.IGNORECASE)
_BACK_REFERENCE = re.compile(r"\b(?:detta|denna|dessa|samma|där|dit)\b", re.IGNORECASE)


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



def split_sentences(text: str) -> list[str]:
    """Whole sentences of a passage; list items count as sentences.

    Lines that do not end a sentence (headings, letterheads, text cut off by an excerpt)
    are left out: an answer quotes complete statements only.
    """
    sentences: list[str] = []
    for raw in text.splitlines():
        line = raw.strip().lstrip("•►-–* ").strip()
        is_item = line != raw.strip() or bool(re.match(r"\d{1,2}[.)] ", line))
        if not line or not (is_item or line[-1] in ".!?"):
            continue
        pieces = _SENTENCE_END.split(line)
        if not is_item and pieces[-1][-1] not in ".!?":
            pieces = pieces[:-1]
        merged: list[str] = []
        for piece in pieces:
            if merged and _ABBREVIATION.search(merged[-1]):
                merged[-1] = f"{merged[-1]} {piece}"
            else:
                merged.append(piece)
        sentences.extend(merged)
    return sentences


def _is_follow_up(question: str) -> bool:
    words = question.split()
    return (
        len(words) <= 5
        or bool(_FOLLOW_UP_START.match(question.strip()))
        or bool(_BACK_REFERENCE.search(question))
    )


@dataclass
class _Candidate:
    text: str
    passage: int
    lexical: float
    prior: float
    score: float = 0.0
    tokens: set[str] = field(default_factory=set)


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



class Answerer:
    """Retrieves passages for a question and answers from them."""

    def __init__(
        self,
        store: Store,
        chat_model: BaseChatModel | None = None,
        *,
        k: int = 6,
        context_tokens: int = 6000,
        timeout: float = 30.0,
        max_sentences: int = 3,
    ) -> None:
        self.store = store
        self.chat_model = chat_model
        self.k = k
        self.context_tokens = context_tokens
        self.timeout = timeout
        self.max_sentences = max_sentences

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
        if not history or not _is_follow_up(question):
            return question
        if self.chat_model is not None:
            try:
                prompt = load_prompt("condense").render(
                    history=self._history_text(history, 600), question=question
                )
                reply = self.chat_model.invoke(prompt)
                text = reply.content if isinstance(reply.content, str) else ""
                text = text.strip().splitlines()[0].strip() if text.strip() else ""
                if 3 <= len(text) <= 500:
                    return text
            except Exception as error:  # the LLM boundary: fall back to the plain rule
                log.warning("condensing the question failed: %s", type(error).__name__)
        return f"{history[-1][0]} {question}"

    def extractive(self, question: str, query: str, hits: Sequence[Hit]) -> Answer:
        """An answer made of the best-matching sentences of the passages, each cited."""
        chosen = self._best_sentences(query, hits)
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

    # -- extractive -------------------------------------------------------------------

    def _best_sentences(self, query: str, hits: Sequence[Hit]) -> list[_Candidate]:
        # Rare words of the question ("kompetensintyg") matter much more than common ones
        # ("nämnden", "revisorerna") when judging whether a sentence answers it: squared idf.
        weights = {t: w * w for t, w in self.store.idf(set(tokenize(query))).items()}
        total_weight = sum(weights.values()) or 1.0
        candidates: list[_Candidate] = []
        seen: set[str] = set()
        for rank, hit in enumerate(hits[:5]):
            for sentence in split_sentences(hit.text):
                key = " ".join(sentence.lower().split())
                if len(sentence) < 25 or len(sentence.split()) < 4 or key in seen:
                    continue
                seen.add(key)
                terms = set(tokenize(sentence))
                overlap = sum(w for t, w in weights.items() if t in terms) / total_weight
                candidates.append(_Candidate(sentence, rank, overlap, 1 / (1 + rank), tokens=terms))
        if not candidates:
            return []
        best_overlap = max(c.lexical for c in candidates)
        shortlist = sorted(candidates, key=lambda c: -(0.6 * c.lexical + 0.4 * c.prior))[:16]
        query_vector = self.store.embedder.embed_queries([query])[0]
        similarities = self.store.embedder.embed_passages([c.text for c in shortlist]) @ (
            query_vector
        )
        low, high = float(similarities.min()), float(similarities.max())
        if high < MIN_SIMILARITY and best_overlap < MIN_OVERLAP:
            return []  # nothing here is about the question
        for c, similarity in zip(shortlist, similarities, strict=True):
            dense = (float(similarity) - low) / (high - low) if high > low else 1.0
            c.score = 0.55 * dense + 0.3 * c.lexical + 0.15 * c.prior
        shortlist.sort(key=lambda c: -c.score)
        best = shortlist[0].score
        chosen: list[_Candidate] = []
        for c in shortlist:
            if len(chosen) == self.max_sentences or c.score < 0.6 * best:
                break
            if sum(1 for o in chosen if o.passage == c.passage) >= 2:
                continue
            if any(
                len(c.tokens & o.tokens) / len(c.tokens | o.tokens or {""}) > 0.6 for o in chosen
            ):
                continue
            chosen.append(c)
        return chosen

    # -- generation -------------------------------------------------------------------

    @staticmethod
    def _history_text(history: Sequence[Turn], budget: int) -> str:
        """The latest exchanges that fit in `budget` tokens, oldest first."""
        lines: list[str] = []
        used = 0
        for user, assistant in reversed(history[-3:]):
            entry = f"Fråga: {user}\nSvar: {CITATION.sub('', assistant).strip()}"
            cost = count_tokens(entry)
            if used + cost > budget:
                break
            lines.insert(0, entry)
            used += cost
        return "\n\n".join(lines)

    def build_prompt(
        self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()
    ) -> tuple[str, str, list[Source]]:
        """(system, user, sources) with as many passages as fit in the token budget."""
        system = load_prompt("answer_system").render()
        template = load_prompt("answer_user")
        history_text = self._history_text(history, self.context_tokens // 4)
        history_block = f"Tidigare i samtalet:\n{history_text}\n\n" if history_text else ""
        fixed = count_tokens(system) + count_tokens(
            template.render(history=history_block, passages="", question=question)
        )
        room = self.context_tokens - fixed
        sources: list[Source] = []
        blocks: list[str] = []
        for hit in hits:
            source = Source(len(sources) + 1, hit)
            block = _format_passage(source)
            cost = count_tokens(block) + 2
            if cost > room:
                if sources:
                    break
                # Even one passage is too long: keep what fits of it.
                shortened = truncate_tokens(hit.text, max(room - 80, 50))
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
