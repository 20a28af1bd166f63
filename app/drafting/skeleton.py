"""The section a drafter writes without a language model: a skeleton built on precedent.

The recommendation is quoted; each of the five elements of an answer (position,
measures, responsible, time plan, follow-up) gets its heading, a placeholder for the
official, and the most fitting sentences of the precedents, cited.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.drafting.model import ELEMENT_HEADINGS, Precedent, PrecedentQuote, Section, quote_line
from app.drafting.precedent import PrecedentIndex, quotable_sentences
from ingest.models import Recommendation
from ingest.text.elements import ELEMENT_CUES
from ingest.vocabulary import ELEMENTS, ElementName
from vectorstore.lexical import tokenize

__all__ = [
    "ASSIGNMENT_ORDER",
    "ELEMENT_HEADINGS",
    "MAX_PRECEDENT_SENTENCES",
    "PLACEHOLDERS",
    "skeleton_section",
]

PLACEHOLDERS: dict[ElementName, str] = {
    ElementName.STALLNINGSTAGANDE: "[Ange om nämnden instämmer, instämmer delvis eller "
    "avvisar rekommendationen, och varför.]",
    ElementName.ATGARD: "[Beskriv vilka åtgärder som har vidtagits eller planeras.]",
    ElementName.ANSVARIG: "[Ange vilken förvaltning, enhet eller funktion som ansvarar för "
    "åtgärderna.]",
    ElementName.TIDPLAN: "[Ange när åtgärderna påbörjas och när de ska vara genomförda.]",
    ElementName.UPPFOLJNING: "[Ange hur och när åtgärderna och deras effekt följs upp.]",
}
"""What the official is asked to write under each element heading."""
MAX_PRECEDENT_SENTENCES = 2
"""Precedent sentences shown under each element of a skeleton section."""
ASSIGNMENT_ORDER: tuple[ElementName, ...] = (
    ElementName.STALLNINGSTAGANDE,
    ElementName.TIDPLAN,
    ElementName.UPPFOLJNING,
    ElementName.ANSVARIG,
    ElementName.ATGARD,
)
"""Which element a sentence matching several cues is shown under: the most telling first.
Nearly every sentence of an answer names a measure, few take a position or give a date."""
TEXT_PRECEDENT_PENALTY = 0.05
"""Subtracted from the score of a merely similar passage (kind "text"), so a sentence of an
answer to a similar recommendation leads unless the passage is clearly closer."""
OVERLAP_WEIGHT = 0.1
"""Weight of a sentence's share of the recommendation's words (idf-weighted, 0-1) next to
its precedent's e5 score: enough to order sentences of one precedent, too little to lift
a sentence of a weak precedent above those of a strong one."""

_BODY_START = 1
"""Paragraphs of a skeleton's body before the first element: the quoted recommendation."""
_PARAGRAPHS_PER_ELEMENT = 2
"""An element's paragraphs in a skeleton's body: its heading and its placeholder."""


def skeleton_section(
    index: PrecedentIndex,
    recommendation: Recommendation,
    precedents: Sequence[Precedent],
    others: Sequence[Recommendation] = (),
) -> Section:
    """A section without LLM: the five elements with placeholders and cited precedents.

    `others` are the audit's other recommendations: sentences repeating them are
    quotes, not answers, and are never offered as precedents.
    """
    chosen = _element_sentences(index, recommendation, precedents, others)
    paragraphs = [quote_line(recommendation)]
    quotes: list[PrecedentQuote] = []
    for number, element in enumerate(ELEMENTS):
        paragraphs += [f"**{ELEMENT_HEADINGS[element]}**", PLACEHOLDERS[element]]
        position = _BODY_START + _PARAGRAPHS_PER_ELEMENT * (number + 1)
        quotes += [
            PrecedentQuote(element, sentence, citation, position)
            for citation, sentence in chosen[element]
        ]
    return Section.of(
        recommendation, "\n\n".join(paragraphs), quotes=quotes, precedents=list(precedents)
    )


def _element_sentences(
    index: PrecedentIndex,
    recommendation: Recommendation,
    precedents: Sequence[Precedent],
    others: Sequence[Recommendation],
) -> dict[ElementName, list[tuple[int, str]]]:
    """Per element, up to two (precedent number, sentence) pairs, each sentence once.

    A sentence qualifies for an element by its cue phrases. Sentences rank by their
    precedent's score (an answer to the most similar recommendation leads), then by
    the idf-weighted share of the recommendation's words they contain.
    """
    known = [recommendation.text, *(r.text for r in others), *index.quoted()]
    weights = index.store.idf(set(tokenize(recommendation.text)))
    total = sum(weights.values()) or 1.0
    candidates: list[tuple[float, int, str]] = []
    seen: set[str] = set()
    for number, precedent in enumerate(precedents, 1):
        base = precedent.score
        if precedent.kind != "svar":
            base -= TEXT_PRECEDENT_PENALTY
        for sentence in quotable_sentences(precedent.answer, [*known, precedent.recommendation]):
            key = sentence.casefold()
            if key in seen:
                continue
            seen.add(key)
            words = set(tokenize(sentence))
            overlap = sum(w for t, w in weights.items() if t in words) / total
            candidates.append((base + OVERLAP_WEIGHT * overlap, number, sentence))
    candidates.sort(key=lambda c: -c[0])
    chosen: dict[ElementName, list[tuple[int, str]]] = {element: [] for element in ELEMENTS}
    used: set[str] = set()
    for element in ASSIGNMENT_ORDER:
        for _, number, sentence in candidates:
            if len(chosen[element]) == MAX_PRECEDENT_SENTENCES:
                break
            if sentence not in used and ELEMENT_CUES[element].search(sentence):
                chosen[element].append((number, sentence.replace('"', "'")))
                used.add(sentence)
    return chosen
