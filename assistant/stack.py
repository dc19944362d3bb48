"""The components of the whole assistant and how each is started."""

from __future__ import annotations

from pathlib import Path

from assistant.rasa_endpoints import write_endpoints
from assistant.settings import ROOT, AssistantSettings
from assistant.supervisor import Component


def component_env(settings: AssistantSettings, secrets: dict[str, str]) -> dict[str, str]:
    """Environment shared by every component: ports, URLs, data paths and service credentials."""
    data = settings.data_dir
    return {
        **secrets,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "DASTYAR_BACKEND_PORT": str(settings.backend_port),
        "DASTYAR_BACKEND_HOST": settings.host,
        "DASTYAR_BACKEND_DATA_DIR": str(data),
        "DASTYAR_ACTIONS_BACKEND_URL": settings.url(settings.backend_port),
        "DASTYAR_ACTIONS_BACKEND_USERNAME": "assistant",
        "DASTYAR_ACTIONS_BACKEND_PASSWORD": secrets["DASTYAR_BACKEND_ASSISTANT_PASSWORD"],
        "DASTYAR_GATEWAY_RASA_URL": settings.url(settings.rasa_port),
        # the backend pauses and resumes a conversation in Rasa while a person holds it
        "DASTYAR_HANDOFF_RASA_URL": settings.url(settings.rasa_port),
        "DASTYAR_GATEWAY_PORT": str(settings.gateway_port),
        "DASTYAR_GATEWAY_HOST": settings.host,
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
    }


def latest_model(models_dir: Path) -> Path | None:
    """The newest trained model archive, if any."""
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
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
    return [
        Component(
            name="backend",
            command=[app, "-m", "backend_api"],
            health_url=f"{settings.url(settings.backend_port)}/health",
            env=env,
            cwd=ROOT,
        ),
        Component(
            name="actions",
            command=[
                rasa,
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                str(settings.actions_port),
            ],
            health_url=f"{settings.url(settings.actions_port)}/health",
            env=env,
            cwd=ROOT,
        ),
        Component(
            name="rasa",
            command=[
                rasa,
                "-m",
                "rasa",
                "run",
                "--enable-api",
                "--interface",
                settings.host,
                "--port",
                str(settings.rasa_port),
                "--model",
                str(model or settings.models_dir),
                "--endpoints",
                str(endpoints),
                "--credentials",
                "credentials.yml",
            ],
            health_url=f"{settings.url(settings.rasa_port)}/status",
            env={**env, **(rasa_secrets or {})},
            cwd=ROOT,
        ),
        Component(
            name="gateway",
            command=[app, "-m", "connectors"],
            health_url=f"{settings.url(settings.gateway_port)}/health",
            env=env,
            cwd=ROOT,
        ),
    ]
