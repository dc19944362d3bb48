"""Running `rasa` on the newest trained model, for the evaluation tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.settings import model_archives, models_dir

ROOT = Path(__file__).resolve().parents[2]


def newest_model() -> Path:
    """The model to evaluate: $DASTYAR_TEST_MODEL if set, else the newest one in models/."""
    chosen = os.environ.get("DASTYAR_TEST_MODEL")
    if chosen:
        return Path(chosen)
    models = model_archives(models_dir())
    if not models:
        pytest.fail("no trained model in models/: `make test` trains one first")
    return models[-1]


def rasa(*args: str) -> None:
    """Run `rasa ARGS` in the repository with the current interpreter; fail on a non-zero exit."""
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
