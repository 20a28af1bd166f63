"""The "Personuppgifter" tab without a browser: findings in the store, never unmasked."""

from __future__ import annotations

from pathlib import Path

from app.indexing.ingestor import Ingestor
from app.web.privacy.session import HEADERS, PrivacySession
from tests.ingest.test_pii import number
from vectorstore.store import Store

EMAIL = "handlaggare.bygg@exempelkommun.se"


def _personnummer(yymmdd: str) -> str:
    """A valid personnummer for the date, written YYMMDD-NNNC."""
    ten = number(yymmdd)
    return f"{ten[:6]}-{ten[6:]}"


def test_the_scan_finds_personal_data_and_shows_it_masked(store: Store, tmp_path: Path) -> None:
    number = _personnummer("870315")
    document = tmp_path / "docs" / "beslut.md"
    document.parent.mkdir()
    document.write_text(
        "# Beslut om bygglov\n\nSökanden med personnummer "
        f"{number} har beviljats bygglov för ett uterum.\n\n"
        f"Frågor besvaras av handläggaren på {EMAIL}.\n",
        encoding="utf-8",
    )
    clean = tmp_path / "docs" / "protokoll.md"
    clean.write_text("# Protokoll\n\nNämnden beslutade enligt förslaget.\n", encoding="utf-8")
    assert not Ingestor(store).ingest([document, clean]).failed

    view = PrivacySession(store, masking=True).scan()
    assert view.summary.startswith("**1 av 2 dokument** innehåller personuppgifter: ")
    assert "1 personnummer" in view.summary and "1 e-postadress" in view.summary
    assert "maskeras" in view.summary
    assert len(view.rows) == 2 and all(len(row) == len(HEADERS) for row in view.rows)
    assert {row[0] for row in view.rows} == {"beslut.md"}
    assert {row[3] for row in view.rows} == {"personnummer", "e-postadress"}
    shown = repr(view.rows)
    assert number not in shown and number.replace("-", "") not in shown
    assert EMAIL not in shown
    assert any("bygglov" in row[5] for row in view.rows)


def test_an_unmasked_llm_is_pointed_out(store: Store) -> None:
    view = PrivacySession(store, masking=False).scan()
    assert view.rows == []
    assert view.summary.startswith("Inga personnummer eller e-postadresser hittades i 0 dokument")
    assert "YTTRA_LLM_MASK_PII=false" in view.summary
