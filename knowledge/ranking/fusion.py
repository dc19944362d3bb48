"""Fusing the lexical and the dense ranking of one query.

Two methods: ``weighted`` (the default) adds per-query normalised scores — BM25 divided by the
best BM25 of the query, cosine min-max scaled over the candidates — with weights tuned on the
dev set; ``rrf`` is reciprocal-rank fusion, kept for comparison
(:mod:`knowledge.evaluating.evaluate_retrieval`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class FusionParams:
    """How the two rankings are combined."""

    fusion: str = "weighted"  # "weighted" or "rrf"
    lexical_weight: float = 0.45
    dense_weight: float = 0.55
    rrf_k: float = 60.0
    intent_weight: float = 0.0  # added × how well a document's field matches the question's


def fuse(
    lexical: Mapping[int, float],
    dense: Mapping[int, float],
    params: FusionParams,
) -> dict[int, float]:
    """Fused score of every candidate (a candidate missing from one side scores 0 there).

    ``lexical`` and ``dense`` map document positions to raw scores (BM25, cosine) for the
    union of both retrievers' candidates.
    """
    candidates = set(lexical) | set(dense)
    if not candidates:
        return {}
    if params.fusion == "rrf":
        out = dict.fromkeys(candidates, 0.0)
        for weight, scores in ((params.lexical_weight, lexical), (params.dense_weight, dense)):
            ranked = sorted((d for d in scores if scores[d] > 0), key=lambda d: -scores[d])
            for rank, doc in enumerate(ranked, 1):
                out[doc] += weight / (params.rrf_k + rank)
        return out
    top_lex = max(lexical.values(), default=0.0)
    values = [dense[d] for d in candidates if d in dense]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)
    span = high - low
    out = {}
    for doc in candidates:
        lex = lexical.get(doc, 0.0) / top_lex if top_lex > 0 else 0.0
        den = (dense[doc] - low) / span if doc in dense and span > 1e-9 else 0.0
        if doc in dense and span <= 1e-9:
            den = 1.0
        out[doc] = params.lexical_weight * lex + params.dense_weight * den
    return out
