"""Personal data: Swedish identity numbers (date and Luhn checked) and e-mail addresses.

Valid numbers are computed here with the Luhn algorithm; none is taken from a person.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.pii import find_pii, luhn_valid, mask_pii


def check_digit(nine: str) -> str:
    """The Luhn check digit of YYMMDDNNN (weights 2, 1, 2, … from the left)."""
    total = 0
    for position, char in enumerate(nine):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def number(yymmdd: str, serial: str = "982") -> str:
    """A valid ten-digit number YYMMDDNNNC for the date and serial."""
    return yymmdd + serial + check_digit(yymmdd + serial)


def wrong_check(ten: str) -> str:
    return ten[:-1] + str((int(ten[-1]) + 1) % 10)


VALID = number("850412")  # 850412-982C


def kinds(text: str) -> list[tuple[str, str]]:
    return [(m.kind, text[m.start : m.end]) for m in find_pii(text)]


def test_check_digit_helper_agrees_with_the_module() -> None:
    assert luhn_valid(VALID)
    assert not luhn_valid(wrong_check(VALID))


@pytest.mark.parametrize(
    "written",
    [
        f"{VALID[:6]}-{VALID[6:]}",  # YYMMDD-NNNN
        f"{VALID[:6]}+{VALID[6:]}",  # YYMMDD+NNNN, 100 years or older
        f"19{VALID[:6]}-{VALID[6:]}",  # YYYYMMDD-NNNN
        f"19{VALID}",  # YYYYMMDDNNNN
        f"{VALID[:6]}\u2013{VALID[6:]}",  # an en dash from a word processor
    ],
)
def test_each_written_form_is_found_with_its_span_and_masked_form(written: str) -> None:
    text = f"Klaganden ({written}) har begärt omprövning."
    (match,) = find_pii(text)
    assert match.kind == "personnummer"
    assert text[match.start : match.end] == written
    assert match.span == (match.start, match.end)
    assert match.masked == "".join("X" if c.isdigit() else c for c in written)
    assert mask_pii(text) == "Klaganden ([personnummer]) har begärt omprövning."


def test_samordningsnummer_is_the_day_plus_sixty() -> None:
    coordination = number("850472")  # 12 April + 60
    text = f"Samordningsnummer {coordination[:6]}-{coordination[6:]} och 20{number('010161')}."
    assert [k for k, _ in kinds(text)] == ["samordningsnummer", "samordningsnummer"]
    assert mask_pii(text) == "Samordningsnummer [samordningsnummer] och [samordningsnummer]."


@pytest.mark.parametrize(
    "written",
    [
        f"{wrong_check(VALID)[:6]}-{wrong_check(VALID)[6:]}",  # Luhn fails
        f"{number('851312')[:6]}-{number('851312')[6:]}",  # month 13
        f"{number('850432')[:6]}-{number('850432')[6:]}",  # 32 April
        f"{number('850230')[:6]}-{number('850230')[6:]}",  # 30 February
        f"19{number('010229')}",  # 29 February 1901, not a leap year
        f"19{number('000229')}",  # 29 February 1900, not a leap year either
        f"17{VALID}",  # no one alive was born in the 1700s
        f"{number('850492')[:6]}-{number('850492')[6:]}",  # day 92: 32 + 60
        VALID,  # ten digits without a separator: not a form people write
    ],
)
def test_invalid_numbers_are_not_personal_data(written: str) -> None:
    assert find_pii(f"Uppgift: {written} enligt beslut.") == []


def test_leap_day_is_valid_in_a_leap_year() -> None:
    assert kinds(f"född 20{number('000229')}") == [("personnummer", f"20{number('000229')}")]
    # Six digits: 29 February "00" exists in 2000 (born 2000) though not in 1900.
    six = number("000229")
    assert kinds(f"nr {six[:6]}-{six[6:]}") == [("personnummer", f"{six[:6]}-{six[6:]}")]


@pytest.mark.parametrize(
    "text",
    [
        "Ärendet KS-2023-00730 behandlades 2023-05-12.",
        "Dnr 2019/00123, dnr KS 2021-000456 och SBN-2022-1234.",
        f"Diarienummer: {VALID[:6]}-{VALID[6:]} (ett ärende, inte en person).",
        f"dnr {VALID[:6]}-{VALID[6:]}",
        f"Koden KS-{VALID[:6]}-{VALID[6:]} och löpnumret {VALID[:6]}-{VALID[6:]}-2.",
        f"Version 1.{VALID[:6]}-{VALID[6:]} och {VALID[:6]}-{VALID[6:]}/2023.",
        "Organisationsnummer 212000-1124 (Malmö stad).",
        "Ring 070-123 45 67, 040-34 10 00, +46 70 123 45 67 eller 0701234567.",
        "Beloppet var 1 250 000 kr, 12 500,50 kr och 19 850 412 982 öre.",
        "Perioden 20230101-20231231 och 1 januari–31 december 2023 granskades.",
        "Sammanträdet 2023-05-12 kl. 13.00; protokoll 2023:45; § 123.",
    ],
)
def test_no_false_positives_on_case_numbers_dates_phones_and_amounts(text: str) -> None:
    assert find_pii(text) == []
    assert mask_pii(text) == text


def test_email_addresses_are_found_and_masked() -> None:
    text = (
        "Frågor till anna.andersson@malmo.se eller registrator@kungsbacka.se. "
        "Svara inte till @malmo, a@b eller www.malmo.se."
    )
    found = find_pii(text)
    assert [(m.kind, text[m.start : m.end], m.masked) for m in found] == [
        ("e-postadress", "anna.andersson@malmo.se", "a…@malmo.se"),
        ("e-postadress", "registrator@kungsbacka.se", "r…@kungsbacka.se"),
    ]
    assert mask_pii(text).startswith("Frågor till [e-postadress] eller [e-postadress]. ")


def test_mask_pii_masks_everything_once_and_is_stable() -> None:
    text = (
        f"Sökande: {VALID[:6]}-{VALID[6:]}, e-post s.svensson@exempel.se; "
        f"samordningsnummer 19{number('850472')}. Diarienummer KS-2023-00730."
    )
    masked = mask_pii(text)
    assert masked == (
        "Sökande: [personnummer], e-post [e-postadress]; "
        "samordningsnummer [samordningsnummer]. Diarienummer KS-2023-00730."
    )
    assert mask_pii(masked) == masked
    assert find_pii(masked) == []


@st.composite
def written_numbers(draw: st.DrawFn) -> str:
    year = draw(st.integers(1901, 2024))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    serial = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    ten = number(f"{year % 100:02d}{month:02d}{day:02d}", serial)
    form = draw(st.sampled_from(["short", "long", "long-dash"]))
    if form == "short":
        return f"{ten[:6]}-{ten[6:]}"
    century = str(year // 100)
    return f"{century}{ten[:6]}{'-' if form == 'long-dash' else ''}{ten[6:]}"


WORDS = st.lists(st.sampled_from(["nämnden", "beslut", "den", "2023", "§", "12", "kr"]))


@settings(max_examples=200, deadline=None)
@given(written_numbers(), WORDS, WORDS)
def test_any_valid_number_among_words_is_found_and_masked(
    written: str, before: list[str], after: list[str]
) -> None:
    text = " ".join([*before, written, *after])
    assert kinds(text) == [("personnummer", written)]
    assert written not in mask_pii(text)


@settings(max_examples=200, deadline=None)
@given(written_numbers())
def test_a_wrong_check_digit_is_never_personal_data(written: str) -> None:
    assert find_pii(f"nr {wrong_check(written)} avser") == []
