"""Drafting a yttrande: one section per recommendation, built on how earlier replies answered.

Precedent comes from `PrecedentIndex` (answers of earlier replies to similar
recommendations). Without an LLM a section is a skeleton (`skeleton_section`). With an
LLM the section is written from the precedents; any failure falls back to the skeleton
with a Swedish notice, and never raises.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from app.drafting.assembly import (
    DEFAULT_SUBJECT,
    assemble,
    check_draft,
    new_draft,
    skeleton_summary,
)
from app.drafting.model import (
    ELEMENT_HEADINGS,
    Draft,
    DraftError,
    Precedent,
    Section,
    notice_markdown,
    quote_line,
)
from app.drafting.precedent import (
    SIMILAR_RECOMMENDATION,
    AnsweredRecommendation,
    PrecedentIndex,
    order_precedents,
)
from app.drafting.skeleton import PLACEHOLDERS, skeleton_section
from app.llm.calls import failure_reason, stream_text, validate_citations
from app.llm.prompts import escape_material, load_prompt, truncate_tokens
from app.review.coverage import CoverageReport, addressed_to
from ingest.models import Recommendation
from ingest.recommendations import extract_recommendations
from ingest.tokens import count_tokens
from vectorstore.store import Store

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from app.drafting.store import DraftStore

__all__ = [
    "ELEMENT_HEADINGS",
    "PLACEHOLDERS",
    "SIMILAR_RECOMMENDATION",
    "AnsweredRecommendation",
    "Drafter",
    "PrecedentIndex",
    "order_precedents",
    "quote_line",
]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
"""Seconds the model may take for one section before the skeleton is shown instead."""
DEFAULT_CONTEXT_TOKENS = 6000
"""Tokens of one prompt: fits the smallest context window among the supported models."""
DEFAULT_PRECEDENTS = 5
"""Precedents per section: as many as an official reads; more rarely add a new answer."""
CURRENT_TEXT_PART = 4
"""Regenerating, the section's current text gets at most 1/CURRENT_TEXT_PART of the prompt's
tokens: the instructions and the precedents need the rest."""
PROMPT_MARGIN = 16
"""Tokens kept free in a prompt: token counts of its parts do not quite add up to the
whole's."""
BLOCK_BREAK_TOKENS = 2
"""Tokens of the blank line between two precedent blocks in a prompt."""
MIN_FIRST_ANSWER = 30
"""Tokens of the first precedent's answer below which it is not sent at all: a cut that
short says too little to draft from."""
ELLIPSIS_TOKENS = 4
"""Room for the ellipsis a cut answer ends with (and a token or two the cut may shift)."""
GENERIC_ADDRESSEES = ("", "nämnden", "nämnderna", "styrelsen")
"""How an audit names the body it addresses when it names none in particular: such
recommendations are for whichever body replies."""

_FENCE = re.compile(r"^```\w*\s*\n(.*?)\n```\s*$", re.DOTALL)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _clean_output(text: str) -> str:
    """The model's text without a code fence around it."""
    text = text.strip()
    fenced = _FENCE.match(text)
    return fenced.group(1).strip() if fenced else text


def _format_precedent(number: int, precedent: Precedent) -> str:
    """One precedent as a fenced block of a prompt."""
    about = ", ".join(
        p for p in (precedent.doc_type, precedent.diarienummer, precedent.date, precedent.organ)
        if p
    )
    header = f"Dokument: {escape_material(precedent.title or precedent.file)}"
    if about:
        header += f" ({escape_material(about)})"
    if precedent.kind == "svar":
        header += (
            "\nSvar på en liknande rekommendation: "
            f"{escape_material(_flat(precedent.recommendation))}\nSvaret:"
        )
    else:
        header += "\nLiknande text ur ett tidigare svar:"
    return (
        f"<<<KÄLLA {number}>>>\n{header}\n{escape_material(precedent.answer)}\n"
        f"<<<SLUT PÅ KÄLLA {number}>>>"
    )


def _precedent_blocks(precedents: Sequence[Precedent], room: int) -> list[str]:
    """Precedent blocks, in order, as many as fit `room` tokens.

    Even the first precedent may be too long: then what fits of its answer is kept.
    """
    blocks: list[str] = []
    for number, precedent in enumerate(precedents, 1):
        block = _format_precedent(number, precedent)
        cost = count_tokens(block) + BLOCK_BREAK_TOKENS
        if cost > room:
            overhead = count_tokens(_format_precedent(number, replace(precedent, answer="")))
            if blocks or room - overhead < MIN_FIRST_ANSWER:
                break
            short = truncate_tokens(precedent.answer, room - overhead - ELLIPSIS_TOKENS)
            block = _format_precedent(number, replace(precedent, answer=short))
            cost = count_tokens(block) + BLOCK_BREAK_TOKENS
        blocks.append(block)
        room -= cost
    return blocks


