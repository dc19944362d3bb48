"""The searchable unit: one document with an id, a kind and the text to match."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """A searchable text with what a hit should carry back to the caller."""

    id: str
    text: str
    title: str = ""
    kind: str = "faq"
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """A document found for a query, with its score (higher is better)."""

    document: Document
    score: float
