"""The assistant's replies in a channel-neutral form, parsed from Rasa's REST channel output.

Rasa answers with a list of dicts: ``text``, ``buttons`` [{title, payload}], ``image`` and
``custom``. Two custom payloads are understood (anything else is ignored):

* ``{"type": "receipt", ...}``: a filed request's receipt, shown as a card (see :class:`Receipt`);
  the backend's Receipt fields are understood as they are (``created_at``, ``cost_text``…).
  Its optional ``proof`` ({"mobile": ...} or {"national_code": ...}) is removed here and kept by
  the gateway so the same conversation can attach files to the request; it is never shown.
  Text-only channels skip the receipt when a text reply of the same turn already gives its code.
* ``{"type": "ask_mobile", "text": "..."}``: the assistant asks for a mobile number; bots offer a
  "share my phone number" button. Without ``text`` it marks the preceding text reply.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from nlu.digits import to_latin_digits
from nlu.identifiers import (
    format_tracking_code,
    normalize_mobile,
    normalize_national_code,
    normalize_tracking_code,
)
from nlu.jalali import format_jalali

logger = logging.getLogger(__name__)

_MAX_FIELD = 300
_TEHRAN = ZoneInfo("Asia/Tehran")
_SAFE_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)

RECEIPT_FIELDS = (
    "tracking_code",
    "tracking_code_display",
    "service_title",
    "agency_name",
    "status",
    "status_label",
    "created_at_jalali",
    "estimated_completion_jalali",
    "cost",
)


def safe_url(value: object) -> str:
    """``value`` if it is a plain http(s) URL, else an empty string."""
    text = str(value or "").strip()
    return text if len(text) <= 2000 and _SAFE_URL.match(text) else ""


@dataclass(frozen=True)
class Button:
    """A choice offered to the citizen: a Rasa payload to send back, or a link to open."""

    title: str
    payload: str = ""
    url: str = ""

    def to_json(self) -> dict[str, str]:
        """The button as the web widget receives it."""
        return (
            {"title": self.title, "url": self.url}
            if self.url
            else {
                "title": self.title,
                "payload": self.payload,
            }
        )


@dataclass(frozen=True)
class Receipt:
    """What the citizen sees after filing a request (every field is display text)."""

    tracking_code: str
    tracking_code_display: str = ""
    service_title: str = ""
    agency_name: str = ""
    status: str = ""
    status_label: str = ""
    created_at_jalali: str = ""
    estimated_completion_jalali: str = ""
    cost: str = ""
    accepts_attachments: bool = True
    shown_in_text: bool = False  # a text reply of the same turn already gives the tracking code

    def to_json(self) -> dict[str, Any]:
        """The receipt as the web widget receives it."""
        body: dict[str, Any] = {"type": "receipt"}
        body.update({name: getattr(self, name) for name in RECEIPT_FIELDS})
        body["accepts_attachments"] = self.accepts_attachments
        return body


@dataclass(frozen=True)
class Proof:
    """The identity a request was filed with, needed to attach files to it."""

    tracking_code: str
    mobile: str | None = None
    national_code: str | None = None
    accepts_attachments: bool = True


@dataclass
class Reply:
    """One message of the assistant."""

    text: str = ""
    buttons: list[Button] = field(default_factory=list)
    receipt: Receipt | None = None
    ask_mobile: bool = False
    image: str = ""

    def to_json(self) -> dict[str, Any]:
        """The reply as the web widget receives it (only the keys that are set)."""
        body: dict[str, Any] = {}
        if self.text:
            body["text"] = self.text
        if self.buttons:
            body["buttons"] = [b.to_json() for b in self.buttons]
        if self.receipt is not None:
            body["custom"] = self.receipt.to_json()
        if self.ask_mobile:
            body["ask_mobile"] = True
        if self.image:
            body["image"] = self.image
        return body

    @property
    def empty(self) -> bool:
        """Nothing to show."""
        return not (self.text or self.buttons or self.receipt or self.image)


@dataclass
class Parsed:
    """Rasa's replies, with any request proofs taken out of them."""

    replies: list[Reply]
    proofs: list[Proof]


def _button(raw: object) -> Button | None:
    if not isinstance(raw, dict):
        return None
    title = str(raw.get("title") or "").strip()[:_MAX_FIELD]
    payload = str(raw.get("payload") or "").strip()
    url = safe_url(raw.get("url")) or safe_url(payload)
    if not title or not (payload or url):
        return None
    return Button(title=title, payload="" if url else payload[:2000], url=url)


def _jalali(value: object) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return format_jalali(moment.astimezone(_TEHRAN).date())


def _receipt(custom: dict[str, Any], labels: dict[str, str]) -> tuple[Receipt | None, Proof | None]:
    code = normalize_tracking_code(str(custom.get("tracking_code") or ""))
    if code is None:
        logger.warning("receipt payload without a valid tracking code ignored")
        return None, None
    fields: dict[str, Any] = {n: str(custom.get(n) or "")[:_MAX_FIELD] for n in RECEIPT_FIELDS}
    fields["tracking_code"] = code
    fields["tracking_code_display"] = fields["tracking_code_display"] or format_tracking_code(code)
    fields["cost"] = fields["cost"] or str(custom.get("cost_text") or "")[:_MAX_FIELD]
    fields["status_label"] = fields["status_label"] or labels.get(fields["status"], "")
    if not fields["created_at_jalali"] and custom.get("created_at"):
        fields["created_at_jalali"] = _jalali(custom["created_at"])
    accepts = bool(custom.get("accepts_attachments", True))
    receipt = replace(Receipt(code), **fields, accepts_attachments=accepts)
    raw_proof = custom.get("proof")
    proof = None
    if isinstance(raw_proof, dict):
        mobile = normalize_mobile(str(raw_proof.get("mobile") or ""))
        national = normalize_national_code(str(raw_proof.get("national_code") or ""))
        if mobile or national:
            proof = Proof(code, mobile, national, receipt.accepts_attachments)
    return receipt, proof


def _mentions(text: str, code: str) -> bool:
    return code in re.sub(r"[\s\-‌]", "", to_latin_digits(text))


def parse_rasa(raw_replies: list[dict[str, Any]], labels: dict[str, str] | None = None) -> Parsed:
    """Turn Rasa's REST replies into neutral replies and proofs (``labels``: status names)."""
    replies: list[Reply] = []
    proofs: list[Proof] = []
    for raw in raw_replies:
        if not isinstance(raw, dict):
            continue
        reply = Reply(
            text=str(raw.get("text") or ""),
            buttons=[b for b in map(_button, raw.get("buttons") or []) if b is not None],
            image=safe_url(raw.get("image")),
        )
        custom = raw.get("custom")
        if isinstance(custom, dict):
            kind = custom.get("type")
            if kind == "receipt":
                reply.receipt, proof = _receipt(custom, labels or {})
                if proof is not None:
                    proofs.append(proof)
            elif kind == "ask_mobile":
                reply.ask_mobile = True
                reply.text = reply.text or str(custom.get("text") or "")
                if not reply.text and replies:
                    replies[-1].ask_mobile = True
                    continue
            else:
                logger.debug("unknown custom payload %r ignored", kind)
        if not reply.empty:
            replies.append(reply)
    texts = [r.text for r in replies if r.text]
    for reply in replies:
        if reply.receipt and any(_mentions(t, reply.receipt.tracking_code) for t in texts):
            reply.receipt = replace(reply.receipt, shown_in_text=True)
    return Parsed(replies, proofs)
