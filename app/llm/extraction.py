"""A second reader for recommendations: the chat model, checked word for word.

The rules of `ingest.recommendations` find the recommendations without a model; when one
is configured, it is asked (`prompts/extract_recommendations.txt`) to list them too, as
JSON with addressee and verbatim text. Nothing it says is taken on trust:
- every recommendation it lists must stand in the document (`app.llm.grounding`); one that
  does not is dropped and named in a notice, and one that does is kept in the document's
  own words, with the page and section where it stands;
- an addressee that does not occur in the document is not kept either (the item keeps no
  addressee, so every body's check includes it);
- the rule-based list is kept whole; a model item that shares most of its words with a
  rule item to the same body is that item, the others are added in document order.
Any failure of the model (no connection, timeout, HTTP error, an unreadable or empty
answer) leaves the rule-based list, with a Swedish notice saying why.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.llm.grounding import Grounding, Span
from app.llm.prompts import escape_material, load_prompt, truncate_tokens
from app.llm.structured import ask_json, llm_failure
from ingest.models import Recommendation
from ingest.recommendations import recommendation_id
from ingest.tokens import count_tokens
from vectorstore.lexical import tokenize

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

__all__ = [
    "ORIGIN_BOTH",
    "ORIGIN_LLM",
    "ORIGIN_RULES",
    "LLMExtraction",
    "extract_with_llm",
    "read_with_llm",
]

ORIGIN_RULES = "regler"
ORIGIN_LLM = "språkmodell"
ORIGIN_BOTH = "regler och språkmodell"
"""Where a recommendation of the merged list was found, as a user reads it."""

SAME_RECOMMENDATION = 0.8
"""Share of the shorter text's stemmed words two texts to one body must share to be one
recommendation: a model that adds or leaves out a lead-in or a clause still matches the
rule item, two different recommendations to one board share far fewer."""
DEFAULT_CONTEXT_TOKENS = 6000
PROMPT_MARGIN = 200
"""Tokens kept free for the model's own formatting of the prompt."""
MIN_PART_TOKENS = 400
MAX_PARTS = 6
"""A long document is read in parts; at most this many are sent (one call each), the
ones that speak most of recommendations, so a long report costs a bounded time."""
_CUES = re.compile(r"rekommend|\bbör\b|föreslå|uppmana", re.IGNORECASE)
"""Words of a part that speaks of recommendations; only ranks parts when there are too many."""
_LEADING_LABEL = re.compile(
    r"^\s*(?:[-–•►*·]\s*|\(?\d{1,2}[.)]\s*|[a-z][.)]\s+)?"
    r"(?:(?:\w+s\s+)?rekommendation(?:\s*(?:nr\.?\s*)?\d{1,2}[a-z]?)?\s*[:.–-]\s*)?",
    re.IGNORECASE,
)
"""A bullet, a number or a "Rekommendation 2:" label the model kept before the text."""
_QUOTE_CHARS = 120
"""Longest piece of a dropped recommendation repeated in a notice."""


@dataclass(frozen=True)
class LLMExtraction:
    """The merged list of recommendations, what a user must be told, and where each was found."""

    recommendations: list[Recommendation]
    notices: list[str] = field(default_factory=list)
    """Swedish sentences: failures, dropped items, additions."""
    origins: dict[str, str] = field(default_factory=dict)
    """Recommendation id -> ORIGIN_RULES, ORIGIN_LLM or ORIGIN_BOTH."""


@dataclass(frozen=True)
class _Found:
    """A recommendation the model listed, found in the document."""

    text: str
    addressee: str
    span: Span


def extract_with_llm(
    text: str,
    rules: list[Recommendation],
    model: BaseChatModel | None,
    timeout: float,
    *,
    context_tokens: int = DEFAULT_CONTEXT_TOKENS,
) -> tuple[list[Recommendation], list[str]]:
    """The rule-based `rules` merged with what the model finds in `text`, and the notices.

    Without a model, `rules` unchanged and no notices. Never raises for a failing model.
    """
    result = read_with_llm(text, rules, model, timeout, context_tokens=context_tokens)
    return result.recommendations, result.notices


def read_with_llm(
    text: str,
    rules: Sequence[Recommendation],
    model: BaseChatModel | None,
    timeout: float,
    *,
    context_tokens: int = DEFAULT_CONTEXT_TOKENS,
) -> LLMExtraction:
    """`extract_with_llm` with the origin of every recommendation of the merged list."""
    origins = {rec.id: ORIGIN_RULES for rec in rules}
    if model is None or not text.strip():
        return LLMExtraction(list(rules), [], origins)
    notices: list[str] = []
    parts = _parts(text, _part_budget(context_tokens))
    chosen = _choose(parts)
    if len(chosen) < len(parts):
        notices.append(
            f"Dokumentet är långt: språkmodellen läste de {len(chosen)} av {len(parts)} "
            "delar som mest talar om rekommendationer; resten bygger på reglerna."
        )
    answers: list[dict[str, Any]] = []
    for number, part in enumerate(chosen, 1):
        where = "hela texten" if len(chosen) == 1 else f"del {number} av {len(chosen)}"
        prompt = load_prompt("extract_recommendations").render(
            part=where, document=escape_material(part)
        )
        try:
            answers.extend(ask_json(model, prompt, timeout))
        except Exception as error:  # the LLM boundary: any failure leaves the rules
            log.warning("LLM extraction failed: %s", type(error).__name__)
            read = "" if number == 1 else f" (den hann läsa {number - 1} av {len(chosen)} delar)"
            notices.append(
                f"Språkmodellen {llm_failure(error, timeout)}{read}; rekommendationerna "
                "bygger på reglerna."
            )
            break
    return _merge(text, rules, answers, notices, origins)


