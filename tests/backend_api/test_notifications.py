"""The notification outbox: written with each status change, leased to channel workers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from backend_api.db import utcnow
from backend_api.notifications.models import OutboxMessage
from backend_api.notifications.service import MAX_ATTEMPTS
from tests.backend_api.api_helpers import assert_error, file_request, move
from tests.support.http import ok

CLAIM = "/api/v1/outbox/claim"


def instant(text: str) -> dt.datetime:
    """A timestamp from the API as an aware UTC datetime."""
    value = dt.datetime.fromisoformat(text)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def claim(client, headers, channel="telegram", **extra) -> list[dict]:
    return ok(client.post(CLAIM, json={"channel": channel, **extra}, headers=headers))


def outbox(client, staff, **params) -> list[dict]:
    return ok(client.get("/api/v1/staff/outbox", params=params, headers=staff))


def queue_message(client, assistant, staff, **overrides) -> str:
    """File a request and move it once, which queues one message; return the tracking code."""
    code = file_request(client, assistant, **overrides)["tracking_code"]
    move(client, staff, code, "under_review")
    return code


def seconds_until_retry(client, message_id: int) -> float:
    """How long the outbox will wait before offering the message again."""
    with client.app.state.session_factory() as session:
        due = session.get(OutboxMessage, message_id).next_attempt_at
    due = due.replace(tzinfo=dt.UTC) if due.tzinfo is None else due.astimezone(dt.UTC)  # SQLite
    return (due - utcnow()).total_seconds()


def as_if_time_passed(client, **values) -> None:
    """Move every outbox row's timers, as a later clock would see them."""
    with client.app.state.session_factory() as session:
        session.execute(update(OutboxMessage).values(**values))
        session.commit()


def test_a_status_change_queues_a_persian_message(client, assistant, staff):
    code = file_request(client, assistant)["tracking_code"]
    assert outbox(client, staff) == []  # filing alone sends nothing
    move(client, staff, code, "under_review")
    move(client, staff, code, "needs_info", note="تصویر صفحهٔ اول شناسنامه را بفرستید")
    newest, first = outbox(client, staff)
    assert (first["channel"], first["recipient"], first["status"]) == (
        "telegram",
        "telegram:42",
        "pending",
    )
    assert (first["attempts"], first["sent_at"]) == (0, None)
    assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in first["body"]
    assert "صدور گذرنامهٔ عادی" in first["body"]
    assert "«در حال بررسی»" in first["body"]
    assert "«نیازمند تکمیل مدارک»" in newest["body"]
    assert "توضیح کارشناس: تصویر صفحهٔ اول شناسنامه را بفرستید" in newest["body"]


def test_a_refused_transition_queues_nothing(client, assistant, staff):
    code = file_request(client, assistant)["tracking_code"]
    response = client.post(
        f"/api/v1/staff/requests/{code}/transitions", json={"status": "completed"}, headers=staff
    )
    assert_error(response, 409, "invalid_transition")
    assert outbox(client, staff) == []


def test_a_claim_leases_messages_of_one_channel(client, assistant, staff):
    queue_message(client, assistant, staff)
    queue_message(client, assistant, staff, channel="web", sender_id="")  # goes out by SMS
    leased = claim(client, assistant, "telegram")
    assert [m["recipient"] for m in leased] == ["telegram:42"]
    assert claim(client, assistant, "telegram") == []  # leased: nobody else gets it
    sms = claim(client, assistant, "sms")
    assert [(m["channel"], m["recipient"]) for m in sms] == [("sms", "09121234567")]
    assert claim(client, assistant, "bale") == []


def test_a_claim_takes_at_most_its_limit_oldest_first(client, assistant, staff):
    codes = [queue_message(client, assistant, staff) for _ in range(3)]
    first = claim(client, assistant, limit=2)
    second = claim(client, assistant, limit=2)
    assert len(first) == 2 and len(second) == 1
    assert first[0]["id"] < first[1]["id"] < second[0]["id"]
    assert codes[2][:4] in second[0]["body"]


def test_an_expired_lease_is_handed_out_again(client, assistant, staff):
    queue_message(client, assistant, staff)
    [message] = claim(client, assistant, lease_seconds=5)
    as_if_time_passed(client, claimed_until=utcnow() - dt.timedelta(seconds=1))
    assert [m["id"] for m in claim(client, assistant)] == [message["id"]]


