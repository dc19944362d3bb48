"""The Persian texts of the knowledge package, read from ``data/locale/knowledge.fa.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.settings import REPO_ROOT

DEFAULT_FILE = REPO_ROOT / "data" / "locale" / "knowledge.fa.yaml"
FIELDS = ("about", "documents", "cost", "duration", "channels", "steps", "legal")
# What a question can ask about a service: the card's fields, and whether it is online (answered
# from the channels field).
ASKABLE = (*FIELDS, "online")


@dataclass(frozen=True)
class Texts:
    """Field labels and cue words, value formats and answer templates."""

    labels: dict[str, str]
    cues: dict[str, str]
    faq_label: str
    online_label: str  # how the channels field is named when the question asks if it is online
    values: dict[str, Any]
    answer: dict[str, str]
    asks: dict[str, tuple[str, ...]]  # field → phrases that ask for it
    asks_weak: dict[str, str]  # phrase → the field it asks for when nothing else is asked
    variant_words: tuple[str, ...]  # words that name a variant of a service («تمدید»)
    generic_heads: tuple[str, ...]  # head words that need the next word («کارت ملی»)
    base_variant_words: tuple[str, ...]  # variant words of a first issue («صدور»)
    browse_cues: tuple[str, ...]  # «چه خدماتی»: a question that browses an agency or cluster
    browse_generic: tuple[str, ...]  # words of agency and cluster names that do not count

    def value(self, key: str, **params: object) -> str:
        """A value format with its placeholders filled."""
        return str(self.values[key]).format(**params)


@lru_cache(maxsize=4)
def load_texts(path: Path = DEFAULT_FILE) -> Texts:
    """Read (once) and check the locale file."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    fields = data["fields"]
    missing = [name for name in FIELDS if name not in fields]
    if missing:
        raise ValueError(f"{path}: fields without texts: {missing}")
    return Texts(
        labels={name: str(fields[name]["label"]) for name in FIELDS},
        cues={name: str(fields[name].get("cue", "")) for name in FIELDS},
        faq_label=str(data["faq_label"]),
        online_label=str(data.get("online_label") or ""),
        values=dict(data["values"]),
        answer={key: str(value) for key, value in data["answer"].items()},
        asks={
            name: tuple(str(p) for p in (data.get("asks") or {}).get(name) or ())
            for name in ASKABLE
        },
        asks_weak={str(k): str(v) for k, v in (data.get("asks_weak") or {}).items()},
        variant_words=tuple(str(w) for w in (data.get("variants") or {}).get("words") or ()),
        generic_heads=tuple(
            str(w) for w in (data.get("variants") or {}).get("generic_heads") or ()
        ),
        base_variant_words=tuple(str(w) for w in (data.get("variants") or {}).get("base") or ()),
        browse_cues=tuple(str(w) for w in (data.get("browse") or {}).get("cues") or ()),
        browse_generic=tuple(str(w) for w in (data.get("browse") or {}).get("generic") or ()),
    )
