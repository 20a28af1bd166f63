"""How the pages render answers' sources and drafts' parts as HTML and Markdown."""

from __future__ import annotations

import re

from app.answering.answerer import Answer, Source
from app.drafting.model import Draft, Heading, Precedent, Section
from app.review.coverage import CoverageItem, CoverageReport, Evidence
from app.web.chat.render import NO_SOURCES, sources_html
from app.web.common import details_html, escape_html, shorten
from app.web.coverage.render import COVERAGE_CSS, coverage_html
from app.web.drafting.render import (
    draft_label,
    export_stem,
    precedents_html,
    recommendation_markdown,
    section_choices,
    status_markdown,
)
from ingest.models import Recommendation
from ingest.vocabulary import ELEMENTS, SectionStatus, Stance, Status
from vectorstore.store import Hit


def _hit(number: int, doc_type: str = "tjansteskrivelse") -> Hit:
    return Hit(
        chunk_id=f"c{number}",
        file=f"mapp/fil-{number}.txt",
        title=f"Titel {number}",
        doc_type=doc_type,
        organ="Kommunstyrelsen",
        diarienummer="KS 2021/7",
        date="2021-03-04",
        section="Bedömning",
        page=number,
        text=f"  Stycke {number} med <b>{{mall}}</b> och $.  ",
        score=0.5,
    )


def test_cited_sources_come_first_and_are_marked() -> None:
    sources = tuple(Source(n, _hit(n)) for n in (1, 2, 3))
    answer = Answer("Fråga?", "Fråga?", "Enligt [3] och [1].", sources, "utdrag")
    html = sources_html(answer)
    assert re.findall(r'data-number="(\d)"', html) == ["1", "3", "2"]
    assert html.count("yttra-cited") == 2 and "Källor (2 citerade av 3)" in html
    assert "<dt>Typ</dt><dd>tjänsteskrivelse</dd>" in html
    assert "<b>" not in html and "&#123;mall&#125;" in html and "&#36;" in html
    assert 'data-file="mapp/fil-1.txt"' in html


def test_no_sources_or_none_cited_is_said() -> None:
    assert sources_html(None) == NO_SOURCES
    assert sources_html(Answer("F", "F", "Inget.", (), "utdrag")) == NO_SOURCES
    uncited = Answer("F", "F", "Inget citerat.", (Source(1, _hit(1, "other")),), "utdrag")
    html = sources_html(uncited)
    assert "1 hämtade, ingen citerad" in html and "yttra-cited" not in html
    assert "<dd>övrigt</dd>" in html


def test_details_escape_their_data_and_keep_their_order() -> None:
    html = details_html("<em>rubrik</em>", "<p>kropp</p>", "a b", kind='x"y', file="{f}")
    assert html == (
        '<details class="a b" data-kind="x&quot;y" data-file="&#123;f&#125;">'
        "<summary><em>rubrik</em></summary><p>kropp</p></details>"
    )
    assert escape_html("<&>") == "&lt;&amp;&gt;"


def test_shorten_keeps_one_line_within_the_limit() -> None:
    assert shorten("  en\nkort  text ", 20) == "en kort text"
    cut = shorten("ett två tre fyra fem sex", 10)
    assert cut.endswith("…") and len(cut) <= 10


def _draft() -> Draft:
    recommendations = [
        Recommendation("r1", "Ta fram en rutin\nför kontroll.", "nämnden för Service", 4, "Rek"),
        Recommendation("r2", "Följ upp " + "avtalen " * 20, "", None, ""),
    ]
    precedent = Precedent(
        kind="svar",
        file="svar.txt",
        title="Svar",
        doc_type="yttrande",
        organ="KS",
        diarienummer="",
        date="2020",
        section="",
        page=None,
        answer="Nämnden instämmer.",
        recommendation="Ta fram rutin.",
        score=0.9,
    )
    return Draft(
        id="abc123",
        addressee="nämnden för Service",
        audit_file="granskning.pdf",
        audit_title="Granskning av kontroll: upphandling/inköp",
        updated="2024-05-02T10:11:12",
        heading=Heading(till="", datum="", diarienummer="", arende=""),
        sections=[
            Section(recommendations[0], "Text 1", [precedent], SectionStatus.KLAR),
            Section(recommendations[1], "Text 2"),
        ],
    )


def test_a_draft_is_labelled_and_summed_up() -> None:
    draft = _draft()
    choices = section_choices(draft)
    assert choices[0] == ("1. Ta fram en rutin för kontroll. (klar)", 0)
    assert choices[1][0].endswith("… (utkast)") and len(choices[1][0]) < 100
    assert draft_label(draft) == (
        "Granskning av kontroll: upphandling/inköp – nämnden för Service (2024-05-02 10:11)"
    )
    assert status_markdown(draft).startswith(
        "**Utkast abc123**: svar till nämnden för Service på *Granskning av kontroll"
    )
    assert "1 av 2 avsnitt klara" in status_markdown(draft)
    assert recommendation_markdown(draft, 0) == (
        "**Rekommendation 1** (till nämnden för Service, s. 4, Rek)\n\n"
        "> Ta fram en rutin\n> för kontroll."
    )
    assert recommendation_markdown(draft, 1).startswith("**Rekommendation 2**\n\n> Följ upp")
    assert export_stem(draft) == "Granskning-av-kontroll-upphandlinginköp-abc123"


def test_precedents_are_numbered_as_the_citations() -> None:
    draft = _draft()
    html = precedents_html(draft.sections[0])
    assert "Tidigare svar att utgå från (1)" in html
    assert '<details class="yttra-precedent" data-kind="svar" data-file="svar.txt">' in html
    assert "<summary>[1] <strong>Svar på liknande rekommendation</strong>: " in html
    assert "Tidigare rekommendation" in html and "Nämnden instämmer." in html
    assert "Inga liknande svar" in precedents_html(draft.sections[1])


def _coverage_item(number: int, status: Status, stance: Stance | None) -> CoverageItem:
    rec = Recommendation(f"r{number}", f"Rekommendation {number} <b>", "nämnden", None, "")
    evidence = Evidence(f"Svar {number}.", 3, "Svar", 10, 11) if status != "saknas" else None
    elements = {e: status == "besvarad" for e in ELEMENTS}
    return CoverageItem(rec, status, 0.5, evidence, elements, "Skäl.", stance)


def test_the_coverage_matrix_shows_a_rejection_apart_from_an_agreement() -> None:
    report = CoverageReport(
        "nämnden",
        [
            _coverage_item(1, Status.BESVARAD, Stance.INSTAMMER),
            _coverage_item(2, Status.BESVARAD, Stance.AVVISAR),
            _coverage_item(3, Status.SAKNAS, None),
        ],
    )
    html = coverage_html(report)
    assert "<th>Status</th><th>Hållning</th>" in html
    rows = re.findall(
        r'<tr class="(\w+)" data-id="(r\d)">.*?<td class="status">(\w+)</td>'
        r'<td class="([\w ]+)">(.*?)</td>',
        html,
    )
    assert rows == [
        ("besvarad", "r1", "Besvarad", "stance instammer", "Instämmer"),
        ("besvarad", "r2", "Besvarad", "stance avvisar", "Avvisar"),
        ("saknas", "r3", "Saknas", "stance", "–"),
    ]
    # The rejection is marked in colour; an agreement is not.
    assert "td.stance.avvisar" in COVERAGE_CSS and "td.stance.instammer " not in COVERAGE_CSS
    assert "&lt;b&gt;" in html and "<b>" not in html
