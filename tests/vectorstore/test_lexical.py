import json

from vectorstore.lexical import BM25Index, term_counts, tokenize


def test_swedish_stemming_matches_inflected_forms() -> None:
    assert tokenize("rekommendationerna") == tokenize("rekommendationer")
    assert tokenize("nämndens") == tokenize("nämnden")
    assert "och" not in tokenize("kontroll och uppföljning")


def _index(texts: dict[str, tuple[str, str]]) -> BM25Index:
    rows = [(cid, doc, json.dumps(term_counts(text))) for cid, (doc, text) in texts.items()]
    return BM25Index(lambda: rows, lambda: 1)


def test_rare_terms_rank_first_and_filters_apply() -> None:
    index = _index(
        {
            "d1:0": ("d1", "Nämnden ska stärka internkontrollen av upphandlingar."),
            "d1:1": ("d1", "Nämnden ska följa upp arbetsmarknadsanställningar."),
            "d2:0": ("d2", "Upphandlingar och leverantörskontroller i kommunen."),
        }
    )
    hits = index.search("upphandlingarna", k=5)
    assert {cid for cid, _ in hits} == {"d1:0", "d2:0"}
    assert index.search("upphandling", k=5, doc_ids={"d2"})[0][0] == "d2:0"
    assert index.search("upphandling", k=5, doc_ids={"nope"}) == []
    assert index.search("och", k=5) == []


def test_index_rebuilds_when_generation_changes() -> None:
    rows = [("a:0", "a", json.dumps(term_counts("jäv i protokollen")))]
    generation = [1]
    index = BM25Index(lambda: list(rows), lambda: generation[0])
    assert index.search("jäv", 3)[0][0] == "a:0"
    rows[:] = [("b:0", "b", json.dumps(term_counts("jäv och föreningsbidrag")))]
    generation[0] = 2
    assert index.search("jäv", 3)[0][0] == "b:0"
