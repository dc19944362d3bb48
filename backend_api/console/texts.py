"""The console's Persian texts, read once from its locale file."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)


class Texts:
    """Sections of Persian text by code; a missing text falls back to its code."""

    def __init__(self, data: dict[str, dict[str, str]]) -> None:
        self._data = data

    def section(self, name: str) -> dict[str, str]:
        """One section (e.g. ``faq_statuses``)."""
        return self._data.get(name, {})

    def get(self, section: str, code: str, /, **params: Any) -> str:
        """The text ``section.code`` with ``params`` filled in."""
        template = self.section(section).get(code, code)
        try:
            return template.format(**params) if params else template
        except (KeyError, IndexError, ValueError):
            return template

    def __getattr__(self, name: str) -> dict[str, str]:
        # lets templates write ``t.roles.admin``
        if name.startswith("_"):
            raise AttributeError(name)
        return self.section(name)


@lru_cache
def load_texts(path: Path) -> Texts:
    """Load (once per path) the console's texts."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        logger.error("console text file %s is missing; pages will show codes", path)
        loaded = {}
    return Texts(
        {str(k): {str(c): str(v) for c, v in (s or {}).items()} for k, s in loaded.items()}
    )
