"""The gateway's parts, wired together once from the settings: store, conversation, channels."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram.request import BaseRequest

from backend_client import BackendClient
from connectors.attachments import Attacher
from connectors.channel import Channel
from connectors.conversation import Conversation
from connectors.handoff import HandoffRouter
from connectors.notifications.worker import OutboxWorker
from connectors.rasa_client import RasaClient
from connectors.settings import GatewaySettings, secret_value
from connectors.sms.channel import SmsChannel
from connectors.sms.kavenegar import KavenegarProvider
from connectors.sms.provider import SmsProvider
from connectors.store import Store
from connectors.telegram.bot import BotChannel
from connectors.texts import Texts
from connectors.web.channel import WebChannel
from connectors.web.widget import STATIC, widget_script
from shared.settings import ATTACHMENT_TYPES


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
    backend: BackendClient | None = None
    worker: OutboxWorker | None = None
    widget_script: str = ""  # widget.js with its texts and limits built in

    @property
    def channels(self) -> list[Channel]:
        """Every enabled channel."""
        return [self.web, *self.bots, *([self.sms] if self.sms else [])]

    def webhook_bot(self, channel: str) -> BotChannel | None:
        """The bot of ``channel`` if it receives its updates by webhook."""
        return next(
            (b for b in self.bots if b.name == channel and b.config.mode == "webhook"), None
        )


def build(
    settings: GatewaySettings,
    rasa: RasaClient | None = None,
    *,
    backend: BackendClient | None = None,
    sms_provider: SmsProvider | None = None,
    bot_request: BaseRequest | None = None,
) -> Gateway:
    """Create the channels the settings enable."""
    texts = Texts.load(settings.texts_file)
    store = Store(settings.resolved_database_url())
    client = rasa or RasaClient(settings.rasa_url, settings.rasa_timeout)
    conversation = Conversation(client, store, texts, settings.rasa_concurrency)
    if backend is None and settings.backend_enabled:
        backend = BackendClient(
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
        widget_script=widget_script(STATIC, texts, settings),
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
