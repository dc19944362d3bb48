"""The assistant's replies as Bot API messages: text plus inline or reply keyboards."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from connectors.messages import Reply
from connectors.render import chunks, reply_text
from connectors.texts import Texts

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
PAYLOAD_KEY_PREFIX = "§"  # callback data too long for the Bot API is kept in the store

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass
class Outgoing:
    """One sendMessage call."""

    text: str
    markup: Markup | None = None


@dataclass
class Rendered:
    """The messages to send, long payloads to keep, and reply-keyboard options to remember."""

    messages: list[Outgoing]
    payloads: dict[str, str] = field(default_factory=dict)
    options: list[dict[str, str]] | None = None  # None: leave the remembered options as they are


def payload_key(payload: str) -> str:
    """A short stable key for a payload longer than callback data allows."""
    return PAYLOAD_KEY_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:24]


def _callback_data(payload: str, payloads: dict[str, str]) -> str:
    if len(payload.encode()) <= MAX_CALLBACK_BYTES and not payload.startswith(PAYLOAD_KEY_PREFIX):
        return payload
    key = payload_key(payload)
    payloads[key] = payload
    return key


def render(replies: list[Reply], texts: Texts, keyboard: str, had_options: bool) -> Rendered:
    """Turn replies into messages; buttons become an inline or a one-time reply keyboard."""
    rendered = Rendered(messages=[])
    options: list[dict[str, str]] = []
    reply_keyboard_used = False
    for reply in replies:
        text = reply_text(reply, texts)
        links = [b for b in reply.buttons if b.url]
        choices = [b for b in reply.buttons if not b.url]
        markup: Markup | None = None
        if reply.ask_mobile or (choices and keyboard == "reply"):
            rows = []
            if reply.ask_mobile:
                rows.append([KeyboardButton(texts.get("bot.share_phone"), request_contact=True)])
            rows += [[KeyboardButton(b.title)] for b in choices]
            options = [{"title": b.title, "payload": b.payload} for b in choices]
            if reply.ask_mobile:  # remembered too, so the keyboard is removed later
                options.insert(0, {"title": texts.get("bot.share_phone"), "payload": ""})
            markup = ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
            reply_keyboard_used = True
            if links:
                text = "\n".join([text, *(f"{b.title}: {b.url}" for b in links)]).strip()
        elif reply.buttons:
            payloads = rendered.payloads
            markup = InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(b.title, url=b.url)]
                    if b.url
                    else [
                        InlineKeyboardButton(
                            b.title, callback_data=_callback_data(b.payload, payloads)
                        )
                    ]
                    for b in reply.buttons
                ]
            )
        if not text:
            text = "…" if markup is not None else ""
        if not text:
            continue
        pieces = chunks(text, MAX_TEXT)
        rendered.messages += [Outgoing(piece) for piece in pieces[:-1]]
        rendered.messages.append(Outgoing(pieces[-1], markup))
    if reply_keyboard_used:
        rendered.options = options
    elif had_options:
        rendered.options = []
        if rendered.messages and rendered.messages[0].markup is None:
            rendered.messages[0].markup = ReplyKeyboardRemove()
    return rendered
