"""Searching with a verdict: the ranked hits plus answer / ambiguous / unknown and a confidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.calibration import Judge, Outcome, load_calibration
from knowledge.documents import Document, Hit
from knowledge.retriever import KnowledgeIndex, Ranking, group_of
from knowledge.settings import KnowledgeSettings


@dataclass(frozen=True)
class SearchResult:
    """Hits for a question and what to do with them.

    ``outcome``: ``answer`` (give the first hit), ``ambiguous`` (offer ``candidates``: the best
    hit of each of the first few different answers — another field of the card, another
    service or FAQ — "did you mean …?") or ``unknown`` (the knowledge
    base does not answer it; ``hits`` is then empty and ``candidates`` keeps the near misses for
    staff). ``confidence`` is the calibrated probability that the first hit is right.
    """

    query: str
    outcome: Outcome
    confidence: float
    hits: list[Hit]
    candidates: list[Hit] = field(default_factory=list)
    known: float = float("nan")  # calibrated probability that the knowledge base answers it
    ranking: Ranking | None = None

    @property
    def best(self) -> Hit | None:
        """The first hit, when the outcome is ``answer``."""
        return self.hits[0] if self.outcome == "answer" and self.hits else None


def distinct_answers(
    hits: list[Hit], limit: int, key: Callable[[Document], str] = group_of
) -> list[Hit]:
    """The best hit for each ``key`` (default: each service, or general FAQ), best first."""
    seen: set[str] = set()
    out = []
    for hit in hits:
        key_ = key(hit.document)
        if key_ not in seen:
            seen.add(key_)
            out.append(hit)
            if len(out) == limit:
                break
    return out


def bare_name(features: dict[str, float]) -> bool:
    """Whether the question is one word («گذرنامه», «یارانه»): it names a service or a field but
    not what is asked about it, so the citizen is asked "did you mean …?" however sure the first
    hit is (no dev or test question is this short; the calibration never sees them)."""
    return features.get("query_words", 2.0) <= 1.0


class Searcher:
    """A built index with its calibration."""

    def __init__(self, index: KnowledgeIndex, judge: Judge, max_candidates: int = 3) -> None:
        self.index = index
        self.judge = judge
        self.max_candidates = max_candidates

    @classmethod
    def build(
        cls, documents: list[Document], settings: KnowledgeSettings, **kwargs: object
    ) -> Searcher:
        """Build the configured index and load its calibration."""
        from knowledge.embedders import get_embedder

        kind = settings.retriever
        embedder = get_embedder(settings) if kind != "lexical" else None
        index = KnowledgeIndex.build(documents, settings, embedder, **kwargs)  # type: ignore[arg-type]
        return cls(index, judge_for(index, settings.calibration_file))

    def search(self, query: str, limit: int = 5) -> SearchResult:
        """Hits and verdict for ``query``."""
        ranking = self.index.search(query, max(limit, 10))
        verdict = self.judge.judge(ranking.features)
        candidates = distinct_answers(ranking.hits, self.max_candidates, self.index.answer_key)
        hits = [] if verdict.outcome == "unknown" else ranking.hits[:limit]
        outcome = verdict.outcome
        if outcome == "answer" and bare_name(ranking.features) and len(candidates) >= 2:
            outcome = "ambiguous"
        return SearchResult(
            query=query,
            outcome=outcome,
            confidence=verdict.confidence,
            hits=hits,
            candidates=candidates,
            known=verdict.known,
            ranking=ranking,
        )


def judge_for(index: KnowledgeIndex, calibration_file: Path) -> Judge:
    """The calibration that fits ``index`` (its retriever and embedder)."""
    embedder = index.embedder.calibration_name if index.embedder is not None else ""
    return load_calibration(calibration_file, index.kind, embedder)
