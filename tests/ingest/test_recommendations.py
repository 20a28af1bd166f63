from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.loaders import load_file
from ingest.models import Recommendation
from ingest.normalize import normalize_text
from ingest.recommendations import extract_recommendations, recommendation_id

CORPUS = Path(__file__).parents[2] / "data" / "sample-corpus"


@cache
def _extract(label: str) -> tuple[Recommendation, ...]:
    """Recommendations of one sample document, loaded as ingestion loads it."""
    return tuple(extract_recommendations(load_file(CORPUS / label, label).text))


def _addressees(recs: tuple[Recommendation, ...]) -> set[str]:
    return {r.addressee.casefold() for r in recs}


# ------------------------------------------------------------------- shapes in the corpus


def test_lead_in_with_triangle_bullets_wrapped_over_blank_lines() -> None:
    recs = _extract("kungsbacka/014_kungsbacka-revision-upphandling-oegentligheter-granskning.txt")
    assert len(recs) == 8
    assert _addressees(recs) == {"nämnden för service"}
    assert {r.page for r in recs} == {120}
    assert {r.section for r in recs} == {"Sammanfattning"}
    assert recs[0].text == (
        "Tydliggöra via styrdokument vilka kontroller som ska göras inför varje "
        "upphandling/inköp. Exempelvis utifrån olika förutbestämda riskanalyser av kategorier "
        "av avtal/leverantörer."
    )
    assert recs[-1].text == "Systematiskt följa upp arbetet med avtalsuppföljning"
    # The revision questions further on are a ► list too, but no lead-in recommends them.
    assert not any(r.text.endswith("?") for r in recs)


def test_items_whose_bullet_glyph_was_lost_are_read_by_indentation() -> None:
    recs = _extract(
        "kungsbacka/010_kungsbacka-revision-foreningsbidrag-hyressubventioner-jav-granskning.txt"
    )
    assert [r.text.split(" ", 1)[0] for r in recs] == [
        "Säkerställa",
        "Säkerställa",
        "Säkerställa",
        "Fortsätta",
        "Stärka",
        "Säkerställa",
    ]
    assert _addressees(recs) == {"nämnden för kultur och fritid"}
    assert {r.page for r in recs} == {72}
    assert recs[1].text == (
        "Säkerställa att det uppdaterade regelverket för föreningsstöd löpande följs upp under "
        "övergångsåret och utvärderas under 2026."
    )
    # "Av granskningen rekommenderades nämnden att:" quotes an earlier audit (past tense).
    assert not any(r.text.startswith("Följa upp att föreningsbidrag") for r in recs)


def test_a_list_quoted_twice_in_a_reply_is_merged_keeping_the_first() -> None:
    recs = _extract(
        "kungsbacka/009_kungsbacka-kultur-foreningsbidrag-jav-tjansteskrivelse-svar.txt"
    )
    assert len(recs) == 6
    assert {r.page for r in recs} == {66}
    assert {r.addressee for r in recs} == {"nämnden för Kultur & Fritid"}
    assert recs[-1].text == "Säkerställa att nämndens jävsprövningar protokollförs."


def test_italic_dash_items_under_a_bold_italic_lead_in_heading() -> None:
    recs = _extract("malmo/001_74f6e0640af84ef9.txt")
    assert [r.text.split(" ", 1)[0] for r in recs] == ["säkerställa", "tillse", "särskilja"]
    assert {r.addressee for r in recs} == {"Arbetsmarknads- och socialnämnden"}
    assert recs[1].text.endswith(
        "såväl utifrån mervärdet för den enskilde som effekterna på aggregerad nivå."
    )
    assert not any("*" in r.text for r in recs)


