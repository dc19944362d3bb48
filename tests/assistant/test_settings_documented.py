"""Every setting is documented in its package's README; `.env.example` shows only real ones."""

from __future__ import annotations

import re

import pytest
from pydantic_settings import BaseSettings

from assistant.settings import AssistantSettings
from backend_api.console.settings import ConsoleSettings
from backend_api.handoff.settings import HandoffSettings
from backend_api.retention.settings import RetentionSettings
from backend_api.settings import BackendSettings
from connectors.settings import GatewaySettings
from knowledge.settings import KnowledgeSettings
from shared.settings import ROOT

README_OF = {
    AssistantSettings: "assistant/README.md",
    BackendSettings: "backend_api/README.md",
    HandoffSettings: "backend_api/README.md",
    ConsoleSettings: "backend_api/README.md",
    RetentionSettings: "backend_api/README.md",
    GatewaySettings: "connectors/README.md",
    KnowledgeSettings: "knowledge/README.md",
}
MAX_OPERATOR_SETTINGS = 25


def variables(settings: type[BaseSettings]) -> list[str]:
    """The environment variable each field of ``settings`` is read from."""
    prefix = settings.model_config.get("env_prefix", "")
    return [
        field.validation_alias
        if isinstance(field.validation_alias, str)
        else f"{prefix}{name}".upper()
        for name, field in settings.model_fields.items()
    ]


@pytest.mark.parametrize("settings", list(README_OF), ids=lambda c: c.__name__)
def test_every_setting_has_a_row_in_its_package_readme(settings):
    readme = (ROOT / README_OF[settings]).read_text(encoding="utf-8")
    missing = [name for name in variables(settings) if f"| `{name}` |" not in readme]
    assert missing == []


def test_env_example_shows_a_few_real_settings():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    shown = re.findall(r"^# (DASTYAR_[A-Z0-9_]+)=", text, flags=re.MULTILINE)
    known = {name for settings in README_OF for name in variables(settings)}
    assert 0 < len(shown) <= MAX_OPERATOR_SETTINGS
    assert len(shown) == len(set(shown)) == text.count("DASTYAR_")
    assert set(shown) <= known
