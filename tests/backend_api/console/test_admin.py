"""Admin screens: FAQ editor and lifecycle, catalogue edit/import/export, accounts, audit."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from tests.backend_api.api_helpers import PASSPORT
from tests.backend_api.console.conftest import STAFF_PASSWORD, browser_for
from tests.backend_api.console.helpers import csrf_of, post_form

XSS = "<script>window.__pwned=1</script>"


@pytest.mark.usefixtures("checks_every_search")
def test_an_faq_is_written_published_and_retired_live(admin_browser):
    client = admin_browser
    data = {
        "id": "tavan-yab",
        "question": "کارت توان‌یابان را از کجا بگیرم؟" + XSS,
        "alternatives": "کارت معلولیت\nکارت توانیابی",
        "answer": "از ادارهٔ بهزیستی شهرستان.",
        "service": "",
        "tags": "بهزیستی, کارت",
        "status": "published",
    }
    created = post_form(client, "/console/faqs/new", data, page="/console/faqs/new")
    assert created.status_code == 303 and created.headers["location"].startswith(
        "/console/faqs/tavan-yab?"
    )
    faq = client.get("/api/v1/faq/tavan-yab").json()
    assert faq["alternatives"] == ["کارت معلولیت", "کارت توانیابی"]
    assert faq["tags"] == ["بهزیستی", "کارت"]
    listing = client.get("/console/faqs", params={"tag": "بهزیستی"}).text
    assert "کارت توان‌یابان" in listing and XSS not in listing
    hits = client.get("/api/v1/search", params={"q": "کارت توانیابی"}).json()["hits"]
    assert any(h["id"] == "faq:tavan-yab" for h in hits)
    retired = post_form(
        client,
        "/console/faqs/tavan-yab/status",
        {"status": "retired"},
        page="/console/faqs/tavan-yab",
    )
    assert retired.status_code == 303
    assert client.get("/api/v1/faq/tavan-yab").status_code == 404  # no longer public
    hits = client.get("/api/v1/search", params={"q": "کارت توانیابی"}).json()["hits"]
    assert not any(h["id"] == "faq:tavan-yab" for h in hits)
    bad = post_form(client, "/console/faqs/new", {**data, "id": "Bad Id"}, page="/console/faqs/new")
    assert bad.status_code == 422 and "قالب این مقدار درست نیست" in bad.text


def test_a_service_card_is_edited_with_every_field(admin_browser):
    client = admin_browser
    url = f"/console/catalogue/services/{PASSPORT}"
    page = client.get(url).text
    assert "صدور گذرنامه" in page
    data = {
        "code": PASSPORT,
        "title": "صدور گذرنامهٔ عادی",
        "agency": "passport-police",
        "cluster": "passport",
        "description": "صدور گذرنامه برای سفر",
        "audience": "",
        "aliases": "پاسپورت",
        "prerequisites": "",
        "documents": "شناسنامه\nکارت ملی",
        "steps": "ثبت درخواست\nپرداخت",
        "cost_kind": "fixed",
        "cost_amount": "12000000",
        "cost_note": "",
        "min_days": "3",
        "max_days": "10",
        "time_note": "",
        "url": "",
        "offices": "",
        "phone": "",
        "inquiries": "",
        "legal_basis": "",
        "electronic": "partial",
        "revised": "۱۴۰۳/۰۵/۱۲",
    }
    saved = post_form(client, url, data)
    assert saved.status_code == 303, saved.text
    card = client.get(f"/api/v1/catalogue/services/{PASSPORT}").json()
    assert card["documents"] == ["شناسنامه", "کارت ملی"]
    assert card["cost"]["amount"] == 12000000 and card["revised"] == "2024-08-02"
    wrong = post_form(client, url, {**data, "min_days": "20"})
    assert wrong.status_code == 422


def test_the_catalogue_round_trips_through_excel_and_reports_row_errors(admin_browser):
    client = admin_browser
    exported = client.get("/console/catalogue/export.xlsx")
    assert exported.status_code == 200
    book = load_workbook(io.BytesIO(exported.content))
    assert book.sheetnames == ["agencies", "clusters", "services", "faqs"]
    assert book["services"].sheet_view.rightToLeft
    sheet = book["services"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == PASSPORT)
    sheet.cell(row, 2).value = "صدور گذرنامهٔ ویرایش‌شده"
    original = sheet["A3"].value
    sheet["A3"] = "123"  # a broken code on row 3
    broken = io.BytesIO()
    book.save(broken)
    page = client.get("/console/catalogue").text
    files = {"file": ("catalogue.xlsx", broken.getvalue())}
    refused = client.post(
        "/console/catalogue/import", data={"csrf_token": csrf_of(page)}, files=files
    )
    assert refused.status_code == 422
    assert "catalogue.xlsx / services" in refused.text and "<td>۳</td>" in refused.text
    assert (
        client.get(f"/api/v1/catalogue/services/{PASSPORT}").json()["title"]
        != "صدور گذرنامهٔ ویرایش‌شده"
    )
    sheet["A3"] = original
    fixed = io.BytesIO()
    book.save(fixed)
    files = {"file": ("catalogue.xlsx", fixed.getvalue())}
    dry = client.post(
        "/console/catalogue/import",
        data={"csrf_token": csrf_of(page), "dry_run": "1"},
        files=files,
        follow_redirects=False,
    )
    assert dry.status_code == 303 and "dry_run_ok" in dry.headers["location"]
    assert (
        client.get(f"/api/v1/catalogue/services/{PASSPORT}").json()["title"]
        != "صدور گذرنامهٔ ویرایش‌شده"
    )
    done = client.post(
        "/console/catalogue/import",
        data={"csrf_token": csrf_of(page)},
        files=files,
        follow_redirects=False,
    )
    assert done.status_code == 303 and "imported" in done.headers["location"]
    assert (
        client.get(f"/api/v1/catalogue/services/{PASSPORT}").json()["title"]
        == "صدور گذرنامهٔ ویرایش‌شده"
    )


def test_csv_export_and_import(admin_browser):
    client = admin_browser
    archive = zipfile.ZipFile(io.BytesIO(client.get("/console/catalogue/export.zip").content))
    assert sorted(archive.namelist()) == [
        "agencies.csv",
        "clusters.csv",
        "faqs.csv",
        "services.csv",
    ]
    rows = list(csv.DictReader(io.StringIO(archive.read("clusters.csv").decode())))
    rows.append({"code": "tax", "name": "مالیات"})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["code", "name"])
    writer.writeheader()
    writer.writerows(rows)
    page = client.get("/console/catalogue").text
    files = {"file": ("clusters.csv", out.getvalue().encode())}
    done = client.post(
        "/console/catalogue/import",
        data={"csrf_token": csrf_of(page)},
        files=files,
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "مالیات" in client.get("/console/catalogue").text


def test_accounts_posts_and_memberships_are_managed_and_audited(admin_browser):
    client = admin_browser
    made = post_form(
        client,
        "/console/accounts/users",
        {
            "username": "newclerk",
            "password": STAFF_PASSWORD,
            "role": "staff",
            "full_name": "کارمند تازه",
        },
        page="/console/accounts",
    )
    assert made.status_code == 303
    post = post_form(
        client,
        "/console/accounts/posts",
        {"agency": "passport-police", "title": "کارشناس صدور"},
        page="/console/accounts",
    )
    assert post.status_code == 303
    page = client.get("/console/accounts").text
    assert "کارشناس صدور" in page
    member = post_form(
        client,
        "/console/accounts/memberships",
        {"username": "newclerk", "agency": "passport-police", "post_id": "1"},
        page="/console/accounts",
    )
    assert member.status_code == 303
    assert (
        "newclerk</span> — پلیس مهاجرت و گذرنامه فراجا / کارشناس صدور"
        in client.get("/console/accounts").text
    )
    clerk = browser_for(client.app, "newclerk")
    assert clerk.get("/console/requests").status_code == 200
    # disabling the account ends its sessions at once
    off = post_form(
        client,
        "/console/accounts/users/newclerk",
        {"role": "staff", "full_name": ""},
        page="/console/accounts",
    )
    assert off.status_code == 303
    assert clerk.get("/console/requests", follow_redirects=False).status_code == 303
    audit = client.get("/console/audit", params={"entity": "membership"}).text
    assert "newclerk@passport-police" in audit
    signins = client.get("/console/audit", params={"action": "sign_in", "actor": "admin"}).text
    assert signins.count("sign_in") >= 2