def test_numbered_rekommendation_labels_leave_out_the_atgard() -> None:
    recs = _extract("kungsbacka/012_kungsbacka-service-upphandling-oegentligheter-yttrande.txt")
    assert len(recs) == 8
    assert _addressees(recs) == {"nämnden för service"}  # the replying board
    assert not any("Åtgärd" in r.text or "Rekommendation" in r.text for r in recs)
    assert [r.page for r in recs] == [113, 113, 114, 114, 114, 114, 114, 114]
    assert recs[2].text == (
        "Tillse att det i styrdokument framgår att kontroller ska genomföras avseende "
        "uppföljning av tillstånd samt belastningsregister hos avtalspartners."
    )
    assert recs[4].text == (
        "Införa krav kopplat till avtal och/eller leverantör utifrån riskanalysens resultat."
    )
    assert recs[6].text == "Tydliggöra ansvarsfördelningen avseende avtalsuppföljning"


def test_rekommendation_n_labels_stop_where_the_reply_starts() -> None:
    recs = _extract("malmo/002_84b9857ad2ff5a6d.txt")
    assert [r.addressee for r in recs] == ["Servicenämnden"] * 3
    assert recs[0].text.startswith("Säkerställa att servicenämnden når upp till fullmäktiges")
    assert recs[0].text.endswith("för den egna verksamheten och för den enskilde.")
    assert recs[2].text == "Följa upp antal levererade arbetsmarknadsanställningar."


def test_headings_that_state_recommendations() -> None:
    recs = _extract("malmo/000_c0504a5b2df80e7c.txt")
    assert [r.text.split(" ", 2)[:2] for r in recs] == [
        ["Tydliggör", "gränsdragningar"],
        ["Kommunstyrelsen", "bör"],
        ["Kommunstyrelsen", "bör"],
    ]
    assert _addressees(recs) == {"kommunstyrelsen"}
    assert recs[0].section == "Tjänsteskrivelse"
    assert not any("*" in r.text for r in recs)


def test_bor_sentences_in_a_run_on_list() -> None:
    recs = _extract("other/016_huddinge-ks-manuella-utbetalningar-svar-pa-revisionsskrivelse.txt")
    assert len(recs) == 4
    assert _addressees(recs) == {"kommunstyrelsen"}
    assert recs[0].text.startswith("Kommunstyrelsen bör omgående genomföra en genomgång")
    assert recs[-1].text == (
        "Rutinen för utbetalningar via Procapita bör ses över och relevanta kontroller bör införas."
    )


def test_run_on_list_split_at_bodies_and_cut_off_item_dropped() -> None:
    recs = _extract("other/018_skelleftea-pwc-intern-kontroll-tillampning-granskning.txt")
    assert len(recs) == 1
    assert recs[0].addressee == "Kommunstyrelsen"
    assert recs[0].text.startswith("Kommunstyrelsen vidareutvecklar anvisningar")
    assert recs[0].text.endswith("(trafikljus: grön, gul, röd)")


def test_two_column_missiv_asking_questions_yields_nothing() -> None:
    assert (
        _extract("kungsbacka/013_kungsbacka-revision-upphandling-oegentligheter-missiv.txt") == ()
    )


def test_question_lists_are_not_recommendations() -> None:
    recs = _extract(
        "kungsbacka/011_kungsbacka-service-upphandling-oegentligheter-tjansteskrivelse.txt"
    )
    assert len(recs) == 8
    assert _addressees(recs) == {"nämnden för service"}
    assert not any(r.text.endswith("?") for r in recs)


@pytest.mark.parametrize(
    "label",
    [
        "malmo/003_af51514f7c559115.txt",
        "other/019_harnosand-revisorerna-bokslut-arsredovisning-2020-missiv-och-granskning.txt",
        "other/020_boras-ey-ekonomiskt-bistand-granskning.txt",
    ],
)
def test_documents_without_recommendation_lists_yield_nothing(label: str) -> None:
    assert _extract(label) == ()


# ------------------------------------------------------------------------- synthetic


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("nämnden för Individ & Familjeomsorg", "Individ- och familjeomsorgsnämnden"),
        ("Servicenämnden", "nämnden för Service"),
        ("Kommunstyrelsen", "kommunstyrelsen"),
    ],
)
def test_one_body_spelled_two_ways_is_one_addressee(first: str, second: str) -> None:
    text = (
        f"Vi rekommenderar {first} att:\n• Säkerställa att rutinen för jäv följs.\n\n"
        f"Vi rekommenderar även {second} att:\n• Utveckla uppföljningen av bidragen.\n"
    )
    recs = extract_recommendations(text)
    assert [r.addressee for r in recs] == [first, first]


