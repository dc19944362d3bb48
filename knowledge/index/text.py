"""Text analysis for the index: the shared canonical form, lemmas and character n-grams.

Documents and queries go through the same steps:
``nlu.canonical`` (normalise, Finglish → Persian, spoken → written) → words (half-space parts
split) → hazm lemma of each word (stop words dropped, except the words that name a field) →
character n-grams of each word, for typos and inflections the lemmatiser does not know.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nlu.colloquial import formalize_words
from nlu.finglish import is_finglish, transliterate
from nlu.normalize import ZWNJ, normalize, remove_punctuation

GRAM_SIZES = (3, 4)
_lock = threading.Lock()


@lru_cache(maxsize=200_000)
def formal_word(word: str) -> str:
    """The written form of a spoken word («میخوام» → «می‌خواهم»), memoised."""
    return " ".join(formalize_words([word]))


def canonical(text: str) -> str:
    """``nlu.canonical.canonical`` with its word-by-word spoken→written step memoised.

    The same steps in the same order (``tests/knowledge`` checks the two agree on the whole
    catalogue and evaluation set); hazm's informal normaliser costs about a millisecond a word,
    and documents repeat their words.
    """
    clean = normalize(text)
    if is_finglish(clean):
        clean = normalize(transliterate(clean))
    return " ".join(formal_word(word) for word in remove_punctuation(clean).split())


@lru_cache(maxsize=1)
def _hazm() -> tuple[Any, frozenset[str]]:
    with _lock:
        from hazm import Lemmatizer, stopwords_list

        return Lemmatizer(), frozenset(stopwords_list())


@dataclass(frozen=True)
class Analysis:
    """What the lexical index sees of a text."""

    canonical: str
    words: tuple[str, ...]  # lemmas, stop words dropped
    grams: tuple[str, ...]  # character n-grams of every word (stop words too)


class Analyzer:
    """Turns text into index terms; one per process is enough (its caches are shared)."""

    def __init__(self, keep: Iterable[str] = (), gram_sizes: tuple[int, ...] = GRAM_SIZES) -> None:
        self._keep = frozenset(canonical(" ".join(keep)).split()) if keep else frozenset()
        self._gram_sizes = gram_sizes
        self._word_cache: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def canonical(self, text: str) -> str:
        """The shared canonical form (``nlu.canonical``, memoised)."""
        return canonical(text)

    def analyze(self, text: str) -> Analysis:
        """Lemmas and n-grams of ``text``."""
        return self.analyze_canonical(canonical(text))

    def analyze_canonical(self, text: str) -> Analysis:
        """Lemmas and n-grams of an already canonical text."""
        words: list[str] = []
        grams: list[str] = []
        for word in text.split():
            terms, word_grams = self._word(word)
            words.extend(terms)
            grams.extend(word_grams)
        return Analysis(text, tuple(words), tuple(grams))

    def _word(self, word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        cached = self._word_cache.get(word)
        if cached is not None:
            return cached
        lemmatizer, stopwords = _hazm()
        terms: list[str] = []
        grams: list[str] = []
        lemma = lemmatizer.lemmatize(word) if not word.isascii() else word
        parts = [lemma] if ZWNJ not in lemma else [p for p in lemma.split(ZWNJ) if p]
        for part in parts:
            if ZWNJ in word and len(parts) > 1:
                part = lemmatizer.lemmatize(part)
            if part not in stopwords or part in self._keep or word in self._keep:
                terms.append(part)
        for piece in (p for p in word.split(ZWNJ) if p):
            padded = f"<{piece}>"
            for size in self._gram_sizes:
                if len(padded) < size:
                    continue
                grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
        result = (tuple(terms), tuple(grams))
        if len(self._word_cache) < 500_000:
            self._word_cache[word] = result
        return result
