import pytest

from ingest.structure import parse_blocks
from tests.conftest import SAMPLE_CORPUS


def test_markdown_bold_numbered_and_plain_headings() -> None:
    text = (
        "## Yttrande\n\n### **Bakgrund**\n\nNämnden har tagit del av rapporten.\n\n"
        "2.1. Organisation och ansvar\n\nAnsvaret är delat.\n\n"
        "Sammanfattande inställning\n\nNämnden välkomnar granskningen.\n"
    )
    headings = [(b.level, b.text) for b in parse_blocks(text) if b.kind == "heading"]
    assert headings == [
        (2, "Yttrande"),
        (3, "Bakgrund"),
        (2, "2.1. Organisation och ansvar"),
        (5, "Sammanfattande inställning"),
    ]


def test_recommendation_label_starts_a_section() -> None:
    text = "1. Rekommendation: Tydliggöra ansvaret.\n\nÅtgärd: Uppdatera riktlinjen.\n"
    blocks = parse_blocks(text)
    assert (blocks[0].kind, blocks[0].text) == ("heading", "Rekommendation 1")
    assert blocks[1].text == "Tydliggöra ansvaret."
    assert blocks[2].text.startswith("Åtgärd:")


def test_wrapped_lines_and_blank_line_inside_sentence_are_joined() -> None:
    text = "Granskningen visar att kontrollen\nbehöver stärkas inom\n\nflera områden.\n"
    blocks = parse_blocks(text)
    assert [b.text for b in blocks] == [
        "Granskningen visar att kontrollen behöver stärkas inom flera områden."
    ]


def test_bullets_keep_their_lead_in_and_pages_are_tracked() -> None:
    text = (
        "<!-- sida 7 -->\nNämnden rekommenderas att:\n\n► säkerställa att rutiner\nfinns.\n"
        "<!-- sida 8 -->\n• följa upp arbetet.\n"
    )
    blocks = parse_blocks(text)
    assert blocks[0].lead_in and blocks[0].page == 7
    assert [(b.kind, b.text, b.page) for b in blocks[1:]] == [
        ("item", "säkerställa att rutiner finns.", 7),
        ("item", "följa upp arbetet.", 8),
    ]


def test_table_of_contents_lines_are_not_headings() -> None:
    text = "1.  Inledning ........................ 5\n"
    assert all(b.kind != "heading" for b in parse_blocks(text))


def test_real_yttrande_structure() -> None:
    text = (SAMPLE_CORPUS / "malmo" / "001_74f6e0640af84ef9.txt").read_text()
    blocks = parse_blocks(text)
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert "Arbetsmarknads- och socialnämnden rekommenderas att:" in headings
    items = [b.text for b in blocks if b.kind == "item"]
    assert any(i.startswith("särskilja arbetsmarknadsanställningarna") for i in items)


@pytest.mark.parametrize(
    "text",
    [
        "." * 200_000 + "x\n\nnästa stycke fortsätter\n",
        "Rubrik\n\n" + "! " * 100_000 + "a\n\nb fortsätter\n",
        ")" * 200_000 + "\n\nc fortsätter\n",
    ],
    ids=["dot-run", "bang-space-run", "bracket-run"],
)
@pytest.mark.timeout(60)  # linear work takes well under a second; a quadratic path hangs
def test_long_punctuation_runs_do_not_hang(text: str) -> None:
    # The run does not end a sentence, so the lowercase line after the blank continues it.
    (*_, last) = parse_blocks(text)
    assert last.kind == "paragraph" and last.text.endswith(" fortsätter")


@pytest.mark.parametrize("glyph", ["•", "►", "▪", "◦", "–", "−", "-", "*", "\\-", "\uf0b7"])
def test_every_bullet_glyph_gives_the_same_list_items(glyph: str) -> None:
    text = f"Nämnden rekommenderas att:\n\n{glyph} säkerställa rutinen,\n{glyph} följa upp.\n"
    blocks = parse_blocks(text)
    assert blocks[0].lead_in
    assert [(b.kind, b.text) for b in blocks[1:]] == [
        ("item", "säkerställa rutinen,"),
        ("item", "följa upp."),
    ]
