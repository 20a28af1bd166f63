"""The one vocabulary of reply elements: cues per element, labels, acknowledgements."""

from __future__ import annotations

import re

import pytest

from ingest.text.elements import (
    ELEMENT_CUES,
    MEASURE_LABEL,
    STANCE,
    detect_elements,
    reports_audit,
    without_acknowledgement,
)
from ingest.vocabulary import ELEMENTS, ElementName

POSITION = ElementName.STALLNINGSTAGANDE
MEASURE = ElementName.ATGARD
RESPONSIBLE = ElementName.ANSVARIG
TIME = ElementName.TIDPLAN
FOLLOW_UP = ElementName.UPPFOLJNING

CUE_CASES: list[tuple[ElementName, str, bool]] = [
    (POSITION, "Nämnden instämmer delvis i rekommendationen.", True),
    (POSITION, "Styrelsen delar i stort revisorernas bedömning.", True),
    (POSITION, "Nämnden ställer sig bakom förslaget.", True),
    (POSITION, "Nämnden ser inget behov av ytterligare åtgärder.", True),
    (POSITION, "Nämnden anser att rutinerna räcker.", True),
    (POSITION, "Förvaltningen har tagit fram en rutin.", False),
    (POSITION, "Rapporten överlämnas till nämnden.", False),
    (MEASURE, "Förvaltningen ska ta fram en ny rutin.", True),
    (MEASURE, "Riktlinjerna kommer att uppdateras.", True),
    (MEASURE, "Nämnden har under året infört en kontrollista.", True),
    (MEASURE, "Nämnden planerar en översyn.", True),
    (MEASURE, "Kontrollerna görs varje månad.", True),
    (MEASURE, "Medborgarna ska ha möjlighet att lämna synpunkter.", False),
    (MEASURE, "Revisorerna lämnade sin rapport i maj.", False),
    (RESPONSIBLE, "Ekonomichefen ansvarar för genomförandet.", True),
    (RESPONSIBLE, "Uppdraget ges till förvaltningens ledningsgrupp.", True),
    (RESPONSIBLE, "Frågan tas upp i ledningsgrupper på alla nivåer.", True),
    (RESPONSIBLE, "Riktlinjen uppdateras.", False),
    (TIME, "Arbetet ska vara klart senast 31/12-2025.", True),
    (TIME, "Utbildningen genomförs under hösten.", True),
    (TIME, "Beslutet får genomslag 2026.", True),
    (TIME, "Rutinen gäller från 2025-01-01.", True),
    (TIME, "Införandet sker successivt.", True),
    (TIME, "Åtgärden vidtas omgående.", True),
    (
        TIME,
        "Förtydliga i Riktlinjerna för Inköp (KF 2021-03-09) vilka kontroller som gäller.",
        False,
    ),
    (TIME, "Ärendet har diarienummer SE-2024-00242.", False),
    (TIME, "Förvaltningen ska ta fram en ny rutin.", False),
    (FOLLOW_UP, "Effekten följs upp i internkontrollplanen.", True),
    (FOLLOW_UP, "Resultatet återrapporteras till nämnden.", True),
    (FOLLOW_UP, "Arbetet ska utvärderas.", True),
    (FOLLOW_UP, "Förvaltningen ska ta fram en ny rutin.", False),
]


@pytest.mark.parametrize(("element", "sentence", "expected"), CUE_CASES)
def test_cues(element: ElementName, sentence: str, expected: bool) -> None:
    assert bool(ELEMENT_CUES[element].search(sentence)) is expected


def test_there_is_one_cue_per_element() -> None:
    assert list(ELEMENT_CUES) == list(ELEMENTS)


def test_a_stance_is_the_replys_own_while_an_opinion_may_be_the_auditors() -> None:
    opinion = "Revisionen bedömer att kontrollerna är otillräckliga."
    assert ELEMENT_CUES[POSITION].search(opinion) and not STANCE.search(opinion)
    assert STANCE.search("Nämnden delar inte revisionens bedömning.")


@pytest.mark.parametrize(
    ("sentence", "labelled"),
    [
        ("Åtgärd: Öka kraven på leverantörer.", True),
        ("Planerade åtgärder: Utbildning.", True),
        ("Vidtagna åtgärder under 2024: Ny rutin.", True),
        ("Åtgärd:", False),
        ("Kommentar: Öka kraven.", False),
    ],
)
def test_measure_label(sentence: str, labelled: bool) -> None:
    assert bool(MEASURE_LABEL.match(sentence)) is labelled


