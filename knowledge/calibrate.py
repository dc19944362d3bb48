"""Refit the answer confidence and the outcome thresholds on the dev set.

    python -m knowledge.calibrate                       # hybrid retriever, the configured embedder
    python -m knowledge.calibrate --retriever lexical   # one entry per retriever (and embedder)

Runs every dev question through the catalogue index, fits the two logistic models of
:mod:`knowledge.calibration` on the rankings' evidence and picks the thresholds: ``unknown``
below the ``known`` threshold that best separates unanswerable from answerable questions while
losing at most ``--max-lost`` of the answerable ones; ``answer`` from the lowest confidence whose
answers are right at least ``--answer-precision`` of the time; in between, ``ambiguous`` ("did
you mean …?"). Writes them to ``knowledge/calibration.json`` (other entries are kept), with the
dev figures and, given ``--test``, the test figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.calibration import (
    FEATURES,
    Calibration,
    Uncalibrated,
    choose_answer_threshold,
    choose_known_threshold,
    fit_logistic,
    write_calibration,
)
from knowledge.documents import catalogue_documents, iter_jsonl, load_catalogue
from knowledge.eval import build_searcher, load_queries
from knowledge.evaluation import QueryRow, evaluate, searcher_function
from knowledge.retriever import group_of
from knowledge.search import Searcher
from knowledge.settings import REPO_ROOT, KnowledgeSettings

EVAL_DIR = REPO_ROOT / "data" / "knowledge-eval"


@dataclass(frozen=True)
class Labelled:
    """A question and the services (or general FAQs) that answer it (none: unanswerable)."""

    query: str
    answers: frozenset[str]


def labelled_rows(
    searcher: Searcher, dev: list[QueryRow], tuning: list[Path] | tuple[Path, ...] = ()
) -> list[Labelled]:
    """Dev rows (gold documents → their services) and tuning rows (service codes)."""
    out = []
    for row in dev:
        docs = [searcher.index.document(d) for d in row.gold]
        out.append(Labelled(row.query, frozenset(group_of(d) for d in docs if d is not None)))
    for path in tuning:
        for data in iter_jsonl(path):
            service = data.get("service") if data.get("answerable") else None
            out.append(Labelled(str(data["question"]), frozenset([service] if service else [])))
    return out


def fit(
    searcher: Searcher,
    rows: list[Labelled],
    *,
    answer_precision: float,
    max_lost: float,
    l2: float = 1.0,
) -> Calibration:
    """Fit a calibration for ``searcher``'s index on ``rows`` (labels at the service level)."""
    kind = searcher.index.kind
    names = FEATURES[kind]
    features, correct, known = [], [], []
    for row in rows:
        _, ranking = searcher.rank(row.query, 10)
        groups = list(dict.fromkeys(group_of(h.document) for h in ranking.hits))
        features.append(ranking.features)
        correct.append(int(bool(groups) and groups[0] in row.answers))
        known.append(int(bool(row.answers & set(groups[:3]))))
    answer_model = fit_logistic(features, correct, names["answer"], l2)
    known_model = fit_logistic(features, known, names["known"], l2)
    p_answer = [answer_model.probability(f) for f in features]
    p_known = [known_model.probability(f) for f in features]
    answerable = [bool(r.answers) for r in rows]
    known_threshold = choose_known_threshold(p_known, answerable, max_lost)
    # the answer threshold is chosen among the questions that are not called unknown
    kept = [i for i, k in enumerate(p_known) if k >= known_threshold]
    answer_threshold = choose_answer_threshold(
        [p_answer[i] for i in kept], [bool(correct[i]) for i in kept], answer_precision
    )
    embedder = searcher.index.embedder.calibration_name if searcher.index.embedder else ""
    return Calibration(
        kind,
        embedder if kind != "lexical" else "",
        answer_model,
        known_model,
        answer_threshold,
        known_threshold,
    )


def refit_command(args: list[str]) -> str:
    """The command line that refits (``--cache-dir`` left out: it changes speed, not results)."""
    kept: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--cache-dir":
            skip = True
        elif not arg.startswith("--cache-dir="):
            kept.append(shlex.quote(arg))
    return " ".join(["python -m knowledge.calibrate", *kept])


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """The figures kept in the calibration file."""
    o = report["outcomes"]
    return {
        "n_queries": report["n_queries"],
        "top1": round(report["top1"], 4),
        "top3": round(report["top3"], 4),
        "mrr10": round(report["mrr10"], 4),
        "unknown_precision": round(o["unknown_precision"], 4),
        "unknown_recall": round(o["unknown_recall"], 4),
        "answer_precision": round(o["answer_precision"], 4),
        "answered_share": round(o["answered_share"], 4),
        "confusion": o["confusion"],
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m knowledge.calibrate", description=__doc__)
    parser.add_argument("--dev", type=Path, default=EVAL_DIR / "dev.jsonl")
    parser.add_argument(
        "--tuning",
        type=Path,
        nargs="*",
        default=sorted(EVAL_DIR.glob("tuning*.jsonl")),
        help="blind-written tuning questions (service codes) fitted with the dev set "
        "(default: every data/knowledge-eval/tuning*.jsonl; never blind.jsonl)",
    )
    parser.add_argument("--test", type=Path, default=None, help="also report on this set")
    parser.add_argument("--retriever", choices=("lexical", "dense", "hybrid"))
    parser.add_argument("--answer-precision", type=float, default=0.95)
    parser.add_argument("--max-lost", type=float, default=0.10)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=None, help="default: the configured file")
    parser.add_argument(
        "--cache-dir", type=Path, help="reuse and save passage vectors here (by content hash)"
    )
    args = parser.parse_args(argv)
    settings = KnowledgeSettings()
    if args.retriever:
        settings = settings.model_copy(update={"retriever": args.retriever})
    out = args.out or settings.calibration_file
    documents = catalogue_documents(load_catalogue(settings.catalogue_dir))
    searcher = build_searcher(documents, settings, args.cache_dir)
    searcher.judge = Uncalibrated()
    dev = load_queries(args.dev)
    calibration = fit(
        searcher,
        labelled_rows(searcher, dev, args.tuning),
        answer_precision=args.answer_precision,
        max_lost=args.max_lost,
        l2=args.l2,
    )
    searcher.judge = calibration
    report: dict[str, Any] = {
        "fitted": dt.date.today().isoformat(),
        "documents": len(documents),
        "dev": summary(evaluate(searcher_function(searcher), dev)),
    }
    if args.test:
        report["test"] = summary(evaluate(searcher_function(searcher), load_queries(args.test)))
    command = refit_command(argv or sys.argv[1:])
    if settings.query_engine != "auto":  # the engine moves the vectors: the entry says which
        report["command"] = f"DASTYAR_KNOWLEDGE_QUERY_ENGINE={settings.query_engine} {command}"
    calibration = Calibration(**{**calibration.__dict__, "report": report})
    write_calibration(out, calibration, command)
    print(f"{calibration.retriever} ({calibration.embedder or 'no embedder'}) → {out}")
    print(
        f"  thresholds: unknown below known {calibration.known_threshold:.3f}, "
        f"answer from confidence {calibration.answer_threshold:.3f}"
    )
    for split in ("dev", "test"):
        if split in report:
            r = report[split]
            print(
                f"  {split}: top1 {r['top1']:.3f} top3 {r['top3']:.3f};"
                f" unknown P {r['unknown_precision']:.3f} R {r['unknown_recall']:.3f};"
                f" answer precision {r['answer_precision']:.3f},"
                f" answerable answered {r['answered_share']:.3f}; {r['confusion']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
