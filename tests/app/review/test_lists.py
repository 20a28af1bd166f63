"""The official's recommendation lists: JSON, typed lines, why none were found, kept files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.review.lists import (
    ListError,
    ListStore,
    SavedList,
    document_key,
    items_from_rows,
    missing_reason,
    numbered,
    parse_pasted,
    read_recommendations,
    recommendation_json,
)
from ingest.recommendations import extract_recommendations, recommendation_id
from tests.app.web.conftest import AUDIT_TEXT, SERVICE


def test_the_json_of_recommendations_reads_back_the_same(tmp_path: Path) -> None:
    found = extract_recommendations(AUDIT_TEXT)
    path = tmp_path / "lista.json"
    path.write_text(json.dumps([recommendation_json(r) for r in found]), encoding="utf-8")
    assert read_recommendations(path) == found
    # Only text and addressee are needed; a stale id is derived anew.
    path.write_text(json.dumps([{"id": "rek-gammal", "text": " ta  fram\nen rutin "}]))
    (only,) = read_recommendations(path)
    assert only.text == "ta fram en rutin" and only.id == recommendation_id(only.text, "")
    assert only.page is None and only.section == ""


def test_typed_lines_lose_their_markers_and_find_their_addressees() -> None:
    typed = parse_pasted(
        "Rekommendationer\n"
        "Rekommendation 1: Ta fram en rutin för attest.\n"
        "- Kommunstyrelsen: Samordna inköpen\n"
        "a) Följ upp rutinen, se bilaga 2: tabell 4\n"
        "   varje år.\n"
        "\n"
        "Nämnden för Service och Kommunstyrelsen rekommenderas att:\n"
        "► se över avtalen\n",
        "tekniska nämnden",
    )
    assert [(r.addressee, r.text) for r in typed] == [
        ("tekniska nämnden", "Rekommendationer"),
        ("tekniska nämnden", "Ta fram en rutin för attest."),
        ("Kommunstyrelsen", "Samordna inköpen"),
        ("tekniska nämnden", "Följ upp rutinen, se bilaga 2: tabell 4 varje år."),
        ("Nämnden för Service", "se över avtalen"),
        ("Kommunstyrelsen", "se över avtalen"),
    ]
    assert all(r.id == recommendation_id(r.text, r.addressee) for r in typed)
    assert parse_pasted("   \n\n") == []
    # Without any list marker every line is a recommendation of its own.
    assert [r.text for r in parse_pasted("första\nandra\ntredje")] == ["första", "andra", "tredje"]


def test_why_nothing_was_found_is_said_in_swedish() -> None:
    assert "OCR" in missing_reason("  \n")
    assert "rekommenderas att" in missing_reason("Granskningen visar att allt fungerar.")
    assert "rubrik om rekommendationer" in missing_reason("## Rekommendationer\n\nInga.\n")
    assert "förekommer 1 gång " in missing_reason("Revisorerna rekommenderade detta 2019.")


def test_rows_keep_page_and_section_by_their_number() -> None:
    shown = numbered(extract_recommendations(AUDIT_TEXT))
    items = items_from_rows(
        [["2", "", "följa upp avtalstroheten"], ["", None, "ny rad"], ["1", "x", float("nan")]],
        shown,
        SERVICE,
    )
    assert [(i.nr, i.recommendation.addressee, i.recommendation.text) for i in items] == [
        ("2", SERVICE, "följa upp avtalstroheten"), ("", SERVICE, "ny rad"),
    ]
    assert items[0].recommendation.section == shown[1].recommendation.section
    assert items[1].recommendation.section == "" and items[1].recommendation.page is None


def test_a_kept_list_is_written_atomically_and_read_back(tmp_path: Path) -> None:
    store = ListStore(tmp_path / "lists")
    key = document_key("granskning 2024 (slutlig).pdf", AUDIT_TEXT)
    assert key.startswith("granskning_2024_slutlig_.pdf-") and store.load(key) is None
    assert document_key("granskning 2024 (slutlig).pdf", AUDIT_TEXT + ".") != key
    first = numbered(extract_recommendations(AUDIT_TEXT))
    saved = store.save(SavedList(key, "granskning.pdf", first, edited=False))
    changed = store.save(saved.replaced_by(first[:1], edited=True))
    loaded = store.load(key)
    assert loaded is not None and loaded.items == first[:1] and loaded.edited
    assert loaded.previous == first and loaded.updated == changed.updated
    assert loaded.undone().items == first
    assert [p.name for p in (tmp_path / "lists").iterdir()] == [f"{key}.json"]  # no leftovers
    with pytest.raises(ListError):
        store.load("../utanför")
    (tmp_path / "lists" / f"{key}.json").write_text("{trasig", encoding="utf-8")
    assert store.load(key) is None  # proposed anew from the document
