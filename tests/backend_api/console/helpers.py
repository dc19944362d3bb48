"""Helpers of the console tests: sign in through the form, read CSRF tokens from pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str, *, expect: int = 303):
    """Sign in through the console's form; return the response of the post."""
    page = client.get("/console/login")
    assert page.status_code == 200, page.text
    response = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == expect, response.text
    return response


def post_form(
    client: TestClient, url: str, data: dict | None = None, *, page: str | None = None, **kw
):
    """Post a form with the CSRF token read from ``page`` (default: the URL itself)."""
    html = client.get(page or url).text
    body = {"csrf_token": csrf_of(html), **(data or {})}
    return client.post(url, data=body, follow_redirects=False, **kw)
