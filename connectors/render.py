"""Plain-text renderings shared by the text-only channels (bots and SMS)."""

from __future__ import annotations

from connectors.messages import Receipt, Reply
from connectors.texts import Texts
from nlu.identifiers import format_tracking_code


def receipt_text(receipt: Receipt, texts: Texts) -> str:
    """A receipt as labelled lines."""
    code = receipt.tracking_code_display or format_tracking_code(receipt.tracking_code)
    rows = [
        ("receipt.tracking_code", code),
        ("receipt.service", receipt.service_title),
        ("receipt.agency", receipt.agency_name),
        ("receipt.status", receipt.status_label or receipt.status),
        ("receipt.created", receipt.created_at_jalali),
        ("receipt.estimated", receipt.estimated_completion_jalali),
        ("receipt.cost", receipt.cost),
    ]
    lines = [f"🧾 {texts.get('receipt.title')}"]
    lines += [f"{texts.get(key)}: {value}" for key, value in rows if value]
    lines.append(texts.get("receipt.keep_code"))
    return "\n".join(lines)


def reply_text(reply: Reply, texts: Texts) -> str:
    """A reply's text, receipt and image link, without its buttons."""
    parts = [reply.text] if reply.text else []
    if reply.receipt is not None and not reply.receipt.shown_in_text:
        parts.append(receipt_text(reply.receipt, texts))
    if reply.image:
        parts.append(reply.image)
    return "\n\n".join(parts)


def chunks(text: str, size: int) -> list[str]:
    """Split ``text`` into pieces of at most ``size`` characters, at line or word breaks."""
    pieces: list[str] = []
    rest = text
    while len(rest) > size:
        cut = rest.rfind("\n", 0, size + 1)
        if cut < size // 2:
            cut = rest.rfind(" ", 0, size + 1)
        if cut < size // 2:
            cut = size
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