def test_an_acknowledgement_clause_is_dropped_and_the_rest_kept() -> None:
    sentence = "Nämnden har tagit del av rapporten och ska se över rutinen."
    assert without_acknowledgement(sentence) == "ska se över rutinen."
    assert without_acknowledgement("Nämnden tackar för granskningen.") == ""
    assert without_acknowledgement("Rutinen ses över.") == "Rutinen ses över."


@pytest.mark.parametrize(
    ("sentence", "after_report", "expected"),
    [
        ("Granskningen visar att kontrollerna brister.", False, True),
        ("Revisorerna rekommenderar nämnden att se över rutinen.", False, True),
        ("Nämnden delar revisionens bedömning.", False, False),
        ("Den visar också att uppföljningen saknas.", True, True),
        ("Den visar också att uppföljningen saknas.", False, False),
        ("Nämnden ska se över rutinen.", True, False),
    ],
)
def test_reports_audit(sentence: str, after_report: bool, expected: bool) -> None:
    assert reports_audit(sentence, after_report) is expected


def test_detect_elements_reads_every_sentence_of_every_paragraph() -> None:
    text = (
        "Nämnden instämmer i bedömningen.\n\n"
        "Åtgärd: Nya krav på leverantörer Ansvarig: Inköpschefen\n"
        "Tidplan: klart under hösten 2025"
    )
    found = detect_elements(text)
    assert list(found) == list(ELEMENTS)
    assert found == {
        POSITION: True,
        MEASURE: True,
        RESPONSIBLE: True,
        TIME: True,
        FOLLOW_UP: False,
    }


def test_acknowledgements_and_fragments_count_for_nothing() -> None:
    assert not any(detect_elements("Nämnden har tagit del av rapporten.").values())
    assert not any(detect_elements("Åtgärd: ses över").values())  # under three words
    assert detect_elements("Åtgärd: Nya krav införs")[MEASURE]


def test_words_decide_what_is_a_fragment() -> None:
    def content_words(text: str) -> list[str]:
        return [w for w in re.findall(r"\w+", text) if w.lower() not in {"till", "och", "att"}]

    letterhead = "Beslutet skickas till"
    assert detect_elements(letterhead)[MEASURE]  # "skickas": a present passive
    assert not any(detect_elements(letterhead, words=content_words).values())


@pytest.mark.parametrize(
    ("text", "element"),
    [
        ("Ansvarig: Inköpschefen", RESPONSIBLE),
        ("Ansvarig enhet: Inköp", RESPONSIBLE),
        ("Tidplan: Q3", TIME),
        ("Klart senast: 2025", TIME),
        ("Uppföljning: Årligen", FOLLOW_UP),
        ("Åtgärd: Nya krav Ansvarig: Inköpschefen", RESPONSIBLE),
    ],
)
def test_an_element_label_names_its_element_however_short_the_rest(
    text: str, element: ElementName
) -> None:
    assert detect_elements(text)[element]


@pytest.mark.parametrize("text", ["Ansvarig:", "Tidplan: –", "Datum: 2025-01-22", "Ansvar"])
def test_a_label_without_words_or_naming_no_element_says_nothing(text: str) -> None:
    assert not any(detect_elements(text).values())


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Regeringen kommer att noga följa Arbetsförmedlingens fortsatta arbete.", False),
        ("Nämnden avser att följa utvecklingen på området.", False),
        ("Regeringen tar med sig frågan i det fortsatta arbetet.", False),
        ("Det kan finnas behov av att se över bestämmelserna.", False),
        ("Det kan finnas skäl att genomföra ytterligare tillsyn.", False),
        ("Nämnden kommer att ta fram en ny rutin under 2025.", True),
        ("Förvaltningen följer arbetet och har infört en kontrollista.", True),
    ],
)
def test_keeping_watch_and_possible_needs_are_no_measures(sentence: str, expected: bool) -> None:
    assert detect_elements(sentence)[MEASURE] is expected


def test_keeping_watch_is_follow_up() -> None:
    assert detect_elements("Regeringen kommer att följa myndighetens arbete.")[FOLLOW_UP]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Granskningen omfattar tillsynsbeslut inom myndighetens tillsyn.", True),
        ("Rapporten avser forskning som inte finansieras av forskningsråd.", True),
        ("I granskningen framgår att rutinerna brister.", True),
        ("Efter granskningen har nämnden infört nya rutiner.", False),
        ("Riksrevisionens granskning är ett viktigt bidrag till arbetet.", False),
    ],
)
def test_the_audit_as_subject_reports_it(sentence: str, expected: bool) -> None:
    assert reports_audit(sentence) is expected