def test_several_bodies_in_one_lead_in_give_one_entry_each() -> None:
    text = (
        "Granskningen visar brister. Nämnden för Service och Kommunstyrelsen rekommenderas att:\n"
        "• Tydliggöra ansvarsfördelningen för avtalsuppföljning.\n\n"
        "Vi rekommenderar också kommunstyrelsen, tekniska nämnden samt kultur- och\n"
        "fritidsnämnden att:\n"
        "- se över delegationsordningen,\n"
        "- rapportera avvikelser till nämnden.\n"
    )
    recs = extract_recommendations(normalize_text(text))
    assert [(r.addressee, r.text) for r in recs] == [
        ("Nämnden för Service", "Tydliggöra ansvarsfördelningen för avtalsuppföljning."),
        ("Kommunstyrelsen", "Tydliggöra ansvarsfördelningen för avtalsuppföljning."),
        # One spelling per body in a document: the first one it uses.
        ("Kommunstyrelsen", "se över delegationsordningen"),
        ("tekniska nämnden", "se över delegationsordningen"),
        ("kultur- och fritidsnämnden", "se över delegationsordningen"),
        ("Kommunstyrelsen", "rapportera avvikelser till nämnden."),
        ("tekniska nämnden", "rapportera avvikelser till nämnden."),
        ("kultur- och fritidsnämnden", "rapportera avvikelser till nämnden."),
    ]
    assert len({r.id for r in recs}) == len(recs)


def test_hyphenation_across_a_page_marker_is_undone() -> None:
    text = (
        "<!-- sida 2 -->\n\nUtifrån granskningen rekommenderas\nkommunstyrelsen att:\n\n"
        "► Säkerställa att uppfölj-\n\n<!-- sida 3 -->\n\nningen av avtalen dokumenteras.\n"
        "► Införa en rutin för\navtalsuppföljning.\n\n2. Inledning\n"
    )
    for given_text in (text, normalize_text(text)):
        recs = extract_recommendations(given_text)
        assert [(r.text, r.page, r.addressee) for r in recs] == [
            ("Säkerställa att uppföljningen av avtalen dokumenteras.", 2, "kommunstyrelsen"),
            ("Införa en rutin för avtalsuppföljning.", 3, "kommunstyrelsen"),
        ]


def test_summary_and_conclusions_repeats_merge_and_bare_namnden_gets_the_board() -> None:
    text = (
        "<!-- sida 1 -->\n\nRevisionsrapport 2024\n\nNämnden för Teknik\n\n<!-- sida 3 -->\n\n"
        "Sammanfattning\n\nVår bedömning är att kontrollen delvis är tillräcklig.\n\n"
        "Nämnden rekommenderas att:\n\n"
        "► Säkerställa att rutinen för bisysslor är känd av alla\nmedarbetare.\n"
        "► Utveckla uppföljningen av bisysslor, särskilt avseende kostnader.\n\n"
        "<!-- sida 4 -->\n\n1. Inledning\n\nText.\n\n<!-- sida 12 -->\n\n"
        "6.2 Slutsatser och rekommendationer\n\nGranskningen visar brister. "
        "Nämnden rekommenderas att:\n\n"
        "► Säkerställa att rutinen för bisysslor är känd av alla medarbetare\n"
        "► Utveckla uppföljningen av bisysslor särskilt avseende kostnaderna.\n"
    )
    recs = extract_recommendations(normalize_text(text))
    assert [(r.addressee, r.page, r.section) for r in recs] == [
        ("Nämnden för Teknik", 3, "Sammanfattning"),
        ("Nämnden för Teknik", 3, "Sammanfattning"),
    ]