# -- parts ------------------------------------------------------------------------------


def _part_budget(context_tokens: int) -> int:
    template = load_prompt("extract_recommendations").render(part="del 10 av 10", document="")
    return max(MIN_PART_TOKENS, context_tokens - count_tokens(template) - PROMPT_MARGIN)


def _parts(text: str, budget: int) -> list[str]:
    """`text` cut at paragraph breaks into parts of at most `budget` tokens each."""
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for paragraph in re.split(r"\n[ \t]*\n", text):
        if not paragraph.strip():
            continue
        tokens = count_tokens(paragraph)
        if tokens > budget:
            paragraph, tokens = truncate_tokens(paragraph, budget), budget
        if current and used + tokens > budget:
            parts.append("\n\n".join(current))
            current, used = [], 0
        current.append(paragraph)
        used += tokens
    if current:
        parts.append("\n\n".join(current))
    return parts


def _choose(parts: list[str]) -> list[str]:
    """All parts, or the `MAX_PARTS` that speak most of recommendations, in order."""
    if len(parts) <= MAX_PARTS:
        return parts
    ranked = sorted(range(len(parts)), key=lambda i: (-len(_CUES.findall(parts[i])), i))
    return [parts[i] for i in sorted(ranked[:MAX_PARTS])]


# -- checking and merging ---------------------------------------------------------------


def _field(answer: dict[str, Any], *names: str) -> str:
    for name in names:
        value = answer.get(name)
        if isinstance(value, str):
            return " ".join(value.split())
    return ""


def _short(text: str) -> str:
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1].rstrip() + "…"


def _body(name: str) -> str:
    """A body's name for comparing: case folded, "&" read as "och", words only."""
    return " ".join(re.findall(r"[^\W_]+", name.casefold().replace("&", " och ")))


def _same_body(one: str, other: str) -> bool:
    """Whether two addressees are one body: equal, one naming the other, or one unknown."""
    a, b = _body(one), _body(other)
    return not a or not b or a in b or b in a


def _overlap(one: set[str], other: set[str]) -> float:
    smaller = min(len(one), len(other))
    return len(one & other) / smaller if smaller else 0.0


def _verify(
    answers: list[dict[str, Any]], grounding: Grounding, notices: list[str]
) -> list[_Found]:
    """The model's items that stand in the document, in the document's words."""
    found: list[_Found] = []
    for answer in answers:
        said = _LEADING_LABEL.sub("", _field(answer, "text", "rekommendation"), count=1)
        if not said:
            continue
        span = grounding.find(said)
        if span is None:
            notices.append(
                "Språkmodellen angav en rekommendation som inte står i dokumentet; den är "
                f'borttagen: "{_short(said)}"'
            )
            continue
        addressee = _field(answer, "mottagare", "addressee", "adressat")
        if addressee and not grounding.contains(addressee):
            notices.append(
                f'Mottagaren "{_short(addressee)}" som språkmodellen angav står inte i '
                "dokumentet och används inte."
            )
            addressee = ""
        text = _LEADING_LABEL.sub("", span.text, count=1).strip() or span.text
        found.append(_Found(text, addressee, span))
    return found


def _merge(
    text: str,
    rules: Sequence[Recommendation],
    answers: list[dict[str, Any]],
    notices: list[str],
    origins: dict[str, str],
) -> LLMExtraction:
    """Rule items kept, verified model items matched to them or added in document order."""
    grounding = Grounding(text)
    kept: list[tuple[Recommendation, set[str]]] = [(r, set(tokenize(r.text))) for r in rules]
    added: list[tuple[int, Recommendation]] = []
    for item in _verify(answers, grounding, notices):
        words = set(tokenize(item.text))
        same = next(
            (
                rec
                for rec, other in kept
                if _same_body(rec.addressee, item.addressee)
                and _overlap(words, other) >= SAME_RECOMMENDATION
            ),
            None,
        )
        if same is not None:
            if origins.get(same.id) == ORIGIN_RULES:
                origins[same.id] = ORIGIN_BOTH
            continue
        rec = Recommendation(
            id=recommendation_id(item.text, item.addressee),
            text=item.text,
            addressee=item.addressee,
            page=grounding.page_at(item.span.start),
            section=grounding.section_at(item.span.start),
        )
        kept.append((rec, words))
        added.append((item.span.start, rec))
        origins[rec.id] = ORIGIN_LLM
    if added:
        count = len(added)
        notices.append(
            f"Språkmodellen fann {count} "
            f"{'rekommendation' if count == 1 else 'rekommendationer'} som reglerna "
            f"missade; {'den står' if count == 1 else 'de står'} ordagrant i dokumentet "
            f"och är {'tillagd' if count == 1 else 'tillagda'}."
        )
    return LLMExtraction(_in_order(grounding, rules, added), notices, origins)


def _in_order(
    grounding: Grounding, rules: Sequence[Recommendation], added: list[tuple[int, Recommendation]]
) -> list[Recommendation]:
    """The rule items in their order, each added item after the rule items before it.

    A rule item's place is where its text stands in the document (or its predecessor's,
    when its text is not found there as it is), never moving rule items among themselves.
    """
    places: list[int] = []
    last = -1
    for rec in rules:
        span = grounding.find(rec.text)
        last = max(last, span.start) if span is not None else last
        places.append(last)
    slots: dict[int, list[Recommendation]] = {}
    for start, rec in sorted(added, key=lambda pair: pair[0]):
        slots.setdefault(bisect_right(places, start), []).append(rec)
    merged: list[Recommendation] = list(slots.get(0, []))
    for index, rec in enumerate(rules, 1):
        merged.append(rec)
        merged.extend(slots.get(index, []))
    return merged
