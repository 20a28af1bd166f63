"""Follow-up questions: telling them apart, and rewriting them to stand alone for retrieval.

A follow-up leans on the previous question: it opens with a conjunction ("och vad sa
servicenämnden?"), points back ("samma nämnd", "dessa åtgärder"), or is very short. With
an LLM it is rewritten from the conversation; without one, or when that fails, the
previous question is put in front of it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.llm.calls import CITATION
from app.llm.prompts import load_prompt
from ingest.tokens import count_tokens

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

Turn = tuple[str, str]
"""A past exchange: (the user's question, the assistant's answer)."""

# A question of at most this many words ("och i Malmö?") cannot stand alone.
SHORT_QUESTION_WORDS = 5
# Past exchanges given as context, at most: older ones rarely matter to the question.
HISTORY_TURNS = 3
# Token budget of the history in the condensing prompt: the last exchanges, shortened.
CONDENSE_HISTORY_TOKENS = 600
# A rewritten question outside these lengths is a failed rewrite (empty, or an essay).
MIN_CONDENSED_CHARS, MAX_CONDENSED_CHARS = 3, 500

_FOLLOW_UP_START = re.compile(r"^(?:och|men|samt|även|också|än|då)\b", re.IGNORECASE)
_BACK_REFERENCE = re.compile(r"\b(?:detta|denna|dessa|samma|där|dit)\b", re.IGNORECASE)


def is_follow_up(question: str) -> bool:
    """Whether the question leans on the previous one."""
    return (
        len(question.split()) <= SHORT_QUESTION_WORDS
        or bool(_FOLLOW_UP_START.match(question.strip()))
        or bool(_BACK_REFERENCE.search(question))
    )


def history_text(history: Sequence[Turn], budget: int) -> str:
    """The latest exchanges that fit in `budget` tokens, oldest first, without citations."""
    lines: list[str] = []
    used = 0
    for user, assistant in reversed(history[-HISTORY_TURNS:]):
        entry = f"Fråga: {user}\nSvar: {CITATION.sub('', assistant).strip()}"
        cost = count_tokens(entry)
        if used + cost > budget:
            break
        lines.insert(0, entry)
        used += cost
    return "\n\n".join(lines)


def condense(question: str, history: Sequence[Turn], chat_model: BaseChatModel | None) -> str:
    """A follow-up question rewritten to stand alone, for retrieval."""
    if not history or not is_follow_up(question):
        return question
    if chat_model is not None:
        try:
            prompt = load_prompt("condense").render(
                history=history_text(history, CONDENSE_HISTORY_TOKENS), question=question
            )
            reply = chat_model.invoke(prompt)
            text = reply.content if isinstance(reply.content, str) else ""
            text = text.strip().splitlines()[0].strip() if text.strip() else ""
            if MIN_CONDENSED_CHARS <= len(text) <= MAX_CONDENSED_CHARS:
                return text
        except Exception as error:  # the LLM boundary: fall back to the plain rule
            log.warning("condensing the question failed: %s", type(error).__name__)
    return f"{history[-1][0]} {question}"
