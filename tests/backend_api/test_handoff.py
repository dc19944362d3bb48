"""Handing a conversation to a person: queue, take, close, and who may do what."""


def open_handoff(client, headers, conversation="web:abc", **extra):
    body = {
        "conversation_id": conversation,
        "channel": "web",
        "reason": "asked",
        "question": "می‌خواهم با کارشناس صحبت کنم",
        "transcript": [{"who": "user", "text": "سلام"}, {"who": "bot", "text": "سلام! بفرمایید."}],
        **extra,
    }
    return client.post("/api/v1/handoffs", json=body, headers=headers)


def test_a_handoff_joins_the_queue_with_its_position(client, assistant, staff):
    first = open_handoff(client, assistant, "web:a")
    second = open_handoff(client, assistant, "telegram:7", channel="telegram")
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["queue_position"], second.json()["queue_position"]) == (1, 2)
    queue = client.get("/api/v1/staff/handoffs", headers=staff).json()
    assert [h["conversation_id"] for h in queue] == ["web:a", "telegram:7"]
    assert queue[0]["transcript"][1]["text"] == "سلام! بفرمایید."


def test_asking_twice_keeps_one_place(client, assistant):
    first = open_handoff(client, assistant).json()
    again = open_handoff(client, assistant).json()
    assert again["id"] == first["id"]


def test_staff_take_and_close_and_it_is_audited(client, assistant, staff, admin):
    handoff_id = open_handoff(client, assistant).json()["id"]
    taken = client.post(f"/api/v1/staff/handoffs/{handoff_id}/take", headers=staff)
    assert taken.status_code == 200 and taken.json()["taken_by"] == "staff1"
    again = client.post(f"/api/v1/staff/handoffs/{handoff_id}/take", headers=staff)
    assert again.status_code == 409 and again.json()["error"]["code"] == "handoff_not_open"
    closed = client.post(
        f"/api/v1/staff/handoffs/{handoff_id}/close", json={"note": "پاسخ داده شد"}, headers=staff
    )
    assert closed.json()["status"] == "closed"
    audit = client.get("/api/v1/admin/audit?entity=handoff", headers=admin).json()
    assert [e["action"] for e in audit] == ["close", "take"]


def test_refusals(client, assistant):
    assert open_handoff(client, {}).status_code == 401
    assert client.get("/api/v1/staff/handoffs", headers=assistant).status_code == 403
    missing = client.post("/api/v1/staff/handoffs/999/take", headers=assistant)
    assert missing.status_code == 403
