"""A minimal HTTP/1.1 keep-alive client for load generators that share the machine they measure.

A load generator on the same 2 cores as the servers it measures takes CPU from them: httpx
spends ~1.5-2 ms of CPU a request, as much as a light endpoint itself. This client writes the
request line and headers by hand and reads a ``Content-Length`` body, a tenth of that cost.
It speaks only what the benchmarks need: JSON POSTs and GETs on one kept connection.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit


class LightClient:
    """One keep-alive connection to ``url``; every request returns (status, headers, body)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._headers = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(
        self, path: str, body: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """POST ``body`` as JSON; a dropped connection is reopened on the next request."""
        data = json.dumps(body, ensure_ascii=False).encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n{self._headers}{extra}"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        return await self._exchange(head.encode() + data)

    async def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """GET ``path``."""
        head = f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{self._headers}\r\n"
        return await self._exchange(head.encode())

    async def _exchange(self, request: bytes) -> tuple[int, dict[str, str], bytes]:
        if self._writer is None or self._reader is None or self._reader.at_eof():
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        try:
            self._writer.write(request)
            head = await self._reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            content = await self._reader.readexactly(int(headers.get("content-length", "0")))
        except BaseException:
            self.close()  # a half-read response would poison the next one
            raise
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, content

    def close(self) -> None:
        """Close the connection."""
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None