def test_sent_marks_the_message_sent_and_repeating_it_is_harmless(client, assistant, staff):
    queue_message(client, assistant, staff)
    [message] = claim(client, assistant)
    first = client.post(f"/api/v1/outbox/{message['id']}/sent", headers=assistant)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "sent"
    assert first.json()["sent_at"] is not None
    again = client.post(f"/api/v1/outbox/{message['id']}/sent", headers=assistant)
    assert again.status_code == 200
    assert instant(again.json()["sent_at"]) == instant(first.json()["sent_at"])
    as_if_time_passed(client, claimed_until=None)
    assert claim(client, assistant) == []  # a sent message is never sent again
    assert [m["id"] for m in outbox(client, staff, status="sent")] == [message["id"]]
    assert outbox(client, staff, status="pending") == []


def test_a_failed_delivery_is_retried_later_not_at_once(client, assistant, staff):
    queue_message(client, assistant, staff)
    [message] = claim(client, assistant)
    response = client.post(
        f"/api/v1/outbox/{message['id']}/failed",
        json={"error": "telegram: 502 Bad Gateway"},
        headers=assistant,
    )
    assert response.status_code == 200, response.text
    failed = response.json()
    assert (failed["status"], failed["attempts"]) == ("pending", 1)
    assert failed["last_error"] == "telegram: 502 Bad Gateway"
    assert claim(client, assistant) == []  # backing off
    assert 5 < seconds_until_retry(client, message["id"]) <= 10
    as_if_time_passed(client, next_attempt_at=utcnow() - dt.timedelta(seconds=1))
    [retry] = claim(client, assistant)
    assert retry["id"] == message["id"]
    second = client.post(f"/api/v1/outbox/{message['id']}/failed", json={}, headers=assistant)
    assert second.json()["attempts"] == 2


def test_the_back_off_doubles_with_each_failure(client, assistant, staff):
    queue_message(client, assistant, staff)
    [message] = claim(client, assistant)
    delays = []
    for _ in range(3):
        client.post(
            f"/api/v1/outbox/{message['id']}/failed", json={"error": "timeout"}, headers=assistant
        )
        delays.append(seconds_until_retry(client, message["id"]))
    for delay, expected in zip(delays, (10, 20, 40), strict=True):
        assert expected - 5 < delay <= expected


def test_a_message_is_given_up_after_the_last_attempt(client, assistant, staff):
    queue_message(client, assistant, staff)
    [message] = claim(client, assistant)
    for _ in range(MAX_ATTEMPTS):
        last = client.post(
            f"/api/v1/outbox/{message['id']}/failed", json={"error": "blocked"}, headers=assistant
        )
    assert (last.json()["status"], last.json()["attempts"]) == ("failed", MAX_ATTEMPTS)
    as_if_time_passed(client, next_attempt_at=utcnow() - dt.timedelta(seconds=1))
    assert claim(client, assistant) == []
    assert [m["id"] for m in outbox(client, staff, status="failed")] == [message["id"]]


def test_a_failure_report_after_delivery_changes_nothing(client, assistant, staff):
    queue_message(client, assistant, staff)
    [message] = claim(client, assistant)
    client.post(f"/api/v1/outbox/{message['id']}/sent", headers=assistant)
    late = client.post(
        f"/api/v1/outbox/{message['id']}/failed", json={"error": "late"}, headers=assistant
    )
    assert (late.json()["status"], late.json()["attempts"], late.json()["last_error"]) == (
        "sent",
        0,
        "",
    )


def test_an_unknown_message_is_404(client, assistant):
    error = assert_error(
        client.post("/api/v1/outbox/999999/sent", headers=assistant),
        404,
        "outbox_message_not_found",
    )
    assert "صف ارسال" in error["message"]
    assert_error(
        client.post("/api/v1/outbox/999999/failed", json={}, headers=assistant),
        404,
        "outbox_message_not_found",
    )


