"""A second opinion on coverage: the chat model judges each recommendation, with a quote.

The rule-based check (`app.review.coverage.check_coverage`) comes first and is complete on
its own. When a chat model is configured, it gets each recommendation and the reply (the
whole reply when it fits the prompt budget, else the rule-based evidence and the
paragraphs that share most words with the recommendation) and answers, as JSON, a status
(besvarad/delvis/saknas), a stance (instämmer/instämmer delvis/avvisar/avvaktar) and a
verbatim quote from the reply (`prompts/judge_coverage.txt`).

Merge policy: the model's verdict replaces the rule-based one only when it is backed by a
quote that stands in the reply (`app.llm.grounding`) and is not merely the reply's
repetition of the recommendation. The evidence then becomes the reply's own paragraph
around the quote, and the elements are read from it. Everything else keeps the rule-based
verdict: an answer without a quote, with a quote the reply does not contain (reported),
and "saknas" (absence cannot be quoted; where the rules found an answer, the item's
reason says the model disagrees). A failing model (no connection, timeout, HTTP error)
stops the pass: the remaining items keep their verdicts and one notice says why; an
unreadable answer costs only its own item.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from app.llm.grounding import Grounding, Span, clean_span, fold
from app.llm.prompts import escape_material, load_prompt
from app.llm.structured import UnreadableAnswer, ask_json, llm_failure
from app.review.coverage import CoverageItem, CoverageReport, Evidence
from ingest.text.elements import detect_elements
from ingest.tokens import count_tokens
from ingest.vocabulary import Stance, Status
from vectorstore.lexical import tokenize

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

__all__ = ["STANCES", "judge_with_llm"]

STANCES: dict[str, Stance] = {stance.value: stance for stance in Stance}
"""The positions a reply takes to a recommendation, by the words the model is asked for."""
DEFAULT_CONTEXT_TOKENS = 6000
PROMPT_MARGIN = 200
MIN_REPLY_TOKENS = 300
EVIDENCE_PARAGRAPH_CHARS = 1500
"""A verified quote's evidence is its whole paragraph, unless the paragraph is longer."""
RESTATES_RECOMMENDATION = 0.8
"""Similarity to the recommendation above which a quote only repeats it."""
_GAP = "[…]"
"""Stands between paragraphs of the reply that are not next to each other."""
_STATUSES = {
    "besvarad": Status.BESVARAD,
    "besvarat": Status.BESVARAD,
    "delvis": Status.DELVIS,
    "delvis besvarad": Status.DELVIS,
    "saknas": Status.SAKNAS,
    "ej besvarad": Status.SAKNAS,
    "inte besvarad": Status.SAKNAS,
}


@dataclasses.dataclass(frozen=True)
class _Verdict:
    status: Status
    stance: Stance | None
    quotes: list[str]


def judge_with_llm(
    report: CoverageReport,
    reply_text: str,
    model: BaseChatModel | None,
    timeout: float,
    *,
    context_tokens: int = DEFAULT_CONTEXT_TOKENS,
) -> tuple[CoverageReport, list[str]]:
    """`report` with the model's verified verdicts merged in, and Swedish notices.

    Without a model, or with nothing to judge, `report` unchanged. Never raises for a
    failing model; each call is bounded by `timeout` seconds and none follows a failure.
    """
    if model is None or not report.items:
        return report, []
    grounding = Grounding(reply_text)
    paragraphs = _paragraphs(reply_text)
    notices: list[str] = []
    items: list[CoverageItem] = []
    for number, item in enumerate(report.items, 1):
        try:
            prompt = _prompt(report, item, reply_text, paragraphs, context_tokens)
            verdict = _verdict(ask_json(model, prompt, timeout))
        except UnreadableAnswer as error:
            notices.append(
                f"Rekommendation {number}: språkmodellen {llm_failure(error, timeout)}; "
                "regelbedömningen behålls."
            )
            items.append(item)
            continue
        except Exception as error:  # the LLM boundary: any failure keeps the rules' verdicts
            log.warning("LLM coverage judge failed: %s", type(error).__name__)
            rest = "" if number == 1 else " för de återstående rekommendationerna"
            notices.append(
                f"Språkmodellen {llm_failure(error, timeout)}; täckningen{rest} bygger på reglerna."
            )
            items.extend(report.items[number - 1 :])
            break
        items.append(_merge(number, item, verdict, grounding, notices))
    return dataclasses.replace(report, items=items), notices


# -- the prompt -------------------------------------------------------------------------


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """The reply's paragraphs with their offsets."""
    found: list[tuple[int, str]] = []
    position = 0
    for piece in text.split("\n\n"):
        if piece.strip():
            found.append((position, piece.strip()))
        position += len(piece) + 2
    return found


def _prompt(
    report: CoverageReport,
    item: CoverageItem,
    reply_text: str,
    paragraphs: Sequence[tuple[int, str]],
    context_tokens: int,
) -> str:
    recommendation = item.recommendation
    addressee = report.addressee or recommendation.addressee or "nämnden"
    values = {
        "addressee": escape_material(addressee),
        "recommendation": escape_material(" ".join(recommendation.text.split())),
    }
    template = load_prompt("judge_coverage")
    budget = max(
        MIN_REPLY_TOKENS,
        context_tokens - count_tokens(template.render(reply="", **values)) - PROMPT_MARGIN,
    )
    material = _material(item, reply_text, paragraphs, budget)
    return template.render(reply=escape_material(material), **values)


