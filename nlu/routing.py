"""Keeping questions about services out of the intents that do something else.

DIET sometimes reads «درخواست کارت بازرگانی غیرحضوری ممکن است؟» as "file a request", «این جواز
چیه؟» as "what can you do", «میشه آنلاین ...؟» as a suggestion, «سلام وقت بخیر، هزینه جواز کسب
چنده؟» as a greeting. Each such intent lists in ``data/lexicons/routing.fa.yaml`` when its messages
go to ``ask_service`` instead: when they name a field of a service (a field cue of
``data/locale/knowledge.fa.yaml``), when they are shaped like a question, both, or when a greeting
goes on to ask about a field — unless the message says it is about the assistant itself, a
suggestion or a request to file (``keeps_intent``). Messages are read as typed and in their
canonical form (Finglish → Persian, spoken → written), as the knowledge search reads them.
Filing still starts when the citizen asks to file («می‌خواهم درخواست گذرنامه ثبت کنم» has no
field cue and is not a question).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from nlu.canonical import canonical
from nlu.normalize import normalize
from nlu.phrases import find, phrase_words, words_of

ROOT = Path(__file__).resolve().parent.parent
ROUTING_FILE = ROOT / "data" / "lexicons" / "routing.fa.yaml"
CUES_FILE = ROOT / "data" / "locale" / "knowledge.fa.yaml"
TARGET = "ask_service"
Phrases = tuple[tuple[str, ...], ...]
# When a message leaves the intent DIET gave it (the values of ``divert`` in the routing file).
CONDITIONS = frozenset(
    {"field_cue", "question", "question_and_field_cue", "greeting_then_field_cue"}
)


def _has(phrases: Phrases, readings: Iterable[tuple[str, ...]]) -> bool:
    return any(find(p, words) is not None for words in readings for p in phrases)


def _without(phrases: Phrases, words: tuple[str, ...]) -> tuple[str, ...]:
    """``words`` with every occurrence of ``phrases`` taken out."""
    kept = list(words)
    for phrase in sorted(phrases, key=len, reverse=True):
        while (at := find(phrase, tuple(kept))) is not None:
            del kept[at : at + len(phrase)]
    return tuple(kept)


@dataclass(frozen=True)
class Router:
    """The cues and, per intent, when its messages are diverted to ``ask_service``."""

    field_cues: Phrases
    question_words: Phrases
    divert: Mapping[str, frozenset[str]]
    keeps_intent: Phrases = ()
    keeps_intent_of: Mapping[str, Phrases] = field(default_factory=dict)
    greetings: Phrases = ()
    min_words_after_greeting: int = 3

    def route(self, intent: str, text: str) -> str:
        """The intent ``text`` should have, given that DIET said ``intent``."""
        conditions = self.divert.get(intent)
        if not conditions:
            return intent
        readings = (words_of(normalize(text)), words_of(canonical(text)))
        keeps = self.keeps_intent + self.keeps_intent_of.get(intent, ())
        if _has(keeps, readings):
            return intent
        cue = _has(self.field_cues, readings)
        question = "؟" in text or "?" in text or _has(self.question_words, readings)
        met = {
            "field_cue": cue,
            "question": question,
            "question_and_field_cue": question and cue,
            "greeting_then_field_cue": self._asks_after_greeting(readings),
        }
        return TARGET if any(met[c] for c in conditions) else intent

    def _asks_after_greeting(self, readings: Iterable[tuple[str, ...]]) -> bool:
        """Whether, greetings taken out, enough words are left and they name a field."""
        for words in readings:
            rest = _without(self.greetings, words)
            if len(rest) >= self.min_words_after_greeting and _has(self.field_cues, [rest]):
                return True
        return False


@lru_cache(maxsize=2)
def load_router(routing: Path = ROUTING_FILE, cues: Path = CUES_FILE) -> Router:
    """The router from the two data files (read once)."""
    rules = yaml.safe_load(routing.read_text(encoding="utf-8"))
    asks = yaml.safe_load(cues.read_text(encoding="utf-8")).get("asks") or {}
    field_cues = tuple(
        phrase_words(p)
        for name, phrases in asks.items()
        if name != "about"  # «چه کسانی», «شامل» do not say a service is being asked about
        for p in phrases
    )
    divert = {intent: frozenset(when) for intent, when in (rules.get("divert") or {}).items()}
    unknown = {c for when in divert.values() for c in when} - CONDITIONS
    if unknown:
        raise ValueError(f"{routing}: unknown conditions {sorted(unknown)}")

    def phrases(items: Iterable[str] | None) -> Phrases:
        return tuple(p for p in (phrase_words(w) for w in items or ()) if p)

    return Router(
        field_cues=tuple(c for c in field_cues if c),
        question_words=phrases(rules["question_words"]),
        divert=divert,
        keeps_intent=phrases(rules.get("keeps_intent")),
        keeps_intent_of={i: phrases(p) for i, p in (rules.get("keeps_intent_of") or {}).items()},
        greetings=phrases(rules.get("greetings")),
        min_words_after_greeting=int(rules.get("min_words_after_greeting", 3)),
    )
