"""The channels' Persian texts, read from ``data/locale/connectors.fa.yaml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from nlu.digits import to_persian_digits


class Texts:
    """Persian texts by ``section.key``; placeholders are filled with Persian digits."""

    def __init__(self, sections: dict[str, dict[str, str]]) -> None:
        self._sections = sections

    @classmethod
    def load(cls, path: Path) -> Texts:
        """Read the locale file and check that every entry is text."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        sections: dict[str, dict[str, str]] = {}
        for name, entries in raw.items():
            if not isinstance(entries, dict):
                raise ValueError(f"{path}: section {name!r} must be a mapping")
            sections[str(name)] = {str(k): str(v) for k, v in entries.items()}
        return cls(sections)

    def get(self, key: str, **params: Any) -> str:
        """The text at ``section.key`` with its placeholders filled."""
        section, _, name = key.partition(".")
        text = self._sections[section][name]
        if not params:
            return text
        shown = {
            k: to_persian_digits(str(v)) if isinstance(v, int) else v for k, v in params.items()
        }
        return text.format(**shown)

    def section(self, name: str) -> dict[str, str]:
        """Every text of one section (for the browser)."""
        return dict(self._sections[name])
