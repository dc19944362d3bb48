"""The gateway's small HTTP/1.1 client against a raw server that misbehaves on purpose."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from fastapi import FastAPI, Request

from connectors.http1 import Http1Pool, HttpError
from connectors.rasa_client import RasaClient, RasaUnavailable
from tests.connectors.servers import ServerThread


class RawServer:
    """Answers by path: /json (keep-alive), /chunked, /close, /slow, /garbage, /drop-idle."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[tuple[str, bytes]] = []
        self.server: asyncio.base_events.Server | None = None

    async def start(self) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                path = lines[0].split()[1]
                length = next(
                    (
                        int(v)
                        for k, _, v in (h.partition(": ") for h in lines[1:])
                        if k.lower() == "content-length"
                    ),
                    0,
                )
                body = await reader.readexactly(length)
                self.requests.append((path, body))
                if path == "/json":
                    out = json.dumps([{"text": "سلام"}], ensure_ascii=False).encode()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n" % len(out) + out
                    )
                elif path == "/chunked":
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b'3\r\n[{"\r\n'
                        b'10\r\ntext": "chunk"}]\r\n'
                        b"0\r\n\r\n"
                    )
                elif path == "/close":
                    writer.write(b"HTTP/1.1 503 Unavailable\r\nConnection: close\r\n\r\nbusy")
                    await writer.drain()
                    writer.close()
                    return
                elif path == "/slow":
                    await asyncio.sleep(2)
                elif path == "/garbage":
                    writer.write(b"SSH-2.0-OpenSSH\r\n")
                    await writer.drain()
                    writer.close()
                    return
                elif path == "/drop-idle":  # answer, then close the idle connection at once
                    writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                    await writer.drain()
                    writer.close()
                    return
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


def run(scenario):
    async def main():
        server = RawServer()
        url = await server.start()
        try:
            return await scenario(server, url)
        finally:
            await server.stop()

    return asyncio.run(main())


def test_keep_alive_connections_are_reused():
    async def scenario(server, url):
        pool = Http1Pool(url, timeout=5)
        for _ in range(5):
            status, body = await pool.request("POST", "/json", b'{"a": 1}')
            assert status == 200 and json.loads(body) == [{"text": "سلام"}]
        await pool.aclose()
        return server.connections, server.requests[0]

    connections, first = run(scenario)
    assert connections == 1 and first == ("/json", b'{"a": 1}')


def test_chunked_and_read_to_close_bodies():
    async def scenario(_server, url):
        pool = Http1Pool(url, timeout=5)
        chunked = await pool.request("GET", "/chunked")
        closed = await pool.request("GET", "/close")
        again = await pool.request("GET", "/json")  # after a close, a new connection
        await pool.aclose()
        return chunked, closed, again

    chunked, closed, again = run(scenario)
    assert chunked == (200, b'[{"text": "chunk"}]')
    assert closed == (503, b"busy")
    assert again[0] == 200


def test_a_connection_the_server_closed_while_idle_is_replaced_transparently():
    async def scenario(server, url):
        pool = Http1Pool(url, timeout=5)
        assert (await pool.request("GET", "/drop-idle"))[0] == 204
        await asyncio.sleep(0.05)
        status, _ = await pool.request("GET", "/json")
        await pool.aclose()
        return status, server.connections

    assert run(scenario) == (200, 2)


def test_timeouts_garbage_and_refusals_are_http_errors():
    async def scenario(_server, url):
        pool = Http1Pool(url, timeout=0.3)
        with pytest.raises(HttpError, match="timeout"):
            await pool.request("GET", "/slow")
        with pytest.raises(HttpError):
            await pool.request("GET", "/garbage")
        refused = Http1Pool("http://127.0.0.1:9", timeout=1)
        with pytest.raises(HttpError):
            await refused.request("GET", "/")
        await pool.aclose()

    run(scenario)


def test_the_rasa_client_over_raw_http():
    app = FastAPI()

    @app.get("/")
    def hello() -> str:
        return "Hello from Rasa"

    @app.post("/webhooks/rest/webhook")
    async def webhook(request: Request) -> list[dict[str, Any]]:
        body = await request.json()
        return [{"recipient_id": body["sender"], "text": f"پاسخ به: {body['message']}"}]

    async def talk(url: str) -> tuple[bool, list[dict[str, Any]], bool]:
        rasa = RasaClient(url, timeout=5)
        down = RasaClient("http://127.0.0.1:9", timeout=1)
        try:
            replies = await rasa.send("web:x", "سلام", {"channel": "web"})
            with pytest.raises(RasaUnavailable):
                await down.send("web:x", "سلام")
            return await rasa.healthy(), replies, await down.healthy()
        finally:
            await rasa.aclose()
            await down.aclose()

    with ServerThread(app) as server:
        healthy, replies, down_healthy = asyncio.run(talk(server.url))
    assert healthy and not down_healthy
    assert replies == [{"recipient_id": "web:x", "text": "پاسخ به: سلام"}]
