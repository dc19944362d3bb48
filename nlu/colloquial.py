"""Spoken (colloquial) Persian to its written form: «میخوام» → «می‌خواهم», «چیه» → «چیست».

hazm's InformalNormalizer does the heavy lifting; it loads lexicons (a few seconds), so it is
created once per process, on first use.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)

_lock = threading.Lock()

# Words hazm leaves alone but citizens write all the time, with their written equivalents.
EXTRA = {
    "چجوری": "چگونه",
    "چجوریه": "چگونه است",
    "چطوری": "چگونه",
    "چیکار": "چه کار",
    "چقد": "چقدر",
    "چنده": "چقدر است",
    "کجاس": "کجاست",
    "کی": "چه زمانی",
    "میشه": "می‌شود",
    "نمیشه": "نمی‌شود",
    "اینو": "این را",
    "اونو": "آن را",
    "مدارکش": "مدارک آن",
    "هزینه‌ش": "هزینه آن",
    "هزینش": "هزینه آن",
    "تنهام": "تنها هستم",  # hazm: «تن‌هایم»
    "قبوله": "قبول است",  # hazm: «قبوله است»
}

# Words hazm rewrites wrongly for how citizens use them: «تو» is mostly "you" in chat (hazm
# always makes it «در», "in"), and «ناهار» becomes «نهار», which looks like «نه» ("no").
KEEP = frozenset({"تو", "ناهار"})


@lru_cache(maxsize=1)
def _informal() -> Any:
    with _lock:
        from hazm import InformalNormalizer

        logger.info("loading hazm's informal-Persian lexicons")
        return InformalNormalizer()


def formalize_words(words: list[str]) -> list[str]:
    """Map each spoken-Persian word to its written form (unknown words are kept)."""
    out = []
    for word in words:
        if word in KEEP:
            out.append(word)
            continue
        if word in EXTRA:
            out.append(EXTRA[word])
            continue
        sentences = _informal().normalize(word)
        candidates = [c for sentence in sentences for token in sentence for c in token[:1]]
        out.append(" ".join(candidates) if candidates else word)
    return out