@pytest.mark.parametrize(
    "lead_in",
    [
        "Vi rekommenderar kommunstyrelsen att",
        "Utifrån granskningen rekommenderas\nkommunstyrelsen att:",
        "Kommunstyrelsen rekommenderas därför att:",
        "Revisorerna vill rekommendera kommunstyrelsen att:",
        "Revisorerna rekommenderar att kommunstyrelsen:",
        "Vår bedömning är att kommunstyrelsen bör:",
        "Vi lämnar följande rekommendationer till kommunstyrelsen:",
    ],
)
def test_lead_in_variants_name_the_addressee(lead_in: str) -> None:
    recs = extract_recommendations(f"{lead_in}\n– säkerställa att rutinen följs,\n")
    assert [(r.addressee.casefold(), r.text) for r in recs] == [
        ("kommunstyrelsen", "säkerställa att rutinen följs")
    ]


def test_unmarked_items_and_a_bare_label_are_read() -> None:
    text = (
        "Socialnämnden rekommenderas att:\n\nSäkerställa att utredningar slutförs i tid.\n\n"
        "Utveckla uppföljningen av placeringar.\n\nGranskningen genomfördes under hösten.\n\n"
        "Rekommendation 3\n\nSe över rutinerna för attest.\n\nNämnden delar bedömningen.\n"
    )
    recs = extract_recommendations(text)
    assert [(r.addressee, r.text) for r in recs] == [
        ("Socialnämnden", "Säkerställa att utredningar slutförs i tid."),
        ("Socialnämnden", "Utveckla uppföljningen av placeringar."),
        ("Socialnämnden", "Se över rutinerna för attest."),
    ]


def test_bare_namnden_without_a_named_board_stays_as_written() -> None:
    recs = extract_recommendations("Nämnden rekommenderas att:\n• Följa upp arbetet årligen.\n")
    assert [(r.addressee, r.text) for r in recs] == [("Nämnden", "Följa upp arbetet årligen.")]


def test_numbered_list_ends_where_the_numbering_restarts() -> None:
    text = (
        "Vi rekommenderar socialnämnden att:\n\n1. Säkerställa att handläggningen dokumenteras i "
        "enlighet med\nsocialtjänstlagen.\n2. Förbättra internkontrollen.\n\n1. Inledning\n\n"
        "Rapporten beskriver granskningen.\n"
    )
    recs = extract_recommendations(text)
    assert [r.text for r in recs] == [
        "Säkerställa att handläggningen dokumenteras i enlighet med socialtjänstlagen.",
        "Förbättra internkontrollen.",
    ]


def test_decision_proposals_and_actions_are_not_recommendations() -> None:
    text = (
        "Förvaltningen rekommenderar nämnden att besluta att:\n1. Anta yttrandet.\n"
        "2. Översända yttrandet till revisorerna.\n\n"
        "Med anledning av revisionens rekommendationer har nämnden beslutat att:\n"
        "• Uppdra åt förvaltningen att ta fram en rutin för jäv.\n"
    )
    assert extract_recommendations(text) == []


def test_ids_are_stable_and_depend_on_text_and_addressee_only() -> None:
    first = extract_recommendations("Kommunstyrelsen rekommenderas att:\n• Se över rutinerna.\n")
    moved = extract_recommendations(
        "<!-- sida 9 -->\nInledande text.\n\nKommunstyrelsen rekommenderas att:\n\n"
        "► Se   över rutinerna.\n"
    )
    other = extract_recommendations("Socialnämnden rekommenderas att:\n• Se över rutinerna.\n")
    assert first[0].id == moved[0].id == recommendation_id("Se över rutinerna.", "kommunstyrelsen")
    assert first[0].id != other[0].id
    assert first[0].id.startswith("rek-") and len(first[0].id) == 14


# ------------------------------------------------------------------------ robustness

_FRAGMENTS = st.sampled_from(
    [
        "rekommenderas att:",
        "Vi rekommenderar kommunstyrelsen att:",
        "följande rekommendationer:",
        "fyra rekommendationer. - ",
        "Rekommendation 1: ",
        "2. Rekommendation: ",
        "Åtgärd: ",
        "►",
        "• ",
        "- ",
        "*-",
        "***",
        "### ",
        "<!-- sida 3 -->",
        "-\n",
        "\n",
        "\n\n",
        "  ",
        "1. ",
        "Nämnden för Service ",
        "Arbetsmarknads- och ",
        "socialnämnden ",
        "Kommunstyrelsen bör ",
        "Säkerställa att ",
        " och ",
        "för ",
        "& ",
        ", ",
        ".",
        ":",
        "?",
        "ab",
        "Tydliggör",
    ]
)


