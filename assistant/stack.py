"""The components of the whole assistant and how each is started."""

from __future__ import annotations

from pathlib import Path

from assistant.rasa_endpoints import write_endpoints
from assistant.rasa_tasks import QUIET_ENV
from assistant.settings import ROOT, AssistantSettings
from assistant.supervisor import Component
from shared import settings as shared


def component_env(settings: AssistantSettings, secrets: dict[str, str]) -> dict[str, str]:
    """Environment shared by every component: where each one listens and finds the others, the
    data folder, and the generated secrets (among them the service account's password, which the
    backend, the actions and the gateway all read from the same variable)."""
    return {
        **secrets,
        **QUIET_ENV,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        shared.DATA_DIR_ENV: str(settings.data_dir),
        shared.BACKEND_URL_ENV: settings.url(settings.backend_port),
        # the gateway talks to Rasa; the backend pauses and resumes a conversation held by a person
        shared.RASA_URL_ENV: settings.url(settings.rasa_port),
        "DASTYAR_BACKEND_HOST": settings.host,
        "DASTYAR_BACKEND_PORT": str(settings.backend_port),
        "DASTYAR_GATEWAY_HOST": settings.host,
        "DASTYAR_GATEWAY_PORT": str(settings.gateway_port),
    }


def latest_model(models_dir: Path) -> Path | None:
    """The newest trained model archive, if any."""
    models = shared.model_archives(models_dir)
    return models[-1] if models else None


def rasa_endpoints(settings: AssistantSettings, run_dir: Path) -> tuple[Path, dict[str, str]]:
    """Write Rasa's endpoints file for this run; return it and the secrets Rasa must get."""
    path = run_dir / "endpoints.yml"
    secrets = write_endpoints(
        path,
        actions_url=f"{settings.url(settings.actions_port)}/webhook",
        tracker_store_url=settings.rasa_tracker_store_url.get_secret_value(),
        lock_store_url=settings.rasa_lock_store_url.get_secret_value(),
        sqlite_file=settings.data_dir / "rasa-tracker.db",
    )
    return path, secrets


def components(
    settings: AssistantSettings,
    env: dict[str, str],
    endpoints: Path | None = None,
    rasa_secrets: dict[str, str] | None = None,
) -> list[Component]:
    """The stack in start order: each one's dependencies come before it.

    ``endpoints`` and ``rasa_secrets`` come from :func:`rasa_endpoints` (only needed to start).
    """
    rasa = str(settings.rasa_python)
    app = str(settings.app_python)
    model = latest_model(settings.models_dir)
    endpoints = endpoints or settings.data_dir / "endpoints.yml"

    def component(
        name: str,
        command: list[str],
        port: int,
        health: str = "/health",
        secrets: dict[str, str] | None = None,
    ) -> Component:
        # each runs from the repository root and is healthy once ``health`` on its port answers
        url = f"{settings.url(port)}{health}"
        return Component(name, command, url, env={**env, **(secrets or {})}, cwd=ROOT)

    # Rasa's and rasa-sdk's entry points are theirs: started through the log-masking launcher.
    masked = [rasa, "-m", "shared.log_masking"]
    rasa_run = [*masked, "rasa", "run", "--enable-api", "--interface", settings.host]
    rasa_run += ["--port", str(settings.rasa_port), "--model", str(model or settings.models_dir)]
    rasa_run += ["--endpoints", str(endpoints), "--credentials", "credentials.yml"]
    actions_run = [*masked, "rasa_sdk", "--actions", "actions"]
    actions_run += ["--port", str(settings.actions_port)]
    return [
        component("backend", [app, "-m", "backend_api"], settings.backend_port),
        component("actions", actions_run, settings.actions_port),
        # only Rasa gets the secrets of its tracker and lock stores
        component("rasa", rasa_run, settings.rasa_port, "/status", rasa_secrets),
        component("gateway", [app, "-m", "connectors"], settings.gateway_port),
    ]
