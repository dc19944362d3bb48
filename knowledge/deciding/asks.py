"""Which fields of a service a question asks about, from the phrases in the locale file.

«هزینه و مدارک تمدید گذرنامه چیه؟» asks for the cost and the documents; «کارت بازرگانی چند
درمیاد» for the cost; «گذرنامه آنلاین میشه؟» whether it is online. The phrases (formal, spoken,
English) are data: ``asks`` and ``asks_weak`` in ``data/locale/knowledge.fa.yaml``. A question is
read twice — as typed (normalised) and in its canonical form (spoken → written, Finglish →
Persian) — and fields come back in the order the question names them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from knowledge.index.text import canonical
from knowledge.locale import Texts
from nlu.normalize import normalize
from nlu.phrases import find, words_of

# A weak phrase («چقدر», «چیه») counts only in a clause where no other phrase asks for a field:
# «چقدر طول میکشه» is the duration alone, «ماهی چقدره و آنلاین میشه؟» the cost and online.
_CLAUSES = re.compile(r"[؟?،,.!؛;:\n]+|\s+و\s+|\s+یا\s+")


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]
    field: str
    weak: bool


class AskedFields:
    """Finds the fields a question asks about."""

    def __init__(self, asks: dict[str, tuple[str, ...]], weak: dict[str, str]) -> None:
        phrases = [
            _Phrase(words_of(normalize(p)), name, False) for name, ps in asks.items() for p in ps
        ]
        phrases += [_Phrase(words_of(normalize(p)), name, True) for p, name in weak.items()]
        self._phrases = [p for p in phrases if p.words]

    @classmethod
    def from_texts(cls, texts: Texts) -> AskedFields:
        """The phrases of a locale file."""
        return cls(texts.asks, texts.asks_weak)

    def of(self, text: str, ignore: Collection[str] = ()) -> tuple[str, ...]:
        """The fields ``text`` asks about, in the order it names them (empty: none named).

        ``ignore``: words that do not count (the words of the service's own names).
        """
        found: dict[str, float] = {}
        for number, clause in enumerate(_CLAUSES.split(normalize(text))):
            strong: dict[str, float] = {}
            weak: dict[str, float] = {}
            for words in (words_of(clause), words_of(canonical(clause))):
                for phrase in self._phrases:
                    at = find(phrase.words, words, ignore)
                    if at is not None:
                        into = weak if phrase.weak else strong
                        into[phrase.field] = min(into.get(phrase.field, 1e9), number * 1e3 + at)
            for name, position in (strong or weak).items():
                found[name] = min(found.get(name, position), position)
        fields = sorted(found, key=lambda name: found[name])
        if "online" in fields and "channels" in fields:  # the online answer says where too
            fields.remove("channels")
        return tuple(fields)


def name_words(names: Iterable[str]) -> frozenset[str]:
    """The words of a service's names, as :meth:`AskedFields.of` compares them."""
    return frozenset(w for name in names for w in words_of(normalize(name)))
