"""Facts read by more than one process, each named and defaulted here once.

Each process's settings class reads these variables (the backend, the gateway, the action server
and the operator CLI), so an operator sets a fact in one place and every process agrees. Standard
library only: the Rasa env (pydantic 1) and the app env (pydantic 2) both import it.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# SQLite files, attachments, the search index cache, run logs and generated secrets.
DATA_DIR_ENV = "DASTYAR_DATA_DIR"
DEFAULT_DATA_DIR = ROOT / "var"

# Trained Rasa models: `make train` writes them, Rasa serves the newest, the tests and benchmarks
# that need a model read it (CI keeps them, with Rasa's training cache, between runs).
MODELS_DIR_ENV = "DASTYAR_MODELS_DIR"
DEFAULT_MODELS_DIR = ROOT / "models"


def models_dir() -> Path:
    """The folder of trained models, for code that has no settings class (tests, benchmarks)."""
    return Path(os.environ.get(MODELS_DIR_ENV) or DEFAULT_MODELS_DIR)


def model_archives(folder: Path) -> list[Path]:
    """The trained model archives in ``folder``, oldest first (Rasa serves the newest)."""
    return sorted(folder.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)


# The catalogue's source files: the backend seeds an empty database from them, and the knowledge
# tools (calibration, corpus export, benchmarks) read them.
CATALOGUE_DIR_ENV = "DASTYAR_CATALOGUE_DIR"
DEFAULT_CATALOGUE_DIR = ROOT / "data" / "catalogue"

# Where the actions and the gateway reach the backend, and the gateway and the backend reach Rasa.
BACKEND_URL_ENV = "DASTYAR_BACKEND_URL"
DEFAULT_BACKEND_URL = "http://127.0.0.1:8001"
# Several Rasa replicas (sharing a tracker store and a lock store) are listed comma-separated.
RASA_URL_ENV = "DASTYAR_RASA_URL"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"


def rasa_urls(value: str) -> list[str]:
    """The Rasa base URLs listed in ``value`` (comma-separated), in order, each once."""
    urls = (url.strip().rstrip("/") for url in value.split(","))
    return list(dict.fromkeys(url for url in urls if url))


# The assistant's service account: the backend creates it, the actions and the gateway log in
# with it (the password is generated into <data dir>/secrets.env by `python -m assistant run`).
SERVICE_USERNAME_ENV = "DASTYAR_BACKEND_ASSISTANT_USERNAME"
SERVICE_PASSWORD_ENV = "DASTYAR_BACKEND_ASSISTANT_PASSWORD"
DEFAULT_SERVICE_USERNAME = "assistant"

# Redis, when configured: the backend's lookup guard and both apps' rate limits keep their counts
# there, so every worker and replica shares them (empty: each process counts alone).
REDIS_URL_ENV = "DASTYAR_BACKEND_REDIS_URL"

# Citizens' attachments: the backend enforces the limit, the gateway refuses larger files early.
MAX_ATTACHMENT_BYTES_ENV = "DASTYAR_BACKEND_MAX_ATTACHMENT_BYTES"
DEFAULT_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# Not a setting: both sides prove a file's type by its first bytes, known for these types only.
ATTACHMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
