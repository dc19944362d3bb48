"""The dashboard's charts and their Excel files; the public open-data endpoints."""

from __future__ import annotations

import csv
import io
import json
import re

from openpyxl import load_workbook

from tests.backend_api.api_helpers import BIRTH_CERTIFICATE, complete, file_request, move
from tests.backend_api.citizens import ALI, MOBILE
from tests.backend_api.console.conftest import browser_for, make_staff


def _charts(html: str) -> dict[str, dict]:
    charts = {}
    for figure in html.split("<figure")[1:]:
        key = re.search(r'aria-labelledby="c-([a-z_]+)"', figure).group(1)
        spec = re.search(r"data-chart='([^']*)'", figure)
        charts[key] = (
            json.loads(spec.group(1)) if spec else {"labels": [], "series": [{"data": []}]}
        )
    return charts


def _fill(client, admin, assistant) -> str:
    first = file_request(client, assistant)
    file_request(client, assistant)
    file_request(client, assistant, service_code=BIRTH_CERTIFICATE)
    complete(client, admin, first["tracking_code"])
    rating = {"score": 4, "tracking_code": first["tracking_code"], "mobile": MOBILE}
    assert client.post("/api/v1/ratings", json=rating, headers=assistant).status_code == 201
    complaint = {
        "kind": "complaint",
        "text": "صف طولانی بود.",
        "agency_code": "sabt-ahval",
        "national_code": ALI,
    }
    assert client.post("/api/v1/complaints", json=complaint, headers=assistant).status_code == 201
    return first["tracking_code"]


def test_the_dashboard_charts_the_figures_of_the_users_agencies(client, admin, assistant):
    _fill(client, admin, assistant)
    make_staff(client, admin, "clerk", "passport-police")
    admin_page = browser_for(client.app, "admin", "admin-password-1").get("/console/").text
    charts = _charts(admin_page)
    assert charts["by_status"]["series"][0]["data"] == [2, 0, 0, 0, 0, 1]
    assert sum(charts["by_agency"]["series"][0]["data"]) == 3
    assert charts["ratings"]["series"][0]["data"] == [0, 0, 0, 1, 0]
    assert charts["complaints_by_agency"]["labels"] == ["سازمان ثبت احوال کشور"]
    assert "chart-4.6.2.umd.min.js" in admin_page
    clerk = browser_for(client.app, "clerk").get("/console/").text
    assert _charts(clerk)["by_status"]["series"][0]["data"] == [1, 0, 0, 0, 0, 1]
    assert _charts(clerk)["complaints_by_agency"]["labels"] == []


def test_every_chart_downloads_as_an_excel_sheet(admin_browser, admin, assistant):
    _fill(admin_browser, admin, assistant)
    charts = _charts(admin_browser.get("/console/").text)
    for key in charts:
        response = admin_browser.get(f"/console/dashboard/{key}.xlsx")
        assert response.status_code == 200, key
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.sheet_view.rightToLeft
    sheet = load_workbook(
        io.BytesIO(admin_browser.get("/console/dashboard/by_status.xlsx").content)
    ).active
    assert [c.value for c in sheet[2]] == ["ثبت شده", 2]
    assert admin_browser.get("/console/dashboard/nothing.xlsx").status_code == 404


def test_open_data_has_per_service_figures_and_no_personal_data(client, admin, assistant):
    code = _fill(client, admin, assistant)
    move(client, admin, file_request(client, assistant)["tracking_code"], "under_review")
    body = client.get("/open-data/services.json").json()
    passport = next(s for s in body["services"] if s["service_code"] == "10202000001")
    assert passport["requests"] == 3 and passport["completed"] == 1
    assert passport["on_time_rate"] == 1.0 and passport["mean_rating"] == 4.0
    text = client.get("/open-data/services.csv").text
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["service_code"] for r in rows} >= {"10202000001", BIRTH_CERTIFICATE}
    everything = json.dumps(body, ensure_ascii=False) + text + client.get("/open-data").text
    for secret in (ALI, MOBILE, code, "علی رضایی"):
        assert secret not in everything
