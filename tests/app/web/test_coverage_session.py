"""The "Täckning" tab without a browser: pasted texts checked, shown and exported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.review.lists import ListStore
from app.web.coverage.session import CoverageSession
from app.web.documents import DocumentInput, DocumentResolver
from app.web.recommendation_lists import (
    EMPTY_LIST,
    NoRecommendations,
    RecommendationLists,
    TableEdits,
)
from ingest.errors import YttraError
from ingest.vocabulary import Status
from tests.app.web.conftest import AUDIT_TEXT, REPLY_TEXT, SERVICE
from vectorstore.store import Store


@pytest.fixture
def session(store: Store, tmp_path: Path) -> CoverageSession:
    return _session(store, tmp_path)


def _session(store: Store, tmp_path: Path) -> CoverageSession:
    lists = RecommendationLists(DocumentResolver(store, 1), ListStore(tmp_path / "lists"))
    return CoverageSession(store, lists, tmp_path / "exports")


def test_pasted_texts_are_checked_shown_and_exported(session: CoverageSession) -> None:
    result = session.check(
        DocumentInput(pasted=AUDIT_TEXT), DocumentInput(pasted=REPLY_TEXT), f"  {SERVICE} "
    )
    items = result.report.items
    assert [item.recommendation.text for item in items] == [
        "ta fram en rutin för kontroll av leverantörers belastningsregister",
        "följa upp avtalstroheten i inköpen varje kvartal",
    ]
    assert result.report.addressee == SERVICE
    # The reply answers the first recommendation and says nothing of the second.
    assert items[0].status != Status.SAKNAS and items[1].status != Status.BESVARAD
    counts = [result.report.count(status) for status in Status]
    assert result.summary == (
        f"**2 rekommendationer till {SERVICE}:** {counts[0]} besvarade, "
        f"{counts[1]} delvis besvarade, {counts[2]} saknas."
    )
    rows = re.findall(r'<tr class="(\w+)" data-id="([^"]+)">', result.matrix)
    assert rows == [(item.status, item.recommendation.id) for item in items]
    assert f'<td class="status">{Status(items[0].status).label}</td>' in result.matrix
    assert "<th>Ställningstagande</th>" in result.matrix

    csv_path, md_path = result.exports
    assert csv_path.name == "tackning-nämnden-för-service.csv"
    assert md_path.name == "tackning-nämnden-för-service.md"
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads å, ä, ö
    assert "belastningsregister" in csv_path.read_text(encoding="utf-8-sig")
    assert "belastningsregister" in md_path.read_text(encoding="utf-8")


def test_without_an_addressee_every_recommendation_is_checked(session: CoverageSession) -> None:
    result = session.check(DocumentInput(pasted=AUDIT_TEXT), DocumentInput(pasted=REPLY_TEXT), "")
    assert result.summary.startswith("**2 rekommendationer:**")
    assert [path.name for path in result.exports] == ["tackning.csv", "tackning.md"]


def test_problems_are_reported_and_nothing_is_exported(
    session: CoverageSession,
) -> None:
    with pytest.raises(YttraError, match="^Inga rekommendationer hittades i granskningen"):
        session.check(DocumentInput(pasted=REPLY_TEXT), DocumentInput(pasted=REPLY_TEXT), "")
    with pytest.raises(YttraError, match="^Ange svaret"):
        session.check(DocumentInput(pasted=AUDIT_TEXT), DocumentInput(), SERVICE)
    with pytest.raises(YttraError, match="^Ange granskningen"):
        session.check(DocumentInput(), DocumentInput(pasted=REPLY_TEXT), SERVICE)
    assert not session.exports.exists()


AUDIT = DocumentInput(pasted=AUDIT_TEXT)
REPLY = DocumentInput(pasted=REPLY_TEXT)
WITHOUT = DocumentInput(pasted=(
    "Granskning av lokalförsörjningen\n\nRevisorerna har granskat hur nämnden planerar "
    "sina lokaler. Granskningen visar att planeringen fungerar i stort.\n"
))
TYPED = """Vi rekommenderar nämnden för Service att:
1. ta fram en rutin för kontroll av leverantörers belastningsregister
2) följa upp avtalstroheten i inköpen
   varje kvartal
