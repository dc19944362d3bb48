"""The widget's HTTP API: chat, history (with the notification inbox) and attachments."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from connectors.attachments import Upload, clean_filename
from connectors.deps import AttacherDep, ConversationDep, GatewayDep, SettingsDep, StoreDep
from connectors.gateway import Gateway
from connectors.texts import Texts
from connectors.web.channel import SESSION_PATTERN

logger = logging.getLogger(__name__)

_FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields beside the file
_SESSION = re.compile(SESSION_PATTERN)
STREAM_RECHECK_S = 15.0  # a delivery by another replica, or a keep-alive, at least this often
MAX_SEQ = 2**62  # history positions are 64-bit integers in the store
STREAM_MAX_S = 25.0  # then the browser reconnects: proxies and a stopping server let go soon


class ChatIn(BaseModel):
    """A message from the web widget; ``title`` is what to show for a clicked button."""

    sender: str = Field(pattern=SESSION_PATTERN)
    message: str = Field(max_length=20000)
    title: str | None = Field(default=None, max_length=300)


class ChatOut(BaseModel):
    """The assistant's replies, the history position of the last one and of every entry of the
    turn (the widget skips those when it polls, and still shows a notification stored meanwhile)."""

    messages: list[dict[str, Any]]
    seq: int | None = None
    seqs: list[int] = []


class HistoryOut(BaseModel):
    """A session's history entries (user, bot and notification), oldest first."""

    entries: list[dict[str, Any]]


router = APIRouter(prefix="/api", tags=["web"])


def _notice(texts: Texts, key: str, status: int = 200, **params: Any) -> JSONResponse:
    """A gateway notice instead of the assistant's replies."""
    text = texts.get(f"gateway.{key}", **params)
    return JSONResponse({"messages": [{"text": text, "notice": key}]}, status_code=status)


async def _remember(gateway: Gateway, session: str, entries: list[dict[str, Any]]) -> list[int]:
    """Append to the session's history; the entries' positions."""
    store = gateway.store
    return await store.run(store.add_history, session, entries, gateway.settings.history_limit)


@router.post("/chat", response_model=ChatOut)
async def chat(body: ChatIn, gateway: GatewayDep, conversation: ConversationDep) -> Any:
    """Relay one message to the assistant and return its replies."""
    text = body.message.strip()
    limit = gateway.settings.max_message_chars
    if not text:
        return _notice(gateway.texts, "empty_message")
    if len(text) > limit:
        return _notice(gateway.texts, "message_too_long", limit=limit)
    sender = f"web:{body.sender}"
    started = time.perf_counter()
    async with conversation.hold(sender):
        asked = time.perf_counter()
        answer = await conversation.ask(sender, text, {"channel": "web"})
        rasa = time.perf_counter() - asked
        messages = [reply.to_json() for reply in answer.replies]
        shown = (body.title or "").strip() or text
        entries = [{"who": "user", "text": shown}] + [{"who": "bot", **m} for m in messages]
        seqs = await _remember(gateway, body.sender, entries)
    if not answer.available:
        messages[0]["notice"] = "assistant_unavailable"
    own = time.perf_counter() - started - rasa
    timing = f"rasa;dur={rasa * 1000:.2f}, gateway;dur={own * 1000:.2f}"
    return JSONResponse(
        {"messages": messages, "seq": seqs[-1], "seqs": seqs},
        status_code=200 if answer.available else 503,
        headers={"Server-Timing": timing},
    )


@router.get("/history", response_model=HistoryOut)
async def get_history(
    store: StoreDep,
    settings: SettingsDep,
    sender: str = Query(pattern=SESSION_PATTERN),
    after: int = Query(0, ge=0),
) -> Any:
    """The session's history after ``after``, including notifications delivered meanwhile."""
    return {"entries": await store.run(store.history, sender, after, settings.history_limit)}


@router.get("/events")
async def events(
    request: Request,
    gateway: GatewayDep,
    sender: str = Query(pattern=SESSION_PATTERN),
    after: int = Query(0, ge=0, le=MAX_SEQ),
) -> StreamingResponse:
    """Server-sent events: the session's new history entries (a staff reply, a notification)
    as they arrive; the widget polls ``/api/history`` when streams are not available."""
    last = request.headers.get("last-event-id", "")
    cursor = max(after, int(last)) if last.isdigit() and len(last) < 19 else after
    store, limit = gateway.store, gateway.settings.history_limit

    async def stream() -> AsyncIterator[str]:
        nonlocal cursor
        yield "retry: 3000\n\n"
        ends = time.monotonic() + STREAM_MAX_S
        with gateway.web.listening(sender) as woken:
            while time.monotonic() < ends and not await request.is_disconnected():
                woken.clear()
                entries = await store.run(store.history, sender, cursor, limit)
                for entry in entries:
                    cursor = max(cursor, int(entry["seq"]))
                    data = json.dumps(entry, ensure_ascii=False)
                    yield f"id: {entry['seq']}\ndata: {data}\n\n"
                if not entries:
                    yield ": keep-alive\n\n"
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), STREAM_RECHECK_S)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@router.post("/attachments")
async def attach(request: Request, gateway: GatewayDep, attacher: AttacherDep) -> Any:
    """Attach a file to the request filed in this conversation (PDF, JPEG or PNG)."""
    max_bytes = gateway.settings.max_upload_bytes
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes + _FORM_OVERHEAD:
        return _upload_answer(attacher.too_large(), None)
    # Content-Length can be absent (chunked) or lie: the body is counted as it arrives.
    bounded = _bounded(request, max_bytes + _FORM_OVERHEAD)
    try:
        async with bounded.form(max_files=1, max_fields=5) as form:
            sender = str(form.get("sender") or "")
            code = str(form.get("tracking_code") or "") or None
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not _SESSION.match(sender):
                return _notice(gateway.texts, "bad_upload", status=422)
            content = await upload.read(max_bytes + 1)
            filename = clean_filename(upload.filename or "")
    except _BodyTooLarge:
        return _upload_answer(attacher.too_large(), None)
    proof = await gateway.store.run(gateway.store.get_proof, f"web:{sender}", code)
    outcome = await attacher.attach(proof, filename, content)
    seqs = await _remember(
        gateway,
        sender,
        [{"who": "user", "text": f"📎 {filename}"}, {"who": "bot", "text": outcome.message}],
    )
    return _upload_answer(outcome, seqs)


class _BodyTooLarge(Exception):
    """The request body went past the limit while it was being read."""


def _bounded(request: Request, max_bytes: int) -> Request:
    """The same request, whose body raises ``_BodyTooLarge`` once past ``max_bytes``."""
    received = 0

    async def receive() -> Any:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > max_bytes:
                raise _BodyTooLarge
        return message

    return Request(request.scope, receive)


def _upload_answer(outcome: Upload, seqs: list[int] | None) -> JSONResponse:
    body: dict[str, Any] = {"messages": [{"text": outcome.message}], "ok": outcome.ok}
    if seqs:
        body["seq"], body["seqs"] = seqs[-1], seqs
    return JSONResponse(body, status_code=outcome.status)
