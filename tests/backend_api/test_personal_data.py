"""Personal data typed in free text is masked where staff read it; requests keep their fields."""

from __future__ import annotations

from backend_api.feedback.models import Rating
from tests.backend_api.api_helpers import PASSPORT, file_request
from tests.backend_api.citizens import ALI, MOBILE

# What a citizen types: their national code in Persian digits with spaces, a mobile in Arabic
# digits, a card number with dashes and an email.
ALI_FA = "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in ALI)
TYPED = (
    f"سلام، کد ملی من {ALI_FA[:3]} {ALI_FA[3:9]} {ALI_FA[9]} است و شماره‌ام ٠٩١٢١٢٣٤٥٦٧؛ "
    "با کارت 6037-9971-2345-6789 پرداخت کردم ولی رسید نیامد. ali.rezaei@gmail.com"
)


def assert_masked(text: str) -> None:
    digits = "".join(ch for ch in text if ch.isdigit())
    assert ALI not in digits.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2))
    assert "٠٩١٢١٢٣٤٥٦٧" not in text and "6037-9971-2345-6789" not in text
    assert "ali.rezaei@" not in text
    assert "رسید نیامد" in text  # the question itself is kept


def test_unresolved_question_is_masked_in_the_queue(client, assistant, staff):
    body = {"question": TYPED, "conversation_id": "web:s1"}
    assert client.post("/api/v1/unresolved", json=body, headers=assistant).status_code == 201
    (item,) = client.get("/api/v1/staff/unresolved", headers=staff).json()
    assert_masked(item["question"])
    assert "٠٩١٢*****٦٧" in item["question"]


def test_handoff_transcript_question_and_live_words_are_masked(client, assistant, staff):
    body = {
        "conversation_id": "web:s2",
        "question": TYPED,
        "transcript": [
            {"who": "user", "text": TYPED},
            {"who": "bot", "text": f"درخواست با کد ملی {ALI} پیدا نشد."},
        ],
    }
    handoff = client.post("/api/v1/handoffs", json=body, headers=assistant).json()
    said = {"conversation_id": "web:s2", "text": f"کد ملی من {ALI} است"}
    assert client.post("/api/v1/handoffs/messages", json=said, headers=assistant).json()["held"]
    detail = client.get(f"/api/v1/staff/handoffs/{handoff['id']}", headers=staff).json()
    assert_masked(detail["question"])
    assert_masked(detail["transcript"][0]["text"])
    assert ALI not in detail["transcript"][1]["text"]
    assert detail["messages"][0]["text"] == f"کد ملی من {ALI[:2]}******{ALI[-2:]} است"


def test_rating_comment_is_masked(client, app, assistant):
    body = {"service_code": PASSPORT, "score": 2, "comment": f"موبایلم {MOBILE} جواب نگرفتم"}
    assert client.post("/api/v1/ratings", json=body, headers=assistant).status_code == 201
    with app.state.session_factory() as session:
        (rating,) = session.query(Rating).all()
    assert rating.comment == "موبایلم 0912*****67 جواب نگرفتم"


def test_a_request_keeps_its_own_fields_for_the_staff_who_handle_it(client, assistant, admin):
    receipt = file_request(client, assistant, description=f"کد ملی {ALI}")
    view = client.get(f"/api/v1/staff/requests/{receipt['tracking_code']}", headers=admin).json()
    assert view["national_code"] == ALI and view["mobile"] == MOBILE
