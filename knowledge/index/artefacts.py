"""Saved indexes: documents, passage vectors and the faiss index, with a checked manifest.

Layout: ``<cache dir>/<embedder>/`` holds ``documents.jsonl``, ``vectors.npy``, ``dense.faiss``,
``kept.npz`` and ``manifest.json`` (format version, embedder, dimension, kb_version,
document-set hash, and the size and SHA-256 of every file). A folder is written beside the
current one and swapped in by renaming, so readers never see half a save. On load everything
is checked; anything missing, corrupt or made for another embedder or format is reported and
not used, and the caller rebuilds (and saves again).

``kept.npz`` carries the vectors of earlier saves' passages that this index does not have (by
content hash, the newest first, at most ``MAX_KEPT``): one folder serves catalogues that take
turns — the tests' small catalogues and the real one, an edited catalogue and its previous
version — without embedding again what was embedded once (the whole catalogue: ~2 minutes on
two cores).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import faiss
import numpy as np

from knowledge.index.dense import Matrix
from knowledge.index.documents import Document, documents_digest
from knowledge.index.embedders import Embedder, text_key, vector_cache

if TYPE_CHECKING:  # the index saves what ranking built; only the type is named here
    from knowledge.ranking.retriever import KnowledgeIndex

logger = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: kept.npz
FILES = ("documents.jsonl", "vectors.npy", "dense.faiss", "kept.npz")
MAX_KEPT = 20_000  # passages; ~30 MB of float32 vectors at 384 dimensions


class ArtefactError(Exception):
    """A saved index cannot be used (missing, corrupt or mismatched)."""


@dataclass(frozen=True)
class Artefact:
    """A checked saved index."""

    manifest: dict[str, Any]
    documents: list[Document]
    vectors: Matrix
    faiss_index: Any
    kept_keys: list[str]
    kept_vectors: Matrix

    @property
    def passage_keys(self) -> list[str]:
        """Content hashes of the saved passages, in vector order."""
        return [text_key(t) for d in self.documents for t in d.embedded_texts()]


def _carried_over(cache_dir: Path, embedder: Embedder, keys: set[str]) -> tuple[list[str], Matrix]:
    """Vectors the previous save had (its index first, then what it kept) that ``keys`` lacks."""
    try:
        previous = load(cache_dir, embedder.name, embedder.dim)
    except ArtefactError:
        return [], np.zeros((0, embedder.dim), dtype=np.float32)
    carried: dict[str, Matrix] = {}
    pairs = [
        *zip(previous.passage_keys, previous.vectors, strict=True),
        *zip(previous.kept_keys, previous.kept_vectors, strict=True),
    ]
    for key, vector in pairs:
        if key not in keys and key not in carried and len(carried) < MAX_KEPT:
            carried[key] = vector
    if not carried:
        return [], np.zeros((0, embedder.dim), dtype=np.float32)
    return list(carried), np.stack(list(carried.values())).astype(np.float32)


def artefact_dir(cache_dir: Path, embedder_name: str) -> Path:
    """The folder of the index saved for ``embedder_name``."""
    return Path(cache_dir) / re.sub(r"[^A-Za-z0-9._-]+", "-", embedder_name).strip("-")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save(index: KnowledgeIndex, cache_dir: Path, kb_version: int) -> Path:
    """Save the dense part of ``index`` (documents, vectors, faiss) and return its folder."""
    if index.dense is None or index.embedder is None or index.dense.vectors is None:
        raise ValueError("only an index with embeddings is saved")
    target = artefact_dir(cache_dir, index.embedder.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    own_keys = {text_key(t) for d in index.documents for t in d.embedded_texts()}
    kept_keys, kept_vectors = _carried_over(cache_dir, index.embedder, own_keys)
    staging = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        with (staging / "documents.jsonl").open("w", encoding="utf-8") as handle:
            for doc in index.documents:
                handle.write(json.dumps(doc.to_json(), ensure_ascii=False) + "\n")
        np.save(staging / "vectors.npy", np.ascontiguousarray(index.dense.vectors))
        faiss.write_index(index.dense.index, str(staging / "dense.faiss"))
        np.savez(staging / "kept.npz", keys=np.array(kept_keys, dtype=str), vectors=kept_vectors)
        manifest = {
            "format": FORMAT_VERSION,
            "embedder": index.embedder.name,
            "dim": int(index.embedder.dim),
            "kb_version": int(kb_version),
            "documents": len(index.documents),
            "passages": len(index.dense.vectors),
            "approximate": bool(index.dense.approximate),
            "document_set": documents_digest(index.documents),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": {
                name: {"bytes": (staging / name).stat().st_size, "sha256": _sha256(staging / name)}
                for name in FILES
            },
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        if target.exists():
            os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def load(cache_dir: Path, embedder_name: str, dim: int) -> Artefact:
    """Load and check the index saved for ``embedder_name``; raise :class:`ArtefactError`."""
    folder = artefact_dir(cache_dir, embedder_name)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtefactError(f"no saved index in {folder}") from None
    except (OSError, ValueError) as exc:
        raise ArtefactError(f"unreadable manifest in {folder}: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise ArtefactError(f"{folder}: format {manifest.get('format')!r}, need {FORMAT_VERSION}")
    if manifest.get("embedder") != embedder_name or manifest.get("dim") != dim:
        raise ArtefactError(
            f"{folder}: made with {manifest.get('embedder')} ({manifest.get('dim')} dimensions)"
        )
    for name in FILES:
        expected = (manifest.get("files") or {}).get(name) or {}
        path = folder / name
        if not path.is_file():
            raise ArtefactError(f"{folder}: {name} is missing")
        if path.stat().st_size != expected.get("bytes") or _sha256(path) != expected.get("sha256"):
            raise ArtefactError(f"{folder}: {name} does not match its checksum")
    try:
        with (folder / "documents.jsonl").open(encoding="utf-8") as handle:
            documents = [Document.from_json(json.loads(line)) for line in handle if line.strip()]
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
        index = faiss.read_index(str(folder / "dense.faiss"))
        with np.load(folder / "kept.npz", allow_pickle=False) as kept:
            kept_keys = [str(k) for k in kept["keys"]]
            kept_vectors = kept["vectors"]
    except Exception as exc:  # checksums matched but the content does not parse
        raise ArtefactError(f"{folder}: unreadable ({exc})") from None
    passages = sum(len(d.embedded_texts()) for d in documents)
    if (
        documents_digest(documents) != manifest.get("document_set")
        or vectors.dtype != np.float32
        or vectors.shape != (passages, dim)
        or index.ntotal != passages
        or index.d != dim
        or kept_vectors.shape != (len(kept_keys), dim)
    ):
        raise ArtefactError(f"{folder}: contents disagree with the manifest")
    return Artefact(manifest, documents, vectors, index, kept_keys, kept_vectors)


def seed_cache(cache_dir: Path, embedder: Embedder) -> Artefact | None:
    """Put the vectors saved for ``embedder`` into its process-wide cache; the artefact or None."""
    try:
        saved = load(cache_dir, embedder.name, embedder.dim)
    except ArtefactError as exc:
        logger.info("saved knowledge index not used: %s", exc)
        return None
    cache = vector_cache(embedder)
    cache.put_many(saved.kept_keys, saved.kept_vectors)
    cache.put_many(saved.passage_keys, saved.vectors)
    return saved
