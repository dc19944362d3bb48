"""Every state-changing request of the API and the console is limited per client: per address
when not signed in, per account for staff, and the service account on its own (unlimited) budget;
the refusal is the one error shape, in Persian, with Retry-After. In Redis, every process shares
the counts."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import SecretStr

from backend_api.console.router import PAGES, PREFIX
from shared.rate_limit import CHANGING
from tests.backend_api.api_helpers import assert_error
from tests.backend_api.conftest import PASSWORDS, token_for
from tests.backend_api.console.helpers import sign_in
from tests.support.backend_app import backend_app
from tests.support.redis_db import empty_redis_db
from tests.support.windows import fresh_window

REDIS_URL = "redis://127.0.0.1:6379/13"
BAD_LOGIN = {"username": "admin", "password": "not-the-password"}


@pytest.fixture
def limited(settings):
    """An app whose limits are small enough to reach: 3 per address, 4 per staff account."""
    fresh_window()
    app = backend_app(
        settings.model_copy(update={"rate_limit_per_minute": 3, "rate_limit_staff_per_minute": 4})
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def refused(response) -> None:
    error = assert_error(response, 429, "rate_limited")
    seconds = int(response.headers["retry-after"])
    assert 1 <= seconds <= 60
    assert "ثانیهٔ دیگر" in error["message"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_an_address_not_signed_in_is_limited_and_reading_is_not(limited):
    for _ in range(3):
        assert limited.post("/api/v1/auth/token", json=BAD_LOGIN).status_code == 401
    refused(limited.post("/api/v1/auth/token", json=BAD_LOGIN))
    refused(limited.put("/api/v1/admin/faqs/x", json={}))  # every changing method, any path
    refused(limited.delete("/api/v1/admin/users/x"))
    assert limited.get("/api/v1/catalogue/agencies").status_code == 200


def test_a_forged_token_counts_against_its_address(limited):
    forged = {"Authorization": "Bearer not.a.token"}
    for _ in range(3):
        assert (
            limited.post("/api/v1/unresolved", json={"question": "؟"}, headers=forged).status_code
            == 401
        )
    refused(limited.post("/api/v1/unresolved", json={"question": "؟"}, headers=forged))


def test_staff_are_limited_per_account_and_the_service_account_is_not(limited):
    admin = token_for(limited, "admin", PASSWORDS["admin"])  # one of the address's three
    assistant = token_for(limited, "assistant", PASSWORDS["assistant"])  # two
    body = {"username": "staff9", "password": "staff-password-9", "role": "staff"}
    assert limited.post("/api/v1/admin/users", json=body, headers=admin).status_code == 201
    for n in range(3):
        question = {"question": f"پرسش {n}"}
        assert limited.post("/api/v1/unresolved", json=question, headers=admin).is_success
    refused(limited.post("/api/v1/unresolved", json={"question": "؟"}, headers=admin))
    for n in range(50):  # far past every other budget: the assistant relays every citizen
        question = {"question": f"پرسش شهروند {n}"}
        assert limited.post("/api/v1/unresolved", json=question, headers=assistant).is_success
    # the address itself still has its third request
    staff = token_for(limited, "staff9", "staff-password-9")
    assert limited.post("/api/v1/staff/unresolved/1/dismiss", headers=staff).is_success


def test_console_forms_count_against_the_signed_in_account(limited):
    sign_in(limited, "admin", PASSWORDS["admin"])  # the address's first
    for _ in range(4):
        assert limited.post("/console/no-such-form").status_code != 429
    refused(limited.post("/console/no-such-form"))
    limited.cookies.clear()
    assert limited.post("/console/no-such-form").status_code != 429  # the address's second


@pytest.fixture
def redis_db():
    yield from empty_redis_db(REDIS_URL)


def test_in_redis_every_process_shares_the_counts(settings, redis_db):
    fresh_window()
    shared = settings.model_copy(
        update={"rate_limit_per_minute": 3, "redis_url": SecretStr(REDIS_URL)}
    )
    with (
        TestClient(backend_app(shared), raise_server_exceptions=False) as one,
        TestClient(backend_app(shared), raise_server_exceptions=False) as two,
    ):
        for client in (one, two, one):
            assert client.post("/api/v1/auth/token", json=BAD_LOGIN).status_code == 401
        refused(two.post("/api/v1/auth/token", json=BAD_LOGIN))
    (key,) = redis_db.keys("dastyar:rate:*")
    assert 60 < redis_db.ttl(key) <= 120


def test_a_redis_that_is_down_lets_requests_through(settings):
    fresh_window()
    gone = settings.model_copy(
        update={"rate_limit_per_minute": 1, "redis_url": SecretStr("redis://127.0.0.1:1/0")}
    )
    with TestClient(backend_app(gone), raise_server_exceptions=False) as client:
        for _ in range(3):
            assert client.post("/api/v1/auth/token", json=BAD_LOGIN).status_code == 401


def changing_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every POST, PUT, PATCH and DELETE: the API's (its OpenAPI schema) and
    the console's forms (its routers), each path parameter filled with 1."""
    routes = [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method.upper() in CHANGING
    ]
    for module in PAGES:
        for route in module.router.routes:
            if isinstance(route, APIRoute):
                routes += [(m, PREFIX + route.path) for m in route.methods & CHANGING]
    return sorted((method, re.sub(r"\{[^}]+\}", "1", path)) for method, path in routes)


def test_every_state_changing_route_is_limited(limited):
    """No route escapes the limit: each POST, PUT, PATCH and DELETE of the API and the console
    is refused once the address has spent its budget."""
    for _ in range(3):
        limited.post("/api/v1/auth/token", json=BAD_LOGIN)
    changing = changing_routes(limited.app)
    assert len(changing) >= 40, changing
    assert ("POST", "/api/v1/requests") in changing and ("POST", "/console/login") in changing
    for method, path in changing:
        refused(limited.request(method, path, json={}))
