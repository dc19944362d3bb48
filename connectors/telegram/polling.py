"""Long polling through the library's Updater, with getUpdates answers it can always read.

The Updater parses a getUpdates batch at once: one update the library cannot read would fail the
whole batch, again on every retry, and block the queue. The request object the Updater polls
with (a public extension point) hands it every update in a shape it reads.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.request import HTTPXRequest, RequestData

from connectors.telegram.updates import readable


class ReadableUpdatesRequest(HTTPXRequest):
    """HTTPXRequest for getUpdates whose answers carry only updates the library can read."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        """The platform's answer, each unreadable update reduced (see ``readable``)."""
        status, payload = await super().do_request(url, method, request_data, *args, **kwargs)
        try:
            body = json.loads(payload)
        except ValueError:
            return status, payload
        if not isinstance(body, dict) or not isinstance(body.get("result"), list):
            return status, payload
        body["result"] = [readable(u) if isinstance(u, dict) else u for u in body["result"]]
        return status, json.dumps(body).encode()
