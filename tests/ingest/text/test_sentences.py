"""The one sentence splitter: sentence ends, abbreviations, list items, cells and labels."""

from __future__ import annotations

import pytest

from ingest.text.bullets import SYMBOL_BULLETS
from ingest.text.sentences import (
    ABBREVIATIONS,
    REPLY_LABELS,
    complete_sentences,
    split_sentences,
)

# -- sentence ends ----------------------------------------------------------------------


def test_sentences_end_at_a_stop_before_a_capital() -> None:
    text = "Nämnden har beslutat. Arbetet pågår! Är det klart? Ja."
    assert split_sentences(text) == [
        "Nämnden har beslutat.",
        "Arbetet pågår!",
        "Är det klart?",
        "Ja.",
    ]


@pytest.mark.parametrize(
    "opener", ["3 enheter berörs.", '"Nej" sa hon.', "»Nej« sa hon.", "(Se bilaga.)", "Älvsjö."]
)
def test_a_digit_quote_parenthesis_or_capital_opens_a_new_sentence(opener: str) -> None:
    assert split_sentences(f"Arbetet är klart. {opener}") == ["Arbetet är klart.", opener]


def test_a_stop_before_a_small_letter_ends_no_sentence() -> None:
    text = "Avtal nr 12 m.fl. och bilaga 3. och 4. gäller."
    assert split_sentences(text) == [text]


@pytest.mark.parametrize("abbreviation", ABBREVIATIONS)
def test_an_abbreviation_ends_no_sentence(abbreviation: str) -> None:
    text = f"Det gäller {abbreviation}. 3 av avtalen och {abbreviation}. Kommunstyrelsen."
    assert split_sentences(text) == [text]


def test_a_word_that_merely_ends_like_an_abbreviation_ends_a_sentence() -> None:
    assert split_sentences("Det gäller Inca. Nästa del.") == ["Det gäller Inca.", "Nästa del."]


def test_every_line_break_ends_a_piece() -> None:
    text = "Rubrik utan punkt\nNämnden har\n\nbeslutat."
    assert split_sentences(text) == ["Rubrik utan punkt", "Nämnden har", "beslutat."]


def test_empty_text_has_no_sentences() -> None:
    assert split_sentences("") == [] and split_sentences("  \n \n") == []


# -- list items, cells, labels ----------------------------------------------------------


@pytest.mark.parametrize(
    "marker", [*SYMBOL_BULLETS, "-", "–", "*", "\\-", "1.", "12)", "(3)", "b)"]
)
def test_a_list_marker_opening_a_line_is_dropped(marker: str) -> None:
    text = f"{marker} Nämnden ska införa rutiner. Arbetet följs upp"
    assert split_sentences(text) == ["Nämnden ska införa rutiner.", "Arbetet följs upp"]


def test_a_number_that_opens_a_list_item_ends_no_sentence() -> None:
    assert split_sentences("2. Nämnden ska göra x.") == ["Nämnden ska göra x."]


def test_inline_bullets_are_items_of_their_own() -> None:
    text = "Nämnden har tagit fram följande: • Rutiner för avtal ▪ Kontroller. • Utbildning"
    assert split_sentences(text) == [
        "Nämnden har tagit fram följande:",
        "Rutiner för avtal",
        "Kontroller.",
        "Utbildning",
    ]


def test_a_bullet_after_a_sentence_end_opens_an_item() -> None:
    text = "Vi gör följande. – Ses över årligen. • Följs upp."
    assert split_sentences(text) == ["Vi gör följande.", "Ses över årligen.", "Följs upp."]


def test_a_dash_inside_a_sentence_is_no_bullet() -> None:
    text = "Arbetet – som pågår – ska vara klart."
    assert split_sentences(text) == [text]


def test_table_cells_are_pieces() -> None:
    row = "Tydliggöra ansvaret | Förvaltningen ansvarar. Klart 2025 | Ekonomichefen"
    assert split_sentences(row) == [
        "Tydliggöra ansvaret",
        "Förvaltningen ansvarar.",
        "Klart 2025",
        "Ekonomichefen",
    ]


@pytest.mark.parametrize("label", REPLY_LABELS)
def test_a_reply_label_inside_a_line_opens_a_piece(label: str) -> None:
    text = f"Granskning av avtalsuppföljning {label}: Förtydliga riktlinjerna"
    assert split_sentences(text) == [
        "Granskning av avtalsuppföljning",
        f"{label}: Förtydliga riktlinjerna",
    ]


def test_a_numbered_recommendation_label_opens_a_piece() -> None:
    text = "Nämnden instämmer. Rekommendation 3: Öka kraven Åtgärd: Nya krav"
    assert split_sentences(text) == [
        "Nämnden instämmer.",
        "Rekommendation 3: Öka kraven",
        "Åtgärd: Nya krav",
    ]


def test_a_label_word_in_running_text_opens_nothing() -> None:
    text = "Nämnden ger Svar på frågan och åtgärd: inga."
    assert split_sentences(text) == [text]


# -- verbatim ---------------------------------------------------------------------------


def test_verbatim_pieces_keep_markers_and_give_the_text_back() -> None:
    text = (
        "• Nämnden har bl.a. infört rutiner. Arbetet pågår\n"
        "1. Första punkten. Andra meningen.\n"
        "Rad ett | Rad två. Tre | Fyra\n"
        "Följande: • Rutiner • Kontroller Åtgärd: Nya krav"
    )
    pieces = split_sentences(text, verbatim=True)
    assert " ".join(pieces).split() == text.split()
    assert pieces[:2] == ["• Nämnden har bl.a. infört rutiner.", "Arbetet pågår"]
    assert pieces[2] == "1. Första punkten."
    assert "Rad ett | Rad två." in pieces and "• Rutiner" in pieces


# -- complete sentences -----------------------------------------------------------------


def test_complete_sentences_leave_out_fragments_and_keep_list_items() -> None:
    text = (
        "Rubrik utan punkt\n"
        "Nämnden har t.ex. infört rutiner. Nästa steg tas 2025.\n"
        "• följa upp arbetet\n"
        "2) se över avtalen. Även de gamla\n"
        "Text som klipptes av mitt i"
    )
    assert complete_sentences(text) == [
        "Nämnden har t.ex. infört rutiner.",
        "Nästa steg tas 2025.",
        "följa upp arbetet",
        "se över avtalen.",
        "Även de gamla",
    ]


def test_complete_sentences_drop_pieces_that_end_no_sentence() -> None:
    text = "Åtgärd | Ansvarig | Klart i maj.\nGranskning av avtal Åtgärd: Nya krav införs."
    assert complete_sentences(text) == ["Klart i maj.", "Åtgärd: Nya krav införs."]


def test_complete_sentences_are_among_the_split_sentences() -> None:
    text = "Inledning\nNämnden instämmer. Åtgärd: Ses över.\n• punkt ett\nSlut utan punkt"
    assert set(complete_sentences(text)) <= set(split_sentences(text))
