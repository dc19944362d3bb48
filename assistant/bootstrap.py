"""Create and update the two virtualenvs (standard library only: it runs before either exists).

The app env holds the backend, knowledge index, connectors and this CLI; the Rasa env holds Rasa 3.6
and the action server, which pin libraries the app env cannot share. An env is reinstalled only when
its requirement files change (a hash of them is stamped inside the env).

Usage: python3 -m assistant.bootstrap [app|rasa ...]
"""

from __future__ import annotations

import hashlib
import os
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

from assistant.logged_run import run_logged

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
STAMP = "dastyar-requirements.sha256"


@dataclass(frozen=True)
class Step:
    """One pip invocation."""

    title: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class EnvSpec:
    """An environment: its folder name, the files that define it, and how to install them."""

    name: str
    files: tuple[str, ...]
    steps: tuple[Step, ...]


ENVS = {
    "app": EnvSpec(
        name="app",
        files=("app.txt", "app-nodeps.txt"),
        steps=(
            Step("pip itself", ("install", "-U", "pip==25.3")),
            Step(
                "app libraries (FastAPI, SQLAlchemy, torch CPU, faiss…)",
                ("install", "-r", "app.txt"),
            ),
            Step("hazm (without its numpy pin)", ("install", "--no-deps", "-r", "app-nodeps.txt")),
        ),
    ),
    "rasa": EnvSpec(
        name="rasa",
        files=("rasa-deps.txt", "rasa-extra.txt", "rasa-nodeps.txt", "rasa-constraints.txt"),
        steps=(
            Step("pip itself", ("install", "-U", "pip==25.3", "wheel", "setuptools>=70.3,<70.4")),
            Step(
                "Rasa's dependencies (TensorFlow and friends, the long step)",
                (
                    "install",
                    "-r",
                    "rasa-deps.txt",
                    "-r",
                    "rasa-extra.txt",
                    "-c",
                    "rasa-constraints.txt",
                ),
            ),
            Step(
                "Rasa 3.6, rasa-sdk and hazm (declared <3.11, verified on 3.11)",
                ("install", "--no-deps", "--ignore-requires-python", "-r", "rasa-nodeps.txt"),
            ),
        ),
    ),
}


def venv_root() -> Path:
    """Where the environments live (``DASTYAR_VENV_ROOT``, default ``.venv`` in the repo)."""
    return Path(os.environ.get("DASTYAR_VENV_ROOT", ROOT / ".venv")).resolve()


def requirements_hash(spec: EnvSpec) -> str:
    """Fingerprint of the files defining ``spec`` and the interpreter version."""
    digest = hashlib.sha256(sys.version.encode())
    for name in spec.files:
        digest.update(name.encode())
        digest.update((REQUIREMENTS / name).read_bytes())
    return digest.hexdigest()


def _say(message: str) -> None:
    sys.stderr.write(f"[setup] {message}\n")
    sys.stderr.flush()


def ensure_env(spec: EnvSpec) -> Path:
    """Create or update one environment; return its python."""
    root = venv_root() / spec.name
    python = root / "bin" / "python"
    stamp = root / STAMP
    wanted = requirements_hash(spec)
    if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        _say(f"{spec.name} env is up to date ({root})")
        return python
    if not python.exists():
        _say(f"creating the {spec.name} env at {root}")
        venv.EnvBuilder(with_pip=True, clear=False).create(root)
    else:
        _say(f"requirements of the {spec.name} env changed: updating it")
    log_path = root / "install.log"
    for step in spec.steps:
        _say(f"{spec.name} env: installing {step.title}")
        command = [str(python), "-m", "pip", "install", "--progress-bar", "off", *step.args[1:]]
        code = run_logged(command, log_path, title=step.title, say=_say, cwd=REQUIREMENTS)
        if code != 0:
            raise SystemExit(code)
    stamp.write_text(wanted + "\n")
    _say(f"{spec.name} env ready")
    return python


def main(argv: list[str]) -> None:
    """Ensure the named environments (all by default)."""
    if sys.version_info[:2] != (3, 11):
        _say(f"Python 3.11 is required (this is {sys.version.split()[0]}); set PYTHON=python3.11")
        raise SystemExit(2)
    names = argv or list(ENVS)
    for name in names:
        if name not in ENVS:
            _say(f"unknown env {name!r}; choose from {', '.join(ENVS)}")
            raise SystemExit(2)
        ensure_env(ENVS[name])


if __name__ == "__main__":
    main(sys.argv[1:])
