"""Backend fixtures: the real app over a real database — SQLite always, PostgreSQL when present."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from backend_api.catalogue.transfer import import_bundle, load_sources
from backend_api.migrate import upgrade
from backend_api.models import Base
from backend_api.settings import BackendSettings
from backend_api.users.security import Principal
from tests.support.backend_app import backend_app, renew
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


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def database(request: pytest.FixtureRequest) -> str:
    """Each API test runs once on SQLite and once on PostgreSQL (a module's tests one after
    the other on each, so they can share one app)."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def database_url(database: str) -> Iterator[str]:
    """The test's database, from empty tables."""
    _empty_tables(database)
    yield database


@pytest.fixture(scope="module")
def module_settings(database: str, tmp_path_factory: pytest.TempPathFactory) -> BackendSettings:
    """Backend settings for the tests of one module."""
    return BackendSettings(
        database_url=database,
        data_dir=tmp_path_factory.mktemp("data"),
        jwt_secret="test-secret-" + "x" * 40,
        admin_password=PASSWORDS["admin"],
        assistant_password=PASSWORDS["assistant"],
        seed_catalogue=False,
        migrate_on_start=False,  # the database fixtures migrated it once for the session
        max_attachment_bytes=64 * 1024,
        # a module's tests share the app, so its per-minute counts would add up from test to
        # test: limits are off here, and test_rate_limit.py builds apps with limits of its own
        rate_limit_per_minute=0,
        rate_limit_staff_per_minute=0,
    )


@pytest.fixture
def settings(module_settings: BackendSettings, database_url: str) -> BackendSettings:
    """Backend settings for one test (its tables emptied)."""
    return module_settings


@pytest.fixture(scope="module")
def running_app(module_settings: BackendSettings) -> Iterator[TestClient]:
    """The module's app, started once (lifespan: accounts, index) behind one HTTP client."""
    with TestClient(backend_app(module_settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def app(running_app: TestClient, settings: BackendSettings) -> FastAPI:
    """The backend app, as a new one would be over the test's empty tables."""
    renew(running_app.app)  # type: ignore[arg-type]
    return running_app.app  # type: ignore[return-value]


@pytest.fixture
def client(app: FastAPI, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """An HTTP client over the app, with the mini catalogue loaded (a module that builds an app
    of its own gets a client that starts it)."""
    shared: TestClient | None = None
    if "running_app" in request.fixturenames:
        shared = request.getfixturevalue("running_app")
    if shared is not None and shared.app is app:
        shared.cookies.clear()  # no sign-in carries over from the test before
        _load_catalogue(app)
        yield shared
        return
    with TestClient(app, raise_server_exceptions=False) as test_client:
        _load_catalogue(app)
        yield test_client


def _load_catalogue(app: FastAPI) -> None:
    with app.state.session_factory() as session:
        import_bundle(session, load_sources(MINI_CATALOGUE), Principal("test", "admin"))
        session.commit()


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


@pytest.fixture
def checks_every_search(app, monkeypatch: pytest.MonkeyPatch) -> None:
    """The search index checks the kb version on every query, so the next search sees a change
    (for this test only: the module's app keeps its usual interval)."""
    monkeypatch.setattr(app.state.search_index, "_interval", 0)
