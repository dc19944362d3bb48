"""The console's live handoff: the queue refreshes itself, take, reply (written and saved),
the citizen's words appear, close with an outcome; CSRF, roles and the CSP hold."""

from __future__ import annotations

from backend_api.notifications.models import OutboxMessage
from tests.backend_api.console.conftest import browser_for, make_staff
from tests.backend_api.console.helpers import post_form
from tests.backend_api.console.test_queues import XSS, open_handoff


def _outbox(client) -> list[str]:
    with client.app.state.session_factory() as session:
        return [m.body for m in session.query(OutboxMessage).order_by(OutboxMessage.id)]


def test_staff_take_reply_see_the_citizen_and_close(client, admin, assistant):
    make_staff(client, admin, "clerk", "passport-police")
    browser = browser_for(client.app, "clerk")
    queue = browser.get("/console/handoffs")
    assert 'hx-get="/console/handoffs/rows?status=open"' in queue.text
    assert "script-src 'self'" in queue.headers["content-security-policy"]
    handoff = open_handoff(client, assistant)
    rows = browser.get("/console/handoffs/rows?status=open").text
    assert "می‌خواهم با کارشناس صحبت کنم" in rows and "<html" not in rows

    url = f"/console/handoffs/{handoff}"
    assert 'name="text"' not in browser.get(url).text  # no reply box before taking
    assert post_form(browser, f"{url}/take", page=url).status_code == 303
    page = browser.get(url).text
    assert 'name="text"' in page and 'name="saved" value="greeting"' in page
    assert f'hx-get="/console/handoffs/{handoff}/live"' in page

    sent = post_form(browser, f"{url}/reply", {"text": "سلام، " + XSS}, page=url)
    assert sent.status_code == 303 and "handoff_replied" in sent.headers["location"]
    saved = post_form(browser, f"{url}/reply", {"saved": "checking"}, page=url)
    assert saved.status_code == 303
    bodies = _outbox(client)
    assert bodies[-2].endswith("سلام، " + XSS) and "چند لحظه صبر کنید" in bodies[-1]

    routed = client.post(
        "/api/v1/handoffs/messages",
        json={"conversation_id": "telegram:77", "text": "کد پیگیری ۱۲۳"},
        headers=assistant,
    )
    assert routed.json()["held"] is True
    live = browser.get(f"{url}/live").text
    assert "کد پیگیری ۱۲۳" in live and "&lt;script&gt;" in live and XSS not in live

    no_token = browser.post(f"{url}/reply", data={"text": "بدون توکن"}, follow_redirects=False)
    assert no_token.status_code == 403 and len(_outbox(client)) == len(bodies)

    closed = post_form(
        browser, f"{url}/close", {"note": "راهنمایی شد", "outcome": "referred"}, page=url
    )
    assert closed.status_code == 303
    page = browser.get(url).text
    assert "به دستگاه مربوط ارجاع شد" in page and 'name="text"' not in page
    audit = client.get("/api/v1/admin/audit?entity=handoff", headers=admin).json()
    assert [e["action"] for e in audit] == ["close", "reply", "reply", "take"]


def test_a_colleague_cannot_reply_to_a_conversation_taken_by_another(client, admin, assistant):
    make_staff(client, admin, "clerk", "passport-police")
    make_staff(client, admin, "other", "passport-police")
    first, second = browser_for(client.app, "clerk"), browser_for(client.app, "other")
    handoff = open_handoff(client, assistant)
    url = f"/console/handoffs/{handoff}"
    assert post_form(first, f"{url}/take", page=url).status_code == 303
    page = second.get(url).text
    assert 'name="text"' not in page
    refused = post_form(second, f"{url}/reply", {"text": "من هم هستم"}, page=url)
    assert refused.status_code == 409
