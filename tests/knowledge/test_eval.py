"""The evaluation command on a tiny corpus, and the dev-set regression guard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.question_eval import Observation, classify, load_questions, summarise
from knowledge.deciding.verdict import Calibration
from knowledge.evaluating import evaluate_retrieval
from knowledge.evaluating.evaluate_retrieval import JSON_KEYS
from knowledge.evaluating.metrics import evaluate, load_queries, ranking_metrics, searcher_function
from knowledge.evaluating.offline_searcher import build_searcher
from knowledge.search import Searcher
from tests.knowledge.conftest import EVAL_DIR

CORPUS = [
    {"id": "d1", "title": "گذرنامه", "text": "هزینهٔ صدور گذرنامه ۵٬۲۰۰٬۰۰۰ ریال است."},
    {"id": "d2", "text": "برای کارت ملی هوشمند اصل شناسنامه لازم است."},
    {"id": "d3", "text": "گواهی‌نامهٔ رانندگی هر ده سال تمدید می‌شود."},
    {"id": "d4", "text": "یارانهٔ نقدی هر ماه به حساب سرپرست خانوار واریز می‌شود."},
]
QUERIES = [
    {"query": "هزينه پاسپورت", "gold": ["d1"]},
    {"query": "مدارک کارت ملی", "gold": ["d2"]},
    {"query": "تمدید گواهینامه", "gold": ["d3"], "kind": "paraphrase"},
    {"query": "قیمت طلا", "gold": []},
]


@pytest.fixture
def files(tmp_path):
    corpus, queries = tmp_path / "corpus.jsonl", tmp_path / "queries.jsonl"
    corpus.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in CORPUS), encoding="utf-8"
    )
    queries.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in QUERIES), encoding="utf-8"
    )
    return corpus, queries


@pytest.mark.parametrize("retriever", ["lexical", "dense", "hybrid"])
def test_the_eval_command_prints_one_json_object(files, capsys, retriever):
    corpus, queries = files
    args = ["--corpus", str(corpus), "--queries", str(queries), "--json", "--retriever", retriever]
    assert evaluate_retrieval.main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert tuple(report) == JSON_KEYS
    assert report["n_queries"] == 3  # the unanswerable one is left out of retrieval metrics
    assert report["top3"] == 1.0
    if retriever != "dense":  # e5 alone mixes two of these short texts up
        assert report["top1"] == report["mrr10"] == 1.0
    assert 0 < report["ndcg10"] <= 1
    assert 0 < report["latency_ms_p50"] <= report["latency_ms_p95"]


def test_the_eval_command_reads_as_a_table_too(files, capsys, tmp_path):
    corpus, queries = files
    details = tmp_path / "details.jsonl"
    args = [
        "--corpus",
        str(corpus),
        "--queries",
        str(queries),
        "--retriever",
        "lexical",
        "--outcomes",
        "--by-kind",
        "--details",
        str(details),
    ]
    assert evaluate_retrieval.main(args) == 0
    out = capsys.readouterr().out
    assert "top1     1.000" in out and "outcomes:" in out and "paraphrase" in out
    assert len(details.read_text(encoding="utf-8").splitlines()) == len(QUERIES)


def test_ranking_metrics():
    assert ranking_metrics(["a", "b", "c"], ["a"]) == {
        "top1": 1.0,
        "top3": 1.0,
        "mrr10": 1.0,
        "ndcg10": 1.0,
    }
    m = ranking_metrics(["x", "y", "a"], ["a", "b"])
    assert (m["top1"], m["top3"], m["mrr10"]) == (0.0, 1.0, pytest.approx(1 / 3))
    assert m["ndcg10"] == pytest.approx(0.5 / (1 + 1 / 1.5849625), rel=1e-3)
    assert ranking_metrics(["x"] * 12 + ["a"], ["a"])["mrr10"] == 0.0


def test_the_dev_set_stays_above_the_targets(searchers):
    """Regression guard (about 30 s): hybrid top-1 ≥ 0.90 and top-3 ≥ 0.97 on answerable dev
    questions, and most unanswerable ones recognised as unknown."""
    assert_above_the_targets(searchers["hybrid"])


def test_int8_queries_stay_above_the_targets_with_their_own_calibration(
    settings, catalogue_docs, index_cache
):
    """The faster int8 query engine is judged by the calibration fitted on its own vectors."""
    int8 = build_searcher(
        catalogue_docs, settings.model_copy(update={"query_engine": "torch-int8"}), index_cache
    )
    assert int8.index.embedder is not None
    assert int8.index.embedder.calibration_name.endswith("+int8-queries")
    assert isinstance(int8.judge, Calibration)
    assert int8.judge.embedder == int8.index.embedder.calibration_name
    # int8 vectors move the ranking a little: top-1 0.899 on dev at the last refit
    assert_above_the_targets(int8, min_top1=0.89)


def assert_above_the_targets(searcher: Searcher, min_top1: float = 0.90) -> None:
    rows = load_queries(EVAL_DIR / "dev.jsonl")
    report = evaluate(searcher_function(searcher), rows, warmup=0)
    assert report["n_queries"] >= 300
    assert report["top1"] >= min_top1, report["by_kind"]
    assert report["top3"] >= 0.97, report["by_kind"]
    outcomes = report["outcomes"]
    assert outcomes["unknown_recall"] >= 0.7, outcomes
    decisions = decision_summary(searcher, EVAL_DIR / "tuning.jsonl")
    assert decisions["correct"] >= 0.85, decisions
    assert decisions["wrong"] <= 0.06, decisions
    assert decisions["declined_unanswerable"] >= 0.85, decisions


def decision_summary(searcher: Searcher, path: Path) -> dict:
    """The end-to-end verdicts of a question set, judged on the searcher's decisions alone (the
    running assistant adds Rasa's routing; ``assistant evaluate questions`` scores that)."""
    scored = []
    for question in load_questions(path):
        decision = searcher.search(question.question, 10).decision
        assert decision is not None
        record = {
            "outcome": decision.outcome,
            "service": decision.service or None,
            "fields": list(decision.fields),
            "options": [o.code for o in decision.options],
        }
        scored.append(classify(question, Observation("ask_service", record, (), 0.0)))
    return summarise(scored)
