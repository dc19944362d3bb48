"""Retention on SQLite and PostgreSQL: what is past its period goes, the rest stays, the audit
log counts it, and a dry run changes nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from backend_api.audit.models import AuditEntry
from backend_api.db import utcnow
from backend_api.handoff.models import Handoff, HandoffMessage
from backend_api.notifications.models import OutboxMessage
from backend_api.requests.models import Attachment, ServiceRequest
from backend_api.retention.service import Purge, purge_backend, record_purge
from backend_api.retention.settings import RetentionSettings
from backend_api.unresolved.models import UnresolvedQuestion
from tests.backend_api.api_helpers import complete, file_request
from tests.backend_api.test_attachments import attach, pdf_bytes

LONG_AGO = utcnow() - dt.timedelta(days=400)
RETENTION = RetentionSettings(
    conversations_days=30,
    transcripts_days=90,
    unresolved_days=90,
    notifications_days=30,
    attachments_days=365,
)


def age(app, model, ids, **values) -> None:
    """Move rows back in time."""
    with app.state.session_factory() as session:
        session.execute(update(model).where(model.id.in_(ids)).values(**values))
        session.commit()


def handoff(client, assistant, staff, conversation: str, *, close: bool) -> int:
    body = {
        "conversation_id": conversation,
        "question": "کارشناس لطفاً",
        "transcript": [{"who": "user", "text": "سلام"}],
    }
    item = client.post("/api/v1/handoffs", json=body, headers=assistant).json()
    said = {"conversation_id": conversation, "text": "هنوز منتظرم"}
    assert client.post("/api/v1/handoffs/messages", json=said, headers=assistant).json()["held"]
    if close:
        assert client.post(f"/api/v1/staff/handoffs/{item['id']}/take", headers=staff).is_success
        closing = {"note": "پاسخ داده شد", "outcome": "answered"}
        url = f"/api/v1/staff/handoffs/{item['id']}/close"
        assert client.post(url, json=closing, headers=staff).is_success
    return item["id"]


def unresolved(client, assistant, staff, question: str, *, dismiss: bool) -> int:
    body = {"question": question}
    item = client.post("/api/v1/unresolved", json=body, headers=assistant).json()
    if dismiss:
        url = f"/api/v1/staff/unresolved/{item['id']}/dismiss"
        assert client.post(url, headers=staff).is_success
    return item["id"]


def build_history(client, app, assistant, staff) -> dict[str, list[int]]:
    """For each kind, rows past their period (first) and rows that must stay (the rest)."""
    old_handoff = handoff(client, assistant, staff, "web:old", close=True)
    recent_handoff = handoff(client, assistant, staff, "web:recent", close=True)
    old_open_handoff = handoff(client, assistant, staff, "web:waiting", close=False)
    age(app, Handoff, [old_handoff], closed_at=LONG_AGO)
    age(app, Handoff, [old_open_handoff], created_at=LONG_AGO)

    old_question = unresolved(client, assistant, staff, "سؤال قدیمی", dismiss=True)
    waiting_question = unresolved(client, assistant, staff, "سؤال منتظر", dismiss=False)
    recent_question = unresolved(client, assistant, staff, "سؤال تازه", dismiss=True)
    age(app, UnresolvedQuestion, [old_question, waiting_question], updated_at=LONG_AGO)

    with app.state.session_factory() as session:
        messages = [
            OutboxMessage(
                dedupe_key=f"test:{n}", channel="web", recipient="web:x", body="پیام", **extra
            )
            for n, extra in enumerate(
                [
                    {"status": "sent", "sent_at": LONG_AGO},
                    {"status": "sent", "sent_at": utcnow()},
                    {"status": "pending", "created_at": LONG_AGO},
                ]
            )
        ]
        session.add_all(messages)
        session.commit()
        outbox = [m.id for m in messages]

    codes = [file_request(client, assistant)["tracking_code"] for _ in range(3)]
    files = [attach(client, assistant, code, pdf_bytes()).json()["id"] for code in codes]
    complete(client, staff, codes[0])
    complete(client, staff, codes[1])  # closed recently: its file stays
    with app.state.session_factory() as session:
        request_ids = list(
            session.scalars(
                select(ServiceRequest.id).where(ServiceRequest.tracking_code.in_(codes))
            )
        )
    by_code = dict(zip(codes, sorted(request_ids), strict=True))
    age(app, ServiceRequest, [by_code[codes[0]], by_code[codes[2]]], updated_at=LONG_AGO)
    return {
        "transcripts": [old_handoff, recent_handoff, old_open_handoff],
        "unresolved": [old_question, waiting_question, recent_question],
        "notifications": outbox,
        "attachments": files,
    }


def run_purge(app, settings, dry_run: bool) -> dict[str, int]:
    with app.state.session_factory() as session:
        run = Purge(dry_run=dry_run)
        counts = purge_backend(session, run, RETENTION, settings.attachments_dir)
        record_purge(session, run, RETENTION)
        session.commit()
    return counts


def test_dry_run_counts_and_purge_removes_only_what_is_past_its_period(
    client, app, assistant, staff, settings
):
    rows = build_history(client, app, assistant, staff)
    expected = {"transcripts": 1, "unresolved": 1, "notifications": 1, "attachments": 1}
    files_before = sorted(p.name for p in settings.attachments_dir.iterdir())

    assert run_purge(app, settings, dry_run=True) == expected
    with app.state.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(UnresolvedQuestion)) == 3
        assert not session.scalars(select(AuditEntry).where(AuditEntry.entity == "retention")).all()
    assert sorted(p.name for p in settings.attachments_dir.iterdir()) == files_before

    assert run_purge(app, settings, dry_run=False) == expected
    with app.state.session_factory() as session:
        old, recent, waiting = (session.get(Handoff, i) for i in rows["transcripts"])
        assert (old.question, old.transcript, old.note, old.outcome) == (
            "",
            [],
            "پاسخ داده شد",
            "answered",
        )
        assert recent.transcript and waiting.transcript
        live = session.scalars(select(HandoffMessage.handoff_id)).all()
        assert old.id not in live and {recent.id, waiting.id} <= set(live)
        kept = set(session.scalars(select(UnresolvedQuestion.id)))
        assert kept == set(rows["unresolved"][1:])
        sent = select(OutboxMessage.id).where(OutboxMessage.id.in_(rows["notifications"]))
        assert set(session.scalars(sent)) == set(rows["notifications"][1:])
        attachments = session.scalars(select(Attachment)).all()
        assert {a.id for a in attachments} == set(rows["attachments"][1:])
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.entity == "retention"))
        assert entry.actor == "retention" and entry.action == "purge"
        assert entry.after["purged"] == expected
        assert entry.after["days"]["attachments"] == 365
    left = sorted(p.name for p in settings.attachments_dir.iterdir())
    assert left == sorted(a.stored_name for a in attachments)

    # a second run finds nothing and writes no audit entry
    assert run_purge(app, settings, dry_run=False) == dict.fromkeys(expected, 0)
    with app.state.session_factory() as session:
        count = select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "retention")
        assert session.scalar(count) == 1


def test_zero_days_keeps_a_kind_forever(client, app, assistant, staff, settings):
    build_history(client, app, assistant, staff)
    forever = RetentionSettings(
        transcripts_days=0, unresolved_days=0, notifications_days=0, attachments_days=0
    )
    with app.state.session_factory() as session:
        counts = purge_backend(session, Purge(dry_run=False), forever, settings.attachments_dir)
        session.commit()
    assert counts == {"transcripts": 0, "unresolved": 0, "notifications": 0, "attachments": 0}
