"""Word tokens with character offsets into the original text, plus each token's canonical form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.canonical import canonical_word
from nlu.finglish import is_finglish
from nlu.normalize import normalize

# A word: letters, digits, ZWNJ (half-space joins «می‌خواهم» into one word), inner apostrophes;
# also a run of digits with separators (phone numbers, codes) and anything else non-space alone.
_WORD = re.compile(r"[\w\u200c]+(?:['’][\w\u200c]+)*|[^\w\s\u200c]", re.UNICODE)
_DROP = re.compile(r"^[^\w]$")


@dataclass(frozen=True)
class WordToken:
    """A token: its text as written, where it is, and its canonical form."""

    text: str
    start: int
    end: int
    canonical: str


def tokenize(text: str) -> list[WordToken]:
    """Split ``text`` into word tokens (punctuation dropped) with offsets into ``text``."""
    finglish = is_finglish(normalize(text))
    tokens = []
    for match in _WORD.finditer(text):
        word = match.group(0).strip("\u200c")
        if not word or _DROP.match(word):
            continue
        start = match.start() + match.group(0).index(word)
        tokens.append(
            WordToken(word, start, start + len(word), canonical_word(word, finglish=finglish))
        )
    return tokens
