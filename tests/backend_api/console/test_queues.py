"""Handoffs and complaints: the queues, the transcript, replies that reach the citizen."""

from __future__ import annotations

from sqlalchemy import select

from backend_api.notifications.models import OutboxMessage
from tests.backend_api.citizens import ALI
from tests.backend_api.console.conftest import browser_for, make_staff
from tests.backend_api.console.helpers import post_form

XSS = "<script>window.__pwned=1</script>"


def open_handoff(client, assistant, **extra) -> int:
    body = {
        "conversation_id": "telegram:77",
        "channel": "telegram",
        "question": "می‌خواهم با کارشناس صحبت کنم",
        "transcript": [{"who": "user", "text": XSS}, {"who": "bot", "text": "چطور کمک کنم؟"}],
        **extra,
    }
    response = client.post("/api/v1/handoffs", json=body, headers=assistant)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def file_complaint(client, assistant, **extra) -> str:
    body = {
        "kind": "complaint",
        "text": "کارمند باجه پاسخگو نبود.",
        "agency_code": "passport-police",
        "national_code": ALI,
        "channel": "bale",
        "sender_id": "bale:9",
        **extra,
    }
    response = client.post("/api/v1/complaints", json=body, headers=assistant)
    assert response.status_code == 201, response.text
    return response.json()["tracking_code"]


def test_a_handoff_shows_its_transcript_and_wait_and_is_taken_then_closed(admin_browser, assistant):
    client = admin_browser
    handoff = open_handoff(client, assistant)
    queue = client.get("/console/handoffs").text
    assert "می‌خواهم با کارشناس صحبت کنم" in queue and "تلگرام" in queue and "۰:۰۰" in queue
    url = f"/console/handoffs/{handoff}"
    page = client.get(url).text
    assert "&lt;script&gt;window.__pwned" in page and XSS not in page
    assert post_form(client, f"{url}/take", page=url).status_code == 303
    assert "در دست کارشناس" in client.get(url).text
    closed = post_form(client, f"{url}/close", {"note": "پاسخ داده شد"}, page=url)
    assert closed.status_code == 303
    assert "گفت‌وگویی در این صف نیست" in client.get("/console/handoffs").text


def test_a_complaint_reply_reaches_the_citizen_on_their_channel(client, admin, assistant):
    make_staff(client, admin, "clerk", "passport-police")
    browser = browser_for(client.app, "clerk")
    code = file_complaint(client, assistant, text=XSS + " شکایت")
    listing = browser.get("/console/complaints").text
    assert code in listing and XSS not in listing
    url = f"/console/complaints/{code}"
    replied = post_form(
        browser, url, {"status": "resolved", "response": "پیگیری شد و پوزش می‌خواهیم."}
    )
    assert replied.status_code == 303 and "complaint_saved" in replied.headers["location"]
    page = browser.get(replied.headers["location"]).text
    assert "رسیدگی شده" in page and "پوزش می‌خواهیم" in page
    with client.app.state.session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
    assert (message.channel, message.recipient) == ("bale", "bale:9")
    assert "پوزش می‌خواهیم" in message.body and "شکایت" in message.body


def test_staff_see_only_their_agencys_complaints(client, admin, assistant):
    make_staff(client, admin, "sabt-clerk", "sabt-ahval")
    theirs = file_complaint(client, assistant)
    general = file_complaint(client, assistant, kind="suggestion", agency_code=None)
    browser = browser_for(client.app, "sabt-clerk")
    listing = browser.get("/console/complaints").text
    assert general in listing and theirs not in listing
    assert browser.get(f"/console/complaints/{theirs}").status_code == 404
