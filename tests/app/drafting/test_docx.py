import io
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocumentObject
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from app.drafting.docx import Block, Span, docx_bytes, markdown_blocks, parse_inline, write_docx
from app.drafting.model import Draft, DraftError, Heading, Precedent, Section
from ingest.models import Recommendation

RECOMMENDATIONS = [
    "Tydliggöra via styrdokument vilka kontroller som ska göras inför varje upphandling/inköp.",
    "Införa tydliga kontroller av leverantörer och dess befattningshavare före avtalsperiod "
    "samt säkerställa att dessa kontroller systematiskt görs under avtalsperioden.",
    "Systematiskt följa upp arbetet med avtalsuppföljning.",
]


def _precedent(file: str, diarienummer: str, answer: str) -> Precedent:
    return Precedent(
        kind="svar", recommendation="Stärka kontrollen av leverantörer.", answer=answer,
        file=file, title=f"Yttrande {diarienummer}", doc_type="yttrande", date="2025-01-22",
        organ="Nämnden för Service", diarienummer=diarienummer, page=2, section="Åtgärder",
        score=0.8,
    )


FIRST = _precedent("kungsbacka/012.txt", "SE-2024-00242", "Uppdatera styrdokument.")
SHARED = _precedent("malmo/001.txt", "ASN-2022-15519", "Leverantörskontroller utökas.")
THIRD = _precedent("malmo/003.txt", "ASN-2023-00001", "Uppföljning sker årligen.")

SECTION_ONE = """**Ställningstagande**

Nämnden instämmer i rekommendationen och ser den som en del av det *löpande*
förbättringsarbetet [1].

**Åtgärd:** Nämnden kommer att uppdatera riktlinjerna för inköp [2] [9].

- Uppdatera styrdokumenten
• Följa upp kontrollerna i internkontrollen

Ansvarig: [Ange ansvarig funktion]."""

SECTION_TWO = """> Arbete med att utöka leverantörskontroller pågår [1].

Kontrollerna görs redan i dag [2]."""


def _draft() -> Draft:
    recommendations = [
        Recommendation(f"rek-{n}", text, "Nämnden för Service", 1, "Rekommendationer")
        for n, text in enumerate(RECOMMENDATIONS, start=1)
    ]
    return Draft(
        id="abc123def456",
        addressee="Nämnden för Service",
        audit_file="kungsbacka/014.txt",
        audit_title="Granskning av interna kontroller i upphandling",
        heading=Heading(
            till="Kommunrevisionen", datum="", diarienummer="SE-2024-00242",
            arende="Yttrande över granskning av upphandling",
        ),
        summary="Nämnden välkomnar granskningen.\n\nNämnden har *redan* påbörjat arbetet.",
        sections=[
            Section(recommendations[0], SECTION_ONE, [FIRST, SHARED]),
            Section(recommendations[1], SECTION_TWO, [SHARED, THIRD]),
            Section(recommendations[2], ""),
        ],
        decision="Nämnden föreslås besluta att anta yttrandet som sitt svar till revisionen.",
    )


@pytest.fixture
def document(tmp_path: Path) -> DocumentObject:
    path = tmp_path / "yttrande.docx"
    write_docx(_draft(), path)
    return docx.Document(str(path))


def _styled(document: DocumentObject, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style is not None and p.style.name == style]


def _paragraph(document: DocumentObject, start: str) -> Paragraph:
    return next(p for p in document.paragraphs if p.text.startswith(start))


def test_structure_and_heading_styles(document: DocumentObject) -> None:
    headings = [
        (p.style.name, p.text) for p in document.paragraphs
        if p.style is not None and p.style.name in ("Title", "Heading 1", "Heading 2")
    ]
    assert headings == [
        ("Title", "Yttrande"),
        ("Heading 1", "Sammanfattning"),
        ("Heading 1", "Yttrande"),
        ("Heading 2", "Rekommendation 1"),
        ("Heading 2", "Rekommendation 2"),
        ("Heading 2", "Rekommendation 3"),
        ("Heading 1", "Förslag till beslut"),
        ("Heading 1", "Källor"),
    ]
    texts = [p.text for p in document.paragraphs]
    assert "Nämnden välkomnar granskningen." in texts
    assert "Nämnden föreslås besluta att anta yttrandet som sitt svar till revisionen." in texts


def test_heading_block_with_gaps_marked(document: DocumentObject) -> None:
    rows = {row.cells[0].text: row.cells[1] for row in document.tables[0].rows}
    assert list(rows) == ["Till", "Datum", "Diarienummer", "Ärende"]
    assert rows["Till"].text == "Kommunrevisionen"
    assert rows["Diarienummer"].text == "SE-2024-00242"
    assert rows["Ärende"].text == "Yttrande över granskning av upphandling"
    gap = rows["Datum"].paragraphs[0].runs[0]
    assert gap.text == "[fylls i]" and gap.font.highlight_color == WD_COLOR_INDEX.YELLOW


