"""The "Täckning" tab without a browser: pasted texts checked, shown and exported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.web.coverage.session import CoverageSession
from app.web.documents import DocumentInput, DocumentResolver
from ingest.errors import YttraError
from ingest.vocabulary import Status
from tests.app.web.conftest import AUDIT_TEXT, REPLY_TEXT, SERVICE
from vectorstore.store import Store


@pytest.fixture
def session(store: Store, tmp_path: Path) -> CoverageSession:
    return CoverageSession(store, DocumentResolver(store, 1), tmp_path / "exports")


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
