"""A section keeps its body, notices and precedent quotes apart, and its text as before."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.drafting.drafter import Drafter
from app.drafting.model import (
    ELEMENT_HEADINGS,
    Draft,
    PrecedentQuote,
    Section,
    notice_markdown,
    quote_line,
)
from app.drafting.skeleton import PLACEHOLDERS
from app.drafting.store import DraftStore
from ingest.loaders import load_file
from ingest.models import Recommendation
from ingest.vocabulary import ELEMENTS, ElementName, SectionStatus
from tests.conftest import SAMPLE_CORPUS
from vectorstore.store import Store

OLD_DRAFT = Path(__file__).parent / "fixtures" / "old_draft.json"
"""A draft saved before sections kept notices and quotes apart: all of it in "text"."""

CULTURE_AUDIT = (
    "kungsbacka/010_kungsbacka-revision-foreningsbidrag-hyressubventioner-jav-granskning.txt"
)
RECOMMENDATION = Recommendation("r1", "Säkerställa att rutinerna följs.", "nämnden", None, "")


def _quote(sentence: str, number: int) -> str:
    return f'> *Prejudikat:* "{sentence}" [{number}]'


def _skeleton_markdown(
    chosen: dict[ElementName, list[tuple[int, str]]],
    recommendation: Recommendation = RECOMMENDATION,
) -> str:
    """A skeleton section as it was written when quotes lived only in the text."""
    parts = [quote_line(recommendation)]
    for element in ELEMENTS:
        parts.append(f"**{ELEMENT_HEADINGS[element]}**")
        parts.append(PLACEHOLDERS[element])
        parts.extend(_quote(sentence, number) for number, sentence in chosen.get(element, []))
    return "\n\n".join(parts)


def test_a_skeleton_text_parses_into_body_and_quotes_and_renders_unchanged() -> None:
    chosen = {
        ElementName.STALLNINGSTAGANDE: [(1, "Nämnden instämmer i bedömningen.")],
        ElementName.TIDPLAN: [(2, "Arbetet ska vara klart under 2025."), (1, "Senast i maj.")],
    }
    text = _skeleton_markdown(chosen)
    section = Section(RECOMMENDATION, text)

    assert section.text == text
    assert section.notices == []
    assert "Prejudikat" not in section.body
    assert section.body.startswith(quote_line(RECOMMENDATION))
    assert PLACEHOLDERS[ElementName.UPPFOLJNING] in section.body
    assert [(q.element, q.citation, q.sentence) for q in section.quotes] == [
        (ElementName.STALLNINGSTAGANDE, 1, "Nämnden instämmer i bedömningen."),
        (ElementName.TIDPLAN, 2, "Arbetet ska vara klart under 2025."),
        (ElementName.TIDPLAN, 1, "Senast i maj."),
    ]
    rebuilt = Section.of(RECOMMENDATION, section.body, quotes=section.quotes)
    assert rebuilt == section and rebuilt.text == text


def test_notices_are_fields_shown_first() -> None:
    section = Section(RECOMMENDATION, "> Rekommendationen.\n\nNämnden instämmer [1].")
    section.add_notice("svarade med fel 500")
    assert section.notices == ["Språkmodellen svarade med fel 500; mallen visas i stället."]
    assert section.text == (
        f"{notice_markdown('svarade med fel 500')}\n\n> Rekommendationen.\n\n"
        "Nämnden instämmer [1]."
    )
    assert section.body == "> Rekommendationen.\n\nNämnden instämmer [1]."
    assert section.render(notices=False) == section.body
    assert Section(RECOMMENDATION, section.text) == section


def test_an_edited_text_keeps_kept_quotes_and_drops_removed_ones() -> None:
    chosen = {
        ElementName.ATGARD: [(1, "Rutinen har uppdaterats."), (2, "Nya mallar tas fram.")],
    }
    section = Section(RECOMMENDATION, _skeleton_markdown(chosen), status="klar", author="llm")
    edited = section.text.replace(
        PLACEHOLDERS[ElementName.ATGARD], "Nämnden inför en ny rutin under hösten."
    ).replace("\n\n" + _quote("Nya mallar tas fram.", 2), "")
    edited += "\n\nEn egen avslutande rad."

    section.text = edited

    assert section.text == edited
    assert [q.sentence for q in section.quotes] == ["Rutinen har uppdaterats."]
    assert section.quotes[0].element == ElementName.ATGARD
    assert "Nämnden inför en ny rutin under hösten." in section.body
    assert section.body.endswith("En egen avslutande rad.")
    assert "Prejudikat" not in section.body
    assert section.status == SectionStatus.KLAR and section.author == "llm"


def test_text_assignment_replaces_everything() -> None:
    section = Section(RECOMMENDATION, _skeleton_markdown({ElementName.ANSVARIG: [(1, "X.")]}))
    section.add_notice("gick inte att nå")
    section.text = "Något annat."
    assert (section.body, section.notices, section.quotes) == ("Något annat.", [], [])
    assert section.text == "Något annat."


def test_quotes_keep_their_place_around_blank_lines_and_at_the_edges() -> None:
    quotes = [
        PrecedentQuote(None, "Först.", 1, 0),
        PrecedentQuote(None, "Mitten.", None, 1),
        PrecedentQuote(None, "Sist.", 3, 9),
    ]
    section = Section.of(RECOMMENDATION, "Ett stycke.\n\n\nEtt till.", quotes=quotes)
    assert section.text == (
        '> *Prejudikat:* "Först." [1]\n\nEtt stycke.\n\n> *Prejudikat:* "Mitten."'
        '\n\n\nEtt till.\n\n> *Prejudikat:* "Sist." [3]'
    )
    parsed = Section(RECOMMENDATION, section.text)
    assert parsed.body == section.body
    assert [(q.sentence, q.citation) for q in parsed.quotes] == [
        ("Först.", 1), ("Mitten.", None), ("Sist.", 3)
    ]
    assert parsed.text == section.text
    assert Section(RECOMMENDATION, "").text == ""


def test_a_draft_saved_with_everything_in_text_loads_without_loss(tmp_path: Path) -> None:
    saved = json.loads(OLD_DRAFT.read_text(encoding="utf-8"))
    folder = tmp_path / "drafts"
    folder.mkdir()
    shutil.copy(OLD_DRAFT, folder / f"{saved['id']}.json")
    drafts = DraftStore(folder)

    draft = drafts.load(saved["id"])

    assert [s.text for s in draft.sections] == [s["text"] for s in saved["sections"]]
    for section, old in zip(draft.sections, saved["sections"], strict=True):
        quote_lines = [line for line in old["text"].splitlines() if "*Prejudikat:*" in line]
        notice_lines = [line for line in old["text"].splitlines() if "Språkmodellen" in line]
        assert len(section.quotes) == len(quote_lines) and quote_lines
        assert len(section.notices) == len(notice_lines)
        assert "Prejudikat" not in section.body and "Språkmodellen" not in section.body
        assert all(q.citation is not None and 1 <= q.citation <= len(section.precedents)
                   for q in section.quotes)
        assert {q.element for q in section.quotes} <= set(ELEMENTS)
    assert draft.sections[0].notices and draft.summary == saved["summary"]

    drafts.save(draft)
    again = drafts.load(draft.id)
    assert again == draft
    assert Draft.from_json(draft.to_json()) == draft


@pytest.mark.slow
def test_an_untouched_skeleton_reads_as_it_always_has(corpus_store: Store) -> None:
    text = load_file(SAMPLE_CORPUS / CULTURE_AUDIT, CULTURE_AUDIT).text
    draft = Drafter(corpus_store).create(text, "nämnden för Kultur & Fritid")
    assert any(section.quotes for section in draft.sections)
    for section in draft.sections:
        chosen: dict[ElementName, list[tuple[int, str]]] = {}
        for quote in section.quotes:
            assert quote.element is not None and quote.citation is not None
            chosen.setdefault(quote.element, []).append((quote.citation, quote.sentence))
        assert section.text == _skeleton_markdown(chosen, section.recommendation)
        assert Section(section.recommendation, section.text, section.precedents) == section
