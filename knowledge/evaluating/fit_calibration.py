"""Fit the answer confidence and the outcome thresholds on the dev set (and the tuning sets).

    python -m knowledge.evaluating.fit_calibration                     # hybrid, the embedder set
    python -m knowledge.evaluating.fit_calibration --retriever lexical # one entry per retriever

Runs every dev question through the catalogue index, fits the two logistic models that
:mod:`knowledge.deciding.verdict` applies, on the rankings' evidence, with numpy (Newton's method
with a small L2 penalty; every weight kept ≥ 0 — a feature whose weight would come out negative
is dropped and the model refit), and picks the thresholds: ``unknown`` below the ``known``
threshold that best separates unanswerable from answerable questions while losing at most
``--max-lost`` of the answerable ones; ``answer`` from the lowest confidence whose answers are
right at least ``--answer-precision`` of the time; in between, ``ambiguous`` ("did you mean …?").
Writes them to ``knowledge/calibration.json`` (other entries are kept), with the dev figures and,
given ``--test``, the test figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.deciding.verdict import (
    FEATURES,
    REFIT_COMMAND,
    Calibration,
    Logistic,
    Uncalibrated,
    feature_vector,
    write_calibration,
)
from knowledge.evaluating.metrics import QueryRow, evaluate, load_queries, searcher_function
from knowledge.evaluating.offline_searcher import (
    add_searcher_options,
    build_searcher,
    settings_from,
)
from knowledge.index.documents import catalogue_documents, iter_jsonl, load_catalogue
from knowledge.ranking.retriever import group_of
from knowledge.search import Searcher
from knowledge.settings import REPO_ROOT

EVAL_DIR = REPO_ROOT / "data" / "knowledge-eval"


def _newton(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], l2: float) -> np.ndarray:
    """Penalised logistic regression (intercept unpenalised), by Newton's method."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    penalty = np.full(xb.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -50, 50)))
        grad = xb.T @ (p - y) + penalty * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return w


def fit_logistic(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[int],
    names: Sequence[str],
    l2: float = 1.0,
) -> Logistic:
    """Fit P(label) on ranking features, keeping every weight ≥ 0 (monotonic confidence)."""
    y = np.asarray(labels, dtype=np.float64)
    x_all = np.asarray([feature_vector(r, names) for r in rows], dtype=np.float64)
    mean = x_all.mean(axis=0)
    scale = x_all.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x_all - mean) / scale
    active = list(range(len(names)))
    while True:
        w = _newton(z[:, active], y, l2)
        negative = [a for a, c in zip(active, w[:-1], strict=True) if c < 0]
        if not negative:
            break
        worst = min(negative, key=lambda a: w[active.index(a)])
        active.remove(worst)
        if not active:
            w = _newton(np.zeros((len(y), 0)), y, l2)
            break
    coef = [0.0] * len(names)
    for a, c in zip(active, w[:-1], strict=True):
        coef[a] = float(c)
    return Logistic(
        tuple(names),
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(coef),
        float(w[-1]),
    )


def choose_known_threshold(
    known: Sequence[float], answerable: Sequence[bool], max_lost: float
) -> float:
    """The threshold that best separates unanswerable questions from answerable ones (most
    unknown-recall minus answerable-lost) while calling at most ``max_lost`` of the answerable
    questions unknown."""
    positives = sorted(k for k, a in zip(known, answerable, strict=True) if a)
    negatives = [k for k, a in zip(known, answerable, strict=True) if not a]
    if not positives:
        return 0.5
    limit = math.floor(max_lost * len(positives))  # how many answerable may fall below
    best, best_score = positives[0], -math.inf
    for lost in range(limit + 1):
        threshold = positives[lost]
        caught = sum(1 for k in negatives if k < threshold) / len(negatives) if negatives else 0.0
        score = caught - lost / len(positives)
        if score > best_score + 1e-12:
            best, best_score = threshold, score
    return float(best)


def choose_answer_threshold(
    confidence: Sequence[float], correct: Sequence[bool], target_precision: float
) -> float:
    """The lowest threshold whose answers are right at least ``target_precision`` of the time."""
    pairs = sorted(zip(confidence, correct, strict=True), key=lambda p: -p[0])
    best = 1.0
    right = 0
    for n, (value, ok) in enumerate(pairs, 1):
        right += int(ok)
        if right / n >= target_precision:
            best = value
    return float(best)


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
    return " ".join([REFIT_COMMAND, *kept])


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
    parser = argparse.ArgumentParser(prog=REFIT_COMMAND, description=__doc__)
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
    parser.add_argument("--answer-precision", type=float, default=0.95)
    parser.add_argument("--max-lost", type=float, default=0.10)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=None, help="default: the configured file")
    add_searcher_options(parser)
    args = parser.parse_args(argv)
    settings = settings_from(args)
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
