"""The widget script, served with its Persian texts and limits built in (no extra request)."""

from __future__ import annotations

import json
from pathlib import Path

from connectors.settings import GatewaySettings
from connectors.texts import Texts
from shared.settings import ATTACHMENT_TYPES

PLACEHOLDER = "/*__DASTYAR_CONFIG__*/null"
STATIC = Path(__file__).resolve().parent.parent / "static"


def widget_script(static: Path, texts: Texts, settings: GatewaySettings) -> str:
    """widget.js with its configuration in place of the placeholder."""
    source = (static / "widget.js").read_text(encoding="utf-8")
    if PLACEHOLDER not in source:
        raise ValueError("widget.js has no configuration placeholder")
    config = {
        "texts": {
            **texts.section("widget"),
            **{f"receipt_{k}": v for k, v in texts.section("receipt").items()},
        },
        "maxUploadBytes": settings.max_upload_bytes,
        "uploadTypes": list(ATTACHMENT_TYPES),
        "maxMessageChars": settings.max_message_chars,
        "pollSeconds": 20,
    }
    return source.replace(PLACEHOLDER, json.dumps(config, ensure_ascii=False), 1)
