"""BM25 over canonical lemmas, plus BM25 over character n-grams (typos and inflections).

Both are inverted indexes held as flat numpy arrays (CSR by term): a query sums the
precomputed BM25 weights of its terms' postings with one ``bincount``. Building is vectorised,
so the same code serves the catalogue (a thousand documents) and the million-document bench.
"""

from __future__ import annotations

import logging
import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from knowledge.index.documents import Document, Hit
from knowledge.index.text import Analysis, Analyzer

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


class _Terms:
    """Collects the term ids of one field, document after document, in flat typed arrays."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.ids = array("q")
        self.lengths = array("q")

    def add(self, terms: Sequence[str]) -> None:
        vocab = self.vocab
        self.ids.extend([vocab.setdefault(t, len(vocab)) for t in terms])
        self.lengths.append(len(terms))


class _Bm25Field:
    """One BM25 field: a vocabulary and postings with precomputed per-(term, document) weights."""

    def __init__(self, terms: _Terms, k1: float, b: float, max_df: float = 1.0) -> None:
        lengths = (
            np.frombuffer(terms.lengths, dtype=np.int64)
            if terms.lengths
            else np.zeros(0, dtype=np.int64)
        )
        n_docs = len(lengths)
        self.n_docs = n_docs
        vocab = self.vocab = terms.vocab
        term_ids = (
            np.frombuffer(terms.ids, dtype=np.int64) if terms.ids else np.zeros(0, dtype=np.int64)
        )
        doc_ids = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        keys, tf = np.unique(term_ids * max(n_docs, 1) + doc_ids, return_counts=True)
        del doc_ids
        terms_of = keys // max(n_docs, 1)
        self.docs = (keys % max(n_docs, 1)).astype(np.int32)
        df = np.bincount(terms_of, minlength=len(vocab)).astype(np.float64)
        self.indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        self.idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        # very common terms carry next to no weight; skipping them keeps big indexes fast
        self.skip = df > max_df * n_docs if max_df < 1.0 else np.zeros(len(vocab), dtype=bool)
        avg = float(lengths.mean()) if n_docs else 1.0
        norm = 1.0 - b + b * lengths[self.docs] / max(avg, 1e-9)
        tf_f = tf.astype(np.float32)
        self.weights = (self.idf[terms_of] * tf_f * (k1 + 1) / (tf_f + k1 * norm)).astype(
            np.float32
        )

    def term_ids(self, terms: Iterable[str]) -> list[int]:
        """Known, not skipped, distinct term ids of ``terms``."""
        seen: dict[int, None] = {}
        for term in terms:
            tid = self.vocab.get(term)
            if tid is not None and not self.skip[tid]:
                seen[tid] = None
        return list(seen)

    def scores(self, term_ids: Sequence[int], boosts: Sequence[float] | None = None) -> FloatArray:
        """The BM25 score of every document for these query terms (optionally weighted)."""
        if not term_ids:
            return np.zeros(self.n_docs, dtype=np.float32)
        spans = [(int(self.indptr[t]), int(self.indptr[t + 1])) for t in term_ids]
        docs = np.concatenate([self.docs[a:b] for a, b in spans])
        if boosts is None:
            weights = np.concatenate([self.weights[a:b] for a, b in spans])
        else:
            weights = np.concatenate(
                [self.weights[a:b] * np.float32(w) for (a, b), w in zip(spans, boosts, strict=True)]
            )
        return np.bincount(docs, weights=weights, minlength=self.n_docs).astype(np.float32)

    def contains(self, term_id: int, doc: int) -> bool:
        """Whether document ``doc`` has the term."""
        postings = self.docs[self.indptr[term_id] : self.indptr[term_id + 1]]
        pos = int(np.searchsorted(postings, doc))
        return pos < len(postings) and int(postings[pos]) == doc


class _VocabularyGrams:
    """Character n-grams of the vocabulary: finds the known words closest to an unknown one."""

    def __init__(self, words: Sequence[str], size: int = 3) -> None:
        self._size = size
        self._grams: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        counts = np.zeros(len(words), dtype=np.int32)
        for wid, word in enumerate(words):
            grams = set(self._split(word))
            counts[wid] = len(grams)
            for gram in grams:
                rows.append(self._grams.setdefault(gram, len(self._grams)))
                cols.append(wid)
        order = np.argsort(np.asarray(rows, dtype=np.int64), kind="stable")
        self._words = np.asarray(cols, dtype=np.int32)[order]
        self._ptr = np.concatenate(
            [
                [0],
                np.cumsum(
                    np.bincount(np.asarray(rows, dtype=np.int64), minlength=len(self._grams))
                ),
            ]
        ).astype(np.int64)
        self._counts = counts
        self._n = len(words)

    def _split(self, word: str) -> list[str]:
        padded = f"<{word}>"
        return [padded[i : i + self._size] for i in range(max(len(padded) - self._size + 1, 1))]

    def similar(self, word: str, min_similarity: float, limit: int) -> list[tuple[int, float]]:
        """Known words sharing character n-grams with ``word`` (Dice similarity), best first."""
        grams = [self._grams[g] for g in set(self._split(word)) if g in self._grams]
        if not grams or not self._n:
            return []
        hits = np.concatenate([self._words[self._ptr[g] : self._ptr[g + 1]] for g in grams])
        shared = np.bincount(hits, minlength=self._n)
        candidates = np.nonzero(shared)[0]
        query_len = len(set(self._split(word)))
        dice = 2.0 * shared[candidates] / (query_len + self._counts[candidates])
        keep = dice >= min_similarity
        candidates, dice = candidates[keep], dice[keep]
        order = np.argsort(-dice, kind="stable")[:limit]
        return [(int(candidates[i]), float(dice[i])) for i in order]


@dataclass(frozen=True)
class LexicalResult:
    """The lexical ranking of one query: document positions and scores, best first."""

    indices: IntArray
    scores: FloatArray
    coverage: dict[int, float]  # idf-weighted share of the query's words each top document has
    words: tuple[str, ...] = ()  # the query's words
    word_ids: tuple[int, ...] = ()  # the terms searched (known words and close spellings)
    boosts: tuple[float, ...] = ()


class LexicalIndex:
    """BM25 on lemmas plus ``gram_weight`` × BM25 on character n-grams.

    ``analyses`` (optional, any iterable in document order) saves re-analysing documents.
    Above ``gram_max_docs`` documents the n-gram field is not built (its postings grow with the
    collection, its query cost too — see ``bench/knowledge.py``); unknown words are then matched
    through the vocabulary's n-grams only (``fuzzy``), which grows with the vocabulary.
    """

    def __init__(
        self,
        documents: Sequence[Document],
        analyzer: Analyzer | None = None,
        analyses: Iterable[Analysis] | None = None,
        *,
        gram_weight: float = 0.5,
        k1: float = 1.2,
        b: float = 0.5,
        gram_max_df: float = 1.0,
        gram_max_docs: int = 200_000,
        fuzzy: bool = True,
        fuzzy_min: float = 0.5,
        fuzzy_limit: int = 3,
    ) -> None:
        self.documents = documents
        self.analyzer = analyzer or Analyzer()
        if analyses is None:
            analyses = (self.analyzer.analyze(f"{d.title} {d.text}") for d in self.documents)
        if gram_weight and len(documents) > gram_max_docs:
            logger.info(
                "%d documents: character n-grams of documents off (above %d)",
                len(documents),
                gram_max_docs,
            )
            gram_weight = 0.0
        self.gram_weight = gram_weight
        words, grams = _Terms(), _Terms()
        for analysis in analyses:
            words.add(analysis.words)
            grams.add(analysis.grams if gram_weight else ())
        self._words = _Bm25Field(words, k1, b)
        self._grams = _Bm25Field(grams, k1, b, gram_max_df)
        del words, grams
        self._fuzzy_min = fuzzy_min
        self._fuzzy_limit = fuzzy_limit
        self._vocabulary = _VocabularyGrams(list(self._words.vocab)) if fuzzy else None
        # an unknown word counts as rare as the rarest known one when judging coverage
        self._unknown_idf = math.log1p((len(self.documents) + 0.5) / 0.5)

    def __len__(self) -> int:
        return len(self.documents)

    def search_analysis(self, query: Analysis, limit: int) -> LexicalResult:
        """The best ``limit`` documents for an analysed query."""
        word_ids = self._words.term_ids(query.words)
        boosts = [1.0] * len(word_ids)
        if self._vocabulary is not None:  # unknown words: their nearest known spellings
            for word in dict.fromkeys(query.words):
                if word in self._words.vocab:
                    continue
                for tid, similarity in self._vocabulary.similar(
                    word, self._fuzzy_min, self._fuzzy_limit
                ):
                    if tid not in word_ids:
                        word_ids.append(tid)
                        boosts.append(similarity)
        scores = self._words.scores(word_ids, boosts)
        if self.gram_weight:
            scores += self.gram_weight * self._grams.scores(self._grams.term_ids(query.grams))
        n = len(scores)
        if n == 0:
            return LexicalResult(np.zeros(0, np.int64), np.zeros(0, np.float32), {})
        k = min(limit, n)
        top = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] > 0]
        coverage = {int(i): self._coverage(query.words, word_ids, boosts, int(i)) for i in top[:3]}
        return LexicalResult(
            top.astype(np.int64),
            scores[top],
            coverage,
            tuple(query.words),
            tuple(word_ids),
            tuple(boosts),
        )

    def coverage(self, result: LexicalResult, doc: int) -> float:
        """The idf-weighted share of the query's words that document ``doc`` contains."""
        cached = result.coverage.get(doc)
        if cached is not None:
            return cached
        return self._coverage(result.words, result.word_ids, result.boosts, doc)

    def _coverage(
        self, words: Sequence[str], word_ids: Sequence[int], boosts: Sequence[float], doc: int
    ) -> float:
        distinct = set(words)
        total = sum(
            float(self._words.idf[self._words.vocab[w]])
            if w in self._words.vocab
            else self._unknown_idf
            for w in distinct
        )
        if total <= 0:
            return 0.0
        matched = sum(
            float(self._words.idf[t]) * boost
            for t, boost in zip(word_ids, boosts, strict=True)
            if self._words.contains(t, doc)
        )
        return min(matched / total, 1.0)

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """The best ``limit`` documents for ``query`` (BM25 scores)."""
        result = self.search_analysis(self.analyzer.analyze(query), limit)
        return [
            Hit(self.documents[i], float(s), lexical=float(s))
            for i, s in zip(result.indices, result.scores, strict=True)
        ]
