"""Tokens, roles and account administration."""

from __future__ import annotations

import datetime as dt
import re
import time
from contextlib import ExitStack

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend_api.app import create_app
from backend_api.settings import BackendSettings
from backend_api.users import security
from backend_api.users.models import User
from backend_api.users.security import Principal, issue_token, production_hasher, verify_password
from tests.backend_api.api_helpers import assert_error, audit
from tests.backend_api.conftest import PASSWORDS, token_for
from tests.support.backend_app import backend_app
from tests.support.postgres import private_schema

TOKEN_URL = "/api/v1/auth/token"
SECRET = "test-secret-" + "x" * 40  # the secret of the `settings` fixture

# Paths as the app declares them; every {parameter} is filled with "1" when called (the caller is
# refused before the parameter is looked at).
STAFF_ENDPOINTS = [
    ("GET", "/api/v1/staff/requests"),
    ("GET", "/api/v1/staff/requests/{tracking_code}"),
    ("POST", "/api/v1/staff/requests/{tracking_code}/transitions"),
    ("GET", "/api/v1/staff/ratings"),
    ("GET", "/api/v1/staff/complaints"),
    ("POST", "/api/v1/staff/complaints/{tracking_code}"),
    ("GET", "/api/v1/staff/unresolved"),
    ("POST", "/api/v1/staff/unresolved/{item_id}/answer"),
    ("POST", "/api/v1/staff/unresolved/{item_id}/dismiss"),
    ("GET", "/api/v1/staff/handoffs"),
    ("POST", "/api/v1/staff/handoffs/{handoff_id}/take"),
    ("GET", "/api/v1/staff/handoffs/{handoff_id}"),
    ("POST", "/api/v1/staff/handoffs/{handoff_id}/messages"),
    ("POST", "/api/v1/staff/handoffs/{handoff_id}/close"),
    ("GET", "/api/v1/staff/outbox"),
]
ADMIN_ENDPOINTS = [
    ("GET", "/api/v1/admin/users"),
    ("POST", "/api/v1/admin/users"),
    ("PATCH", "/api/v1/admin/users/{username}"),
    ("PUT", "/api/v1/admin/agencies/{code}"),
    ("PUT", "/api/v1/admin/clusters/{code}"),
    ("POST", "/api/v1/admin/services"),
    ("PUT", "/api/v1/admin/services/{code}"),
    ("DELETE", "/api/v1/admin/services/{code}"),
    ("GET", "/api/v1/admin/faq"),
    ("POST", "/api/v1/admin/faq"),
    ("PUT", "/api/v1/admin/faq/{faq_id}"),
    ("DELETE", "/api/v1/admin/faq/{faq_id}"),
    ("GET", "/api/v1/admin/synonyms"),
    ("POST", "/api/v1/admin/synonyms"),
    ("DELETE", "/api/v1/admin/synonyms"),
    ("GET", "/api/v1/admin/audit"),
]
CITIZEN_WRITES = [
    ("POST", "/api/v1/requests"),
    ("POST", "/api/v1/requests/lookup"),
    ("POST", "/api/v1/requests/attachments"),
    ("POST", "/api/v1/ratings"),
    ("POST", "/api/v1/complaints"),
    ("POST", "/api/v1/complaints/lookup"),
    ("POST", "/api/v1/unresolved"),
    ("POST", "/api/v1/handoffs"),
    ("POST", "/api/v1/handoffs/messages"),
    ("POST", "/api/v1/handoffs/expire"),
    ("POST", "/api/v1/outbox/claim"),
    ("POST", "/api/v1/outbox/{message_id}/sent"),
    ("POST", "/api/v1/outbox/{message_id}/failed"),
    ("POST", "/api/v1/citizens/codes"),
    ("POST", "/api/v1/citizens/codes/verify"),
    ("POST", "/api/v1/citizens/contacts"),
    ("POST", "/api/v1/citizens/filings"),
]
OPEN_WRITES = [("POST", TOKEN_URL)]


def _call(client, method, path, headers=None):
    return client.request(method, re.sub(r"\{\w+\}", "1", path), headers=headers or {})


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- the token endpoint ------------------------------------------------------------------------


def test_a_good_password_gets_a_bearer_token_with_the_role(client):
    response = client.post(TOKEN_URL, json={"username": "admin", "password": PASSWORDS["admin"]})
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["token_type"] == "bearer"
    assert token["role"] == "admin"
    assert token["expires_in"] == 60 * 60
    assert (
        client.get("/api/v1/admin/users", headers=_bearer(token["access_token"])).status_code == 200
    )


