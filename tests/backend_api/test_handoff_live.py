"""Live handoff: one staff member takes, replies reach the outbox, closing resumes the assistant."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request

from backend_api.errors import Conflict
from backend_api.handoff import service
from backend_api.handoff.models import Handoff
from backend_api.handoff.settings import get_handoff_settings
from backend_api.notifications.models import OutboxMessage
from backend_api.users.security import Principal
from tests.backend_api.api_helpers import assert_error
from tests.backend_api.test_handoff import open_handoff
from tests.connectors.servers import ServerThread


class FakeRasa:
    """Rasa's tracker-events endpoint, recording what was appended per conversation."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.app = FastAPI()

        @self.app.post("/conversations/{sender}/tracker/events")
        async def append(sender: str, request: Request) -> dict[str, str]:
            self.events.append((sender, (await request.json())["event"]))
            return {"sender_id": sender}


@pytest.fixture
def rasa(monkeypatch) -> Iterator[FakeRasa]:
    """A fake Rasa the backend pauses and resumes conversations in."""
    fake = FakeRasa()
    with ServerThread(fake.app) as server:
        monkeypatch.setenv("DASTYAR_RASA_URL", server.url)
        monkeypatch.setenv("DASTYAR_HANDOFF_MAX_WAIT_MINUTES", "1")
        get_handoff_settings.cache_clear()
        yield fake
    get_handoff_settings.cache_clear()


@pytest.fixture
def colleague(client, admin) -> dict[str, str]:
    from tests.backend_api.conftest import token_for

    body = {"username": "staff2", "password": "staff-password-2", "role": "staff"}
    assert client.post("/api/v1/admin/users", json=body, headers=admin).status_code == 201
    return token_for(client, "staff2", "staff-password-2")


def _outbox(client) -> list[OutboxMessage]:
    with client.app.state.session_factory() as session:
        rows = session.query(OutboxMessage).order_by(OutboxMessage.id).all()
        session.expunge_all()
        return rows


