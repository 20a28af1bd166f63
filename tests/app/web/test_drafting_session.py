"""The "Utkast" tab without a browser: create, edit, save, reopen, mark done, check, export."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import docx
import pytest

from app.drafting.drafter import Drafter
from app.drafting.model import DraftStore
from app.review.lists import ListStore
from app.web.documents import DocumentInput, DocumentResolver
from app.web.drafting.session import (
    NO_SECTIONS,
    DraftingSession,
    DraftView,
    ExportError,
    HeadingFields,
    PageEdits,
)
from app.web.recommendation_lists import RecommendationLists, TableEdits
from ingest.errors import YttraError
from ingest.loaders import load_file
from tests.app.web.conftest import AUDIT_TEXT, SERVICE
from tests.conftest import SAMPLE_CORPUS
from vectorstore.store import Store

ADDED = "Nämnden instämmer i rekommendationen och tar fram rutinen under våren."


def _session(store: Store, tmp_path: Path, *, drafts_of_its_own: bool = True) -> DraftingSession:
    drafts = DraftStore(tmp_path / "drafts")
    drafter = Drafter(store, None, drafts=drafts if drafts_of_its_own else None)
    lists = RecommendationLists(DocumentResolver(store, 1), ListStore(tmp_path / "lists"))
    return DraftingSession(drafter, drafts, lists, tmp_path / "exports")


@pytest.fixture
def session(store: Store, tmp_path: Path) -> DraftingSession:
    return _session(store, tmp_path)


@pytest.fixture
def created(session: DraftingSession) -> DraftView:
    return session.create(DocumentInput(pasted=AUDIT_TEXT), f" {SERVICE} ")


def _edits(view: DraftView, index: int, text: str, **heading: str) -> PageEdits:
    return PageEdits(view.draft_id, index, text, dataclasses.replace(view.heading, **heading))


def test_a_draft_is_created_from_a_pasted_audit(
    session: DraftingSession, created: DraftView
) -> None:
    assert [label for label, _ in created.section.choices] == [
        "1. ta fram en rutin för kontroll av leverantörers belastningsregister (utkast)",
        "2. följa upp avtalstroheten i inköpen varje kvartal (utkast)",
    ]
    section = created.section
    assert section.index == 0 and section.editable and not section.done
    assert section.recommendation.startswith(f"**Rekommendation 1** (till {SERVICE}")
    assert "belastningsregister" in section.text
    assert "Inga liknande svar" in section.precedents  # the store is empty
    assert created.heading.arende.startswith("Yttrande över")
    assert f"**Utkast {created.draft_id}**: svar till {SERVICE}" in created.status
    assert "0 av 2 avsnitt klara" in created.status
    assert created.saved == session.saved() and created.saved[0][1] == created.draft_id
    assert SERVICE in created.saved[0][0]


def test_edits_are_saved_and_kept_when_the_draft_is_opened_again(
    session: DraftingSession, created: DraftView
) -> None:
    text = f"{created.section.text}\n\n{ADDED}"
    session.save(_edits(created, 0, text, diarienummer=" KS 2024/17 ", summary="Kort."))
    opened = session.open(created.draft_id)
    assert ADDED in opened.section.text
    assert opened.heading == dataclasses.replace(
        created.heading, diarienummer="KS 2024/17", summary="Kort."
    )
    draft = session.drafts.load(created.draft_id)
    assert draft.sections[0].author == "handläggare" and draft.sections[1].author == "mall"


def test_picking_a_section_saves_the_one_left(
    session: DraftingSession, created: DraftView
) -> None:
    change = session.pick_section(_edits(created, 0, ADDED), 1)
    assert change.index == 1 and change.section.index == 1
    assert change.section.recommendation.startswith("**Rekommendation 2**")
    back = session.pick_section(_edits(created, 1, change.section.text), 7)
    assert back.index == 0 and back.section.text == ADDED


def test_marking_a_section_done_shows_in_the_picker_and_the_status(
    session: DraftingSession, created: DraftView
) -> None:
    done = session.mark_done(_edits(created, 1, created.section.text), True)
    assert done.choices[1][0].endswith("(klar)") and done.choices[0][0].endswith("(utkast)")
    assert "1 av 2 avsnitt klara" in done.status
    assert session.open(created.draft_id).section.done is False  # section 1 is shown
    undone = session.mark_done(_edits(created, 1, created.section.text), False)
    assert undone.choices[1][0].endswith("(utkast)")
    with pytest.raises(YttraError, match="Välj en rekommendation först"):
        session.mark_done(_edits(created, 5, ""), True)


def test_assembling_checks_the_coverage_of_the_saved_text(
    session: DraftingSession, created: DraftView
) -> None:
    assembled = session.assemble(_edits(created, 0, f"{created.section.text}\n\n{ADDED}"))
    assert assembled.coverage_summary.startswith("**2 rekommendationer:**")
    assert assembled.coverage.count("<tr class=") == 2
    assert ADDED in assembled.preview and assembled.preview.startswith("# Yttrande")
    assert ADDED in session.open(created.draft_id).section.text


def test_regenerating_gives_a_fresh_section_and_keeps_the_heading(
    session: DraftingSession, created: DraftView
) -> None:
    session.save(_edits(created, 0, ADDED))
    heading = dataclasses.replace(created.heading, datum="2024-05-02")
    change = session.regenerate(created.draft_id, 0, heading)
    assert change.index == 0 and ADDED not in change.section.text
    assert change.section.text == created.section.text  # the skeleton again
    assert session.open(created.draft_id).heading.datum == "2024-05-02"
    with pytest.raises(YttraError, match="Välj en rekommendation först"):
        session.regenerate(created.draft_id, None, heading)


def test_exports_write_word_and_markdown_and_count_open_sections(
    session: DraftingSession, created: DraftView
) -> None:
    edits = _edits(created, 0, f"{created.section.text}\n\n{ADDED}", arende="Yttrande: kontroll")
    markdown = session.export(edits, "md")
    assert markdown.path.parent == session.exports
    assert markdown.path.name == f"Yttrande-kontroll-{created.draft_id}.md"
    assert ADDED in markdown.path.read_text(encoding="utf-8")
    assert markdown.open_sections == 2
    session.mark_done(_edits(created, 0, ADDED), True)
    word = session.export(_edits(created, 0, ADDED), "docx")
    assert word.path.suffix == ".docx" and word.open_sections == 1
    paragraphs = [p.text for p in docx.Document(str(word.path)).paragraphs]
    assert any(ADDED in text for text in paragraphs)


def test_an_export_that_cannot_be_written_says_where(
    session: DraftingSession, created: DraftView
) -> None:
    session.exports.parent.mkdir(parents=True, exist_ok=True)
    session.exports.write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(ExportError, match="^Filen kunde inte skrivas i "):
        session.export(_edits(created, 0, created.section.text), "md")


def test_nothing_open_or_nothing_given_is_explained(session: DraftingSession) -> None:
    with pytest.raises(YttraError, match="^Välj ett tidigare utkast i listan"):
        session.open("")
    with pytest.raises(YttraError, match="^Skapa eller öppna ett utkast först"):
        session.save(PageEdits(None, 0, "", HeadingFields()))
    with pytest.raises(YttraError, match="^Ange granskningen"):
        session.create(DocumentInput(), SERVICE)
    assert session.saved() == []


def test_a_drafter_without_a_store_of_its_own_has_its_drafts_saved(
    store: Store, tmp_path: Path
) -> None:
    session = _session(store, tmp_path, drafts_of_its_own=False)
    created = session.create(DocumentInput(pasted=AUDIT_TEXT), SERVICE)
    assert session.drafts.load(created.draft_id).addressee == SERVICE


def test_a_draft_without_sections_shows_nothing_to_edit(
    session: DraftingSession, created: DraftView
) -> None:
    draft = session.drafts.load(created.draft_id)
    draft.sections.clear()
    session.drafts.save(draft)
    view = session.open(created.draft_id)
    assert view.section.choices == [] and view.section.index is None
    assert view.section.recommendation == NO_SECTIONS
    assert not view.section.editable and view.section.text == ""


@pytest.mark.slow
def test_a_real_audit_pasted_is_drafted_on_precedent_from_the_corpus(
    corpus_store: Store, tmp_path: Path
) -> None:
    name = "014_kungsbacka-revision-upphandling-oegentligheter-granskning.txt"
    audit = load_file(SAMPLE_CORPUS / "kungsbacka" / name, name)
    session = _session(corpus_store, tmp_path)
    assert session.audit_choices()[0][0].split("(")[-1].startswith("granskning")
    created = session.create(DocumentInput(pasted=audit.text), SERVICE)
    assert len(created.section.choices) == 8
    assert "yttra-precedent" in created.section.precedents
    assembled = session.assemble(_edits(created, 0, f"{created.section.text}\n\n{ADDED}"))
    assert assembled.coverage.count("<tr class=") == 8
    assert 'class="saknas"' not in assembled.coverage
    assert assembled.coverage_summary.startswith("**8 rekommendationer:**")


def test_a_draft_answers_the_list_as_the_official_edited_it(session: DraftingSession) -> None:
    audit = DocumentInput(pasted=AUDIT_TEXT)
    shown = session.lists.load(audit)
    assert shown.rows is not None and len(shown.rows) == 2
    added = "redovisa resultatet av kontrollerna för nämnden en gång per år"
    rows = [shown.rows[0], ["", "", added]]  # the second removed, a new one added
    view = session.create(audit, SERVICE, TableEdits(shown.key, rows))
    draft = session.drafts.load(view.draft_id)
    texts = [section.recommendation.text for section in draft.sections]
    assert texts == [shown.rows[0][2], added]
    # The new row has no addressee of its own, so it is for whichever body replies.
    assert draft.sections[1].recommendation.addressee == ""
    assert view.recommendations is not None and view.recommendations.rows == [
        ["1", SERVICE, shown.rows[0][2]], ["2", "", added],
    ]
    # Created again without the table (a new page), the kept list is drafted.
    again = session.drafts.load(session.create(audit, SERVICE).draft_id)
    assert [section.recommendation.text for section in again.sections] == texts


def test_drafting_needs_an_addressee_and_a_list(session: DraftingSession) -> None:
    with pytest.raises(YttraError, match="^Ange vilken nämnd"):
        session.create(DocumentInput(pasted=AUDIT_TEXT), "  ")
    with pytest.raises(YttraError, match="^Inga rekommendationer hittades i granskningen"):
        session.create(DocumentInput(pasted="Protokoll från nämndens sammanträde."), SERVICE)
    assert session.drafts.list() == []
