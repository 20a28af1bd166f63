"""Reading a reply into blocks and passages: lines, sections, quotes, owners, own words."""

from __future__ import annotations

from app.review.passages import (
    MAX_WINDOW,
    ReplyBlock,
    own_words,
    passages,
    read_reply,
    says_something,
    token_set,
)

QUOTE = "Säkerställa att nämndens jävsprövningar protokollförs."
OTHER = "Tydliggöra ansvaret för avtalsuppföljning inom förvaltningen."

REPLY = f"""<!-- sida 4 -->

# Yttrande

## Rekommendation 1

{QUOTE}

Nämnden antecknar varje jävsprövning i protokollet från och med i år.

Rutinen följs upp av nämndsekreteraren varje kvartal.

## Rekommendation 2

{OTHER}

Förvaltningschefen ansvarar för avtalsuppföljningen sedan januari.
"""


def _blocks() -> list[ReplyBlock]:
    return read_reply(REPLY, [token_set(QUOTE), token_set(OTHER)])


def test_blocks_know_their_lines_page_and_section() -> None:
    blocks = _blocks()
    lines = REPLY.splitlines()
    answer = next(b for b in blocks if "antecknar" in b.block.text)
    assert lines[answer.start_line - 1].startswith("Nämnden antecknar")
    assert answer.end_line == answer.start_line
    assert answer.block.page == 4
    assert answer.section == "Yttrande > Rekommendation 1"


def test_a_quote_is_no_answer_and_owns_what_follows_it() -> None:
    blocks = _blocks()
    quote = next(b for b in blocks if b.block.text == QUOTE)
    assert quote.quoted == {0} and quote.answer == ""
    first, second = (b for b in blocks if b.owners == {0} and b.answer)
    assert first.direct and not second.direct
    last = next(b for b in blocks if "Förvaltningschefen" in b.block.text)
    assert last.owners == {1} and last.direct


def test_passages_are_windows_within_one_answer() -> None:
    found = passages(_blocks())
    texts = [p.text for p in found]
    assert any("antecknar" in t and "nämndsekreteraren" in t for t in texts)
    assert not any("antecknar" in t and "Förvaltningschefen" in t for t in texts)
    assert all(p.last - p.first < MAX_WINDOW for p in found)
    assert all(says_something(p.text) for p in found)


def test_own_words_drop_the_quote_questions_and_audit_reports() -> None:
    text = (
        f"Rekommendation: {QUOTE} Hur ska nämnden arbeta med jäv? "
        "Granskningen visar att protokollen brister. "
        "Nämnden antecknar numera varje jävsprövning."
    )
    assert own_words(text, [token_set(QUOTE)]) == "Nämnden antecknar numera varje jävsprövning."
    # Without the quote given, the recommendation's words are the reply's own.
    assert QUOTE in own_words(text, [])


def test_a_position_on_the_audit_is_the_replys_own() -> None:
    text = "Nämnden delar revisionens bedömning att protokollen brister."
    assert own_words(text, []) == text


def test_says_something_counts_content_words() -> None:
    assert not says_something("Beslutet skickas till")
    assert says_something("Nämnden antecknar jävsprövningar.")
