"""Retrieval and outcome metrics over a query set ``{"query", "gold": [ids], "kind"?}``."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.index.documents import iter_jsonl
from knowledge.search import Searcher, SearchResult


@dataclass(frozen=True)
class QueryRow:
    """One evaluation question and the ids of the documents that answer it (none: no answer)."""

    query: str
    gold: tuple[str, ...]
    kind: str = ""

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> QueryRow:
        """A row of a queries JSONL file."""
        return cls(
            str(row["query"]),
            tuple(str(g) for g in row.get("gold") or ()),
            str(row.get("kind", "")),
        )


def load_queries(path: Path) -> list[QueryRow]:
    """Rows of a queries JSONL file."""
    return [QueryRow.from_json(row) for row in iter_jsonl(path)]


def ranking_metrics(ids: Sequence[str], gold: Iterable[str]) -> dict[str, float]:
    """top-1, top-3, reciprocal rank and nDCG within the first 10 (binary relevance)."""
    relevant = set(gold)
    first = next((rank for rank, doc in enumerate(ids[:10], 1) if doc in relevant), None)
    dcg = sum(1.0 / math.log2(rank + 1) for rank, doc in enumerate(ids[:10], 1) if doc in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), 10) + 1))
    return {
        "top1": float(first == 1),
        "top3": float(first is not None and first <= 3),
        "mrr10": 1.0 / first if first else 0.0,
        "ndcg10": dcg / ideal if ideal else 0.0,
    }


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0 when empty)."""
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else 0.0


def evaluate(
    search: Callable[[str], SearchResult],
    rows: Sequence[QueryRow],
    *,
    warmup: int = 3,
) -> dict[str, Any]:
    """Retrieval metrics on the answerable rows, outcome metrics on all, and latency."""
    for row in rows[:warmup]:  # (other texts than the measured ones: query vectors are cached)
        search(f"{row.query} {row.query}")
    sums: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    latencies: list[float] = []
    outcomes: Counter[tuple[str, str]] = Counter()  # (truth, outcome)
    answered_right = 0
    details = []
    for row in rows:
        started = time.perf_counter()
        result = search(row.query)
        latencies.append((time.perf_counter() - started) * 1000)
        ids = [h.document.id for h in (result.ranking.hits if result.ranking else result.hits)]
        truth = "answerable" if row.gold else "no_answer"
        outcomes[(truth, result.outcome)] += 1
        if row.gold:
            metrics = ranking_metrics(ids, row.gold)
            sums.update(metrics)
            sums["n"] += 1
            kind = by_kind.setdefault(row.kind or "all", Counter())
            kind.update(metrics)
            kind["n"] += 1
            if result.outcome == "answer" and metrics["top1"]:
                answered_right += 1
        details.append(
            {
                "query": row.query,
                "gold": list(row.gold),
                "kind": row.kind,
                "top": ids[:3],
                "outcome": result.outcome,
                "confidence": round(result.confidence, 4)
                if result.confidence == result.confidence
                else None,
            }
        )
    n = sums["n"] or 1
    report: dict[str, Any] = {
        "top1": sums["top1"] / n,
        "top3": sums["top3"] / n,
        "mrr10": sums["mrr10"] / n,
        "ndcg10": sums["ndcg10"] / n,
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p95": percentile(latencies, 95),
        "n_queries": int(sums["n"]),
    }
    report["by_kind"] = {
        kind: {m: round(c[m] / c["n"], 4) for m in ("top1", "top3", "mrr10")} | {"n": c["n"]}
        for kind, c in sorted(by_kind.items())
    }
    report["outcomes"] = outcome_metrics(outcomes, answered_right)
    report["details"] = details
    return report


def outcome_metrics(outcomes: Counter[tuple[str, str]], answered_right: int) -> dict[str, Any]:
    """Precision and recall of "unknown", precision of "answer", and the confusion table."""
    unknown_true = outcomes[("no_answer", "unknown")]
    unknown_called = outcomes[("no_answer", "unknown")] + outcomes[("answerable", "unknown")]
    no_answer = sum(v for (truth, _), v in outcomes.items() if truth == "no_answer")
    answerable = sum(v for (truth, _), v in outcomes.items() if truth == "answerable")
    answered = outcomes[("answerable", "answer")] + outcomes[("no_answer", "answer")]
    return {
        "unknown_precision": unknown_true / unknown_called if unknown_called else 0.0,
        "unknown_recall": unknown_true / no_answer if no_answer else 0.0,
        "answer_precision": answered_right / answered if answered else 0.0,
        "answered_share": outcomes[("answerable", "answer")] / answerable if answerable else 0.0,
        "confusion": {
            truth: {o: outcomes[(truth, o)] for o in ("answer", "ambiguous", "unknown")}
            for truth in ("answerable", "no_answer")
        },
        "n_answerable": answerable,
        "n_no_answer": no_answer,
    }


def searcher_function(searcher: Searcher, limit: int = 10) -> Callable[[str], SearchResult]:
    """``searcher.search`` with a fixed limit."""
    return lambda query: searcher.search(query, limit)
