"""The worklist and a request's page: filters, lateness, masking, actions, the outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from backend_api.notifications.models import OutboxMessage
from backend_api.requests.models import ServiceRequest
from tests.backend_api.api_helpers import BIRTH_CERTIFICATE, file_request
from tests.backend_api.console.conftest import browser_for, make_staff
from tests.backend_api.console.helpers import post_form

XSS = '<script>window.__pwned=1</script><img src=x onerror="alert(1)">'


def _outbox(client) -> list[OutboxMessage]:
    with client.app.state.session_factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_worklist_counts_filters_and_marks_late_requests_red(admin_browser, assistant):
    late = file_request(admin_browser, assistant)
    file_request(admin_browser, assistant, service_code=BIRTH_CERTIFICATE)
    with admin_browser.app.state.session_factory() as session:
        session.execute(
            update(ServiceRequest)
            .where(ServiceRequest.tracking_code == late["tracking_code"])
            .values(estimated_completion=dt.date(2020, 1, 1))
        )
        session.commit()
    page = admin_browser.get("/console/requests").text
    assert "ثبت شده: ۲" in page
    assert page.count('class="overdue"') == 1
    only_late = admin_browser.get("/console/requests", params={"overdue": "1"}).text
    assert late["tracking_code"] in only_late and only_late.count("<tr class=") == 1
    by_service = admin_browser.get("/console/requests", params={"service": BIRTH_CERTIFICATE}).text
    assert late["tracking_code"] not in by_service
    future = admin_browser.get("/console/requests", params={"date_from": "۱۴۹۰/۰۱/۰۱"}).text
    assert "درخواستی با این شرایط نیست" in future
    wrong = admin_browser.get("/console/requests", params={"date_from": "دیروز"}).text
    assert "۱۴۰۳/۰۵/۱۲" in wrong  # the error tells the expected shape
    fragment = admin_browser.get("/console/requests", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and "<table>" in fragment


def test_staff_move_a_request_and_ask_for_information_through_the_outbox(client, admin, assistant):
    make_staff(client, admin, "clerk", "passport-police")
    browser = browser_for(client.app, "clerk")
    receipt = file_request(client, assistant)
    url = f"/console/requests/{receipt['tracking_code']}"
    page = browser.get(url).text
    assert (
        "علی رضایی" in page
        and "09121234567".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in page
    )
    asked = post_form(
        browser, f"{url}/ask", {"note": "تصویر صفحهٔ اول شناسنامه را بفرستید."}, page=url
    )
    assert asked.status_code == 303
    page = browser.get(url).text
    assert "نیازمند تکمیل مدارک" in page
    messages = _outbox(client)
    assert messages[-1].channel == "telegram" and messages[-1].recipient == "telegram:42"
    assert "تصویر صفحهٔ اول شناسنامه" in messages[-1].body
    moved = post_form(
        browser, f"{url}/transition", {"status": "under_review", "note": ""}, page=url
    )
    assert moved.status_code == 303
    refused = post_form(browser, f"{url}/transition", {"status": "completed"}, page=url)
    assert refused.status_code == 409 and "مجاز نیست" in refused.text


def test_an_admin_outside_the_agency_sees_the_identity_masked(admin_browser, assistant):
    receipt = file_request(admin_browser, assistant)
    page = admin_browser.get(f"/console/requests/{receipt['tracking_code']}").text
    assert "۰۹۱۲*****۶۷" in page
    assert "پوشیده است" in page


def test_a_request_is_referred_to_a_colleague(client, admin, assistant):
    make_staff(client, admin, "clerk", "passport-police")
    make_staff(client, admin, "chief", "passport-police")
    browser = browser_for(client.app, "clerk")
    receipt = file_request(client, assistant)
    url = f"/console/requests/{receipt['tracking_code']}"
    referred = post_form(
        browser, f"{url}/refer", {"to_user": "chief", "note": "بررسی شود"}, page=url
    )
    assert referred.status_code == 303
    chief = browser_for(client.app, "chief")
    mine = chief.get("/console/requests", params={"mine": "1"}).text
    assert receipt["tracking_code"] in mine
    outsider = post_form(browser, f"{url}/refer", {"to_user": "admin"}, page=url)
    assert outsider.status_code == 422  # the admin is not in the agency


def test_a_script_in_a_request_description_stays_text(admin_browser, assistant):
    receipt = file_request(admin_browser, assistant, description=XSS)
    page = admin_browser.get(f"/console/requests/{receipt['tracking_code']}").text
    assert "<script>window.__pwned" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
