"""The words citizens use for services, and the catalogue's words for them.

«پاسپورت» is «گذرنامه», «لایسنس» a «گواهی‌نامه رانندگی», «سربازی» the «نظام وظیفه». A question
is searched with the catalogue's words added after its own (``expand``), so both the lexical and
the dense retriever see them and nothing the citizen wrote is lost. The base lexicon is
``data/lexicons/services.fa.yaml``; admins extend it in the database (``backend_api/lexicon``),
and the search index takes both when it is built, so a new synonym needs no retrain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.settings import REPO_ROOT
from nlu.normalize import ZWNJ, normalize, remove_punctuation

BASE_FILE = REPO_ROOT / "data" / "lexicons" / "services.fa.yaml"


def _words(text: str) -> tuple[str, ...]:
    return tuple(remove_punctuation(normalize(text).replace(ZWNJ, " ")).split())


@lru_cache(maxsize=4)
def base_synonyms(path: Path = BASE_FILE) -> dict[str, str]:
    """The base lexicon: phrase → the catalogue's words."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in (data.get("synonyms") or {}).items()}


@dataclass(frozen=True)
class Lexicon:
    """Phrases (as word tuples, longest first) and the words each adds to a question."""

    entries: tuple[tuple[tuple[str, ...], str], ...]

    @classmethod
    def of(cls, *sources: Mapping[str, str]) -> Lexicon:
        """A lexicon from phrase → meaning maps (later ones win for the same phrase)."""
        merged: dict[tuple[str, ...], str] = {}
        for source in sources:
            for phrase, meaning in source.items():
                words = _words(phrase)
                if words and meaning.strip():
                    merged[words] = normalize(meaning)
        ordered = sorted(merged.items(), key=lambda item: -len(item[0]))
        return cls(tuple(ordered))

    def meanings(self, text: str) -> list[str]:
        """The catalogue words for the phrases in ``text`` (each phrase once, longest first;
        a phrase inside a longer matched one does not count again)."""
        words = _words(text)
        taken = [False] * len(words)
        out: list[str] = []
        for phrase, meaning in self.entries:
            size = len(phrase)
            for at in range(len(words) - size + 1):
                if words[at : at + size] == phrase and not any(taken[at : at + size]):
                    for i in range(at, at + size):
                        taken[i] = True
                    if meaning not in out:
                        out.append(meaning)
        return out

    def expand(self, text: str) -> str:
        """``text`` followed by the catalogue's words for what it names."""
        extra = [m for m in self.meanings(text) if m not in text]
        return f"{text} {' '.join(extra)}" if extra else text

    def words(self) -> Iterable[str]:
        """Every word of the lexicon (both sides): known spellings for the speller."""
        for phrase, meaning in self.entries:
            yield from phrase
            yield from _words(meaning)
