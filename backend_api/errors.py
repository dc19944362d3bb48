"""One error format for every endpoint: ``{"error": {"code", "message", "details"}}``.

``code`` is a stable machine code; ``message`` is the Persian text from the locale file.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


class ApiError(Exception):
    """An expected failure with an HTTP status and a machine code; the message comes from locale."""

    # The request's unit of work is rolled back on an error, unless the error says otherwise.
    keeps_changes = False

    def __init__(self, status: int, code: str, details: Any = None, **params: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.details = details
        self.params = params


class NotFound(ApiError):
    """The thing asked for does not exist (or the caller may not know it exists)."""

    def __init__(self, code: str = "not_found", **params: Any) -> None:
        super().__init__(404, code, **params)


class Conflict(ApiError):
    """The request conflicts with the current state."""

    def __init__(self, code: str = "conflict", **params: Any) -> None:
        super().__init__(409, code, **params)


class CountedRefusal(ApiError):
    """A refusal whose cause must stay recorded: the unit of work commits what was flushed
    (a wrong one-time code uses up one of its tries although the call fails)."""

    keeps_changes = True


class Invalid(ApiError):
    """The request is well-formed but its content is not acceptable."""

    def __init__(self, code: str = "validation_error", details: Any = None, **params: Any) -> None:
        super().__init__(422, code, details, **params)


class MessageCatalogue:
    """Persian messages by machine code, read from the locale YAML file."""

    def __init__(self, path: Path) -> None:
        self._sections: dict[str, dict[str, str]] = {}
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            self._sections = {
                str(name): {str(k): str(v) for k, v in (entries or {}).items()}
                for name, entries in loaded.items()
            }
        except FileNotFoundError:
            logger.error("message file %s is missing; errors will carry codes only", path)
        self._messages = self._sections.get("errors", {})

    def section(self, name: str) -> dict[str, str]:
        """All texts of one section of the file (e.g. ``statuses``)."""
        return self._sections.get(name, {})

    def has(self, code: str) -> bool:
        """Tell whether a message exists for ``code``."""
        return code in self._messages

    def text(self, code: str, **params: Any) -> str:
        """Return the message for ``code`` with ``params`` filled in."""
        template = self._messages.get(code) or self._messages.get("internal_error", code)
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            return template


@lru_cache
def load_messages(path: Path) -> MessageCatalogue:
    """Load (once per path) the message catalogue."""
    return MessageCatalogue(path)


def error_body(messages: MessageCatalogue, code: str, details: Any = None, **params: Any) -> dict:
    """Build the JSON body of an error response."""
    body: dict[str, Any] = {"code": code, "message": messages.text(code, **params)}
    if details is not None:
        body["details"] = details
    return {"error": body}


def _validation_details(messages: MessageCatalogue, errors: Sequence[Any]) -> list[dict]:
    details = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path")]
        kind = str(err.get("type", "value_error"))
        code = kind if messages.has(kind) else "invalid_value"
        details.append({"field": ".".join(loc), "code": code, "message": messages.text(code)})
    return details


def install_error_handlers(app: FastAPI, messages: MessageCatalogue) -> None:
    """Register handlers so every error, expected or not, has the one format and no stack trace."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            error_body(messages, exc.code, exc.details, **exc.params), status_code=exc.status
        )

    def validation_response(errors: Sequence[Any]) -> JSONResponse:
        details = _validation_details(messages, errors)
        first = details[0]["code"] if details else "validation_error"
        code = first if first != "invalid_value" else "validation_error"
        return JSONResponse(error_body(messages, code, details), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_response(exc.errors())

    @app.exception_handler(ValidationError)
    async def _model_validation(_request: Request, exc: ValidationError) -> JSONResponse:
        # Models validated inside an endpoint (e.g. from form fields) fail like request bodies.
        return validation_response(exc.errors())

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(messages, code), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body(messages, "internal_error"), status_code=500)
