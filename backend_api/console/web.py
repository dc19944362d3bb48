"""Page rendering for the console: templates, security headers and error pages."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from backend_api.console.formatting import FILTERS, fa
from backend_api.console.settings import get_console_settings
from backend_api.console.texts import Texts, load_texts
from backend_api.errors import ApiError, MessageCatalogue, load_messages
from shared.security_headers import security_headers

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
_COUNT = re.compile(r"[a-z_]{1,20}:\d{1,9}")
# The project's headers (shared/security_headers.py: never framed), and staff data is not cached.
SECURITY_HEADERS = {**security_headers(), "Cache-Control": "no-store"}

templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters.update(FILTERS)
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


def pager(query: Any, page: int) -> str:
    """The current query string with another page number."""
    items = [(k, v) for k, v in query.multi_items() if k != "page"]
    return urlencode([*items, ("page", str(page))])


templates.env.filters["pager"] = pager
templates.env.filters["pretty_json"] = lambda value: json.dumps(value, ensure_ascii=False, indent=1)


def api_messages(request: Request) -> MessageCatalogue:
    """The backend's Persian messages (errors, statuses)."""
    return load_messages(request.app.state.settings.messages_file)


def texts() -> Texts:
    """The console's Persian texts."""
    return load_texts(get_console_settings().texts_file)


def flash(request: Request) -> str:
    """The message named by ``?msg=`` after a redirect (only known codes; numbers only)."""
    code = request.query_params.get("msg", "")
    if not code or code not in texts().section("flash"):
        return ""
    count = request.query_params.get("n", "")
    counts = request.query_params.get("counts", "")
    return texts().get(
        "flash",
        code,
        count=fa(count if count.isdigit() else ""),
        counts=fa("، ".join(p for p in counts.split(",") if _COUNT.fullmatch(p))),
    )


templates.env.globals["flash"] = flash


class SignInRequired(Exception):
    """No live session: send the visitor to the sign-in page."""


class Forbidden(Exception):
    """Signed in, but this page is not for the account's role (or the CSRF token is wrong)."""

    def __init__(self, code: str = "forbidden") -> None:
        super().__init__(code)
        self.code = code


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render a template with the signed-in user, the texts and the statuses' labels."""
    ctx: dict[str, Any] = {
        "t": texts(),
        "user": getattr(request.state, "console_user", None),
        "statuses": api_messages(request).section("statuses"),
        "complaint_statuses": api_messages(request).section("complaint_statuses"),
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def redirect(url: str, **query: str) -> RedirectResponse:
    """A 303 redirect (after a form post) to a console URL, with an optional message code."""
    if query:
        url += ("&" if "?" in url else "?") + "&".join(
            f"{k}={quote(str(v))}" for k, v in query.items()
        )
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """The Persian error page."""
    return render(request, "error.html", {"status": status, "message": message}, status)


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class ConsoleRoute(APIRoute):
    """A route whose failures are Persian pages (or a sign-in redirect), never JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInRequired:
                target = request.url.path
                if request.url.query:
                    target += "?" + request.url.query
                if request.headers.get("HX-Request"):
                    # htmx follows redirects inside the fragment; make it load the whole page
                    response = Response(status_code=204)
                    response.headers["HX-Redirect"] = "/console/login"
                else:
                    response = RedirectResponse(
                        "/console/login?next=" + quote(target, safe=""), status_code=303
                    )
            except Forbidden as exc:
                response = error_page(request, 403, texts().get("errors", exc.code))
            except ApiError as exc:
                message = (
                    texts().get("errors", "not_found")
                    if exc.status == 404
                    else api_messages(request).text(exc.code, **exc.params)
                )
                response = error_page(request, exc.status, message)
            except (RequestValidationError, ValidationError):
                response = error_page(request, 422, texts().get("errors", "invalid"))
            return _secure(response)

        return handle
