"""Unresolved questions grouped, answered as one FAQ, ignored by rule, and the test box."""

from __future__ import annotations

import re

import pytest

from tests.backend_api.console.helpers import csrf_of, post_form

XSS = '<img src=x onerror="window.__pwned=1">'
PISHKHAN = [
    "دفاتر پیشخوان پنجشنبه‌ها تا چه ساعتی باز هستند؟",
    "دفتر پیشخوان پنجشنبه تا چه ساعتی باز است",
    "دفاتر پیشخوان پنجشنبه‌ها تا چه ساعتی باز هستند؟",
]


def log(client, assistant, question: str, candidates=None) -> int:
    body = {"question": question, "candidates": candidates or []}
    response = client.post("/api/v1/unresolved", json=body, headers=assistant)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.usefixtures("checks_every_search")
def test_similar_questions_form_one_group_that_one_answer_closes(admin_browser, assistant):
    client = admin_browser
    ids = [
        log(client, assistant, q, [{"id": "service:10202000001", "title": "گذرنامه", "score": 0.3}])
        for q in PISHKHAN
    ]
    other = log(client, assistant, "کارت ملی هوشمند را کجا تحویل بگیرم")
    page = client.get("/console/unresolved").text
    assert "۴ پرسش در انتظار، در ۲ گروه" in page
    key = min(ids)
    group = client.get(f"/console/unresolved/groups/{key}").text
    assert "(×۲)" in group and 'value="10202000001"' in group  # duplicates counted, service guessed
    slug = re.search(
        r'name="slug" class="ltr" required pattern="[^"]+" value="([^"]+)"', group
    ).group(1)
    data = {
        "mode": "new",
        "ids": [str(i) for i in ids],
        "question": PISHKHAN[0],
        "alternatives": PISHKHAN[1],
        "answer": "دفاتر پیشخوان پنجشنبه‌ها تا ساعت ۱۳ باز هستند.",
        "service_code": "",
        "slug": slug,
        "publish": "1",
        "csrf_token": csrf_of(group),
    }
    done = client.post(
        f"/console/unresolved/groups/{key}/answer", data=data, follow_redirects=False
    )
    assert done.status_code == 303 and "n=3" in done.headers["location"]
    assert "۳ پرسش پاسخ‌داده شد" in client.get(done.headers["location"]).text
    faq = client.get(f"/api/v1/faq/{slug}").json()
    assert faq["status"] == "published" and faq["alternatives"] == [PISHKHAN[1]]
    # the assistant answers it now
    tested = client.get(
        "/console/unresolved/test", params={"q": "پیشخوان پنجشنبه تا کی باز است"}
    ).text
    assert "دفاتر پیشخوان پنجشنبه‌ها تا چه ساعتی باز هستند" in tested  # the new FAQ is a hit
    page = client.get("/console/unresolved").text
    assert "۱ پرسش در انتظار" in page and str(other)


def test_a_group_joins_an_existing_faq_as_alternative_wordings(admin_browser, assistant, admin):
    client = admin_browser
    faq = {"id": "pishkhan-hours", "question": "ساعت کار دفاتر پیشخوان", "answer": "۸ تا ۱۶"}
    assert client.post("/api/v1/admin/faq", json=faq, headers=admin).status_code == 201
    ids = [log(client, assistant, q) for q in PISHKHAN[:2]]
    page = client.get(f"/console/unresolved/groups/{min(ids)}").text
    found = client.get("/console/unresolved/faq-search", params={"q": "پیشخوان"}).text
    assert 'value="pishkhan-hours"' in found
    data = {
        "mode": "existing",
        "ids": [str(i) for i in ids],
        "alternatives": "\n".join(PISHKHAN[:2]),
        "faq": "pishkhan-hours",
        "csrf_token": csrf_of(page),
    }
    done = client.post(
        f"/console/unresolved/groups/{min(ids)}/answer", data=data, follow_redirects=False
    )
    assert done.status_code == 303
    assert client.get("/api/v1/faq/pishkhan-hours").json()["alternatives"] == PISHKHAN[:2]


def test_ignored_junk_does_not_come_back(admin_browser, assistant):
    client = admin_browser
    first = log(client, assistant, "تبلیغ ارز دیجیتال رایگان")
    page = client.get(f"/console/unresolved/groups/{first}").text
    data = {"ids": [str(first)], "rule": "ارز دیجیتال", "csrf_token": csrf_of(page)}
    done = client.post(
        f"/console/unresolved/groups/{first}/ignore", data=data, follow_redirects=False
    )
    assert done.status_code == 303
    log(client, assistant, "خرید ارز دیجیتال با تخفیف")
    page = client.get("/console/unresolved").text
    assert "۰ پرسش در انتظار" in page and "ارز دیجیتال" in page  # only the rule shows
    removed = post_form(client, "/console/unresolved/rules/1/delete", page="/console/unresolved")
    assert removed.status_code == 303
    assert "۱ پرسش در انتظار" in client.get("/console/unresolved").text


def test_a_script_in_a_question_stays_text(admin_browser, assistant):
    item = log(admin_browser, assistant, XSS)
    for url in ("/console/unresolved", f"/console/unresolved/groups/{item}"):
        page = admin_browser.get(url).text
        assert XSS not in page and "&lt;img src=x" in page
