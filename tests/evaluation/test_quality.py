"""Quality gates on the trained model: the held-out NLU set and the conversation test stories.

Runs `rasa test` on the newest model in models/ (`make test` trains it first).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INTENT_MACRO_F1 = 0.95
ENTITY_F1 = 0.90


def newest_model() -> Path:
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        pytest.fail("no trained model in models/: `make test` trains one first")
    return models[-1]


def rasa(*args: str) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONWARNINGS": "ignore",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    result = subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


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


def test_every_conversation_test_story_passes(tmp_path):
    rasa(
        "test",
        "core",
        "--stories",
        "data/tests/test_stories.yml",
        "--model",
        str(newest_model()),
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert "None of the test stories failed" in failed, failed
