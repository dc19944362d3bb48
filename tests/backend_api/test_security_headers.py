"""Every HTML page the backend serves carries the project's security headers: every console page
(signed in as an admin), the sign-in and error pages, open data and the API docs."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

from backend_api import docs
from backend_api.console.router import PAGES, PREFIX
from backend_api.console.views import opendata
from tests.backend_api.conftest import PASSWORDS
from tests.backend_api.console.helpers import sign_in


def assert_secured(response, url: str) -> None:
    headers = response.headers
    policy = headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
    assert "frame-ancestors 'none'" in policy, url
    assert headers.get("x-content-type-options") == "nosniff", url
    assert headers.get("referrer-policy") == "same-origin", url


def html_urls() -> list[str]:
    """Every GET route of the pages' routers (the console's, open data, the docs), each path
    parameter filled with 1: the page, or its 404 page."""
    routers = [(PREFIX, module.router) for module in PAGES]
    routers += [("", opendata.router), ("", docs.router)]
    urls = []
    for prefix, router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and "GET" in route.methods:
                urls.append(prefix + re.sub(r"\{[^}]+\}", "1", route.path))
    return urls


def test_every_html_page_is_secured(client):
    sign_in(client, "admin", PASSWORDS["admin"])
    html = []
    for url in html_urls():
        response = client.get(url, follow_redirects=False)
        if response.headers.get("content-type", "").startswith("text/html"):
            assert_secured(response, url)
            html.append(url)
    assert {"/console/", "/console/requests", "/open-data", "/docs"} <= set(html)
    assert len(html) >= 20, html
    # the 404 pages of rows that do not exist are among them (path parameters of 1)
    assert "/console/requests/1" in html
    client.cookies.clear()  # and a signed-out visitor's sign-in page
    assert_secured(client.get("/console/login"), "/console/login")


def test_the_docs_start_swagger_from_a_file_and_allow_only_its_cdn(client):
    page = client.get("/docs")
    assert "<script>" not in page.text and 'src="/docs/start.js"' in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self' https://cdn.jsdelivr.net;" in policy
    start = client.get("/docs/start.js")
    assert start.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in start.text and start.headers["x-content-type-options"] == "nosniff"
    assert client.get("/redoc").status_code == 404


def test_json_answers_and_the_api_errors_are_not_sniffed(client):
    assert client.get("/api/v1/no-such-thing").headers["x-content-type-options"] == "nosniff"
    response = client.get("/api/v1/catalogue/agencies")
    assert response.headers["x-content-type-options"] == "nosniff"
