"""Console fixtures: signed-in browsers (test clients) for an admin and staff of two agencies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from backend_api.org.service import set_membership
from backend_api.users.security import Principal
from tests.backend_api.conftest import PASSWORDS
from tests.backend_api.console.helpers import sign_in

STAFF_PASSWORD = "staff-password-1"


def make_staff(client: TestClient, admin: dict[str, str], username: str, *agencies: str) -> None:
    """A staff account in ``agencies`` (codes), made through the API and the org service."""
    body = {
        "username": username,
        "password": STAFF_PASSWORD,
        "role": "staff",
        "full_name": username,
    }
    assert client.post("/api/v1/admin/users", json=body, headers=admin).status_code == 201
    with client.app.state.session_factory() as session:
        for code in agencies:
            set_membership(session, Principal("test", "admin"), username, code, None)
        session.commit()


@pytest.fixture
def agencies(client: TestClient) -> list[str]:
    """The mini catalogue's agency codes, by number."""
    with client.app.state.session_factory() as session:
        from backend_api.catalogue.service import list_agencies

        return [a.code for a in list_agencies(session)]


@pytest.fixture
def admin_browser(client: TestClient) -> Iterator[TestClient]:
    """The test client signed in as the admin."""
    sign_in(client, "admin", PASSWORDS["admin"])
    yield client


def browser_for(app, username: str, password: str = STAFF_PASSWORD) -> TestClient:
    """Another client (its own cookies) over the same app, signed in."""
    other = TestClient(app, raise_server_exceptions=False)
    sign_in(other, username, password)
    return other
