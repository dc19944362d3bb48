"""Console sign-in, sessions, roles, CSRF and agency isolation."""

from __future__ import annotations

import pytest

from tests.backend_api.api_helpers import BIRTH_CERTIFICATE, PASSPORT, file_request
from tests.backend_api.conftest import PASSWORDS
from tests.backend_api.console.conftest import browser_for, make_staff
from tests.backend_api.console.helpers import csrf_of, post_form, sign_in

STAFF_PAGES = [
    "/console/",
    "/console/requests",
    "/console/unresolved",
    "/console/handoffs",
    "/console/complaints",
]
ADMIN_PAGES = [
    "/console/faqs",
    "/console/faqs/new",
    "/console/catalogue",
    "/console/catalogue/export.xlsx",
    "/console/accounts",
    "/console/audit",
]


@pytest.mark.parametrize("url", STAFF_PAGES + ADMIN_PAGES + ["/console/requests/1000000009"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=")


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_the_session(client):
    response = sign_in(client, "admin", PASSWORDS["admin"])
    assert response.headers["location"] == "/console/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    page = client.get("/console/requests")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text and "کارتابل درخواست‌ها" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text  # no inline scripts anywhere
    out = post_form(client, "/console/logout", page="/console/requests")
    assert out.status_code == 303
    assert client.get("/console/requests", follow_redirects=False).status_code == 303


def test_the_service_account_and_wrong_passwords_are_refused_and_lock_out(client):
    refused = sign_in(client, "assistant", PASSWORDS["assistant"], expect=403)
    assert "حساب سرویس دستیار" in refused.text
    for _ in range(4):
        assert "گذرواژه درست نیست" in sign_in(client, "admin", "wrong", expect=401).text
    locked = sign_in(client, "admin", "wrong", expect=429)
    assert "دقیقهٔ دیگر" in locked.text
    # even the right password waits for the lock to end
    assert sign_in(client, "admin", PASSWORDS["admin"], expect=429)


def test_the_sign_in_form_needs_its_token(client):
    client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": "admin", "password": PASSWORDS["admin"], "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_an_expired_session_is_refused(client, monkeypatch):
    sign_in(client, "admin", PASSWORDS["admin"])
    from backend_api.console import auth

    with client.app.state.session_factory() as session:
        from sqlalchemy import update

        from backend_api.console.models import ConsoleSession
        from backend_api.db import utcnow

        session.execute(update(ConsoleSession).values(expires_at=utcnow()))
        session.commit()
    assert client.get("/console/requests", follow_redirects=False).status_code == 303
    assert auth.COOKIE


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_staff_get_a_persian_403_on_admin_pages(client, admin, agencies, url):
    make_staff(client, admin, "clerk", agencies[0])
    browser = browser_for(client.app, "clerk")
    response = browser.get(url, follow_redirects=False)
    assert response.status_code == 403
    assert "دسترسی" in response.text


def test_a_form_without_a_valid_csrf_token_is_refused(admin_browser, assistant):
    receipt = file_request(admin_browser, assistant)
    url = f"/console/requests/{receipt['tracking_code']}/transition"
    for token in (None, "forged"):
        data = {"status": "under_review", "note": ""}
        if token:
            data["csrf_token"] = token
        response = admin_browser.post(url, data=data, follow_redirects=False)
        assert response.status_code == 403
        assert "فرم منقضی شده" in response.text
    page = admin_browser.get(f"/console/requests/{receipt['tracking_code']}")
    assert "ثبت شده" in page.text


def test_staff_of_one_agency_cannot_open_another_agencys_request(client, admin, assistant):
    make_staff(client, admin, "passport-clerk", "passport-police")
    make_staff(client, admin, "sabt-clerk", "sabt-ahval")
    passport = file_request(client, assistant, service_code=PASSPORT)
    birth = file_request(client, assistant, service_code=BIRTH_CERTIFICATE)
    browser = browser_for(client.app, "passport-clerk")
    assert browser.get(f"/console/requests/{passport['tracking_code']}").status_code == 200
    other = browser.get(f"/console/requests/{birth['tracking_code']}")
    assert other.status_code == 404
    listing = browser.get("/console/requests").text
    assert passport["tracking_code"] in listing and birth["tracking_code"] not in listing
    # and cannot act on it either, even with a valid token of its own session
    token = csrf_of(browser.get("/console/requests").text)
    moved = browser.post(
        f"/console/requests/{birth['tracking_code']}/transition",
        data={"csrf_token": token, "status": "under_review"},
        follow_redirects=False,
    )
    assert moved.status_code == 404
