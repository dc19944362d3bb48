"""What a Bot API update means to the assistant: text, a button, a contact, a file, or a no."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from telegram import Message, Update

logger = logging.getLogger(__name__)

Kind = Literal[
    "text",
    "callback",
    "contact",
    "file",
    "sticker",
    "voice",
    "location",
    "edited",
    "unsupported",
    "ignore",
]

# Bot commands that have a meaning for the assistant; other commands are sent as plain words.
COMMANDS = {"/start": "/greet", "/help": "/capabilities"}

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


@dataclass
class Inbound:
    """One update, reduced to what the adapter acts on."""

    kind: Kind
    chat_id: int = 0
    text: str = ""
    callback_id: str = ""
    own_contact: bool = False
    file_id: str = ""
    file_name: str = ""
    file_size: int = 0
    mime_type: str = ""


def _command(text: str) -> str:
    word, _, rest = text.partition(" ")
    name = word.split("@", 1)[0].lower()
    if name in COMMANDS:
        return COMMANDS[name]
    return (name.lstrip("/") + " " + rest).strip()


def _message(message: Message) -> Inbound:
    chat = message.chat_id
    if message.text is not None:
        text = message.text.strip()
        if text.startswith("/") and message.entities and message.entities[0].type == "bot_command":
            text = _command(text)
        return Inbound("text", chat, text=text)
    if message.contact is not None:
        sender = message.from_user.id if message.from_user else None
        own = message.contact.user_id is not None and message.contact.user_id == sender
        return Inbound("contact", chat, text=message.contact.phone_number, own_contact=own)
    if message.document is not None:
        doc = message.document
        return Inbound(
            "file",
            chat,
            file_id=doc.file_id,
            file_name=doc.file_name or "document",
            file_size=doc.file_size or 0,
            mime_type=(doc.mime_type or "").lower(),
        )
    if message.photo:
        photo = max(message.photo, key=lambda p: p.width * p.height)
        return Inbound(
            "file",
            chat,
            file_id=photo.file_id,
            file_name=f"photo-{message.message_id}.jpg",
            file_size=photo.file_size or 0,
            mime_type="image/jpeg",
        )
    if message.sticker is not None:
        return Inbound("sticker", chat)
    if message.voice is not None or message.audio is not None or message.video_note is not None:
        return Inbound("voice", chat)
    if message.location is not None or message.venue is not None:
        return Inbound("location", chat)
    return Inbound("unsupported", chat)


def classify(update: Update) -> Inbound:
    """Reduce an update to an :class:`Inbound`; anything outside private chats is ignored."""
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat.id if query.message is not None else query.from_user.id
        if query.message is not None and query.message.chat.type != "private":
            return Inbound("ignore")
        return Inbound("callback", chat, text=query.data or "", callback_id=query.id)
    if update.edited_message is not None:
        if update.edited_message.chat.type != "private":
            return Inbound("ignore")
        return Inbound("edited", update.edited_message.chat_id)
    if update.message is not None:
        if update.message.chat.type != "private":
            return Inbound("ignore")
        return _message(update.message)
    return Inbound("ignore")


def readable(data: dict[str, Any]) -> dict[str, Any]:
    """The update as the library can read it: unchanged when it can; else (a newer or another
    platform's shape) only its id, plus an empty message when it came from a private chat, so
    that it is answered politely rather than failing."""
    try:
        Update.de_json(data, None)
        return data
    except Exception:
        logger.warning("an update the library cannot read: %s", sorted(data))
    reduced: dict[str, Any] = {"update_id": data.get("update_id")}
    message = data.get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    if isinstance(chat, dict) and chat.get("type") == "private" and isinstance(chat.get("id"), int):
        private = {"id": chat["id"], "type": "private"}
        reduced["message"] = {"message_id": 0, "date": 0, "chat": private}
    return reduced
