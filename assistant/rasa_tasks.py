"""Running Rasa commands (training, evaluation) in the Rasa env with visible progress."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from assistant.logged_run import run_logged
from assistant.settings import ROOT, AssistantSettings
from shared.settings import model_archives

TRAINING_DATA = ("data/nlu", "data/rules", "data/stories")
# Fewer lines of Rasa 3.6's and TensorFlow's start-up chatter in the logs (Rasa's dependencies
# warn a screenful of deprecations on Python 3.11); every Rasa-env process gets these.
QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}


def train(
    settings: AssistantSettings,
    log_path: Path,
    say: Callable[[str], None],
    *,
    force: bool = False,
) -> int:
    """Train a model unless one already matches the current data and config (Rasa decides).

    Rasa's output (unused utterances, gensim, TensorFlow notices) goes to ``log_path`` only.
    """
    command = [
        str(settings.rasa_python),
        "-m",
        "rasa",
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        *TRAINING_DATA,
        "--out",
        str(settings.models_dir),
    ]
    if force:
        command.append("--force")
    say("[train] training the Rasa model if the data or config changed…")
    code = run_logged(
        command,
        log_path,
        title="training",
        say=say,
        cwd=ROOT,
        env={**os.environ, **QUIET_ENV},
    )
    if code == 0:
        prune_models(settings.models_dir)
    return code


KEEP_MODELS = 3  # Rasa writes a new archive (~50 MB) on every `rasa train`, changed or not


def prune_models(models_dir: Path, keep: int = KEEP_MODELS) -> list[Path]:
    """Delete all but the ``keep`` newest model archives; the deleted ones."""
    models = model_archives(models_dir)
    old = models[:-keep] if keep > 0 else models
    for path in old:
        path.unlink(missing_ok=True)
    return old


NLU_TEST_SET = "data/tests/test_nlu.yml"
NLU_BLIND_SET = "data/tests/test_nlu_blind.yml"  # intents only, written apart from both others
STORY_TEST_SET = "data/tests/test_stories.yml"


def _rasa(settings: AssistantSettings, *args: str) -> int:
    env = {**os.environ, **QUIET_ENV, "PYTHONPATH": str(ROOT)}
    return subprocess.call([str(settings.rasa_python), "-m", "rasa", *args], cwd=ROOT, env=env)


_TEST_DATA_FLAG = {"nlu": "--nlu", "core": "--stories"}  # how `rasa test <kind>` takes its data


def _rasa_test(settings: AssistantSettings, kind: str, data: str, model: Path, out: Path) -> int:
    """``rasa test <kind>`` of ``data`` against ``model``, its reports written to ``out``."""
    flag = _TEST_DATA_FLAG[kind]
    return _rasa(settings, "test", kind, flag, data, "--model", str(model), "--out", str(out))


def evaluate(settings: AssistantSettings, results: Path) -> int:
    """Write Rasa's standard reports for the held-out NLU set and the test stories, and the
    same NLU report for Rasa's stock pipeline trained on the same data, under ``results``."""
    from assistant.stack import latest_model

    model = latest_model(settings.models_dir)
    if model is None:
        sys.stderr.write("[evaluate] no trained model: run `make train` first\n")
        return 1
    codes = [
        _rasa_test(settings, "nlu", NLU_TEST_SET, model, results / "nlu"),
        _rasa_test(settings, "nlu", NLU_BLIND_SET, model, results / "nlu-blind"),
        _rasa_test(settings, "core", STORY_TEST_SET, model, results / "core"),
    ]
    stock_dir = results / "stock-model"
    codes.append(
        _rasa(
            settings,
            "train",
            "nlu",
            "--config",
            "config-stock.yml",
            "--nlu",
            "data/nlu",
            "--out",
            str(stock_dir),
            "--fixed-model-name",
            "stock",
        )
    )
    stock_model = stock_dir / "stock.tar.gz"
    codes.append(_rasa_test(settings, "nlu", NLU_TEST_SET, stock_model, results / "nlu-stock"))
    sys.stderr.write(summary(results) + "\n")
    return max(codes)


def summary(results: Path) -> str:
    """One table comparing our pipeline with the stock one (macro F1 of intents and entities)."""
    import json

    rows = ["| pipeline | intent macro-F1 | entity macro-F1 |", "|---|---|---|"]
    for name, folder in (
        ("Dastyar (config.yml)", "nlu"),
        ("stock (config-stock.yml)", "nlu-stock"),
        ("Dastyar, blind set (intents only)", "nlu-blind"),
    ):
        intent = results / folder / "intent_report.json"
        entity = results / folder / "DIETClassifier_report.json"
        if not intent.exists():
            continue
        i_f1 = json.loads(intent.read_text())["macro avg"]["f1-score"]
        e_f1 = json.loads(entity.read_text())["macro avg"]["f1-score"] if entity.exists() else 0.0
        rows.append(f"| {name} | {i_f1:.3f} | {e_f1:.3f} |")
    return "\n".join(rows)
