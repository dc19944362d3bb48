"""Form helpers: text areas as lists, optional ids, refusals as Persian sentences."""

from __future__ import annotations

from pydantic import ValidationError

from backend_api.errors import ApiError, MessageCatalogue


def lines(text: str) -> list[str]:
    """One item per non-empty line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def optional_int(text: str) -> int | None:
    """A whole number typed or picked in a form (an id, an amount), or None when left empty."""
    return int(text) if text.isdigit() else None


def problems(exc: ValidationError, messages: MessageCatalogue) -> list[str]:
    """Each validation error as «field: Persian message» (the field as the form names it)."""
    out = []
    for err in exc.errors():
        kind = str(err.get("type", "value_error"))
        text = messages.text(kind) if messages.has(kind) else messages.text("invalid_value")
        where = ".".join(str(p) for p in err.get("loc", ()))
        out.append(f"{where}: {text}" if where else text)
    return out


def refusal(exc: ValidationError | ApiError, messages: MessageCatalogue) -> tuple[list[str], int]:
    """Why a change was refused, as Persian sentences, and the status to answer with."""
    if isinstance(exc, ValidationError):
        return problems(exc, messages), 422
    return [messages.text(exc.code, **exc.params)], exc.status
