"""The one Persian normaliser used for training data, live input and indexing.

An explicit, ordered chain of small steps; each step is a pure function tested as a table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from nlu.digits import to_latin_digits

ZWNJ = "\u200c"

_ARABIC_TO_PERSIAN = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "ؤ": "و",
        "إ": "ا",
        "أ": "ا",
        "ٱ": "ا",
        "ٰ": "",
        "ـ": "",  # tatweel
    }
)
_DIACRITICS = re.compile(r"[\u064B-\u065F\u0670\u06D6-\u06ED]")
_ZW_CHARS = re.compile(r"[\u200b\u200d\u200e\u200f\ufeff]")
_REPEATS = re.compile(r"([^\d\W])\1{2,}")
_PUNCT = re.compile(r"[!-/:-@\[-`{-~«»،؛؟٪×÷…“”‘’]")
_SPACES = re.compile(r"[ \t\r\n\u00a0]+")
_ZWNJ_RUNS = re.compile(r"\s*\u200c[\s\u200c]*")
_PREFIX_MI = re.compile(r"(^|\s)(ن?می)\s+(?=\S)")
_SUFFIXES = re.compile(r"(?<=\S)\s+(ها|های|هایی|ام|ای|اید|ایم|اند|تر|ترین)(?=\s|$)")


def unify_letters(text: str) -> str:
    """Map Arabic letter forms (ي ك ة ۀ أ …) to their Persian forms and drop tatweel."""
    return unicodedata.normalize("NFC", text).translate(_ARABIC_TO_PERSIAN)


def unify_digits(text: str) -> str:
    """Write every digit as a Latin digit, so «۱۲۳», «١٢٣» and "123" match."""
    return to_latin_digits(text)


def strip_diacritics(text: str) -> str:
    """Remove short-vowel marks (اِعراب) and zero-width characters other than ZWNJ."""
    return _ZW_CHARS.sub("", _DIACRITICS.sub("", text))


def squeeze_repeats(text: str) -> str:
    """Collapse letters repeated three or more times («سلاااام» → «سلام»)."""
    return _REPEATS.sub(r"\1", text)


def fix_half_spaces(text: str) -> str:
    """Join «می»/«نمی» and plural/possessive suffixes to their word with a ZWNJ."""
    text = _ZWNJ_RUNS.sub(ZWNJ, text)
    text = _PREFIX_MI.sub(lambda m: f"{m.group(1)}{m.group(2)}{ZWNJ}", text)
    return _SUFFIXES.sub(lambda m: f"{ZWNJ}{m.group(1)}", text)


def clean_spacing(text: str) -> str:
    """Collapse runs of white space and trim."""
    return _SPACES.sub(" ", text).strip()


def lower_latin(text: str) -> str:
    """Lower-case Latin letters (Finglish and English words)."""
    return text.lower()


STEPS: tuple[Callable[[str], str], ...] = (
    unify_letters,
    unify_digits,
    strip_diacritics,
    lower_latin,
    squeeze_repeats,
    clean_spacing,
    fix_half_spaces,
)


def normalize(text: str) -> str:
    """Run the whole chain: the canonical form of a Persian text."""
    for step in STEPS:
        text = step(text)
    return text


def remove_punctuation(text: str) -> str:
    """Replace punctuation with spaces (for matching, not for display)."""
    return clean_spacing(_PUNCT.sub(" ", text))


def tokens(text: str) -> list[str]:
    """Normalised word tokens for matching: punctuation dropped, ZWNJ parts kept together."""
    return remove_punctuation(normalize(text)).split()
