"""Evaluate retrieval on a corpus and a question set.

    python -m knowledge.evaluating.evaluate_retrieval --corpus C.jsonl --queries Q.jsonl

Corpus rows: ``{"id", "text"}`` (optional ``"title"``; rows written by
:mod:`knowledge.evaluating.export_corpus` carry the whole document). Query rows: ``{"query",
"gold": [ids]}`` (optional ``"kind"``; empty gold means "not answerable"). Builds an index with
the configured retriever (settings ``DASTYAR_KNOWLEDGE_*``, or ``--retriever``) and prints
top-1, top-3, MRR@10, nDCG@10 and search latency p50/p95 over the answerable queries;
``--outcomes`` adds answer/ambiguous/unknown precision and recall (needs a calibration for the
retriever, see :mod:`knowledge.evaluating.fit_calibration`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from knowledge.evaluating.metrics import evaluate, load_queries, searcher_function
from knowledge.evaluating.offline_searcher import (
    add_searcher_options,
    build_searcher,
    settings_from,
)
from knowledge.index.documents import load_corpus
from knowledge.settings import KnowledgeSettings

PROG = "python -m knowledge.evaluating.evaluate_retrieval"
JSON_KEYS = ("top1", "top3", "mrr10", "ndcg10", "latency_ms_p50", "latency_ms_p95", "n_queries")


def run(
    corpus: Path,
    queries: Path,
    settings: KnowledgeSettings,
    *,
    limit: int = 10,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """Build, search every query, and report (see :func:`knowledge.evaluating.metrics.evaluate`)."""
    documents = load_corpus(corpus)
    rows = load_queries(queries)
    started = time.perf_counter()
    searcher = build_searcher(documents, settings, cache_dir)
    build_s = time.perf_counter() - started
    report = evaluate(searcher_function(searcher, limit), rows)
    report["build_s"] = round(build_s, 2)
    report["retriever"] = searcher.index.kind
    report["embedder"] = searcher.index.embedder.name if searcher.index.embedder else ""
    report["n_documents"] = len(documents)
    return report


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True, help="documents JSONL")
    parser.add_argument("--queries", type=Path, required=True, help="queries JSONL")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--outcomes", action="store_true", help="also evaluate the outcomes")
    parser.add_argument("--by-kind", action="store_true", help="also break down by query kind")
    parser.add_argument("--details", type=Path, help="write per-query results (JSONL) here")
    add_searcher_options(parser)
    args = parser.parse_args(argv)
    settings = settings_from(args)
    report = run(args.corpus, args.queries, settings, cache_dir=args.cache_dir)
    if args.details:
        with args.details.open("w", encoding="utf-8") as handle:
            for row in report["details"]:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    out: dict[str, Any] = {key: report[key] for key in JSON_KEYS}
    if args.by_kind:
        out["by_kind"] = report["by_kind"]
    if args.outcomes:
        out["outcomes"] = report["outcomes"]
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(
        f"{report['retriever']} retriever ({report['embedder'] or 'no embedder'}), "
        f"{report['n_documents']} documents, built in {report['build_s']} s"
    )
    print(f"queries (answerable): {report['n_queries']}")
    for key in ("top1", "top3", "mrr10", "ndcg10"):
        print(f"  {key:<8} {report[key]:.3f}")
    print(
        f"  latency  p50 {report['latency_ms_p50']:.1f} ms, p95 {report['latency_ms_p95']:.1f} ms"
    )
    if args.by_kind:
        for kind, values in report["by_kind"].items():
            print(
                f"  {kind:<11} n={values['n']:<4} top1 {values['top1']:.3f}"
                f" top3 {values['top3']:.3f}"
            )
    if args.outcomes:
        o = report["outcomes"]
        print(
            f"outcomes: unknown precision {o['unknown_precision']:.3f} recall "
            f"{o['unknown_recall']:.3f}; answer precision {o['answer_precision']:.3f}; "
            f"answerable answered {o['answered_share']:.3f}"
        )
        for truth, row in o["confusion"].items():
            print(f"  {truth:<11} " + "  ".join(f"{k} {v}" for k, v in row.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