def test_a_wrong_password_is_refused_in_persian(client):
    response = client.post(TOKEN_URL, json={"username": "admin", "password": "not-the-password"})
    error = assert_error(response, 401, "bad_credentials")
    assert "گذرواژه" in error["message"]


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    response = client.post(TOKEN_URL, json={"username": "nobody", "password": PASSWORDS["admin"]})
    assert_error(response, 401, "bad_credentials")


def test_empty_credentials_are_a_validation_error(client):
    response = client.post(TOKEN_URL, json={"username": "", "password": ""})
    assert_error(response, 422, "string_too_short")


# --- who may call what -------------------------------------------------------------------------
# These checks change nothing, so they share one app per database; it has its own database (a
# separate SQLite file, a separate PostgreSQL schema) so the other tests' cleanup cannot touch it.


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def roles(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A running app and the headers of each role: (client, {"admin"|"staff"|"assistant": ...})."""
    folder = tmp_path_factory.mktemp("roles")
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{folder / 'roles.db'}"
        else:
            url = stack.enter_context(private_schema("roles"))
        settings = BackendSettings(
            database_url=url,
            data_dir=folder,
            jwt_secret=SECRET,
            admin_password=PASSWORDS["admin"],
            assistant_password=PASSWORDS["assistant"],
            seed_catalogue=False,
        )
        client = stack.enter_context(
            TestClient(backend_app(settings), raise_server_exceptions=False)
        )
        admin = token_for(client, "admin", PASSWORDS["admin"])
        body = {"username": "staff1", "password": "staff-password-1", "role": "staff"}
        assert client.post("/api/v1/admin/users", json=body, headers=admin).status_code == 201
        yield (
            client,
            {
                "admin": admin,
                "staff": token_for(client, "staff1", "staff-password-1"),
                "assistant": token_for(client, "assistant", PASSWORDS["assistant"]),
            },
        )


@pytest.mark.parametrize(("method", "path"), STAFF_ENDPOINTS + ADMIN_ENDPOINTS)
def test_back_office_endpoints_refuse_anonymous_callers(roles, method, path):
    client, _ = roles
    error = assert_error(_call(client, method, path), 401, "not_authenticated")
    assert "وارد شوید" in error["message"]


@pytest.mark.parametrize(("method", "path"), STAFF_ENDPOINTS + ADMIN_ENDPOINTS)
def test_back_office_endpoints_refuse_the_assistant_account(roles, method, path):
    client, headers = roles
    assert_error(_call(client, method, path, headers["assistant"]), 403, "forbidden")


@pytest.mark.parametrize(("method", "path"), ADMIN_ENDPOINTS)
def test_admin_endpoints_refuse_staff(roles, method, path):
    client, headers = roles
    assert_error(_call(client, method, path, headers["staff"]), 403, "forbidden")


@pytest.mark.parametrize(("method", "path"), CITIZEN_WRITES)
def test_citizen_facing_writes_refuse_anonymous_callers(roles, method, path):
    client, _ = roles
    assert_error(_call(client, method, path), 401, "not_authenticated")


def test_the_lists_above_cover_every_protected_endpoint(roles):
    client, _ = roles
    paths = client.get("/openapi.json").json()["paths"]
    declared = {(method.upper(), path) for path, item in paths.items() for method in item}
    back_office = {
        (m, p) for m, p in declared if p.startswith(("/api/v1/staff/", "/api/v1/admin/"))
    }
    assert back_office == set(STAFF_ENDPOINTS + ADMIN_ENDPOINTS)
    writes = {(m, p) for m, p in declared if m != "GET"} - back_office
    assert writes == set(CITIZEN_WRITES + OPEN_WRITES)


def test_staff_endpoints_admit_staff_and_admins(roles):
    client, headers = roles
    for role in ("staff", "admin"):
        for path in ("/api/v1/staff/requests", "/api/v1/staff/complaints", "/api/v1/staff/outbox"):
            assert client.get(path, headers=headers[role]).status_code == 200, (role, path)


def test_public_reading_needs_no_token(roles):
    client, _ = roles
    for path in (
        "/api/v1/catalogue/services",
        "/api/v1/catalogue/agencies",
        "/api/v1/faq",
        "/api/v1/search?q=گذرنامه",
        "/health",
    ):
        assert client.get(path).status_code == 200, path


def test_a_non_bearer_scheme_is_not_authenticated(roles):
    client, _ = roles
    response = client.get(
        "/api/v1/admin/users", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}
    )
    assert_error(response, 401, "not_authenticated")


# --- bad tokens --------------------------------------------------------------------------------


def test_an_expired_token_is_refused(roles):
    client, _ = roles
    token, _ = issue_token(Principal("admin", "admin"), SECRET, ttl_minutes=-1)
    error = assert_error(
        client.get("/api/v1/admin/users", headers=_bearer(token)), 401, "invalid_token"
    )
    assert "منقضی" in error["message"]


def test_a_token_that_expires_after_its_first_use_is_refused_from_then_on(roles, monkeypatch):
    # Verified tokens are remembered; the expiry must still be checked on every use.
    client, _ = roles
    token, _ = issue_token(Principal("admin", "admin"), SECRET, ttl_minutes=1)
    assert client.get("/api/v1/admin/users", headers=_bearer(token)).status_code == 200
    later = time.time() + 61
    monkeypatch.setattr(security, "_now", lambda: later)
    assert_error(client.get("/api/v1/admin/users", headers=_bearer(token)), 401, "invalid_token")


def test_a_tampered_token_is_refused(roles):
    client, _ = roles
    token, _ = issue_token(Principal("staff1", "staff"), SECRET, ttl_minutes=10)
    header, payload, signature = token.split(".")
    elevated = jwt.encode({"sub": "staff1", "role": "admin", "exp": 9_999_999_999}, "z" * 40)
    forged = ".".join([header, elevated.split(".")[1], signature])
    flipped = ".".join(
        [header, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")]
    )
    for bad in (forged, flipped, "not-a-jwt"):
        assert_error(
            client.get("/api/v1/staff/requests", headers=_bearer(bad)), 401, "invalid_token"
        )


def test_a_token_signed_with_another_secret_is_refused(roles):
    client, _ = roles
    token, _ = issue_token(
        Principal("admin", "admin"), "another-secret-" + "y" * 40, ttl_minutes=10
    )
    assert_error(client.get("/api/v1/admin/users", headers=_bearer(token)), 401, "invalid_token")


def test_a_token_without_expiry_is_refused(roles):
    client, _ = roles
    token = jwt.encode({"sub": "admin", "role": "admin"}, SECRET, algorithm="HS256")
    assert_error(client.get("/api/v1/admin/users", headers=_bearer(token)), 401, "invalid_token")


def test_an_unsigned_token_is_refused(roles):
    client, _ = roles
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    token = jwt.encode(
        {"sub": "admin", "role": "admin", "exp": expires}, key=None, algorithm="none"
    )
    assert_error(client.get("/api/v1/admin/users", headers=_bearer(token)), 401, "invalid_token")


def test_a_valid_token_for_an_unknown_account_is_refused(roles):
    client, _ = roles
    token, _ = issue_token(Principal("ghost", "admin"), SECRET, ttl_minutes=10)
    assert_error(client.get("/api/v1/admin/users", headers=_bearer(token)), 401, "invalid_token")


# --- account administration --------------------------------------------------------------------


def test_admin_creates_a_staff_account_that_can_log_in(client, admin):
    body = {
        "username": "zahra.k",
        "password": "long-enough-pass",
        "role": "staff",
        "full_name": "زهرا کریمی",
    }
    response = client.post("/api/v1/admin/users", json=body, headers=admin)
    assert response.status_code == 201, response.text
    assert response.json() == {
        "username": "zahra.k",
        "role": "staff",
        "full_name": "زهرا کریمی",
        "active": True,
    }
    headers = token_for(client, "zahra.k", "long-enough-pass")
    assert client.get("/api/v1/staff/requests", headers=headers).status_code == 200
    listed = client.get("/api/v1/admin/users", headers=admin).json()
    assert [u["username"] for u in listed] == ["admin", "assistant", "zahra.k"]
    assert all("password" not in key for u in listed for key in u)


def test_a_duplicate_username_is_a_conflict(client, admin, staff):
    body = {"username": "staff1", "password": "another-password", "role": "staff"}
    error = assert_error(
        client.post("/api/v1/admin/users", json=body, headers=admin), 409, "username_taken"
    )
    assert "نام کاربری" in error["message"]


def test_a_weak_password_is_refused(client, admin):
    body = {"username": "reza", "password": "123456", "role": "staff"}
    error = assert_error(
        client.post("/api/v1/admin/users", json=body, headers=admin), 422, "string_too_short"
    )
    assert error["details"][0]["field"] == "password"
    weak_change = client.patch(
        "/api/v1/admin/users/admin", json={"password": "short"}, headers=admin
    )
    assert_error(weak_change, 422, "string_too_short")


def test_an_invalid_username_or_role_is_refused(client, admin):
    bad_name = {"username": "علی رضایی", "password": "long-enough-pass", "role": "staff"}
    assert_error(
        client.post("/api/v1/admin/users", json=bad_name, headers=admin),
        422,
        "string_pattern_mismatch",
    )
    bad_role = {"username": "reza", "password": "long-enough-pass", "role": "superuser"}
    assert_error(
        client.post("/api/v1/admin/users", json=bad_role, headers=admin), 422, "literal_error"
    )


def test_admin_updates_an_account(client, admin, staff):
    response = client.patch(
        "/api/v1/admin/users/staff1",
        json={"full_name": "کارشناس ارشد", "password": "a-brand-new-password"},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    assert response.json()["full_name"] == "کارشناس ارشد"
    old = client.post(TOKEN_URL, json={"username": "staff1", "password": "staff-password-1"})
    assert_error(old, 401, "bad_credentials")
    token_for(client, "staff1", "a-brand-new-password")
    entry = audit(client, admin, entity="user")[0]
    assert (entry["action"], entry["entity_id"], entry["actor"]) == ("update", "staff1", "admin")
    assert entry["before"]["full_name"] == ""
    assert entry["after"]["full_name"] == "کارشناس ارشد"
    assert entry["after"]["password"] == "changed"


def test_updating_an_unknown_account_is_404(client, admin):
    response = client.patch("/api/v1/admin/users/nobody", json={"active": False}, headers=admin)
    assert_error(response, 404, "user_not_found")


def test_a_deactivated_account_loses_access_at_once(client, admin, staff):
    assert client.get("/api/v1/staff/requests", headers=staff).status_code == 200
    response = client.patch("/api/v1/admin/users/staff1", json={"active": False}, headers=admin)
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert_error(client.get("/api/v1/staff/requests", headers=staff), 401, "invalid_token")
    login = client.post(TOKEN_URL, json={"username": "staff1", "password": "staff-password-1"})
    assert_error(login, 401, "bad_credentials")
    client.patch("/api/v1/admin/users/staff1", json={"active": True}, headers=admin)
    assert client.get("/api/v1/staff/requests", headers=staff).status_code == 200


def test_a_demoted_admin_loses_admin_rights_at_once(client, admin):
    body = {"username": "boss", "password": "boss-password-1", "role": "admin"}
    assert client.post("/api/v1/admin/users", json=body, headers=admin).status_code == 201
    boss = token_for(client, "boss", "boss-password-1")
    assert client.get("/api/v1/admin/users", headers=boss).status_code == 200
    demoted = client.patch("/api/v1/admin/users/boss", json={"role": "staff"}, headers=admin)
    assert demoted.status_code == 200
    assert_error(client.get("/api/v1/admin/users", headers=boss), 403, "forbidden")


def test_passwords_are_stored_as_argon2_hashes(client, app, admin):
    body = {"username": "hashed", "password": "plain-text-secret", "role": "staff"}
    assert client.post("/api/v1/admin/users", json=body, headers=admin).status_code == 201
    with app.state.session_factory() as session:
        users = {u.username: u.password_hash for u in session.scalars(select(User))}
    assert users["hashed"].startswith("$argon2id$")
    assert "plain-text-secret" not in users["hashed"]
    assert PASSWORDS["admin"] not in users["admin"]
    assert users["admin"].startswith("$argon2id$")
    created = audit(client, admin, entity="user")[0]
    assert "plain-text-secret" not in str(created)


def test_the_app_hashes_at_production_cost_unless_given_a_hasher(settings):
    # Tests pass a cheap hasher; an app built without one must keep Argon2id's production cost.
    hasher = create_app(settings).state.password_hasher
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 65536, 4)
    assert backend_app(settings).state.password_hasher is not hasher


def test_a_hash_made_at_production_cost_verifies():
    stored = production_hasher().hash("production-password-1")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(stored, "production-password-1")
    assert not verify_password(stored, "another-password-1")