def _check(text: str) -> None:
    recs = extract_recommendations(text)
    for r in recs:
        assert isinstance(r, Recommendation)
        assert r.text and r.text == r.text.strip() and "\n" not in r.text
        assert r.page is None or isinstance(r.page, int)
        assert r.id.startswith("rek-")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_arbitrary_text_never_raises(text: str) -> None:
    _check(text)


def test_lone_surrogates_never_raise() -> None:
    _check("Nämnden rekommenderas att:\n• Säkerställa att \ud800 rutinen följs.\n")


@settings(max_examples=200, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=300).map("".join))
def test_swedish_fragments_never_raise(text: str) -> None:
    _check(text)


@pytest.mark.parametrize(
    "text",
    [
        "a" * 300_000,
        "rekommenderas " * 30_000,
        "Vi rekommenderar " + "nämnden och " * 20_000 + "styrelsen att:\n► x y\n",
        "Nämnden rekommenderas att:\n► a" + "b-\n" * 50_000,
        "följande rekommendationer: " + "- Kommunstyrelsen bör x " * 20_000,
        "följande rekommendationer: " + "Kommunstyrelsen " * 30_000,
        "Nedan följer rekommendationer.\n### Säkerställa x\n\n" * 10_000,
        "Rekommendation 1: x y z\n" * 20_000,
        "." * 100_000 + "x",
    ],
    ids=lambda t: repr(t[:16]),
)
@pytest.mark.timeout(60)  # linear work takes about a second; a backtracking regex hangs
def test_adversarial_input_does_not_hang(text: str) -> None:
    for r in extract_recommendations(text):
        assert r.text and "\n" not in r.text


# ------------------------------------------------------------------- bullet invariance

_GLYPHS = ["•", "►", "▪", "◦", "–", "−", "-", "*", "\\-"]


def _bulleted(glyph: str) -> str:
    return (
        "Vi rekommenderar kommunstyrelsen att:\n\n"
        f"{glyph} säkerställa att rutinen för attest följs,\n"
        f"{glyph} utveckla uppföljningen av avtal och\n"
        f"{glyph} Tydliggöra ansvaret för internkontrollen.\n\nNästa stycke.\n"
    )


@pytest.mark.parametrize("glyph", _GLYPHS)
def test_every_bullet_glyph_yields_the_same_recommendations(glyph: str) -> None:
    expected = [(r.text, r.addressee) for r in extract_recommendations(_bulleted("•"))]
    assert len(expected) == 3
    for text in (_bulleted(glyph), normalize_text(_bulleted(glyph))):
        assert [(r.text, r.addressee) for r in extract_recommendations(text)] == expected


# -- shapes met in documents from other sources ------------------------------------------


def test_a_heading_naming_whose_recommendations_follow_leads_the_list() -> None:
    text = (
        "# Svar på granskning av bisysslor\n\n## Kommunrevisionens rekommendationer\n\n"
        "- Säkerställa att rutinen för bisysslor är känd bland chefer.\n"
        "- Utveckla den interna kontrollen av bisysslor.\n\n## Nämndens svar\n\n"
        "Nämnden instämmer i rekommendationerna och har uppdaterat rutinen.\n"
    )
    assert [r.text for r in extract_recommendations(text)] == [
        "Säkerställa att rutinen för bisysslor är känd bland chefer.",
        "Utveckla den interna kontrollen av bisysslor.",
    ]


