"""Persian typed in Latin letters ("Finglish"): detection and transliteration.

A word lexicon (``data/lexicons/finglish.yaml``) handles the common words with their many
spellings; other words go through letter rules, good enough for fuzzy (character n-gram) matching.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "lexicons" / "finglish.yaml"

_LATIN_WORD = re.compile(r"[A-Za-z]+")
# Longest patterns first; vowels at word starts get an alef carrier.
_RULES: tuple[tuple[str, str], ...] = (
    ("kh", "خ"), ("sh", "ش"), ("ch", "چ"), ("gh", "ق"), ("zh", "ژ"), ("ph", "ف"),
    ("ee", "ی"), ("oo", "و"), ("ou", "و"), ("aa", "ا"), ("ei", "ی"), ("ey", "ی"),
    ("a", "ا"), ("b", "ب"), ("c", "ک"), ("d", "د"), ("e", ""), ("f", "ف"), ("g", "گ"),
    ("h", "ه"), ("i", "ی"), ("j", "ج"), ("k", "ک"), ("l", "ل"), ("m", "م"), ("n", "ن"),
    ("o", "و"), ("p", "پ"), ("q", "ق"), ("r", "ر"), ("s", "س"), ("t", "ت"), ("u", "و"),
    ("v", "و"), ("w", "و"), ("x", "خ"), ("y", "ی"), ("z", "ز"),
)  # fmt: skip
_ENGLISH_HINTS = frozenset(
    [
        "the",
        "is",
        "are",
        "what",
        "how",
        "where",
        "when",
        "please",
        "my",
        "you",
        "your",
        "can",
        "i",
        "to",
        "of",
        "for",
        "and",
        "with",
        "this",
    ]
)


@lru_cache(maxsize=1)
def lexicon(path: Path = LEXICON_PATH) -> dict[str, str]:
    """The Latin → Persian word lexicon (empty if the file is missing)."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k).lower(): str(v) for k, v in (data.get("words") or {}).items()}


def is_finglish(text: str) -> bool:
    """Tell whether ``text`` is Persian written in Latin letters (not English, not Persian)."""
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    letters = sum(ch.isalpha() for ch in text)
    if not words or letters == 0:
        return False
    latin_share = sum(len(w) for w in words) / letters
    if latin_share < 0.6:
        return False
    known = sum(w in lexicon() for w in words)
    english = sum(w in _ENGLISH_HINTS for w in words)
    return known >= english and (known > 0 or english == 0)


def transliterate_word(word: str) -> str:
    """One Latin-script word in Persian letters (lexicon first, then letter rules)."""
    lower = word.lower()
    known = lexicon().get(lower)
    if known is not None:
        return known
    out: list[str] = []
    i = 0
    while i < len(lower):
        for latin, persian in _RULES:
            if lower.startswith(latin, i):
                if i == 0 and latin[0] in "aeiou":
                    persian = ("آ" if latin in ("a", "aa") else "ا") + (
                        persian if latin not in ("a", "aa", "e") else ""
                    )
                elif latin == "e" and i + 1 == len(lower):
                    persian = "ه"
                out.append(persian)
                i += len(latin)
                break
        else:
            out.append(lower[i])
            i += 1
    return "".join(out)


def transliterate(text: str) -> str:
    """Replace every Latin-script word of ``text`` with its Persian form."""
    return _LATIN_WORD.sub(lambda m: transliterate_word(m.group(0)), text)
