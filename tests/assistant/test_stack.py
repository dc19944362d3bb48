"""The stack's components and environment for one or several Rasa replicas."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from assistant.rasa_endpoints import StoreUrlError
from assistant.settings import AssistantSettings
from assistant.stack import component_env, components, rasa_endpoints
from shared.settings import RASA_URL_ENV, rasa_urls

TRACKER = "postgresql://rasa@db.internal:5432/dastyar_tracker"
LOCKS = "redis://locks.internal:6379/1"


def settings(tmp_path, **kwargs) -> AssistantSettings:
    return AssistantSettings(data_dir=tmp_path, models_dir=tmp_path, **kwargs)


def test_one_replica_by_default_on_the_rasa_port(tmp_path):
    one = settings(tmp_path)
    env = component_env(one, {})
    assert env[RASA_URL_ENV] == "http://127.0.0.1:5005"
    rasas = [c for c in components(one, env) if c.group == "rasa"]
    assert [(c.name, c.health_url) for c in rasas] == [("rasa", "http://127.0.0.1:5005/status")]
    path, _ = rasa_endpoints(one, tmp_path)  # the embedded stores are fine for one process
    assert "sqlite" in path.read_text()


def test_replicas_on_consecutive_ports_and_the_gateway_gets_them_all(tmp_path):
    three = settings(
        tmp_path,
        rasa_replicas=3,
        rasa_tracker_store_url=SecretStr(TRACKER),
        rasa_lock_store_url=SecretStr(LOCKS),
    )
    env = component_env(three, {})
    assert rasa_urls(env[RASA_URL_ENV]) == [f"http://127.0.0.1:{p}" for p in (5005, 5006, 5007)]
    stack = components(three, env)
    rasas = [c for c in stack if c.group == "rasa"]
    assert [c.name for c in rasas] == ["rasa-1", "rasa-2", "rasa-3"]
    assert [c.command[c.command.index("--port") + 1] for c in rasas] == ["5005", "5006", "5007"]
    # the gateway starts after every replica
    assert [c.name for c in stack][-1] == "gateway"
    path, _ = rasa_endpoints(three, tmp_path)
    assert "postgresql" in path.read_text()


@pytest.mark.parametrize("tracker,locks", [("", ""), (TRACKER, ""), ("", LOCKS)])
def test_replicas_on_the_embedded_stores_are_refused_in_both_languages(tmp_path, tracker, locks):
    two = settings(
        tmp_path,
        rasa_replicas=2,
        rasa_tracker_store_url=SecretStr(tracker),
        rasa_lock_store_url=SecretStr(locks),
    )
    with pytest.raises(StoreUrlError) as refused:
        rasa_endpoints(two, tmp_path)
    assert "DASTYAR_RASA_TRACKER_STORE_URL" in str(refused.value)
    assert "not safe to share" in str(refused.value) and "امن نیستند" in str(refused.value)
    assert not (tmp_path / "endpoints.yml").exists()