class Drafter:
    """Drafts a yttrande for one body from an audit, section by section."""

    def __init__(
        self,
        store: Store,
        chat_model: BaseChatModel | None = None,
        *,
        drafts: DraftStore | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
        precedents_k: int = DEFAULT_PRECEDENTS,
        index: PrecedentIndex | None = None,
    ) -> None:
        self.store = store
        self.chat_model = chat_model
        self.drafts = drafts
        self.timeout = timeout
        self.context_tokens = context_tokens
        self.precedents_k = precedents_k
        self.index = index if index is not None else PrecedentIndex(store)
        """The store's earlier answers; pass one in to share it between drafters."""

    def precedents(
        self, recommendation: Recommendation, exclude_files: Collection[str] = ()
    ) -> list[Precedent]:
        """Up to `precedents_k` passages of earlier replies to draft this answer from.

        Answers to similar recommendations ("svar") come first; passages of replies that
        are merely similar ("text") fill up the list.
        """
        return self.index.find(recommendation, self.precedents_k, exclude_files)

    # -- whole drafts -----------------------------------------------------------------

    def create(
        self,
        audit_text: str,
        addressee: str,
        audit_file: str = "",
        exclude_files: Collection[str] = (),
        recommendations: Sequence[Recommendation] | None = None,
    ) -> Draft:
        """A new draft answering every recommendation of the audit addressed to `addressee`.

        `recommendations` (the official's own list) are answered instead of those
        extraction finds in the audit.
        """
        addressee = " ".join(addressee.split())
        if not addressee:
            raise DraftError("Ange vilken nämnd eller styrelse som ska svara.")
        recommendations = self._recommendations_for(audit_text, addressee, recommendations)
        draft = new_draft(audit_text, addressee, audit_file)
        failure = ""
        for recommendation in recommendations:
            precedents = self.precedents(recommendation, exclude_files)
            section, failure = self._draft_section(
                addressee, recommendation, precedents, recommendations, failure
            )
            draft.sections.append(section)
        draft.summary = self._summary(addressee, draft.audit_title, recommendations, failure)
        if self.drafts is not None:
            self.drafts.save(draft)
        return draft

    def _recommendations_for(
        self, audit_text: str, addressee: str, given: Sequence[Recommendation] | None = None
    ) -> list[Recommendation]:
        found = list(given) if given is not None else extract_recommendations(audit_text)
        if not found:
            raise DraftError("Inga rekommendationer hittades i granskningen.")
        chosen = [r for r in found if addressed_to(r, addressee)]
        if not chosen:
            chosen = [r for r in found if r.addressee.strip().casefold() in GENERIC_ADDRESSEES]
        if not chosen:
            named = sorted({r.addressee for r in found if r.addressee})
            raise DraftError(
                f"Granskningen innehåller inga rekommendationer till {addressee}. "
                f"Rekommendationerna riktas till: {', '.join(named)}."
            )
        unique: dict[str, Recommendation] = {}
        for recommendation in chosen:
            unique.setdefault(_flat(recommendation.text).casefold(), recommendation)
        return list(unique.values())

    def regenerate(self, draft: Draft, index: int) -> Section:
        """Draft section `index` again (the LLM sees the current text); the draft is unchanged.

        The section keeps its precedents, so its citations keep their meaning; it gets
        them anew only when it has none. The caller puts the section in and saves.
        """
        if not 0 <= index < len(draft.sections):
            raise DraftError(f"Utkastet har inget avsnitt nummer {index + 1}.")
        current = draft.sections[index]
        recommendation = current.recommendation
        others = [s.recommendation for s in draft.sections]
        precedents = current.precedents or self.precedents(recommendation)
        if self.chat_model is None:
            return self.skeleton(recommendation, precedents, others)
        opening = quote_line(recommendation)
        body = "\n".join(
            line for line in current.render(notices=False).splitlines() if line.strip() != opening
        ).strip()
        try:
            prompt = self._section_prompt(
                "regenerate_section",
                draft.addressee,
                recommendation,
                precedents,
                current=escape_material(
                    truncate_tokens(body, self.context_tokens // CURRENT_TEXT_PART)
                ),
            )
            return self._llm_section(recommendation, precedents, prompt)
        except Exception as error:  # the LLM boundary: any failure shows the skeleton
            log.warning("LLM section failed: %s", type(error).__name__)
            reason = failure_reason(error, self.timeout)
            return self._fallback(recommendation, precedents, others, reason)

    # -- sections ---------------------------------------------------------------------

    def _draft_section(
        self,
        addressee: str,
        recommendation: Recommendation,
        precedents: list[Precedent],
        others: Sequence[Recommendation],
        failure: str,
    ) -> tuple[Section, str]:
        """The section and the LLM's failure reason ("" when it worked or is not used).

        Once the LLM has failed, the remaining sections are skeletons at once: waiting
        out the timeout once per recommendation helps nobody.
        """
        if self.chat_model is None:
            return self.skeleton(recommendation, precedents, others), ""
        if failure:
            return self._fallback(recommendation, precedents, others, failure), failure
        try:
            prompt = self._section_prompt("draft_section", addressee, recommendation, precedents)
            return self._llm_section(recommendation, precedents, prompt), ""
        except Exception as error:  # the LLM boundary: any failure shows the skeleton
            log.warning("LLM section failed: %s", type(error).__name__)
            reason = failure_reason(error, self.timeout)
            return self._fallback(recommendation, precedents, others, reason), reason

    def skeleton(
        self,
        recommendation: Recommendation,
        precedents: Sequence[Precedent],
        others: Sequence[Recommendation] = (),
    ) -> Section:
        """The section without LLM (`skeleton_section`), from this drafter's precedent."""
        return skeleton_section(self.index, recommendation, precedents, others)

    def _fallback(
        self,
        recommendation: Recommendation,
        precedents: Sequence[Precedent],
        others: Sequence[Recommendation],
        reason: str,
    ) -> Section:
        section = self.skeleton(recommendation, precedents, others)
        section.add_notice(reason)
        return section

    def _section_prompt(
        self,
        name: str,
        addressee: str,
        recommendation: Recommendation,
        precedents: Sequence[Precedent],
        **extra: str,
    ) -> str:
        """The prompt with as many precedents as fit the token budget, in order."""
        template = load_prompt(name)
        values = {
            "addressee": escape_material(addressee),
            "recommendation": escape_material(_flat(recommendation.text)),
            **extra,
        }
        room = (
            self.context_tokens
            - count_tokens(template.render(precedents="", **values))
            - PROMPT_MARGIN
        )
        blocks = _precedent_blocks(precedents, room)
        while True:
            material = "\n\n".join(blocks) if blocks else "(Inga tidigare svar hittades.)"
            prompt = template.render(precedents=material, **values)
            if len(blocks) <= 1 or count_tokens(prompt) <= self.context_tokens:
                return prompt
            blocks.pop()

    def _complete(self, prompt: str) -> str:
        """The model's streamed reply; TimeoutError past the deadline."""
        from langchain_core.messages import HumanMessage

        assert self.chat_model is not None
        text = "".join(stream_text(self.chat_model, [HumanMessage(prompt)], self.timeout))
        return _clean_output(text)

    def _llm_section(
        self, recommendation: Recommendation, precedents: Sequence[Precedent], prompt: str
    ) -> Section:
        text = self._complete(prompt)
        cleaned, invalid = validate_citations(text, len(precedents))
        if invalid:
            log.info("dropped citations to precedents that do not exist")
        if not cleaned:
            raise ValueError("empty section")
        if not cleaned.startswith(quote_line(recommendation)):
            cleaned = f"{quote_line(recommendation)}\n\n{cleaned}"
        return Section(recommendation, cleaned, list(precedents), author="llm")

    # -- summary ----------------------------------------------------------------------

    def _summary(
        self,
        addressee: str,
        title: str,
        recommendations: Sequence[Recommendation],
        failure: str,
    ) -> str:
        skeleton = skeleton_summary(addressee, title, len(recommendations))
        if self.chat_model is None:
            return skeleton
        if not failure:
            try:
                listed = "\n".join(
                    f"{n}. {escape_material(_flat(r.text))}"
                    for n, r in enumerate(recommendations, 1)
                )
                prompt = load_prompt("draft_summary").render(
                    addressee=escape_material(addressee),
                    title=escape_material(title or DEFAULT_SUBJECT),
                    recommendations=listed,
                )
                text, _ = validate_citations(self._complete(prompt), 0)
                if text:
                    return text
                failure = "gav ett tomt svar"
            except Exception as error:  # the LLM boundary: any failure shows the skeleton
                log.warning("LLM summary failed: %s", type(error).__name__)
                failure = failure_reason(error, self.timeout)
        return f"{notice_markdown(failure)}\n\n{skeleton}"

    @staticmethod
    def skeleton_summary(addressee: str, title: str, count: int) -> str:
        """The summary without LLM: receipt of the audit and how the reply is laid out."""
        return skeleton_summary(addressee, title, count)

    # -- the whole text ---------------------------------------------------------------

    def assemble(self, draft: Draft) -> str:
        """The whole yttrande in Markdown, citations numbered across the document."""
        return assemble(draft)

    def check(self, draft: Draft) -> CoverageReport:
        """How the assembled yttrande covers the draft's recommendations (`check_draft`)."""
        return check_draft(draft, self.store.embedder)
