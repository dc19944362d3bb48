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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from telegram.request import BaseRequest

from connectors import logsafe
from connectors.attachments import Attacher
from connectors.backend import GatewayBackend
from connectors.channel import Channel
from connectors.conversation import Conversation
from connectors.handoff import HandoffRouter
from connectors.notifications.worker import OutboxWorker
from connectors.rasa_client import RasaClient
from connectors.settings import GatewaySettings, get_settings, secret_value
from connectors.sms.channel import SmsChannel
from connectors.sms.kavenegar import KavenegarProvider
from connectors.sms.provider import SmsProvider
from connectors.sms.router import sms_router
from connectors.store import Store
from connectors.telegram.bot import BotChannel
from connectors.telegram.webhook import webhook_router
from connectors.texts import Texts
from connectors.web.channel import WebChannel
from connectors.web.router import web_router
from connectors.web.widget import widget_script
from shared.settings import ATTACHMENT_TYPES

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
PRUNE_EVERY = 6 * 3600.0
CHECKPOINT_EVERY = 1.0


@dataclass
class Gateway:
    """Everything the app wired together (tests reach the channels through ``app.state``)."""

    settings: GatewaySettings
    texts: Texts
    store: Store
    conversation: Conversation
    attacher: Attacher
    web: WebChannel
    bots: list[BotChannel] = field(default_factory=list)
    sms: SmsChannel | None = None
    backend: GatewayBackend | None = None
    worker: OutboxWorker | None = None

    @property
    def channels(self) -> list[Channel]:
        """Every enabled channel."""
        return [self.web, *self.bots, *([self.sms] if self.sms else [])]


def build(
    settings: GatewaySettings,
    rasa: RasaClient | None = None,
    *,
    backend: GatewayBackend | None = None,
    sms_provider: SmsProvider | None = None,
    bot_request: BaseRequest | None = None,
) -> Gateway:
    """Create the channels the settings enable."""
    texts = Texts.load(settings.texts_file)
    store = Store(settings.resolved_database_url())
    client = rasa or RasaClient(settings.rasa_url, settings.rasa_timeout)
    conversation = Conversation(client, store, texts, settings.rasa_concurrency)
    if backend is None and settings.backend_enabled:
        backend = GatewayBackend(
            settings.backend_url,
            settings.backend_username,
            secret_value(settings.backend_password),
            timeout=settings.backend_timeout,
        )
    attacher = Attacher(backend, texts, settings.max_upload_bytes, list(ATTACHMENT_TYPES))
    gateway = Gateway(
        settings=settings,
        texts=texts,
        store=store,
        conversation=conversation,
        attacher=attacher,
        web=WebChannel(store, settings.history_limit),
        backend=backend,
    )
    gateway.bots = [
        BotChannel(
            config,
            settings,
            texts,
            store,
            conversation,
            attacher,
            request=bot_request,
            poll_timeout=settings.bot_poll_timeout,
        )
        for config in settings.bots()
    ]
    if sms_provider is None and settings.sms_enabled:
        sms_provider = KavenegarProvider(
            settings.sms_base_url,
            secret_value(settings.sms_api_key),
            settings.sms_sender,
            settings.sms_timeout,
        )
    if sms_provider is not None:
        gateway.sms = SmsChannel(
            sms_provider,
            texts,
            store,
            conversation,
            settings.sms_max_parts,
            settings.max_message_chars,
            replay_after_s=settings.inbox_replay_after_s,
            sweep_every_s=settings.inbox_sweep_s,
        )
    if backend is not None and settings.handoff_enabled:
        conversation.handoffs = HandoffRouter(backend, texts)
    if backend is not None and settings.notify_enabled:
        gateway.worker = OutboxWorker(
            backend,
            gateway.channels,
            store,
            batch=settings.notify_batch,
            lease_seconds=settings.notify_lease_seconds,
            interval=settings.notify_interval,
            max_backoff=settings.notify_max_backoff,
            intervals={"web": min(settings.notify_interval_web, settings.notify_interval)},
        )
    return gateway


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


def create_app(
    settings: GatewaySettings | None = None,
    rasa: RasaClient | None = None,
    **overrides: Any,
) -> FastAPI:
    """Build the gateway app (``overrides``: backend, sms_provider, bot_request, for tests)."""
    settings = settings or get_settings()
    logsafe.install(settings.secrets())
    gateway = build(settings, rasa, **overrides)
    script = widget_script(STATIC, gateway.texts, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        """Start the channels, the outbox worker and the pruning; stop them in reverse."""
        pruner = asyncio.create_task(_prune_forever(gateway))
        checkpointer = (
            asyncio.create_task(_checkpoint_forever(gateway.store))
            if gateway.store.is_sqlite
            else None
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
        logger.info(
            "gateway channels: %s; outbox worker %s", names, "on" if gateway.worker else "off"
        )
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

    app = FastAPI(title="Dastyar gateway", lifespan=lifespan)
    app.state.gateway = gateway
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.widget_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
    )

    @app.get("/static/widget.js", include_in_schema=False)
    def widget() -> Response:
        """The embeddable widget, with its texts and limits built in."""
        return Response(
            script,
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        """The demo page with the chat widget."""
        return FileResponse(STATIC / "index.html")

    @app.get("/health")
    async def health() -> dict[str, Any]:
        """The gateway is up; Rasa's and each bot's state are reported beside it."""
        rasa = "ok" if await gateway.conversation.rasa.healthy() else "down"
        channels = {channel.name: getattr(channel, "status", "ok") for channel in gateway.channels}
        return {"status": "ok", "rasa": rasa, "channels": channels}

    app.include_router(
        web_router(
            settings,
            gateway.texts,
            gateway.store,
            gateway.conversation,
            gateway.attacher,
            gateway.web,
        )
    )
    app.include_router(webhook_router(gateway.bots))
    if gateway.sms is not None:
        app.include_router(sms_router(gateway.sms, secret_value(settings.sms_inbound_secret)))
    return app
