"""Finding phrases in text as whole words: the field cues and routing cues read from data/.

Text and phrases are normalised the same way (``nlu.normalize``), half-spaces read as spaces,
punctuation dropped. A one-word phrase of ``PREFIX_MIN`` letters or more also matches the start
of a word, so «مدارک» finds «مدارکش» and «قانون» finds «قانونیه» (but «دفتر» does not find
«دفترخونه», a notary's office).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from nlu.normalize import ZWNJ, normalize, remove_punctuation

PREFIX_MIN = 5


def words_of(text: str) -> tuple[str, ...]:
    """The words of an already normalised text, half-spaces read as spaces."""
    return tuple(remove_punctuation(text.replace(ZWNJ, " ")).split())


@lru_cache(maxsize=4096)
def phrase_words(phrase: str) -> tuple[str, ...]:
    """A phrase as the words :func:`find` compares (memoised: cue lists are read per message)."""
    return words_of(normalize(phrase))


def find(
    phrase: tuple[str, ...], words: tuple[str, ...], ignore: Collection[str] = ()
) -> int | None:
    """Where ``phrase`` starts in ``words`` (None if absent or made only of ignored words)."""
    size = len(phrase)
    for at in range(len(words) - size + 1):
        window = words[at : at + size]
        matches = window == phrase or (
            size == 1 and len(phrase[0]) >= PREFIX_MIN and window[0].startswith(phrase[0])
        )
        if matches and not all(w in ignore for w in window):
            return at
    return None