• Kommunstyrelsen: samordna upphandlingarna mellan förvaltningarna
"""


def test_the_edited_list_is_checked_and_survives_a_restart(
    session: CoverageSession, store: Store, tmp_path: Path
) -> None:
    shown = session.lists.load(AUDIT)
    assert shown.rows == [
        ["1", SERVICE, "ta fram en rutin för kontroll av leverantörers belastningsregister"],
        ["2", SERVICE, "följa upp avtalstroheten i inköpen varje kvartal"],
    ]
    original = shown_id(session, shown.key, 0)
    added = "ta fram en plan för utbildning i upphandling för alla inköpare"
    rows = [["1", SERVICE, "ta fram en rutin för kontroll av belastningsregister"],
            ["", "", added]]
    assert session.lists.edit(TableEdits(shown.key, rows)) is not None
    assert session.lists.edit(TableEdits(shown.key, rows)) is None  # nothing new to keep
    result = session.check(AUDIT, REPLY, SERVICE, TableEdits(shown.key, rows))
    checked = [(i.recommendation.text, i.recommendation.addressee) for i in result.report.items]
    # A row with no addressee is checked for whichever body replies.
    assert checked == [(rows[0][2], SERVICE), (added, "")]
    assert "avtalstroheten" not in result.matrix and added in result.matrix
    ids = [i.recommendation.id for i in result.report.items]
    assert ids[0] != original  # a changed text is a new recommendation, with its own id
    # A new page, or a restarted server, shows the edited list and checks it without a table.
    restarted = _session(store, tmp_path)
    again = restarted.lists.load(AUDIT)
    assert again.rows == [["1", SERVICE, rows[0][2]], ["2", "", added]]
    assert "redigerade lista" in again.notice
    checked_again = restarted.check(AUDIT, REPLY, SERVICE).report.items
    assert [i.recommendation.id for i in checked_again] == ids


def shown_id(session: CoverageSession, key: str, index: int) -> str:
    kept = session.lists.lists.load(key)
    assert kept is not None
    return kept.items[index].recommendation.id


def test_a_row_keeps_its_page_and_section_and_an_edit_changes_its_id(
    session: CoverageSession,
) -> None:
    shown = session.lists.load(AUDIT)
    before = session.lists.lists.load(shown.key)
    assert before is not None and before.items[0].recommendation.section == "Rekommendationer"
    assert shown.rows is not None
    rows = [[shown.rows[0][0], shown.rows[0][1], "ta fram en skriftlig rutin"]]
    session.lists.edit(TableEdits(shown.key, rows))
    after = session.lists.lists.load(shown.key)
    assert after is not None and after.edited and len(after.items) == 1
    edited = after.items[0].recommendation
    assert edited.section == "Rekommendationer" and edited.text == "ta fram en skriftlig rutin"
    assert edited.id not in {i.recommendation.id for i in before.items}


def test_an_audit_without_recommendations_says_why_and_takes_typed_ones(
    session: CoverageSession,
) -> None:
    shown = session.lists.load(WITHOUT)
    assert shown.missing and shown.rows == []
    assert "rekommenderas att" in shown.notice and "Klistra in" in shown.notice
    with pytest.raises(NoRecommendations, match="Inga rekommendationer hittades") as raised:
        session.check(WITHOUT, REPLY, "")
    assert raised.value.view.missing
    filled = session.lists.fill(WITHOUT, TYPED, "", append=False)
    assert filled.rows == [
        ["1", SERVICE, "ta fram en rutin för kontroll av leverantörers belastningsregister"],
        ["2", SERVICE, "följa upp avtalstroheten i inköpen varje kvartal"],
        ["3", "Kommunstyrelsen", "samordna upphandlingarna mellan förvaltningarna"],
    ]
    result = session.check(WITHOUT, REPLY, "")
    assert len(result.report.items) == 3
    assert result.report.items[0].status != Status.SAKNAS  # the reply answers the first
    appended = session.lists.fill(WITHOUT, "- utvärdera rutinen efter ett år", SERVICE, append=True)
    assert appended.rows is not None and appended.rows[-1] == [
        "4", SERVICE, "utvärdera rutinen efter ett år"
    ]
    with pytest.raises(YttraError, match="inga rader"):
        session.lists.fill(WITHOUT, " \n ", "", append=True)


def test_a_fresh_extraction_asks_before_replacing_edits_and_can_be_undone(
    session: CoverageSession,
) -> None:
    shown = session.lists.load(AUDIT)
    assert not shown.can_undo
    assert shown.rows is not None
    session.lists.edit(TableEdits(shown.key, shown.rows[:1]))
    asked = session.lists.reextract(AUDIT)
    assert asked.confirm and asked.rows is None and "ersätts" in asked.notice
    kept = session.lists.lists.load(shown.key)
    assert kept is not None and len(kept.items) == 1  # nothing replaced yet
    assert session.lists.cancel(shown.key).rows is None
    replaced = session.lists.reextract(AUDIT, confirmed=True)
    assert replaced.rows == shown.rows and replaced.can_undo
    undone = session.lists.undo(shown.key)
    assert undone.rows == shown.rows[:1] and undone.can_undo
    # Undoing again brings the list just left back: nothing is lost either way.
    assert session.lists.undo(shown.key).rows == shown.rows
    # An untouched list is replaced without asking.
    assert not session.lists.reextract(AUDIT).confirm


def test_an_emptied_table_is_refused_in_swedish(session: CoverageSession) -> None:
    shown = session.lists.load(AUDIT)
    with pytest.raises(NoRecommendations, match=f"^{EMPTY_LIST[:30]}"):
        session.check(AUDIT, REPLY, "", TableEdits(shown.key, [["1", SERVICE, "  "]]))
    with pytest.raises(YttraError, match="^Ange granskningen"):
        session.lists.load(DocumentInput())
    assert not session.exports.exists()
