"""Form helpers: text areas as lists, validation errors as Persian sentences."""

from __future__ import annotations

from pydantic import ValidationError

from backend_api.errors import MessageCatalogue


def lines(text: str) -> list[str]:
    """One item per non-empty line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def problems(exc: ValidationError, messages: MessageCatalogue) -> list[str]:
    """Each validation error as «field: Persian message» (the field as the form names it)."""
    out = []
    for err in exc.errors():
        kind = str(err.get("type", "value_error"))
        text = messages.text(kind) if messages.has(kind) else messages.text("invalid_value")
        where = ".".join(str(p) for p in err.get("loc", ()))
        out.append(f"{where}: {text}" if where else text)
    return out
