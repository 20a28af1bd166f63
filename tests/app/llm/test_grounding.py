"""Finding what a model quotes in the document: exact up to layout, or very nearly."""

from __future__ import annotations

import pytest

from app.llm.grounding import Grounding, clean_span, fold
from ingest.loaders import load_file
from tests.conftest import SAMPLE_CORPUS

AUDIT = "kungsbacka/014_kungsbacka-revision-upphandling-oegentligheter-granskning.txt"
DOCUMENT = """<!-- sida 3 -->

## 4. Slutsatser

Vi rekommenderar kommunstyrelsen att:
- säkerställa att **rutinerna** för upp-
följning av avtal dokumenteras,

<!-- sida 4 -->

- införa en årlig risk-
analys av inköpsprocessen.
"""


@pytest.fixture(scope="module")
def audit() -> str:
    return load_file(SAMPLE_CORPUS / AUDIT, AUDIT).text


def test_a_quote_is_found_whatever_its_case_spacing_hyphens_and_bullets() -> None:
    grounding = Grounding(DOCUMENT)
    span = grounding.find("Säkerställa att rutinerna för uppföljning av avtal  dokumenteras")
    assert span is not None and span.exact
    # The document's own words come back, without markup and with the broken word joined.
    assert span.text == "säkerställa att rutinerna för uppföljning av avtal dokumenteras"
    assert DOCUMENT[span.start : span.end].startswith("säkerställa")
    assert grounding.page_at(span.start) == 3
    assert grounding.section_at(span.start) == "4. Slutsatser"
    assert grounding.line_at(span.start) == 6


def test_a_quote_across_a_page_break_is_found_and_placed_on_its_first_page() -> None:
    grounding = Grounding(DOCUMENT)
    span = grounding.find("dokumenteras, - införa en årlig riskanalys")
    assert span is not None
    assert grounding.page_at(span.start) == 3 and grounding.page_at(span.end - 1) == 4
    assert span.text == "dokumenteras, införa en årlig riskanalys"


def test_invented_and_trivial_quotes_are_not_found() -> None:
    grounding = Grounding(DOCUMENT)
    assert grounding.find("säkerställa att rutinerna för upphandling av avtal granskas") is None
    assert grounding.find("avtal") is None  # one word proves nothing
    assert grounding.find("") is None


def test_a_long_quote_with_one_changed_ending_is_a_close_match(audit: str) -> None:
    grounding = Grounding(audit)
    written = (
        "Införa tydliga kontroller av leverantörer och dess befattningshavare före "
        "avtalsperiod samt säkerställa att dessa kontroller systematiskt görs under "
        "avtalsperioden."
    )
    changed = written.replace("befattningshavare", "befattningshavarna")
    span = grounding.find(changed)
    assert span is not None and not span.exact and span.ratio >= 0.9
    assert span.text == written  # the document's wording, not the model's
    assert grounding.page_at(span.start) == 120


def test_a_paraphrase_is_not_a_close_match(audit: str) -> None:
    paraphrase = (
        "Införa bättre kontroller av leverantörer och deras ledning innan avtalet börjar "
        "och se till att kontrollerna görs regelbundet under avtalstiden."
    )
    assert Grounding(audit).find(paraphrase) is None


def test_contains_compares_names_folded() -> None:
    grounding = Grounding("Nämnden för Kultur & Fritid rekommenderas att ...")
    assert grounding.contains("nämnden för kultur fritid")
    assert not grounding.contains("Kommunstyrelsen")


def test_clean_span_and_fold() -> None:
    assert clean_span("## Rubrik\n**viktigt**  ord <!-- sida 2 --> sist") == (
        "Rubrik viktigt ord sist"
    )
    assert fold("Upp-följning, <!-- sida 9 --> ÅTGÄRD!") == "uppföljningåtgärd"
