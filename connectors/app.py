"""The gateway: one FastAPI app with an adapter per channel, talking to Rasa's REST channel.

Web widget (always on), Telegram and Bale bots (when their token is set), SMS (when the provider's
API key is set), and the notification outbox worker (when the backend credentials are set).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from connectors import logsafe, routes
from connectors.gateway import Gateway, build
from connectors.rasa_client import RasaClient
from connectors.settings import GatewaySettings, get_settings
from connectors.sms.router import router as sms_router
from connectors.store import Store
from connectors.telegram.webhook import router as webhook_router
from connectors.web.limits import SESSION_HEADER, install_web_limit
from connectors.web.router import router as web_router
from connectors.web.widget import STATIC
from shared.log_masking import install_log_masking
from shared.security_headers import SecurityHeaders, security_headers, widget_frame_ancestors

logger = logging.getLogger(__name__)

PRUNE_EVERY = 6 * 3600.0
CHECKPOINT_EVERY = 1.0


async def _prune_forever(gateway: Gateway) -> None:
    store = gateway.store
    while True:
        try:
            await store.run(store.prune, gateway.settings.history_days)
        except Exception:
            logger.exception("pruning the gateway store failed")
        await asyncio.sleep(PRUNE_EVERY)


async def _checkpoint_forever(store: Store) -> None:
    """Keep SQLite's WAL short from a worker thread, so no message's write pays for it."""
    while True:
        await asyncio.sleep(CHECKPOINT_EVERY)
        try:
            await asyncio.to_thread(store.checkpoint)
        except Exception:
            logger.exception("checkpointing the gateway store failed")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the channels, the outbox worker and the pruning; stop them in reverse."""
    gateway: Gateway = app.state.gateway
    settings = gateway.settings
    pruner = asyncio.create_task(_prune_forever(gateway))
    checkpointer = (
        asyncio.create_task(_checkpoint_forever(gateway.store)) if gateway.store.is_sqlite else None
    )
    for channel in gateway.channels:
        await channel.start()
    if gateway.worker is not None:
        gateway.worker.start()
    expirer = (
        asyncio.create_task(
            gateway.conversation.handoffs.expire_forever(settings.handoff_expire_every_s)
        )
        if gateway.conversation.handoffs is not None
        else None
    )
    names = ", ".join(c.name for c in gateway.channels)
    logger.info("gateway channels: %s; outbox worker %s", names, "on" if gateway.worker else "off")
    try:
        yield
    finally:
        if gateway.worker is not None:
            await gateway.worker.stop()
        for channel in gateway.channels:
            await channel.stop()
        for task in (pruner, checkpointer, expirer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await gateway.conversation.rasa.aclose()
        if gateway.backend is not None:
            await gateway.backend.aclose()
        gateway.store.close()


def create_app(
    settings: GatewaySettings | None = None,
    rasa: RasaClient | None = None,
    **overrides: Any,
) -> FastAPI:
    """Build the gateway app (``overrides``: backend, sms_provider, bot_request, for tests)."""
    install_log_masking()
    settings = settings or get_settings()
    logsafe.install(settings.secrets())
    gateway = build(settings, rasa, **overrides)

    # no API docs pages here: FastAPI's start Swagger UI from an inline script, which the pages'
    # policy refuses; the gateway's few routes are described in connectors/README.md
    app = FastAPI(title="Dastyar gateway", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.gateway = gateway
    install_web_limit(app, settings, gateway.texts)
    # the demo page may be framed by the sites that embed the widget, and by nothing else
    frame_ancestors = widget_frame_ancestors(settings.widget_origins)
    app.add_middleware(SecurityHeaders, headers=security_headers(frame_ancestors))
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.widget_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", SESSION_HEADER],
    )
    app.include_router(routes.router)  # before the mount: /static/widget.js is built, not a file
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(web_router)
    app.include_router(webhook_router)
    if gateway.sms is not None:
        app.include_router(sms_router)
    return app
