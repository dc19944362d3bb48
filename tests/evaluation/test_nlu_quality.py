"""NLU quality on the held-out set, on the newest model in models/ (the one `make test` trains).

Two tiers. The targets (intent macro-F1 >= 0.95, entity micro-F1 >= 0.90) are checked by
`make evaluate`. Retraining the same data and config moves intent macro-F1 by about ±0.006
(TensorFlow on CPU is not bit-for-bit repeatable) and it sits at 0.945-0.958, so `make test`
checks a floor a little below instead: it catches a real regression (a broken tokenizer,
lost training data) without failing on a retrain's noise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.evaluation.rasa_cli import newest_model, rasa

INTENT_MACRO_F1 = 0.95
ENTITY_F1 = 0.90
INTENT_FLOOR = 0.93
ENTITY_FLOOR = 0.88


@pytest.fixture(scope="module")
def nlu_results(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("nlu")
    rasa(
        "test",
        "nlu",
        "--nlu",
        "data/tests/test_nlu.yml",
        "--model",
        str(newest_model()),
        "--out",
        str(out),
    )
    return out


def intent_f1(results: Path) -> tuple[float, dict[str, float]]:
    """Intent macro-F1 and the intents below 0.9."""
    report = json.loads((results / "intent_report.json").read_text())
    weak = {
        k: round(v["f1-score"], 3)
        for k, v in report.items()
        if isinstance(v, dict) and v.get("f1-score", 1) < 0.9 and "avg" not in k
    }
    return report["macro avg"]["f1-score"], weak


def entity_f1(results: Path) -> tuple[float, dict[str, object]]:
    """Entity micro-F1 and the per-entity figures."""
    report = json.loads((results / "DIETClassifier_report.json").read_text())
    per_entity = {k: v for k, v in report.items() if isinstance(v, dict) and "avg" not in k}
    return report["micro avg"]["f1-score"], per_entity


def test_intents_stay_above_the_floor(nlu_results):
    score, weak = intent_f1(nlu_results)
    assert score >= INTENT_FLOOR, (score, weak)


def test_entities_stay_above_the_floor(nlu_results):
    score, per_entity = entity_f1(nlu_results)
    assert score >= ENTITY_FLOOR, (score, per_entity)


@pytest.mark.target
def test_intents_meet_the_target(nlu_results):
    score, weak = intent_f1(nlu_results)
    assert score >= INTENT_MACRO_F1, (score, weak)


@pytest.mark.target
def test_entities_meet_the_target(nlu_results):
    score, per_entity = entity_f1(nlu_results)
    assert score >= ENTITY_F1, (score, per_entity)
