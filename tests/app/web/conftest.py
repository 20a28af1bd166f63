"""Shared material for the web UI's session tests: a small audit, a reply, a store with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.indexing.ingestor import Ingestor
from vectorstore.store import Store

SERVICE = "nämnden för Service"
AUDIT_TEXT = """Granskning av intern kontroll i upphandlingar

Revisionsrapport 2023

## Rekommendationer

Vi rekommenderar nämnden för Service att:

- ta fram en rutin för kontroll av leverantörers belastningsregister
- följa upp avtalstroheten i inköpen varje kvartal
"""
REPLY_TEXT = """Yttrande över revisionens granskning av intern kontroll i upphandlingar

Nämnden för Service har tagit del av revisorernas granskning och lämnar följande yttrande.

## Rutin för kontroll av belastningsregister

Nämnden instämmer i rekommendationen. En rutin för kontroll av leverantörers
belastningsregister tas fram av upphandlingschefen och införs senast den 1 mars 2024.
Rutinen följs upp i nämndens internkontrollplan vid årets slut.
"""


@pytest.fixture
def reply_file(tmp_path: Path) -> Path:
    path = tmp_path / "docs" / "yttrande-upphandling.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text(REPLY_TEXT, encoding="utf-8")
    return path


@pytest.fixture
def reply_store(store: Store, reply_file: Path) -> Store:
    """A store holding only the reply."""
    summary = Ingestor(store).ingest([reply_file])
    assert not summary.failed, summary.failed
    return store
