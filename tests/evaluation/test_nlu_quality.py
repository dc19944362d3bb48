"""NLU quality gates on the held-out set: intent macro-F1 >= 0.95, entity F1 >= 0.90.

Run by `make evaluate` (not yet by `make test`: the intent gate is not met yet, see the issue).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.evaluation.rasa_cli import newest_model, rasa

INTENT_MACRO_F1 = 0.95
ENTITY_F1 = 0.90


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


def test_intents_on_the_held_out_set(nlu_results):
    report = json.loads((nlu_results / "intent_report.json").read_text())
    weak = {
        k: round(v["f1-score"], 3)
        for k, v in report.items()
        if isinstance(v, dict) and v.get("f1-score", 1) < 0.85 and "avg" not in k
    }
    assert report["macro avg"]["f1-score"] >= INTENT_MACRO_F1, weak


def test_entities_on_the_held_out_set(nlu_results):
    report = json.loads((nlu_results / "DIETClassifier_report.json").read_text())
    assert report["micro avg"]["f1-score"] >= ENTITY_F1, {
        k: v for k, v in report.items() if isinstance(v, dict) and "avg" not in k
    }
