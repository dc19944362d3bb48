"""Running Rasa commands (training, evaluation) in the Rasa env with visible progress."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time

from assistant.settings import ROOT, AssistantSettings

logger = logging.getLogger(__name__)

TRAINING_DATA = ("data/nlu", "data/rules", "data/stories")


def train(settings: AssistantSettings, *, force: bool = False) -> int:
    """Train a model unless one already matches the current data and config (Rasa decides)."""
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
    started = time.monotonic()
    sys.stderr.write("[train] training the Rasa model if the data or config changed…\n")
    quiet = {
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONWARNINGS": "ignore",  # Rasa 3.6's dependencies warn a screenful on Python 3.11
    }
    code = subprocess.call(command, cwd=ROOT, env={**os.environ, **quiet})
    sys.stderr.write(f"[train] finished in {time.monotonic() - started:.0f} s (exit {code})\n")
    return code
