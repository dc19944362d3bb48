"""The security headers of every HTML page the project serves: the gateway's (the widget's demo
page) and the backend's (the staff console, the API docs). Defined here once; each app installs
:class:`SecurityHeaders` with the frame ancestors it allows.

The policy allows no inline script or style anywhere: scripts and styles come from the app's own
origin (and, for the API docs only, the CDN that serves Swagger UI). Standard library only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

SELF = "'self'"
NONE = "'none'"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def content_security_policy(frame_ancestors: Sequence[str] = (), cdn: Sequence[str] = ()) -> str:
    """The Content-Security-Policy: own origin only, no inline script; ``frame_ancestors`` may
    embed the page (none when empty); ``cdn`` adds origins for scripts, styles and images."""
    sources = " ".join([SELF, *cdn])
    ancestors = " ".join(frame_ancestors) or NONE
    return (
        f"default-src {SELF}; script-src {sources}; style-src {sources}; "
        f"img-src {sources} data:; font-src {SELF}; connect-src {SELF}; object-src {NONE}; "
        f"base-uri {NONE}; form-action {SELF}; frame-ancestors {ancestors}"
    )


def security_headers(
    frame_ancestors: Sequence[str] = (), cdn: Sequence[str] = ()
) -> dict[str, str]:
    """The headers an HTML page carries (see :func:`content_security_policy`)."""
    headers = {
        "Content-Security-Policy": content_security_policy(frame_ancestors, cdn),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    if not frame_ancestors:
        headers["X-Frame-Options"] = "DENY"  # for browsers that predate frame-ancestors
    return headers


def widget_frame_ancestors(widget_origins: Sequence[str]) -> list[str]:
    """The sites that may frame the gateway's pages: its own origin and the widget's origins."""
    return [SELF, *(origin.rstrip("/") for origin in widget_origins)]


class SecurityHeaders:
    """ASGI middleware: every HTML response gets the headers (a route's own values win), and
    every response ``X-Content-Type-Options: nosniff``."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.html = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        self.nosniff = (b"x-content-type-options", b"nosniff")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to the response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                present = {name.lower() for name, _ in raw}
                kind = next((v for k, v in raw if k.lower() == b"content-type"), b"")
                extra = self.html if kind.startswith(b"text/html") else [self.nosniff]
                raw += [(name, value) for name, value in extra if name not in present]
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, send_secured)
