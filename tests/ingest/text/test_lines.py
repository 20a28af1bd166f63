"""The shared line reader and the questions asked about the end of one line."""

from __future__ import annotations

import pytest

from ingest.text.bullets import MarkerKind
from ingest.text.lines import (
    awaits_continuation,
    ends_sentence,
    hyphen_glue,
    is_toc_line,
    join_lines,
    opens_with_label,
    read_lines,
)


def test_lines_carry_the_page_of_the_last_marker_before_them() -> None:
    text = "Inledning\n<!-- sida 2 -->\nFörsta\n\nAndra <!--page 3--> Tredje\n"
    lines = read_lines(text)
    assert [(line.text, line.page) for line in lines] == [
        ("Inledning", None),
        ("Första", 2),
        ("Andra", 2),
        ("Tredje", 3),
    ]
    assert [line.blank_before for line in lines] == [True, True, True, True]
    assert [line.index for line in lines] == [0, 1, 2, 3]


def test_offsets_point_at_each_line_in_the_text() -> None:
    text = "Rubrik\r\n\n   ► Punkt ett\nslut <!-- sida 4 -->  början\n"
    for line in read_lines(text):
        assert text[line.start :].startswith(line.raw)
    assert [line.indent for line in read_lines(text)] == [0, 3, 0, 0]


def test_wrapped_lines_are_not_blank_before() -> None:
    lines = read_lines("Första raden\nandra raden\n\nNytt stycke")
    assert [line.blank_before for line in lines] == [True, False, True]


def test_markup_is_read_off_and_removed_from_the_text() -> None:
    heading, bold, item, italic = read_lines("## Bakgrund\n**Fet   rubrik**\n- punkt\n*kursiv*")
    assert (heading.text, heading.md_level, heading.raw) == ("Bakgrund", 2, "## Bakgrund")
    assert (bold.text, bold.bold) == ("Fet rubrik", True)
    assert item.marker is not None and item.marker.kind is MarkerKind.DASH
    assert (italic.text, italic.bold, italic.marker) == ("kursiv", False, None)


def test_a_line_of_markup_alone_reads_as_blank() -> None:
    lines = read_lines("Text\n**\nMer text")
    assert [(line.text, line.blank_before) for line in lines] == [
        ("Text", True),
        ("Mer text", True),
    ]


@pytest.mark.parametrize(
    ("text", "plain", "lead_in"),
    [
        ("Nämnden delar bedömningen.", True, True),
        ("Vad gäller detta?", True, True),
        ('Han sa "klart."', True, True),
        ("Punkt ett;", True, True),
        ("rekommenderas att:", False, True),
        ("Rubrik utan punkt", False, False),
        ("Belopp 5.", True, True),
        ("Version 2.0", False, False),
    ],
)
def test_ends_sentence(text: str, plain: bool, lead_in: bool) -> None:
    assert ends_sentence(text) is plain
    assert ends_sentence(text, colon=True) is lead_in


@pytest.mark.timeout(30)
def test_ends_sentence_is_linear_on_punctuation_runs() -> None:
    assert ends_sentence("x" + "!" * 500_000 + " ") is True
    assert ends_sentence("-" * 500_000) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Uppföljning av", True),
        ("kontroll och", True),
        ("riskanalyser avseende", True),
        ("ansvaret,", True),
        ("Arbetsmarknads-", True),
        ("Uppföljning av avtal", False),
        ("Sammanfattning", False),
    ],
)
def test_awaits_continuation(text: str, expected: bool) -> None:
    assert awaits_continuation(text) is expected


def test_table_of_contents_lines_and_labels() -> None:
    assert is_toc_line("1. Inledning ........................ 5")
    assert is_toc_line("Bilagor …")
    assert not is_toc_line("Nämnden bör. Se sidan 5")
    assert opens_with_label("Åtgärd: Rutinen ses över.")
    assert opens_with_label("Ansvarig nämnd:")
    assert not opens_with_label("Nämnden delar i stort bedömningen: åtgärder vidtas.")
    assert not opens_with_label("Åtgärd:följs")


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("säkerställa uppfölj-", "ningen av avtal", "säkerställa uppföljningen av avtal"),
        ("via IT-", "systemet", "via IT-systemet"),
        ("under 2020-", "talet", "under 2020-talet"),
        ("arbetsmarknads-", "och socialnämnden", "arbetsmarknads- och socialnämnden"),
        ("såväl IT-", "som ekonomi", "såväl IT- som ekonomi"),
        ("ansvaret", "för avtalen", "ansvaret för avtalen"),
        ("", "första", "första"),
    ],
)
def test_joining_lines_undoes_hyphenation_only_inside_words(
    left: str, right: str, joined: str
) -> None:
    assert join_lines(left, right) == joined


def test_hyphen_glue_keeps_apart_what_is_not_one_word() -> None:
    assert hyphen_glue("Stycke -", "nästa") is None
    assert hyphen_glue("ord-", "Nytt stycke") is None
    assert hyphen_glue("ord", "nästa") is None
