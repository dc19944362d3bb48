"""BM25 over normalised Persian words plus character n-grams (for typos and inflections)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from knowledge.documents import Document, Hit
from nlu.normalize import ZWNJ, tokens


def features(text: str, ngram: int = 3) -> list[str]:
    """Word tokens (ZWNJ parts split) and character n-grams of each word."""
    words: list[str] = []
    for token in tokens(text):
        words.extend(part for part in token.split(ZWNJ) if part)
    grams: list[str] = []
    for word in words:
        padded = f"<{word}>"
        grams.extend(f"#{padded[i : i + ngram]}" for i in range(max(len(padded) - ngram + 1, 1)))
    return words + grams


class Bm25Index:
    """An in-memory BM25 index; build once, search many times."""

    def __init__(self, documents: Sequence[Document], k1: float = 1.2, b: float = 0.75) -> None:
        self.documents = list(documents)
        self._k1 = k1
        self._b = b
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._lengths: list[int] = []
        for index, doc in enumerate(self.documents):
            counts = Counter(features(f"{doc.title} {doc.text}"))
            self._lengths.append(sum(counts.values()))
            for term, count in counts.items():
                self._postings[term].append((index, count))
        total = len(self.documents)
        self._avg_length = (sum(self._lengths) / total) if total else 0.0
        self._idf = {
            term: math.log(1 + (total - len(p) + 0.5) / (len(p) + 0.5))
            for term, p in self._postings.items()
        }

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """The best ``limit`` documents for ``query``."""
        scores: dict[int, float] = defaultdict(float)
        for term in set(features(query)):
            idf = self._idf.get(term)
            if idf is None:
                continue
            for index, count in self._postings[term]:
                norm = 1 - self._b + self._b * self._lengths[index] / self._avg_length
                scores[index] += idf * count * (self._k1 + 1) / (count + self._k1 * norm)
        best = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:limit]
        return [Hit(self.documents[i], score) for i, score in best]


def build_index(documents: Iterable[Document]) -> Bm25Index:
    """Build a BM25 index over ``documents``."""
    return Bm25Index(list(documents))
