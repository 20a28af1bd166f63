"""Recommendations and coverage by the rules, with a chat model's checked help when set.

Every tab and command that reads an audit's recommendations or checks a reply goes through
`Assistance`: without a model it is the rules alone and says nothing; with one, the
model's reading and verdicts are merged in where the document backs them
(`app.llm.extraction`, `app.review.llm_judge`), and what was dropped or failed comes back
as Swedish notices for the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.llm.extraction import extract_with_llm
from app.review.llm_judge import judge_with_llm
from ingest.recommendations import extract_recommendations

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from app.review.coverage import CoverageReport
    from ingest.models import Recommendation


@dataclass(frozen=True)
class Assistance:
    """The chat model (or None) and the bounds every call to it keeps."""

    model: BaseChatModel | None = None
    timeout: float = 60.0
    context_tokens: int = 6000

    def recommendations(self, text: str) -> tuple[list[Recommendation], list[str]]:
        """The recommendations of a normalised document, and notices for the user."""
        rules = extract_recommendations(text)
        if self.model is None:
            return rules, []
        return extract_with_llm(
            text, rules, self.model, self.timeout, context_tokens=self.context_tokens
        )

    def judge(self, report: CoverageReport, reply_text: str) -> tuple[CoverageReport, list[str]]:
        """The rule-based report with the model's verdicts where a quote backs them."""
        if self.model is None:
            return report, []
        return judge_with_llm(
            report, reply_text, self.model, self.timeout, context_tokens=self.context_tokens
        )
