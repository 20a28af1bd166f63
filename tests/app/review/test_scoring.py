"""The match score's parts: rescaled e5 cosine and idf-weighted word overlap."""

from __future__ import annotations

import pytest

from app.review.scoring import (
    COSINE_CEILING,
    COSINE_FLOOR,
    MIN_PART_LENGTH,
    PART_CREDIT,
    lexical_score,
    semantic_score,
    word_prefixes,
)


@pytest.mark.parametrize(
    ("cosine", "expected"),
    [
        (COSINE_FLOOR - 0.1, 0.0),
        (COSINE_FLOOR, 0.0),
        ((COSINE_FLOOR + COSINE_CEILING) / 2, 0.5),
        (COSINE_CEILING, 1.0),
        (0.99, 1.0),
    ],
)
def test_semantic_score_rescales_the_useful_cosine_range(cosine: float, expected: float) -> None:
    assert semantic_score(cosine) == pytest.approx(expected)


def test_rare_words_weigh_most() -> None:
    idf = {"nämnd": 0.1, "jävsprövning": 2.0, "": 3.0}
    rec = {"nämnd", "jävsprövning"}
    common = {"nämnd"}
    rare = {"jävsprövning"}
    assert lexical_score(rec, rare, word_prefixes(rare), idf) == pytest.approx(2.0 / 2.1)
    assert lexical_score(rec, common, word_prefixes(common), idf) == pytest.approx(0.1 / 2.1)


def test_a_word_the_reply_never_uses_weighs_most() -> None:
    idf = {"nämnd": 0.5, "": 3.0}
    rec = {"nämnd", "hyressubvention"}
    passage = {"nämnd"}
    assert lexical_score(rec, passage, word_prefixes(passage), idf) == pytest.approx(0.5 / 3.5)


def test_a_shared_first_part_earns_part_credit_a_shared_head_nothing() -> None:
    idf = {"": 1.0}
    rec = {"kunskap"}
    compound = {"kunskapshöjning"}
    assert lexical_score(rec, compound, word_prefixes(compound), idf) == PART_CREDIT
    rec = {"uppföljning"}
    head = {"avtalsuppföljning"}
    assert lexical_score(rec, head, word_prefixes(head), idf) == 0.0


def test_prefixes_start_at_the_minimum_part_length() -> None:
    prefixes = word_prefixes({"kunskap"})
    assert min(len(p) for p in prefixes) == MIN_PART_LENGTH
    assert "kunskap" in prefixes and "kun" not in prefixes


def test_an_empty_recommendation_scores_nothing() -> None:
    assert lexical_score(set(), {"nämnd"}, set(), {"": 1.0}) == 0.0
