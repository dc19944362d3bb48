"""Backend fixtures: the real app over a real database — SQLite always, PostgreSQL when present."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from backend_api.catalogue.transfer import import_bundle, load_sources
from backend_api.migrate import upgrade
from backend_api.models import Base
from backend_api.settings import BackendSettings
from backend_api.users.security import Principal
from tests.support.backend_app import backend_app
from tests.support.postgres import private_schema

MINI_CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "mini_catalogue.yaml"
PASSWORDS = {"admin": "admin-password-1", "assistant": "assistant-password-1"}


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private schema in the PostgreSQL test database, migrated once per session.

    Its own schema lets several test runs (and benchmarks) share the server without interfering.
    """
    with private_schema("test") as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file database, migrated once per session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'backend.db'}"
    upgrade(url)
    return url


def _empty_tables(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if url.startswith("postgresql"):
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each API test runs once on SQLite and once on PostgreSQL, from empty tables."""
    url = request.getfixturevalue(f"{request.param}_url")
    _empty_tables(url)
    yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> BackendSettings:
    """Backend settings for one test."""
    return BackendSettings(
        database_url=database_url,
        data_dir=tmp_path,
        jwt_secret="test-secret-" + "x" * 40,
        admin_password=PASSWORDS["admin"],
        assistant_password=PASSWORDS["assistant"],
        seed_catalogue=False,
        migrate_on_start=False,  # the database fixtures migrated it once for the session
        max_attachment_bytes=64 * 1024,
    )


@pytest.fixture
def app(settings: BackendSettings):
    """The backend app with the mini catalogue loaded."""
    return backend_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    """An HTTP client over the app (lifespan runs: migrations, accounts)."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        with app.state.session_factory() as session:
            import_bundle(session, load_sources(MINI_CATALOGUE), Principal("test", "admin"))
            session.commit()
        yield test_client


def token_for(client: TestClient, username: str, password: str) -> dict[str, str]:
    """Authorization header for an account."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    """Headers of the admin account."""
    return token_for(client, "admin", PASSWORDS["admin"])


@pytest.fixture
def assistant(client: TestClient) -> dict[str, str]:
    """Headers of the assistant's service account."""
    return token_for(client, "assistant", PASSWORDS["assistant"])


@pytest.fixture
def staff(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    """Headers of a staff account created by the admin."""
    body = {"username": "staff1", "password": "staff-password-1", "role": "staff"}
    assert client.post("/api/v1/admin/users", json=body, headers=admin).status_code == 201
    return token_for(client, "staff1", "staff-password-1")
