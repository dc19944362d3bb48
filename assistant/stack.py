"""The components of the whole assistant and how each is started."""

from __future__ import annotations

from pathlib import Path

from assistant.rasa_endpoints import StoreUrlError, write_endpoints
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
        shared.RASA_URL_ENV: ",".join(settings.url(port) for port in settings.rasa_ports),
        "DASTYAR_BACKEND_HOST": settings.host,
        "DASTYAR_BACKEND_PORT": str(settings.backend_port),
        "DASTYAR_GATEWAY_HOST": settings.host,
        "DASTYAR_GATEWAY_PORT": str(settings.gateway_port),
    }


def latest_model(models_dir: Path) -> Path | None:
    """The newest trained model archive, if any."""
    models = shared.model_archives(models_dir)
    return models[-1] if models else None


SHARED_STORES_NEEDED = (
    "{n} Rasa replicas need a shared tracker store and lock store: set "
    "DASTYAR_RASA_TRACKER_STORE_URL (postgresql://…) and DASTYAR_RASA_LOCK_STORE_URL (redis://…); "
    "the embedded SQLite tracker file and in-memory locks are not safe to share between "
    "processes, so the stack does not start.\n"
    "    {n} نسخهٔ Rasa به پایگاه مشترک گفتگوها و قفل مشترک نیاز دارند: "
    "DASTYAR_RASA_TRACKER_STORE_URL (PostgreSQL) و DASTYAR_RASA_LOCK_STORE_URL (Redis) "
    "را تنظیم کنید؛ فایل SQLite داخلی و قفل‌های درون حافظه میان چند فرایند امن نیستند."
)


def rasa_endpoints(settings: AssistantSettings, run_dir: Path) -> tuple[Path, dict[str, str]]:
    """Write Rasa's endpoints file for this run; return it and the secrets Rasa must get.

    Refuses (StoreUrlError) several replicas on the embedded stores: each process would keep
    its own locks and they would write one SQLite file at once, so two replicas could answer
    one conversation in parallel from diverging histories.
    """
    stores = (settings.rasa_tracker_store_url, settings.rasa_lock_store_url)
    if settings.rasa_replicas > 1 and not all(url.get_secret_value() for url in stores):
        raise StoreUrlError(SHARED_STORES_NEEDED.format(n=settings.rasa_replicas))
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
        group: str = "",
    ) -> Component:
        # each runs from the repository root and is healthy once ``health`` on its port answers
        url = f"{settings.url(port)}{health}"
        env_ = {**env, **(secrets or {})}
        return Component(name, command, url, env=env_, cwd=ROOT, group=group)

    # Rasa's and rasa-sdk's entry points are theirs: started through the log-masking launcher.
    masked = [rasa, "-m", "shared.log_masking"]
    rasa_run = [*masked, "rasa", "run", "--enable-api", "--interface", settings.host]
    rasa_run += ["--model", str(model or settings.models_dir)]
    rasa_run += ["--endpoints", str(endpoints), "--credentials", "credentials.yml"]
    ports = settings.rasa_ports
    # only Rasa gets the secrets of its tracker and lock stores; replicas are one group: the
    # stack carries on while one of them is left
    rasas = [
        component(
            "rasa" if len(ports) == 1 else f"rasa-{n}",
            [*rasa_run, "--port", str(port)],
            port,
            "/status",
            rasa_secrets,
            group="rasa",
        )
        for n, port in enumerate(ports, start=1)
    ]
    actions_run = [*masked, "rasa_sdk", "--actions", "actions"]
    actions_run += ["--port", str(settings.actions_port)]
    return [
        component("backend", [app, "-m", "backend_api"], settings.backend_port),
        component("actions", actions_run, settings.actions_port),
        *rasas,
        component("gateway", [app, "-m", "connectors"], settings.gateway_port),
    ]
