"""The canonical form of a citizen's text, shared by the Rasa pipeline and the knowledge index.

normalise → (Finglish → Persian letters) → spoken → written Persian → normalise again.
"""

from __future__ import annotations

from nlu.colloquial import formalize_words
from nlu.finglish import is_finglish, transliterate, transliterate_word
from nlu.normalize import normalize, remove_punctuation


def canonical(text: str) -> str:
    """The canonical written-Persian form of ``text`` (for matching, never for display)."""
    clean = normalize(text)
    if is_finglish(clean):
        clean = normalize(transliterate(clean))
    return " ".join(formalize_words(remove_punctuation(clean).split()))


def canonical_word(word: str, *, finglish: bool) -> str:
    """The canonical form of one token (``finglish``: the sentence is in Latin letters)."""
    clean = normalize(word)
    if finglish and clean.isascii() and clean.isalpha():
        clean = normalize(transliterate_word(clean))
    return "_".join(formalize_words([clean])) if clean else clean
