"""A local fake of the Telegram Bot API (and of Bale's copy of it) for the bot adapter's tests.

It serves ``<prefix>/bot<token>/<method>`` for any prefix, so one instance answers both a
Telegram-style base URL (``http://host/bot``) and a Bale-style one (``http://host/tapi/bot``).
It implements the methods the adapter uses, records every call, queues updates for getUpdates or
pushes them to the registered webhook, and can answer 429 (flood control) on demand.
Profile ``bale`` imitates a platform that ignores ``secret_token`` (it never sends the header).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

_METHOD = re.compile(r"^(?P<prefix>.*?)/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")
_FILE = re.compile(r"^(?P<prefix>.*?)/file/bot(?P<token>[^/]+)/(?P<path>.+)$")


@dataclass
class Call:
    """One Bot API call the adapter made."""

    prefix: str
    method: str
    params: dict[str, Any]
    flooded: bool = False
    at: float = field(default_factory=time.monotonic)


class FakeBotApi:
    """The fake platform; ``app`` is its ASGI app."""

    def __init__(self, token: str, profile: str = "telegram") -> None:
        self.token = token
        self.profile = profile
        self.calls: list[Call] = []
        self.webhook: dict[str, Any] | None = None
        self.pending: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self.flood: dict[str, int] = {}  # method -> how many 429 answers to give first
        self.refuse_markup = False  # answer 400 to any sendMessage with a reply_markup
        self.refuse_chat: dict[int, tuple[int, str]] = {}  # chat -> (error code, description)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self.app = self._build()

    # --- what the tests look at ---
    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """sendMessage calls (optionally to one chat), in order."""
        with self._lock:
            calls = [c.params for c in self.calls if c.method == "sendMessage" and not c.flooded]
        return [c for c in calls if chat_id is None or int(c["chat_id"]) == chat_id]

    def methods(self) -> list[str]:
        """Names of the methods called, in order."""
        with self._lock:
            return [c.method for c in self.calls]

    def prefixes(self) -> set[str]:
        """URL prefixes the calls came on."""
        with self._lock:
            return {c.prefix for c in self.calls}

    # --- the platform pushing updates ---
    def next_update_id(self) -> int:
        """A fresh update id."""
        return next(self._ids)

    def deliver(self, update: dict[str, Any]) -> int:
        """Push one update: POST it to the webhook, or queue it for getUpdates."""
        if self.webhook is None:
            with self._lock:
                self.pending.append(update)
            return 0
        headers = {}
        if self.webhook.get("secret_token") and self.profile == "telegram":
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        response = httpx.post(self.webhook["url"], json=update, headers=headers, timeout=30)
        return response.status_code

    # --- the HTTP side ---
    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.api_route("/{path:path}", methods=["GET", "POST"])
        async def handle(path: str, request: Request) -> Response:
            match = _FILE.match("/" + path)
            if match:
                content = self.files.get(match["path"])
                if match["token"] != self.token or content is None:
                    return Response(status_code=404)
                return Response(content, media_type="application/octet-stream")
            match = _METHOD.match("/" + path)
            if not match:
                return self._error(404, "Not Found")
            if match["token"] != self.token:
                return self._error(401, "Unauthorized")
            try:
                params = await self._params(request)
            except ClientDisconnect:
                return Response(status_code=499)
            method = match["method"]
            with self._lock:
                flooded = self.flood.get(method, 0)
                if flooded:
                    self.flood[method] = flooded - 1
                self.calls.append(Call(match["prefix"], method, params, bool(flooded)))
            if flooded:
                return JSONResponse(
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": "Too Many Requests: retry after 1",
                        "parameters": {"retry_after": 1},
                    },
                    status_code=429,
                )
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                return self._error(404, "Not Found: method not found")
            return await handler(params)

        return app

    @staticmethod
    async def _params(request: Request) -> dict[str, Any]:
        kind = request.headers.get("content-type", "")
        if "json" in kind:
            raw = await request.json()
        else:
            async with request.form() as form:
                raw = {k: v for k, v in form.items() if isinstance(v, str)}
            raw.update(request.query_params)
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, str) and value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            params[key] = value
        return params

    @staticmethod
    def _ok(result: Any) -> JSONResponse:
        return JSONResponse({"ok": True, "result": result})

    @staticmethod
    def _error(code: int, description: str) -> JSONResponse:
        return JSONResponse(
            {"ok": False, "error_code": code, "description": description}, status_code=code
        )

    async def _m_getMe(self, _params: dict[str, Any]) -> JSONResponse:
        return self._ok(
            {"id": 4242, "is_bot": True, "first_name": "Dastyar", "username": "dastyar_bot"}
        )

    async def _m_sendMessage(self, params: dict[str, Any]) -> JSONResponse:
        if self.refuse_markup and params.get("reply_markup"):
            return self._error(400, "Bad Request: reply markup is not supported")
        chat_id = int(params["chat_id"])
        if chat_id in self.refuse_chat:
            return self._error(*self.refuse_chat[chat_id])
        return self._ok(
            {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": params.get("text", ""),
            }
        )

    async def _m_setWebhook(self, params: dict[str, Any]) -> JSONResponse:
        secret = params.get("secret_token") if self.profile == "telegram" else None
        self.webhook = {"url": params["url"], "secret_token": secret}
        return self._ok(True)

    async def _m_deleteWebhook(self, _params: dict[str, Any]) -> JSONResponse:
        self.webhook = None
        return self._ok(True)

    async def _m_getWebhookInfo(self, _params: dict[str, Any]) -> JSONResponse:
        url = self.webhook["url"] if self.webhook else ""
        return self._ok({"url": url, "has_custom_certificate": False, "pending_update_count": 0})

    async def _m_getUpdates(self, params: dict[str, Any]) -> JSONResponse:
        if self.webhook is not None:
            return self._error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            with self._lock:
                self.pending = [u for u in self.pending if u["update_id"] >= offset]
                ready = list(self.pending[:100])
            if ready or time.monotonic() >= deadline:
                return self._ok(ready)
            await asyncio.sleep(0.02)

    async def _m_answerCallbackQuery(self, _params: dict[str, Any]) -> JSONResponse:
        return self._ok(True)

    async def _m_sendChatAction(self, _params: dict[str, Any]) -> JSONResponse:
        return self._ok(True)

    async def _m_getFile(self, params: dict[str, Any]) -> JSONResponse:
        file_id = str(params["file_id"])
        path = f"documents/{file_id}"
        if path not in self.files:
            return self._error(400, "Bad Request: invalid file_id")
        return self._ok(
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(self.files[path]),
                "file_path": path,
            }
        )


# --- updates as the platform sends them ---
def _user(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "شهروند"}


def _message(api: FakeBotApi, chat_id: int, **content: Any) -> dict[str, Any]:
    return {
        "message_id": next(api._message_ids),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": content.pop("chat_type", "private")},
        "from": _user(chat_id),
        **content,
    }


def text_update(api: FakeBotApi, chat_id: int, text: str, **extra: Any) -> dict[str, Any]:
    """A text message (a leading /command gets its bot_command entity)."""
    content: dict[str, Any] = {"text": text, **extra}
    if text.startswith("/"):
        content["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(text.split(" ")[0])}
        ]
    return {"update_id": api.next_update_id(), "message": _message(api, chat_id, **content)}


def callback_update(api: FakeBotApi, chat_id: int, data: str) -> dict[str, Any]:
    """A press on an inline keyboard button."""
    return {
        "update_id": api.next_update_id(),
        "callback_query": {
            "id": f"cb{api.next_update_id()}",
            "from": _user(chat_id),
            "chat_instance": "ci",
            "data": data,
            "message": _message(api, chat_id, text="…"),
        },
    }


def message_update(api: FakeBotApi, chat_id: int, **content: Any) -> dict[str, Any]:
    """Any other message (contact, photo, sticker, voice, document…)."""
    return {"update_id": api.next_update_id(), "message": _message(api, chat_id, **content)}


def edited_update(api: FakeBotApi, chat_id: int, text: str) -> dict[str, Any]:
    """An edited message."""
    message = _message(api, chat_id, text=text, edit_date=int(time.time()))
    return {"update_id": api.next_update_id(), "edited_message": message}
