"""The hybrid retriever: lexical and dense rankings fused, with the evidence for calibration."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import numpy as np

from knowledge.index.dense import AnnParams, DenseIndex
from knowledge.index.documents import Document, Hit
from knowledge.index.embedders import Embedder, VectorCache, vector_cache
from knowledge.index.lexical import LexicalIndex
from knowledge.index.text import Analysis, Analyzer
from knowledge.locale import FIELDS, load_texts
from knowledge.ranking.fusion import FusionParams, fuse
from knowledge.ranking.intent import FieldIntent, intent_matrix
from knowledge.settings import KnowledgeSettings
from nlu.finglish import is_finglish
from nlu.normalize import normalize

logger = logging.getLogger(__name__)

RetrieverKind = Literal["lexical", "dense", "hybrid"]
Params = TypeVar("Params", AnnParams, FusionParams)

_analyzers: dict[tuple[str, ...], Analyzer] = {}
# document digest (or "text:" + text) -> analysis: rebuilds re-analyse only what changed
_analyses: dict[str, Analysis] = {}
_cache_lock = threading.Lock()


def shared_analyzer(keep: Sequence[str] = ()) -> Analyzer:
    """One analyzer per set of kept words, per process."""
    key = tuple(keep)
    with _cache_lock:
        analyzer = _analyzers.get(key)
        if analyzer is None:
            analyzer = _analyzers[key] = Analyzer(keep)
        return analyzer


def analyse_documents(documents: Sequence[Document], analyzer: Analyzer) -> list[Analysis]:
    """Analyses of ``documents``, reusing those of unchanged documents."""
    out = []
    for doc in documents:
        digest = doc.digest()
        with _cache_lock:
            analysis = _analyses.get(digest)
        if analysis is None:
            analysis = analyzer.analyze(f"{doc.title} {doc.text}")
            with _cache_lock:
                if len(_analyses) > 200_000:
                    _analyses.clear()
                _analyses[digest] = analysis
        out.append(analysis)
    return out


def analyse_text(text: str, analyzer: Analyzer) -> Analysis:
    """The analysis of a short text, cached per process."""
    key = f"text:{text}"
    with _cache_lock:
        analysis = _analyses.get(key)
    if analysis is None:
        analysis = analyzer.analyze(text)
        with _cache_lock:
            _analyses[key] = analysis
    return analysis


@dataclass(frozen=True)
class Ranking:
    """The fused ranking of one query and the evidence about its first hit."""

    query: str
    hits: list[Hit]
    features: dict[str, float] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)


def group_of(doc: Document) -> str:
    """What a hit answers about: its service (FAQ or field), or itself (a general FAQ)."""
    return doc.meta.get("service_code") or doc.id


class KnowledgeIndex:
    """Documents searchable by words (BM25) and by meaning (embeddings), fused."""

    def __init__(
        self,
        documents: Sequence[Document],
        lexical: LexicalIndex | None,
        dense: DenseIndex | None,
        embedder: Embedder | None,
        fusion: FusionParams,
        candidates: int = 50,
        intent: FieldIntent | None = None,
        intents: np.ndarray | None = None,
        analyzer: Analyzer | None = None,
    ) -> None:
        self.documents = documents if isinstance(documents, Sequence) else list(documents)
        self.intent = intent
        self.intents = intents
        self.lexical = lexical
        self.dense = dense
        self.embedder = embedder
        # the process-wide cache of the embedder: a repeated question is embedded once
        self.query_cache = vector_cache(embedder) if embedder is not None else None
        self.fusion = fusion
        self.candidates = candidates
        self.kind: RetrieverKind = (
            "hybrid"
            if lexical is not None and dense is not None
            else "dense"
            if dense is not None
            else "lexical"
        )
        self.analyzer = analyzer or (lexical.analyzer if lexical else shared_analyzer())
        # the words of each document's service name (they do not tell which field is asked)
        self._names = [
            frozenset(analyse_text(d.meta.get("service_names", ""), self.analyzer).words)
            for d in self.documents
        ]
        if intent is not None and intents is None:
            self.intents = intent_matrix(
                [d.field if d.kind == "service" else "" for d in self.documents],
                [
                    analyse_text(d.title, self.analyzer) if d.kind == "faq" else None
                    for d in self.documents
                ],
                intent,
            )
        self.answer_keys = [self._answer_key(i) for i in range(len(self.documents))]
        self._key_of = {d.id: k for d, k in zip(self.documents, self.answer_keys, strict=True)}
        self._position = {d.id: i for i, d in enumerate(self.documents)}

    def document(self, doc_id: str) -> Document | None:
        """The document with this id (None if the index has none)."""
        position = self._position.get(doc_id)
        return self.documents[position] if position is not None else None

    def answer_key(self, document: Document) -> str:
        """What answer ``document`` gives (see :meth:`_answer_key`)."""
        return self._key_of.get(document.id, document.id)

    def _answer_key(self, position: int) -> str:
        """Documents with the same key give the same answer: a card field and the FAQs of that
        service that ask about that field."""
        doc = self.documents[position]
        code = doc.meta.get("service_code", "")
        if doc.kind == "service" and doc.field:
            return f"{code}:{doc.field}"
        if code and self.intents is not None and self.intents[position].max() >= 0.5:
            return f"{code}:{FIELDS[int(np.argmax(self.intents[position]))]}"
        return doc.id

    def __len__(self) -> int:
        return len(self.documents)

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        documents: Sequence[Document],
        settings: KnowledgeSettings,
        embedder: Embedder | None = None,
        *,
        retriever: RetrieverKind | None = None,
        cache: VectorCache | None = None,
        analyzer: Analyzer | None = None,
        prebuilt_dense: tuple[np.ndarray, Any] | None = None,
    ) -> KnowledgeIndex:
        """Build the configured retrievers over ``documents`` (only new texts are embedded).

        ``prebuilt_dense``: the passage vectors and faiss index of exactly these documents, in
        this order (a checked saved index), used as they are.
        """
        kind = retriever or settings.retriever
        documents = list(documents)
        lexical = None
        if kind in ("lexical", "hybrid"):
            analyzer = analyzer or shared_analyzer(cue_words(settings))
            lexical = LexicalIndex(
                documents,
                analyzer,
                analyse_documents(documents, analyzer),
                gram_weight=settings.gram_weight,
                k1=settings.bm25_k1,
                b=settings.bm25_b,
                gram_max_docs=settings.gram_max_docs,
            )
        dense = None
        if kind in ("dense", "hybrid"):
            if embedder is None:
                raise ValueError(f"the {kind} retriever needs an embedder")
            passage_doc = [i for i, d in enumerate(documents) for _ in d.embedded_texts()]
            if prebuilt_dense is not None:
                vectors, faiss_index = prebuilt_dense
            else:
                cache = cache or vector_cache(embedder)
                texts = [t for d in documents for t in d.embedded_texts()]
                vectors = (
                    cache.passages(texts) if texts else np.zeros((0, embedder.dim), np.float32)
                )
                faiss_index = None
            dense = DenseIndex(
                passage_doc, vectors, len(documents), params_from(settings, AnnParams), faiss_index
            )
        analyzer = analyzer or (
            lexical.analyzer if lexical else shared_analyzer(cue_words(settings))
        )
        intent = FieldIntent(load_texts(settings.templates_file).cues, analyzer)
        return cls(
            documents,
            lexical,
            dense,
            embedder,
            params_from(settings, FusionParams),
            settings.candidates,
            intent,
            analyzer=analyzer,
        )

    # --- searching --------------------------------------------------------------------------

    def embed_query(self, query: str, analysis: Analysis | None = None) -> np.ndarray:
        """The query's vector: the normalised text (Arabic letters and digits unified, as the
        passages are; colloquial wording kept, e5 reads it well), Finglish in Persian letters."""
        assert self.embedder is not None
        text = normalize(query)
        if analysis is not None and is_finglish(normalize(query)):
            text = analysis.canonical
        if self.query_cache is not None:
            return self.query_cache.query(text)
        return self.embedder.embed_queries([text])[0]

    def search(self, query: str, limit: int = 10) -> Ranking:
        """The best ``limit`` documents for ``query``, with the evidence about the first."""
        timings: dict[str, float] = {}
        depth = max(self.candidates, limit)
        lexical: dict[int, float] = {}
        dense: dict[int, float] = {}
        coverage: dict[int, float] = {}
        lexical_result = None
        vector = None
        started = time.perf_counter()
        analysis = self.analyzer.analyze(query)
        timings["analyse"] = (time.perf_counter() - started) * 1000
        if self.lexical is not None:
            started = time.perf_counter()
            result = lexical_result = self.lexical.search_analysis(analysis, depth)
            lexical = {int(i): float(s) for i, s in zip(result.indices, result.scores, strict=True)}
            coverage = dict(result.coverage)
            timings["lexical"] = (time.perf_counter() - started) * 1000
        if self.dense is not None:
            started = time.perf_counter()
            vector = self.embed_query(query, analysis)
            timings["embed"] = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            found = self.dense.search_vector(vector, depth)
            dense = {int(i): float(s) for i, s in zip(found.indices, found.scores, strict=True)}
            if lexical:  # the cosine of lexical candidates the dense search did not reach
                missing = [d for d in lexical if d not in dense]
                dense.update(self.dense.scores_of(vector, missing))
            timings["dense"] = (time.perf_counter() - started) * 1000
        if self.lexical is not None and self.dense is not None:
            fused = fuse(lexical, dense, self.fusion)
        elif self.lexical is not None:
            fused = dict(lexical)
        else:
            fused = dict(dense)
        weight = self.fusion.intent_weight
        match: dict[int, float] = {}
        if self.intent is not None and self.intents is not None and fused:
            scale = 1.0
            if self.kind != "hybrid":  # raw BM25 or cosine: scale to the spread of the scores
                scale = max(fused.values()) - min(fused.values()) or 1.0
            asked: dict[frozenset[str], np.ndarray] = {}
            for doc in fused:
                names = self._names[doc]
                if names not in asked:
                    asked[names] = self.intent.vector(analysis, names)
                match[doc] = float(self.intents[doc] @ asked[names])
                fused[doc] += weight * scale * match[doc]
        order = sorted(fused, key=lambda d: (-fused[d], d))
        if self.lexical is not None and lexical_result is not None and order:
            coverage[order[0]] = self.lexical.coverage(lexical_result, order[0])
        hits = [
            Hit(self.documents[d], fused[d], lexical.get(d, 0.0), dense.get(d, 0.0))
            for d in order[: max(limit, 10)]
        ]
        features = self._features(order, fused, lexical, dense, coverage, match)
        features["query_words"] = float(len(set(analysis.words)))  # not a calibration input
        return Ranking(query, hits[:limit] if limit else hits, features, timings)

    def _features(
        self,
        order: list[int],
        fused: dict[int, float],
        lexical: dict[int, float],
        dense: dict[int, float],
        coverage: dict[int, float],
        match: dict[int, float],
    ) -> dict[str, float]:
        """Evidence about the first hit: how strong, how far ahead of the next hit and of other
        services, and whether its field is the one asked about."""
        if not order:
            return {"empty": 1.0}
        top = order[0]
        group = group_of(self.documents[top])
        rival = next((d for d in order[1:] if group_of(self.documents[d]) != group), None)
        key = self.answer_keys[top]
        other = next((d for d in order[1:] if self.answer_keys[d] != key), None)
        best_dense = max(dense.values(), default=0.0)
        rival_dense = max(
            (s for d, s in dense.items() if group_of(self.documents[d]) != group), default=0.0
        )
        group_dense = max(
            (s for d, s in dense.items() if group_of(self.documents[d]) == group), default=0.0
        )
        return {
            "empty": 0.0,
            "fused": fused[top],
            "fused_margin": fused[top] - (fused[rival] if rival is not None else 0.0),
            "fused_gap": fused[top] - (fused[order[1]] if len(order) > 1 else 0.0),
            "answer_gap": fused[top] - (fused[other] if other is not None else 0.0),
            "intent_match": match.get(top, 0.0),
            "dense": dense.get(top, 0.0),
            "dense_best": best_dense,
            "dense_margin": group_dense - rival_dense,
            "lexical": lexical.get(top, 0.0),
            "coverage": coverage.get(top, 0.0) if self.lexical is not None else 1.0,
            "coverage_best": max(coverage.values(), default=0.0),
        }


def cue_words(settings: KnowledgeSettings) -> tuple[str, ...]:
    """The words of the field cues: kept by the analysis although some are stop words."""
    texts = load_texts(settings.templates_file)
    return tuple(w for cue in texts.cues.values() for w in cue.split())


def params_from(settings: KnowledgeSettings, params: type[Params]) -> Params:
    """A parameters dataclass (:class:`AnnParams`, :class:`FusionParams`) filled from the
    settings of the same names."""
    return params(**{f.name: getattr(settings, f.name) for f in dataclasses.fields(params)})
