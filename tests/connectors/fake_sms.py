"""A local fake of a Kavenegar-style SMS gateway: ``POST /v1/{api_key}/sms/send.json``.

Records what was sent, drops a repeat of an already used ``localid`` (as the real API does), and
can be switched ``down`` (503) to test retries.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class FakeSmsGateway:
    """The fake provider; ``app`` is its ASGI app."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.sent: list[dict[str, str]] = []
        self.attempts = 0
        self.down = False
        self.invalid: set[str] = set()  # receptors answered 411, "receptor invalid"
        self._local_ids: set[str] = set()
        self._lock = threading.Lock()
        self._ids = itertools.count(7_000_000)
        self.app = self._build()

    def to(self, receptor: str) -> list[str]:
        """Messages delivered to one number, in order."""
        with self._lock:
            return [m["message"] for m in self.sent if m["receptor"] == receptor]

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/{api_key}/sms/send.json")
        async def send(api_key: str, request: Request) -> JSONResponse:
            async with request.form() as form:
                fields = {k: str(v) for k, v in form.items()}
            with self._lock:
                self.attempts += 1
            if api_key != self.api_key:
                return JSONResponse(
                    {"return": {"status": 403, "message": "کلید API نامعتبر است"}, "entries": None},
                    status_code=403,
                )
            if self.down:
                return JSONResponse({"detail": "maintenance"}, status_code=503)
            if fields.get("receptor") in self.invalid:
                return JSONResponse(
                    {"return": {"status": 411, "message": "گیرنده نامعتبر است"}, "entries": None},
                    status_code=411,
                )
            local_id = fields.get("localid")
            with self._lock:
                if not (local_id and local_id in self._local_ids):
                    self.sent.append(fields)
                if local_id:
                    self._local_ids.add(local_id)
            entry: dict[str, Any] = {
                "messageid": next(self._ids),
                "message": fields.get("message", ""),
                "status": 1,
                "statustext": "در صف ارسال",
                "sender": fields.get("sender", ""),
                "receptor": fields.get("receptor", ""),
                "cost": 120,
            }
            return JSONResponse(
                {"return": {"status": 200, "message": "تایید شد"}, "entries": [entry]}
            )

        return app
