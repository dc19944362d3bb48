"""Repairing how a question is spelt, against the knowledge base's own words.

Citizens type «حزینه» for «هزینه», «گواحینامه» for «گواهی‌نامه», «کارتملی» for «کارت ملی». A
word that neither the knowledge base nor hazm's Persian lexicon knows is replaced by the
knowledge-base word it most likely stands for, in this order:

1. the same *sound*: Persian has several letters for one sound (ز ذ ض ظ, س ص ث, ت ط, ق غ, ه ح,
   ا ع), the commonest typos; words are compared by a phonetic key that maps each group to one
   letter (and ignores the half-space), so a homophone typo costs nothing;
2. one or two edits away on that key (a dropped, doubled or swapped letter), by rapidfuzz's
   Levenshtein distance — the closest, then the most frequent in the knowledge base;
3. two known words run together («کارتملی»).

Nothing is changed in a word that is a common Persian word (hazm's lexicon counts it in its
corpus), so a question about football does not become one about something in the catalogue. A
word the lexicon lists but never saw («ثبط», «جواظ» — rare words that are also common typos) is
repaired by sound only; edits and splits are tried only on words nobody knows, and not on a known
word with a suffix («مدارکش», «عوضش»). Words shorter than five letters are repaired by sound only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from nlu.normalize import ZWNJ

_HOMOPHONES = str.maketrans(
    {
        "ذ": "ز",
        "ض": "ز",
        "ظ": "ز",
        "ص": "س",
        "ث": "س",
        "ط": "ت",
        "غ": "ق",
        "ح": "ه",
        "ع": "ا",
        "آ": "ا",
        "ئ": "ی",
        "ء": "",
        ZWNJ: "",
    }
)
_PERSIAN_WORD = re.compile(r"^[\u0600-\u06FF\u200c]+$")
MIN_EDIT_LENGTH = 5


def phonetic_key(word: str) -> str:
    """The word with each group of same-sounding letters written as one letter."""
    return word.translate(_HOMOPHONES)


_VOWEL_LETTERS = re.compile("[اوی]")


def skeleton(word: str) -> str:
    """The consonants of a word after its first letter (and no final «ه»): how a word typed in
    Latin letters and spelt back letter by letter («ساناده» from "sanade", «مامنولخوروجی» from
    "mamnoolkhorooji") still meets the Persian spelling («سند», «ممنوع‌الخروجی»), whose short
    vowels are not written."""
    key = phonetic_key(word)
    if not key:
        return key
    rest = _VOWEL_LETTERS.sub("", key[1:])
    return (key[0] + rest).removesuffix("ه") if len(rest) > 1 else key[0] + rest


def is_verb_form(word: str) -> bool:
    """Whether hazm's lemmatiser reads the word as a verb form («نباشید», «دادیم»)."""
    return "#" in _lemmatizer().lemmatize(word)


@lru_cache(maxsize=1)
def _lemmatizer() -> Any:
    from hazm import Lemmatizer

    return Lemmatizer()


# Attached pronouns and plural endings: a known word with one of them is known.
SUFFIXES = (
    "هایش",
    "هایم",
    "شون",
    "تون",
    "مون",
    "های",
    "ها",
    "ام",
    "ات",
    "اش",
    "ش",
    "م",
    "ت",
    "ه",
    "ی",
)


@lru_cache(maxsize=1)
def persian_lexicon() -> dict[str, int]:
    """hazm's list of Persian words (shipped with the package) and how often its corpus has
    each, half-spaces removed."""
    from hazm import words_list

    return {w[0].replace(ZWNJ, ""): int(w[1]) for w in words_list()}


class Speller:
    """Repairs words against a vocabulary of known-good spellings with their frequencies."""

    def __init__(self, vocabulary: Counter[str], lexicon: Mapping[str, int] | None = None) -> None:
        self.frequency = Counter({w: n for w, n in vocabulary.items() if len(w) >= 3})
        self.lexicon = lexicon or {}
        by_key: dict[str, str] = {}
        by_skeleton: dict[str, str] = {}
        for word, _ in self.frequency.most_common():
            by_key.setdefault(phonetic_key(word), word)
            by_skeleton.setdefault(skeleton(word), word)
        self._by_skeleton = by_skeleton
        self._by_key = by_key
        self._keys = list(by_key)
        self._plain = {w.replace(ZWNJ, "") for w in self.frequency}

    def common(self, word: str) -> bool:
        """Whether ``word`` itself is a knowledge-base word or a common Persian word."""
        plain = word.replace(ZWNJ, "")
        return plain in self._plain or self.lexicon.get(plain, 0) > 0

    def knows(self, word: str) -> bool:
        """Whether ``word`` is a known word, or a known word with a suffix."""
        plain = word.replace(ZWNJ, "")
        return self.common(plain) or any(
            plain.endswith(s) and len(plain) - len(s) >= 2 and self.common(plain[: -len(s)])
            for s in SUFFIXES
        )

    def repair_word(self, word: str, *, from_latin: bool = False) -> str | None:
        """The knowledge-base spelling ``word`` stands for, or None to keep it as it is.

        ``from_latin``: the word was typed in Latin letters and spelt back, so its vowels are
        guesses — it is also matched by consonants (:func:`skeleton`).
        """
        plain = word.replace(ZWNJ, "")
        if len(word) < 3 or not _PERSIAN_WORD.match(word) or self.common(plain):
            return None
        key = phonetic_key(word)
        same_sound = self._by_key.get(key)
        if same_sound is not None:
            return same_sound
        if from_latin and len(word) >= 4:
            consonants = self._by_skeleton.get(skeleton(word))
            if consonants is not None:
                return consonants
        if plain in self.lexicon or self.knows(word) or is_verb_form(word):
            return None
        if plain.startswith(("می", "نمی")):  # a spoken verb form hazm does not know («نمیرسه»)
            return None
        if len(key) >= MIN_EDIT_LENGTH:
            limit = 1 if len(key) < 7 else 2
            found = process.extract(
                key, self._keys, scorer=Levenshtein.distance, score_cutoff=limit, limit=8
            )
            if found:
                best = min(distance for _, distance, _ in found)
                words = [self._by_key[k] for k, distance, _ in found if distance == best]
                return max(words, key=lambda w: self.frequency[w])
        for cut in range(2, len(word) - 1):
            left, right = word[:cut], word[cut:]
            if left in self.frequency and right in self.frequency:
                return f"{left} {right}"
        return None