def test_the_answer_after_a_labelled_recommendation_is_not_part_of_it() -> None:
    text = (
        "Rekommendation: Nämnden bör säkerställa att rutinen för attest följs. Nämndens "
        "ställningstagande och åtgärder: Nämnden instämmer och har infört stickprov.\n\n"
        "Rekommendation: Nämnden bör utveckla uppföljningen av avtal. Planerad åtgärd: En "
        "rutin tas fram.\n"
    )
    assert [r.text for r in extract_recommendations(text)] == [
        "Nämnden bör säkerställa att rutinen för attest följs.",
        "Nämnden bör utveckla uppföljningen av avtal.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Riksrevisionen rekommenderar regeringen att {a} och att {b}.",
        "Vidare rekommenderas regeringen att {a} samt att {b}.",
        "Regeringen rekommenderas att {a}, att {b}.",
        "Riksrevisionen rekommenderar att regeringen {a_present} och att regeringen {b_present}.",
    ],
)
def test_recommendations_in_running_text_in_any_word_order(sentence: str) -> None:
    text = "Granskningen visar brister i styrningen. " + sentence.format(
        a="utreda finansieringen av tillsynen",
        b="förtydliga ansvaret för uppföljningen",
        a_present="utreder finansieringen av tillsynen",
        b_present="förtydligar ansvaret för uppföljningen",
    )
    recs = extract_recommendations(text)
    assert [r.addressee.casefold() for r in recs] == ["regeringen", "regeringen"]
    assert "finansieringen" in recs[0].text and "ansvaret" in recs[1].text


@pytest.mark.parametrize(
    ("second", "count"),
    [
        ("på ett tydligare sätt i återrapporteringen redovisa kostnaderna för insatserna", 2),
        ("i högre grad följa upp kostnaderna för insatserna", 2),
        ("i samband med detta kostnaderna för insatserna blir tydligare", 1),
    ],
)
def test_a_coordinated_recommendation_may_open_with_an_adverbial(
    second: str, count: int
) -> None:
    # "… samt att på ett tydligare sätt … redovisa …" is a recommendation of its own; a
    # clause with no verb of its own after the adverbial goes on with the first.
    text = (
        "Riksrevisionen rekommenderar vidare att Arbetsförmedlingen ska bidra till att öka "
        f"kunskapen om effekterna av olika insatser samt att {second}.\n"
    )
    recs = extract_recommendations(text)
    assert len(recs) == count
    assert all(r.addressee == "Arbetsförmedlingen" for r in recs)


def test_a_reply_naming_the_recommendation_it_rejects_states_it() -> None:
    text = (
        "Regeringen instämmer inte i Riksrevisionens rekommendation att regeringen bör "
        "utforma riktlinjer om riskhantering, utan anser att styrelserna ansvarar för den.\n"
    )
    recs = extract_recommendations(text)
    assert [(r.addressee, r.text) for r in recs] == [
        ("regeringen", "regeringen bör utforma riktlinjer om riskhantering")
    ]


def test_a_summary_restating_a_listed_recommendation_adds_nothing() -> None:
    text = (
        "Vi rekommenderar att kommunstyrelsen säkerställer att avtalen följs upp.\n\n"
        "Kommunstyrelsen rekommenderas att:\n"
        "• Säkerställa att avtalen följs upp systematiskt.\n"
    )
    assert len(extract_recommendations(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Förvaltningen föreslår att nämnden beslutar att lämna följande yttrande.",
        "Arbetsmarknads- och socialnämnden föreslås besluta att lämna följande yttrande:",
        "I lagrådsremissen föreslår regeringen att bestämmelserna ska upphöra att gälla.",
    ],
)
def test_proposals_for_a_decision_are_not_recommendations(text: str) -> None:
    assert extract_recommendations(text) == []


def test_headings_per_addressee_give_each_list_its_bodies() -> None:
    text = (
        "Rekommendationer\n\nRiksrevisionen lämnar följande rekommendationer.\n\n"
        "Rekommendationer till Tillväxtverket och Vinnova\n\n"
        "  • Anlita Tillväxtanalys för utvärderingar av effekter.\n\n"
        "Rekommendationer riktade till regeringen\n\n"
        "Regeringen bör förtydliga syftet med uppföljningarna.\n"
    )
    recs = extract_recommendations(text)
    assert [r.addressee for r in recs] == ["Tillväxtverket", "Vinnova", "regeringen"]


def test_a_board_and_its_officer_are_one_addressee() -> None:
    text = "Rekommendationer till styrelse och VD:\n• Genomför en riskanalys av verksamheten.\n"
    assert [r.addressee for r in extract_recommendations(text)] == ["styrelse och VD"]