def test_two_staff_at_once_exactly_one_takes(client, assistant, staff, colleague, rasa):
    handoff_id = open_handoff(client, assistant).json()["id"]
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def take(headers: dict[str, str]) -> None:
        barrier.wait()
        codes.append(
            client.post(f"/api/v1/staff/handoffs/{handoff_id}/take", headers=headers).status_code
        )

    threads = [threading.Thread(target=take, args=(h,)) for h in (staff, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 409]
    assert rasa.events == [("web:abc", "pause")]


def test_the_conditional_update_decides_between_two_sessions(client, assistant):
    """Both sessions saw the handoff open; the database lets only the first take it."""
    handoff_id = open_handoff(client, assistant).json()["id"]
    factory = client.app.state.session_factory
    with factory() as first, factory() as second:
        assert first.get(Handoff, handoff_id).status == "open"
        assert second.get(Handoff, handoff_id).status == "open"
        texts = client.app.state.messages
        service.take(first, Principal("staff1", "staff"), handoff_id, texts)
        first.commit()  # services leave the commit to their caller, the unit of work
        with pytest.raises(Conflict):
            service.take(second, Principal("staff2", "staff"), handoff_id, texts)
    with factory() as session:
        assert session.get(Handoff, handoff_id).taken_by == "staff1"


def test_reply_goes_to_the_outbox_and_citizen_words_to_staff(client, assistant, staff, admin, rasa):
    handoff_id = open_handoff(client, assistant, "telegram:42", channel="telegram").json()["id"]
    routed = client.post(
        "/api/v1/handoffs/messages",
        json={"conversation_id": "telegram:42", "text": "هنوز منتظرم"},
        headers=assistant,
    ).json()
    assert routed == {
        "held": True,
        "handoff_id": handoff_id,
        "status": "open",
        "queue_position": 1,
        "expected_wait_minutes": None,  # nothing to go by yet: no estimate rather than a guess
    }
    early = client.post(
        f"/api/v1/staff/handoffs/{handoff_id}/messages", json={"text": "سلام"}, headers=staff
    )
    assert_error(early, 409, "handoff_not_taken")
    client.post(f"/api/v1/staff/handoffs/{handoff_id}/take", headers=staff)
    sent = client.post(
        f"/api/v1/staff/handoffs/{handoff_id}/messages",
        json={"text": "سلام، در خدمتم."},
        headers=staff,
    )
    assert sent.status_code == 201 and sent.json()["who"] == "staff"
    outbox = _outbox(client)
    assert [(m.channel, m.recipient) for m in outbox] == [("telegram", "telegram:42")] * 2
    assert outbox[-1].body.endswith("سلام، در خدمتم.") and outbox[-1].status == "pending"
    detail = client.get(f"/api/v1/staff/handoffs/{handoff_id}", headers=staff).json()
    assert [(m["who"], m["text"]) for m in detail["messages"]] == [
        ("citizen", "هنوز منتظرم"),
        ("staff", "سلام، در خدمتم."),
    ]
    after = detail["messages"][0]["id"]
    newer = client.get(f"/api/v1/staff/handoffs/{handoff_id}?after={after}", headers=staff).json()
    assert [m["who"] for m in newer["messages"]] == ["staff"]
    audit = client.get("/api/v1/admin/audit?entity=handoff", headers=admin).json()
    assert [e["action"] for e in audit] == ["reply", "take"]


def test_only_the_taker_replies(client, assistant, staff, colleague, rasa):
    handoff_id = open_handoff(client, assistant).json()["id"]
    client.post(f"/api/v1/staff/handoffs/{handoff_id}/take", headers=staff)
    other = client.post(
        f"/api/v1/staff/handoffs/{handoff_id}/messages", json={"text": "سلام"}, headers=colleague
    )
    assert_error(other, 409, "handoff_not_yours")


def test_close_resumes_the_assistant_and_frees_the_conversation(client, assistant, staff, rasa):
    handoff_id = open_handoff(client, assistant).json()["id"]
    client.post(f"/api/v1/staff/handoffs/{handoff_id}/take", headers=staff)
    closed = client.post(
        f"/api/v1/staff/handoffs/{handoff_id}/close",
        json={"note": "راهنمایی شد", "outcome": "answered"},
        headers=staff,
    )
    assert closed.json()["status"] == "closed"
    assert rasa.events == [("web:abc", "pause"), ("web:abc", "resume")]
    detail = client.get(f"/api/v1/staff/handoffs/{handoff_id}", headers=staff).json()
    assert (detail["outcome"], detail["note"]) == ("answered", "راهنمایی شد")
    routed = client.post(
        "/api/v1/handoffs/messages",
        json={"conversation_id": "web:abc", "text": "ممنون"},
        headers=assistant,
    ).json()
    assert routed["held"] is False
    assert len(_outbox(client)) == 2  # "a person has it", "the assistant is back"
    again = client.post(f"/api/v1/staff/handoffs/{handoff_id}/close", json={}, headers=staff)
    assert_error(again, 409, "handoff_not_open")


def test_a_handoff_left_waiting_becomes_an_unresolved_question(client, assistant, staff, rasa):
    import datetime as dt

    handoff_id = open_handoff(client, assistant, "sms:09121234567", channel="sms").json()["id"]
    with client.app.state.session_factory() as session:
        handoff = session.get(Handoff, handoff_id)
        handoff.created_at = handoff.created_at - dt.timedelta(minutes=5)
        session.commit()
    fresh = open_handoff(client, assistant, "web:fresh").json()["id"]
    expired = client.post("/api/v1/handoffs/expire", headers=assistant).json()
    assert expired == {"closed": [handoff_id]}
    detail = client.get(f"/api/v1/staff/handoffs/{handoff_id}", headers=staff).json()
    assert (detail["status"], detail["outcome"]) == ("closed", "expired")
    questions = client.get("/api/v1/staff/unresolved", headers=staff).json()
    assert [q["conversation_id"] for q in questions] == ["sms:09121234567"]
    (message,) = _outbox(client)
    assert (message.channel, message.recipient) == ("sms", "sms:09121234567")
    assert client.get(f"/api/v1/staff/handoffs/{fresh}", headers=staff).json()["status"] == "open"
    assert rasa.events == [("sms:09121234567", "resume")]


def test_a_waiting_citizen_hears_an_estimate_from_recent_waits(client, assistant, staff, rasa):
    first = open_handoff(client, assistant, "web:first").json()["id"]
    client.post(f"/api/v1/staff/handoffs/{first}/take", headers=staff)
    open_handoff(client, assistant, "web:second")
    open_handoff(client, assistant, "web:third")
    routed = client.post(
        "/api/v1/handoffs/messages",
        json={"conversation_id": "web:third", "text": "چقدر طول می‌کشد؟"},
        headers=assistant,
    ).json()
    assert routed["queue_position"] == 2 and routed["expected_wait_minutes"] == 1


def test_with_replicas_a_pause_reaches_rasa_through_one_that_is_up(
    client, assistant, staff, monkeypatch
):
    fake = FakeRasa()
    with ServerThread(fake.app) as up:
        # the first replica listed is down: the shared tracker is reached through the other
        monkeypatch.setenv("DASTYAR_RASA_URL", f"http://127.0.0.1:9,{up.url}")
        get_handoff_settings.cache_clear()
        try:
            handoff_id = open_handoff(client, assistant).json()["id"]
            client.post(f"/api/v1/staff/handoffs/{handoff_id}/take", headers=staff)
        finally:
            get_handoff_settings.cache_clear()
    assert fake.events == [("web:abc", "pause")]
