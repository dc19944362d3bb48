"""Keeping questions about services out of the intents that do something else.

DIET sometimes reads «درخواست کارت بازرگانی غیرحضوری ممکن است؟» as "file a request", «این جواز
چیه؟» as "what can you do" or «میشه آنلاین ...؟» as a suggestion. A message that asks about a
field of a service (a field cue of ``data/locale/knowledge.fa.yaml``) never goes to the intents in
``divert_on_field_cue``; a message shaped like a question (``question_words``) never goes to those
in ``divert_on_question``; both go to ``ask_service`` instead, unless the message says it is about
the assistant itself or a suggestion (``keeps_intent``). The lists are data:
``data/lexicons/routing.fa.yaml``. Filing still starts when the citizen asks to file
(«می‌خواهم درخواست گذرنامه ثبت کنم» has no field cue and is not a question).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from nlu.normalize import normalize
from nlu.phrases import find, phrase_words, words_of

ROOT = Path(__file__).resolve().parent.parent
ROUTING_FILE = ROOT / "data" / "lexicons" / "routing.fa.yaml"
CUES_FILE = ROOT / "data" / "locale" / "knowledge.fa.yaml"
TARGET = "ask_service"


@dataclass(frozen=True)
class Router:
    """The cues and the intents a question is diverted from."""

    field_cues: tuple[tuple[str, ...], ...]
    question_words: tuple[tuple[str, ...], ...]
    divert_on_field_cue: frozenset[str]
    divert_on_question: frozenset[str]
    keeps_intent: tuple[tuple[str, ...], ...] = ()

    def route(self, intent: str, text: str) -> str:
        """The intent ``text`` should have, given that DIET said ``intent``."""
        if intent not in self.divert_on_field_cue | self.divert_on_question:
            return intent
        clean = normalize(text)
        words = words_of(clean)
        if any(find(w, words) is not None for w in self.keeps_intent):
            return intent
        if intent in self.divert_on_field_cue and any(
            find(cue, words) is not None for cue in self.field_cues
        ):
            return TARGET
        is_question = "؟" in text or "?" in text
        is_question = is_question or any(find(w, words) is not None for w in self.question_words)
        if intent in self.divert_on_question and is_question:
            return TARGET
        return intent


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
    return Router(
        field_cues=tuple(c for c in field_cues if c),
        question_words=tuple(phrase_words(w) for w in rules["question_words"]),
        divert_on_field_cue=frozenset(rules["divert_on_field_cue"]),
        divert_on_question=frozenset(rules["divert_on_question"]),
        keeps_intent=tuple(phrase_words(w) for w in rules.get("keeps_intent") or ()),
    )
