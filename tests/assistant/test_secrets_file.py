"""Embedded-default secrets: generated once, private, and overridden by the environment."""

from assistant.secrets_file import load_or_create


def test_generated_once_private_and_stable(tmp_path, monkeypatch):
    monkeypatch.delenv("DASTYAR_BACKEND_JWT_SECRET", raising=False)
    first, created = load_or_create(tmp_path)
    assert created
    assert len(first["DASTYAR_BACKEND_JWT_SECRET"]) >= 32
    assert (tmp_path / "secrets.env").stat().st_mode & 0o777 == 0o600
    second, created_again = load_or_create(tmp_path)
    assert not created_again and second == first


def test_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("DASTYAR_BACKEND_JWT_SECRET", "from-the-environment-" + "y" * 20)
    values, _ = load_or_create(tmp_path)
    assert values["DASTYAR_BACKEND_JWT_SECRET"].startswith("from-the-environment-")
