"""What a search answers, as typed values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SearchHit:
    """A search result."""

    id: str
    kind: str
    title: str
    score: float
    service_code: str = ""
    agency: str = ""
    answer: str = ""
    url: str = ""
    field: str = ""
    service_title: str = ""
    confidence: float | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SearchHit:
        """Build from the API's JSON, ignoring fields this client does not know."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


@dataclass(frozen=True)
class SearchResult:
    """Search hits, best first, with the backend's verdict when it gives one
    (``answer``, ``ambiguous`` or ``unknown``)."""

    hits: list[SearchHit]
    outcome: str = "answer"
    candidates: list[dict[str, Any]] = field(default_factory=list)
    # what to tell the citizen (see the backend's DecisionOut): outcome, service_code, parts…
    decision: dict[str, Any] = field(default_factory=dict)
