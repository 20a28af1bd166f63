import pytest

from vectorstore.fusion import reciprocal_rank_fusion


def test_items_ranked_well_by_both_lists_win() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]])
    assert [item for item, _ in fused] == ["b", "a", "c"]


def test_an_item_in_one_list_only_still_appears_and_scores_follow_rank() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b"], ["c"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["c"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62)


def test_weights_and_duplicates() -> None:
    fused = reciprocal_rank_fusion([["a", "a", "b"], ["b"]], weights=[1.0, 3.0])
    assert fused[0][0] == "b"
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 2.0])
