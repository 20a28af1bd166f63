"""Choosing the sentences of an extractive answer, over the real sample-corpus index."""

from __future__ import annotations

from dataclasses import replace

from app.answering.extractive import MAX_PER_PASSAGE, MIN_SENTENCE_WORDS, best_sentences
from vectorstore.store import Hit, Store

QUESTION = "Hur många deltagare avslutade en arbetsmarknadsanställning under 2020?"
ANSWERING = (
    "Under 2020 avslutade 412 deltagare en arbetsmarknadsanställning i Malmö stad. "
    "Av deltagarna som avslutade en arbetsmarknadsanställning under 2020 gick hälften till arbete. "
    "Av dem som avslutade anställningen under 2020 gick många vidare till studier. "
    "Kort mening.\n"
    "Rubrik om arbetsmarknadsanställning 2020"
)
OTHER = (
    "Nämnden har sett över rutinerna för attestering av fakturor. "
    "Kontrollerna av leverantörer ska stärkas under året."
)


def _hit(number: int, text: str) -> Hit:
    return Hit(f"c{number}", f"fil{number}.txt", "", "yttrande", "", "", "", "", 1, text, 0.0)


def test_the_best_sentences_answer_and_do_not_crowd_one_passage(corpus_store: Store) -> None:
    hits = [_hit(0, ANSWERING), _hit(1, OTHER), _hit(2, ANSWERING.replace("412", "fyrahundra"))]
    chosen = best_sentences(corpus_store, QUESTION, hits, max_sentences=3)
    assert 1 <= len(chosen) <= 3
    assert "2020" in chosen[0].text and chosen[0].passage in (0, 2)
    assert all(c.passage != 1 for c in chosen)  # the passage about something else
    for passage in {c.passage for c in chosen}:
        assert sum(c.passage == passage for c in chosen) <= MAX_PER_PASSAGE
    assert all(len(c.text.split()) >= MIN_SENTENCE_WORDS for c in chosen)
    assert all(c.text.endswith(".") for c in chosen)  # the heading line is no sentence
    assert [c.score for c in chosen] == sorted((c.score for c in chosen), reverse=True)
    # A sentence repeated word for word in another passage is taken once.
    assert len({c.text for c in chosen}) == len(chosen)


def test_max_sentences_caps_the_answer(corpus_store: Store) -> None:
    hits = [_hit(0, ANSWERING), _hit(1, ANSWERING.replace("Malmö stad", "staden"))]
    assert len(best_sentences(corpus_store, QUESTION, hits, max_sentences=1)) == 1


def test_passages_about_something_else_give_nothing(corpus_store: Store) -> None:
    hits = [_hit(0, OTHER)]
    assert best_sentences(corpus_store, "Vad är huvudstaden i Frankrike?", hits, 3) == []
    assert best_sentences(corpus_store, QUESTION, [replace(hits[0], text="Kort.")], 3) == []
