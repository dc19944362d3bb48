"""Passage vectors in faiss: exact inner product for small collections, approximate above.

Below ``AnnParams.ann_threshold`` passages the index is exact (IndexFlatIP); from there on it is an
inverted file (IVF-Flat, the default) or HNSW. Measured with ``bench/knowledge.py`` on 2 cores at
1M synthetic e5-like vectors: IVF (4096 lists, 128 probed) gives recall@10 0.96 at ~3 ms p95 and
builds in ~2.5 min; HNSW (M=32) needs efSearch 512 for 0.95 (~11 ms p95) and ~9 min to build.
At 60k, 1024 lists: 64 probed give 0.96 (32 only 0.92), hence at least 64.

A document may have several passages (a FAQ's question and its other phrasings); it scores as
its best passage. Vectors are unit length, so inner product is cosine similarity.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class AnnParams:
    """When and how the approximate index is used."""

    ann_threshold: int = 50_000  # at least this many vectors: approximate; fewer: exact search
    ann_kind: str = "ivf"  # "ivf" or "hnsw"
    ivf_nlist: int = 0  # IVF lists; 0: about 4·√n, a power of two
    ivf_nprobe: int = 0  # IVF lists searched; 0: 1/32 of the lists, at least 64
    hnsw_m: int = 32  # HNSW
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 512

    def lists(self, n: int) -> int:
        """How many IVF lists for ``n`` vectors."""
        return self.ivf_nlist or 2 ** max(4, round(math.log2(4 * math.sqrt(max(n, 1)))))

    def probes(self, nlist: int) -> int:
        """How many IVF lists a search visits."""
        return min(nlist, self.ivf_nprobe or max(64, nlist // 32))


def make_faiss_index(vectors: Matrix, params: AnnParams, seed: int = 0) -> Any:
    """The index ``params`` call for, holding ``vectors`` (IVF is trained on a sample of them)."""
    dim = vectors.shape[1]
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index: Any
    if len(vectors) < params.ann_threshold:
        index = faiss.IndexFlatIP(dim)
    elif params.ann_kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = params.hnsw_ef_construction
        index.hnsw.efSearch = params.hnsw_ef_search
    else:
        nlist = max(1, min(params.lists(len(vectors)), len(vectors)))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = min(len(vectors), 64 * nlist)
        rows = np.random.default_rng(seed).choice(len(vectors), sample, replace=False)
        index.train(vectors[np.sort(rows)])
        index.nprobe = params.probes(nlist)
    if len(vectors):
        index.add(vectors)
    return index


def is_approximate(index: Any) -> bool:
    """Whether ``index`` searches approximately (IVF or HNSW)."""
    return isinstance(index, faiss.IndexHNSW | faiss.IndexIVF)


def configure(index: Any, params: AnnParams) -> None:
    """Apply the search-time parameters to a (loaded) approximate index."""
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = params.hnsw_ef_search
    elif isinstance(index, faiss.IndexIVF):
        index.nprobe = params.probes(index.nlist)


@dataclass(frozen=True)
class DenseResult:
    """The dense ranking of one query: document positions and cosines, best first."""

    indices: IntArray
    scores: Matrix


class DenseIndex:
    """Vectors of every passage of every document, searchable by a query vector."""

    def __init__(
        self,
        passage_doc: Sequence[int] | npt.NDArray[np.int64],
        vectors: Matrix | None,
        n_docs: int,
        params: AnnParams | None = None,
        index: Any = None,
    ) -> None:
        self.params = params or AnnParams()
        self.passage_doc = np.asarray(passage_doc, dtype=np.int64)
        if len(self.passage_doc) > 1 and np.any(np.diff(self.passage_doc) < 0):
            raise ValueError("passages must be grouped by document, in document order")
        # the passages of document d are rows doc_start[d] .. doc_start[d + 1] - 1
        self.doc_start = np.searchsorted(self.passage_doc, np.arange(n_docs + 1))
        self.vectors = vectors  # None when only the faiss index holds them (the bench at 1M)
        self.n_docs = n_docs
        if index is None:
            if vectors is None:
                raise ValueError("either vectors or a faiss index is needed")
            index = make_faiss_index(vectors, self.params)
        self.index = index
        configure(index, self.params)
        if vectors is None and isinstance(index, faiss.IndexIVF):
            index.make_direct_map()  # scores_of reads vectors back from the index
        self._fanout = max(1, int(np.bincount(self.passage_doc).max())) if n_docs else 1

    @property
    def approximate(self) -> bool:
        """Whether search is approximate (HNSW)."""
        return is_approximate(self.index)

    def search_vector(self, query: Matrix, limit: int) -> DenseResult:
        """The best ``limit`` documents for a query vector (best passage per document)."""
        total = self.index.ntotal
        if total == 0 or limit <= 0:
            return DenseResult(np.zeros(0, np.int64), np.zeros(0, np.float32))
        k = min(total, limit * self._fanout if self._fanout > 1 else limit)
        scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), k)
        best: dict[int, float] = {}
        for pid, score in zip(ids[0], scores[0], strict=True):
            if pid < 0:
                continue
            doc = int(self.passage_doc[pid])
            if doc not in best:  # results come best first
                best[doc] = float(score)
                if len(best) == limit:
                    break
        docs = np.fromiter(best.keys(), dtype=np.int64, count=len(best))
        values = np.fromiter(best.values(), dtype=np.float32, count=len(best))
        return DenseResult(docs, values)

    def scores_of(self, query: Matrix, docs: Sequence[int]) -> dict[int, float]:
        """Exact cosine of the query with the given documents (their best passage)."""
        out: dict[int, float] = {}
        if not len(docs) or self.index.ntotal == 0:
            return out
        q = query.reshape(-1).astype(np.float32)
        spans = [(int(d), int(self.doc_start[d]), int(self.doc_start[d + 1])) for d in docs]
        rows = np.asarray([r for _, a, b in spans for r in range(a, b)], dtype=np.int64)
        if not len(rows):
            return out
        if self.vectors is not None:
            sims = self.vectors[rows] @ q
        else:  # only the faiss index holds them
            sims = self.index.reconstruct_batch(rows) @ q
        position = 0
        for doc, a, b in spans:
            if b > a:
                out[doc] = float(np.max(sims[position : position + b - a]))
                position += b - a
        return out
