"""The backend application: wiring of settings, database, routers and error handling."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from argon2 import PasswordHasher
from fastapi import FastAPI, Request
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from backend_api.audit.router import router as audit_router
from backend_api.catalogue.models import Service
from backend_api.catalogue.router import router as catalogue_router
from backend_api.catalogue.service import kb_version
from backend_api.catalogue.transfer import import_bundle, load_sources
from backend_api.citizens.policy import CodePolicy
from backend_api.citizens.router import router as citizens_router
from backend_api.common.guard import make_guard
from backend_api.common.rate_limit import install_rate_limit
from backend_api.console.router import install_console
from backend_api.db import make_engine, make_session_factory
from backend_api.docs import router as docs_router
from backend_api.errors import ApiError, install_error_handlers, load_messages
from backend_api.faq.router import router as faq_router
from backend_api.feedback.router import router as feedback_router
from backend_api.handoff.router import router as handoff_router
from backend_api.lexicon.router import router as lexicon_router
from backend_api.migrate import upgrade
from backend_api.notifications.router import router as notifications_router
from backend_api.requests.router import router as requests_router
from backend_api.search.router import router as search_router
from backend_api.search.service import LiveIndex
from backend_api.settings import BackendSettings, get_settings
from backend_api.unresolved.router import router as unresolved_router
from backend_api.users.router import router as users_router
from backend_api.users.security import Principal, production_hasher
from backend_api.users.service import ActiveUsers, ensure_account
from shared.log_masking import install_log_masking
from shared.security_headers import SecurityHeaders, security_headers

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
MIN_SECRET_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The backend cannot start with the given settings."""


def _check_settings(settings: BackendSettings) -> None:
    if len(settings.jwt_secret.get_secret_value()) < MIN_SECRET_LENGTH:
        raise ConfigurationError(
            f"DASTYAR_BACKEND_JWT_SECRET must be set to at least {MIN_SECRET_LENGTH} characters"
        )


def prepare_database(
    settings: BackendSettings, factory: sessionmaker[Session], hasher: PasswordHasher
) -> None:
    """Migrate, create the configured accounts and seed an empty catalogue (once per start,
    before serving; with several workers a short-lived process does it before they start)."""
    if settings.migrate_on_start:
        upgrade(settings.resolved_database_url())
    with factory() as session:
        accounts = (
            (settings.admin_username, settings.admin_password, "admin"),
            (settings.assistant_username, settings.assistant_password, "assistant"),
        )
        for username, password, role in accounts:
            if password.get_secret_value():
                ensure_account(session, username, password.get_secret_value(), role, hasher=hasher)
        empty = not session.scalar(select(func.count()).select_from(Service))
        if settings.seed_catalogue and empty and settings.catalogue_dir.is_dir():
            bundle = load_sources(settings.catalogue_dir)
            counts = import_bundle(session, bundle, Principal("seed", "admin"))
            logger.info("seeded the empty catalogue from %s: %s", settings.catalogue_dir, counts)
        session.commit()


def create_app(
    settings: BackendSettings | None = None, *, password_hasher: PasswordHasher | None = None
) -> FastAPI:
    """Build the FastAPI app; the database is prepared when the app starts.

    ``password_hasher`` defaults to the production cost; tests pass a cheap one.
    """
    install_log_masking()  # here too: each uvicorn worker process builds its own app
    settings = settings or get_settings()
    hasher = password_hasher or production_hasher()
    _check_settings(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    messages = load_messages(settings.messages_file)
    engine = make_engine(settings.resolved_database_url())
    factory = make_session_factory(engine)
    guard = make_guard(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.prepare_on_start:
            prepare_database(settings, factory, hasher)
        # Build (or load) the search index before the app reports healthy, so the first
        # citizen's question does not wait for the embeddings.
        with factory() as session:
            has_content = kb_version(session) > 0
        if has_content:
            try:
                app.state.search_index.current()
            except Exception:
                logger.exception("search index not built at start; the first search will retry")
        yield
        engine.dispose()

    app = FastAPI(
        title="Dastyar backend",
        version="1.0.0",
        description="Back office of the Dastyar assistant: catalogue, FAQ, requests, feedback.",
        lifespan=lifespan,
        # our /docs page: FastAPI's starts Swagger UI inline (see backend_api/docs.py)
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    install_rate_limit(app, settings, factory, messages)
    app.add_middleware(SecurityHeaders, headers=security_headers())  # outermost: on 429s too
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = factory
    app.state.messages = messages
    app.state.lookup_guard = guard
    app.state.code_policy = CodePolicy.from_settings(settings)
    app.state.password_hasher = hasher
    app.state.active_users = ActiveUsers(factory)
    app.state.search_index = LiveIndex(factory)
    app.state.search_index.use_data_dir(settings.data_dir)
    install_error_handlers(app, messages)

    # Each domain is included once, straight under the prefix: every level of nesting makes
    # FastAPI walk the routes again on each request (measured: ~10 % of a status check's CPU).
    for router in (
        requests_router,
        search_router,
        users_router,
        catalogue_router,
        faq_router,
        lexicon_router,
        feedback_router,
        citizens_router,
        unresolved_router,
        handoff_router,
        notifications_router,
        audit_router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    install_console(app)  # the staff and admin web console at /console
    app.include_router(docs_router)

    @app.get("/health", tags=["health"])
    def health(request: Request) -> dict[str, object]:
        """Liveness and readiness: the database answers."""
        try:
            with request.app.state.session_factory() as session:
                session.execute(text("SELECT 1"))
                version = kb_version(session)
        except Exception as exc:  # any database failure means "not ready"
            logger.warning("health check failed: %s", exc.__class__.__name__)
            raise ApiError(503, "database_unavailable") from None
        return {"status": "ok", "kb_version": version}

    return app