def test_a_bad_claim_is_refused(client, assistant):
    bad_channel = client.post(CLAIM, json={"channel": "Telegram!"}, headers=assistant)
    assert_error(bad_channel, 422, "string_pattern_mismatch")
    short_lease = client.post(CLAIM, json={"channel": "sms", "lease_seconds": 1}, headers=assistant)
    assert_error(short_lease, 422, "greater_than_equal")


def test_timestamps_keep_their_utc_offset(client, assistant, staff, settings, request):
    queue_message(client, assistant, staff)
    [message] = claim(client, assistant)
    sent = client.post(f"/api/v1/outbox/{message['id']}/sent", headers=assistant).json()
    again = client.post(f"/api/v1/outbox/{message['id']}/sent", headers=assistant).json()
    listed = outbox(client, staff)[0]
    for stamp in (message["created_at"], sent["sent_at"], again["sent_at"], listed["sent_at"]):
        assert dt.datetime.fromisoformat(stamp).utcoffset() == dt.timedelta(0), stamp


def fail(client, assistant, message_id: int, error: str, **extra) -> dict:
    return ok(
        client.post(
            f"/api/v1/outbox/{message_id}/failed", json={"error": error, **extra}, headers=assistant
        )
    )


def test_a_permanent_failure_is_given_up_at_once_and_never_retried(client, assistant, staff):
    queue_message(client, assistant, staff)
    [message] = claim(client, assistant)
    assert message["permanent"] is False
    failed = fail(
        client, assistant, message["id"], "permanent: forbidden: bot was blocked", permanent=True
    )
    assert (failed["status"], failed["attempts"], failed["permanent"]) == ("failed", 1, True)
    assert failed["last_error"] == "permanent: forbidden: bot was blocked"
    as_if_time_passed(client, next_attempt_at=utcnow() - dt.timedelta(days=1), claimed_until=None)
    assert claim(client, assistant) == []  # not even after any back-off
    [listed] = outbox(client, staff, status="failed")
    assert (listed["id"], listed["permanent"]) == (message["id"], True)
    assert outbox(client, staff, status="pending") == []


def test_a_temporary_failure_keeps_the_back_off_and_is_not_permanent(client, assistant, staff):
    queue_message(client, assistant, staff)
    [message] = claim(client, assistant)
    failed = fail(client, assistant, message["id"], "temporary: sms provider status 503")
    assert (failed["status"], failed["permanent"]) == ("pending", False)
    assert 5 < seconds_until_retry(client, message["id"]) <= 10
    explicit = fail(client, assistant, message["id"], "temporary: timeout", permanent=False)
    assert (explicit["status"], explicit["attempts"], explicit["permanent"]) == (
        "pending",
        2,
        False,
    )


def test_a_report_after_giving_up_changes_nothing(client, assistant, staff):
    queue_message(client, assistant, staff)
    [message] = claim(client, assistant)
    fail(client, assistant, message["id"], "permanent: chat not found", permanent=True)
    late = fail(client, assistant, message["id"], "temporary: timeout")
    assert (late["status"], late["attempts"], late["permanent"], late["last_error"]) == (
        "failed",
        1,
        True,
        "permanent: chat not found",
    )
    assert claim(client, assistant) == []


def test_the_permanent_flag_must_be_a_boolean(client, assistant, staff):
    queue_message(client, assistant, staff)
    [message] = claim(client, assistant)
    response = client.post(
        f"/api/v1/outbox/{message['id']}/failed",
        json={"error": "x", "permanent": "شاید"},
        headers=assistant,
    )
    error = assert_error(response, 422, "validation_error")
    assert [d["field"] for d in error["details"]] == ["permanent"]


def test_messages_queued_before_the_migration_are_not_permanent(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine, text

    from backend_api.migrate import alembic_config, upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0002")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO outbox (dedupe_key, channel, recipient, body, status, attempts,"
                " last_error, next_attempt_at, created_at) VALUES ('k', 'sms', '09121234567',"
                " 'وضعیت درخواست شما تغییر کرد', 'pending', 0, '', :now, :now)"
            ),
            {"now": utcnow()},
        )
    upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status, permanent FROM outbox")).one() == ("pending", 0)
    command.downgrade(alembic_config(url), "0002")
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT body FROM outbox")).scalar() == "وضعیت درخواست شما تغییر کرد"
        )
    engine.dispose()