def test_recommendations_are_quoted(document: DocumentObject) -> None:
    quotes = _styled(document, "Quote")
    for text in RECOMMENDATIONS:
        assert text in quotes
    assert "Arbete med att utöka leverantörskontroller pågår [2]." in quotes


def test_citations_renumbered_superscript_and_listed(document: DocumentObject) -> None:
    everything = "\n".join(p.text for p in document.paragraphs)
    assert "[9]" not in everything
    first = _paragraph(document, "Nämnden instämmer")
    # soft line breaks join into one paragraph
    assert first.text.endswith("det löpande förbättringsarbetet [1].")
    assert [r.text for r in first.runs if r.font.superscript] == ["[1]"]
    # the dropped [9] leaves no stray space before the full stop
    assert _paragraph(document, "Åtgärd:").text.endswith("för inköp [2].")
    second = _paragraph(document, "Kontrollerna görs")
    assert [r.text for r in second.runs if r.font.superscript] == ["[3]"]

    texts = [p.text for p in document.paragraphs]
    sources = texts[texts.index("Källor") + 1:]
    assert sources == [
        f"[1]\t{FIRST.reference()}", f"[2]\t{SHARED.reference()}", f"[3]\t{THIRD.reference()}"
    ]


def test_markdown_formatting(document: DocumentObject) -> None:
    label = _paragraph(document, "Ställningstagande")
    assert label.text == "Ställningstagande" and all(r.bold for r in label.runs)
    action = _paragraph(document, "Åtgärd:")
    assert action.runs[0].text == "Åtgärd:" and action.runs[0].bold
    assert not action.runs[1].bold
    italic = [r.text for r in _paragraph(document, "Nämnden instämmer").runs if r.italic]
    assert italic == ["löpande"]
    assert _styled(document, "List Bullet") == [
        "Uppdatera styrdokumenten", "Följa upp kontrollerna i internkontrollen"
    ]


def test_placeholders_highlighted(document: DocumentObject) -> None:
    highlighted = [
        r.text for p in document.paragraphs for r in p.runs
        if r.font.highlight_color == WD_COLOR_INDEX.YELLOW
    ]
    # the empty third section is a gap to fill in as well
    assert highlighted == ["[Ange ansvarig funktion]", "[fylls i]"]


def test_signatures(document: DocumentObject) -> None:
    texts = [p.text for p in document.paragraphs]
    for title in ("Ordförande", "Förvaltningsdirektör"):
        assert texts[texts.index(title) - 1].startswith("____")
    assert texts.index("Förslag till beslut") < texts.index("Ordförande") < texts.index("Källor")


def test_properties_and_language(document: DocumentObject) -> None:
    properties = document.core_properties
    assert properties.title == "Yttrande – Yttrande över granskning av upphandling"
    assert properties.author == "Yttra"
    assert properties.language == "sv-SE"
    language = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert language is not None and language.get(qn("w:val")) == "sv-SE"


def test_no_sources_no_heading_and_title_falls_back() -> None:
    draft = _draft()
    draft.heading = Heading()
    for section in draft.sections:
        section.precedents = []
    document = docx.Document(io.BytesIO(docx_bytes(draft)))
    texts = [p.text for p in document.paragraphs]
    assert "Källor" not in texts and "[1]" not in "\n".join(texts)
    assert document.core_properties.title == (
        "Yttrande – Granskning av interna kontroller i upphandling"
    )


def test_write_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "ut" / "yttrande.docx"
    path.parent.mkdir()
    path.write_bytes(b"old")
    write_docx(_draft(), path)
    assert docx.Document(str(path)).paragraphs[0].text == "Yttrande"
    assert [p.name for p in path.parent.iterdir()] == ["yttrande.docx"]


def test_write_failure_is_a_draft_error(tmp_path: Path) -> None:
    blocker = tmp_path / "fil"
    blocker.write_text("x")
    with pytest.raises(DraftError, match="kunde inte sparas"):
        write_docx(_draft(), blocker / "yttrande.docx")


def test_parse_blocks() -> None:
    text = "### Åtgärd\n> rad ett\n> rad två\n>\n> nytt stycke\n1. först\n  - under\nslut"
    assert markdown_blocks(text) == [
        Block("label", "Åtgärd"),
        Block("quote", "rad ett rad två"),
        Block("quote", "nytt stycke"),
        Block("numbered", "först", "1."),
        Block("bullet2", "under"),
        Block("paragraph", "slut"),
    ]


def test_parse_inline() -> None:
    assert parse_inline("***båda*** och 5 * 3 * 2 [12] […]") == [
        Span("båda", True, True),
        Span(" och 5 * 3 * 2 "),
        Span("[12]", kind="citation"),
        Span(" […]"),
    ]
    assert parse_inline("**fet [Ange namn]**", citations=False) == [
        Span("fet ", True), Span("[Ange namn]", True, kind="placeholder")
    ]
