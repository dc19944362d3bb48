"""Checking a citizen's file before it is forwarded to the backend, and forwarding it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import PurePath

from backend_client import BackendClient, BackendRejected, BackendUnavailable
from connectors.messages import Proof
from connectors.texts import Texts
from nlu.identifiers import format_tracking_code

logger = logging.getLogger(__name__)

_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def sniff(content: bytes) -> str:
    """The content type the first bytes prove (PDF, JPEG or PNG), or an empty string."""
    for kind, signatures in _MAGIC.items():
        if content.startswith(signatures):
            return kind
    return ""


def clean_filename(name: str) -> str:
    """A file name without folders or control characters, at most 120 characters."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:120] or "file"


@dataclass
class Upload:
    """The outcome of an attachment: ok or not, and the Persian message to show."""

    ok: bool
    message: str
    status: int = 200


class Attacher:
    """Checks size and type, then forwards a file to the backend for the proven request."""

    def __init__(
        self,
        backend: BackendClient | None,
        texts: Texts,
        max_bytes: int,
        allowed: list[str],
    ) -> None:
        self.backend = backend
        self.texts = texts
        self.max_bytes = max_bytes
        self.allowed = allowed

    @property
    def max_mb(self) -> int:
        """The size limit in whole megabytes, for messages."""
        return max(1, self.max_bytes // (1024 * 1024))

    def too_large(self) -> Upload:
        """The answer to a file over the limit."""
        return Upload(False, self.texts.get("upload.too_large", max_mb=self.max_mb), 413)

    async def attach(self, proof: Proof | None, filename: str, content: bytes) -> Upload:
        """Check and forward one file; never raises."""
        if proof is None or not proof.accepts_attachments:
            return Upload(False, self.texts.get("upload.no_request"), 409)
        if not content:
            return Upload(False, self.texts.get("upload.empty"), 400)
        if len(content) > self.max_bytes:
            return self.too_large()
        kind = sniff(content)
        if not kind or kind not in self.allowed:
            return Upload(False, self.texts.get("upload.bad_type"), 415)
        if self.backend is None:
            logger.warning("attachment refused: the gateway has no backend credentials")
            return Upload(False, self.texts.get("upload.failed"), 503)
        name = clean_filename(filename)
        try:
            await self.backend.attach(
                proof.tracking_code,
                (name, content, kind),
                mobile=proof.mobile,
                national_code=proof.national_code,
            )
        except BackendRejected as exc:
            logger.info("backend refused an attachment: %s", exc)
            return Upload(False, exc.message or self.texts.get("upload.failed"), exc.status)
        except BackendUnavailable as exc:
            logger.warning("backend unavailable for an attachment: %s", exc)
            return Upload(False, self.texts.get("upload.failed"), 503)
        shown = format_tracking_code(proof.tracking_code)
        return Upload(True, self.texts.get("upload.done", name=name, code=shown), 201)