def _material(
    item: CoverageItem, reply_text: str, paragraphs: Sequence[tuple[int, str]], budget: int
) -> str:
    """The whole reply if it fits `budget` tokens; else the rule-based evidence and the
    paragraphs sharing most stemmed words with the recommendation, in reply order."""
    if count_tokens(reply_text) <= budget:
        return reply_text.strip()
    wanted = set(tokenize(item.recommendation.text))
    evidence = fold(item.evidence.text) if item.evidence is not None else ""

    def rank(index: int) -> tuple[bool, int, int]:
        text = paragraphs[index][1]
        folded = fold(text)
        in_evidence = bool(evidence) and (folded in evidence or evidence[:60] in folded)
        return (not in_evidence, -len(wanted & set(tokenize(text))), index)

    chosen: list[int] = []
    used = 0
    for index in sorted(range(len(paragraphs)), key=rank):
        tokens = count_tokens(paragraphs[index][1])
        if used + tokens > budget:
            continue
        chosen.append(index)
        used += tokens
    pieces: list[str] = []
    previous = -2
    for index in sorted(chosen):
        if pieces and index != previous + 1:
            pieces.append(_GAP)
        pieces.append(paragraphs[index][1])
        previous = index
    return "\n\n".join(pieces)


# -- reading the answer -----------------------------------------------------------------


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _verdict(answers: list[dict[str, Any]]) -> _Verdict:
    """The first answer that names a known status; UnreadableAnswer when none does."""
    for answer in answers:
        status = _STATUSES.get(_text(answer.get("status")).casefold().strip(" ."))
        if status is None:
            continue
        stance = (
            _text(answer.get("stallningstagande", answer.get("stance", answer.get("installning"))))
            .casefold()
            .strip(" .")
        )
        raw = answer.get("citat", answer.get("quote", answer.get("citat_ur_svaret")))
        values = raw if isinstance(raw, list) else [raw]
        quotes = [q for q in (_text(value) for value in values) if q]
        return _Verdict(status, STANCES.get(stance), quotes)
    raise UnreadableAnswer("no verdict with a known status in the model's reply")


# -- merging ----------------------------------------------------------------------------


def _restates(quote: Span, recommendation: str) -> bool:
    """Whether a quote only repeats the recommendation (as replies often do before
    answering it): contained in it, or nearly the same text."""
    said, asked = fold(quote.text), fold(recommendation)
    if said in asked:
        return True
    return SequenceMatcher(None, said, asked, autojunk=False).ratio() >= RESTATES_RECOMMENDATION


def _merge(
    number: int,
    item: CoverageItem,
    verdict: _Verdict,
    grounding: Grounding,
    notices: list[str],
) -> CoverageItem:
    """The item with the model's verdict where a verified quote backs it; else as it was."""
    if verdict.status == Status.SAKNAS:
        if item.status == Status.SAKNAS:
            return item
        reason = (
            f"{item.reason} Språkmodellen bedömer att svaret inte tar upp rekommendationen; "
            "kontrollera."
        )
        return dataclasses.replace(item, reason=reason)
    if not verdict.quotes:
        notices.append(
            f"Rekommendation {number}: språkmodellen angav inget citat ur svaret; "
            "regelbedömningen behålls."
        )
        return item
    spans: list[Span] = []
    for quote in verdict.quotes:
        span = grounding.find(quote)
        if span is None:
            notices.append(
                f"Rekommendation {number}: språkmodellens citat står inte i svaret och "
                f'används inte: "{_short(quote)}"'
            )
        elif _restates(span, item.recommendation.text):
            notices.append(
                f"Rekommendation {number}: språkmodellens citat återger bara rekommendationen "
                "och räknas inte som svar."
            )
        else:
            spans.append(span)
    if not spans:
        return item
    evidence = _evidence(grounding, spans)
    stance = f", {verdict.stance.value}" if verdict.stance else ""
    quoted = " … ".join(f'"{_short(span.text)}"' for span in spans)
    reason = (
        f"Språkmodellen bedömer rekommendationen som {verdict.status.value}{stance}; "
        f"citat ur svaret ({_where(evidence)}): {quoted}"
    )
    return dataclasses.replace(
        item,
        status=verdict.status,
        evidence=evidence,
        elements=detect_elements(evidence.text, words=tokenize),
        reason=reason,
        # The model's stance where it names one; else what the rules read, if anything.
        stance=verdict.stance or item.stance,
    )


def _evidence(grounding: Grounding, spans: Sequence[Span]) -> Evidence:
    """The reply's paragraph(s) around the quotes, located by page, section and lines."""
    ranges = sorted(grounding.paragraph_around(span, EVIDENCE_PARAGRAPH_CHARS) for span in spans)
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    text = "\n\n".join(clean_span(grounding.text[start:end]) for start, end in merged)
    first, last = merged[0][0], merged[-1][1]
    return Evidence(
        text=text,
        page=grounding.page_at(first),
        section=grounding.section_at(first),
        start_line=grounding.line_at(first),
        end_line=grounding.line_at(max(first, last - 1)),
    )


def _where(evidence: Evidence) -> str:
    where = f"s. {evidence.page}" if evidence.page is not None else "svaret"
    if evidence.section:
        where += f', avsnitt "{_short(evidence.section.split(" > ")[-1], 60)}"'
    return where


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
