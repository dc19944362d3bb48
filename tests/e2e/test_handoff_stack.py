"""A person answers, with the whole stack as `python -m assistant run` starts it.

The citizen asks the assistant for a person on the web channel; a staff member takes the
conversation (Rasa's tracker is paused), replies (the reply reaches the widget's history through
the outbox), reads the citizen's answer; the assistant stays silent meanwhile; closing resumes
the conversation in Rasa and the next question is answered by the assistant again. The same in
two browsers: the citizen's widget and the staff member's console.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.e2e.test_stack import stack  # noqa: F401  (the module-scoped running stack)
from tests.e2e.test_widget_browser import ARTIFACTS, browser  # noqa: F401  (headless Chromium)

pytestmark = pytest.mark.e2e

SESSION = "e2ehandoff" + "0" * 22
SENDER = f"web:{SESSION}"


def _chat(stack: dict[str, Any], text: str) -> list[str]:  # noqa: F811
    url = f"http://127.0.0.1:{stack.ports['GATEWAY']}/api/chat"
    response = httpx.post(url, json={"sender": SESSION, "message": text}, timeout=60)
    assert response.status_code == 200, response.text
    return [m.get("text", "") for m in response.json()["messages"]]


def _admin(stack: dict[str, Any]) -> tuple[str, dict[str, str]]:  # noqa: F811
    banner = stack.out.read_text(encoding="utf-8")
    password = re.search(r"admin login\s+admin / (\S+)", banner).group(1)
    url = f"http://127.0.0.1:{stack.ports['BACKEND']}/api/v1"
    body = {"username": "admin", "password": password}
    token = httpx.post(f"{url}/auth/token", json=body, timeout=30).json()["access_token"]
    return url, {"Authorization": f"Bearer {token}"}


def _paused(stack: dict[str, Any]) -> bool:  # noqa: F811
    url = f"http://127.0.0.1:{stack.ports['RASA']}/conversations/{SENDER}/tracker"
    return bool(httpx.get(url, timeout=30).json().get("paused"))


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_a_person_takes_answers_and_gives_back_a_web_conversation(stack):  # noqa: F811
    gateway = f"http://127.0.0.1:{stack.ports['GATEWAY']}"
    asked = " ".join(_chat(stack, "می‌خوام با کارشناس صحبت کنم"))
    assert "۱" in asked, asked  # the place in the queue
    assert "صف" in " ".join(_chat(stack, "کسی هست؟"))  # held for the person, not the bot

    api, admin = _admin(stack)
    queue = httpx.get(f"{api}/staff/handoffs", headers=admin, timeout=30).json()
    handoff = next(h for h in queue if h["conversation_id"] == SENDER)
    base = f"{api}/staff/handoffs/{handoff['id']}"
    assert httpx.post(f"{base}/take", headers=admin, timeout=30).status_code == 200
    assert _paused(stack)

    reply = httpx.post(f"{base}/messages", json={"text": "سلام، در خدمتم"}, headers=admin)
    assert reply.status_code == 201, reply.text

    def shown() -> list[str]:
        entries = httpx.get(f"{gateway}/api/history", params={"sender": SESSION}).json()
        return [e["text"] for e in entries["entries"] if e.get("notice")]

    _wait(lambda: any("در خدمتم" in t for t in shown()), 20, "the reply in the widget")
    assert _chat(stack, "کد پیگیری‌ام را گم کرده‌ام") == []  # the assistant stays silent
    detail = httpx.get(base, headers=admin, timeout=30).json()
    assert [m["text"] for m in detail["messages"] if m["who"] == "citizen"][-1].startswith("کد")

    closed = httpx.post(f"{base}/close", json={"outcome": "answered"}, headers=admin, timeout=30)
    assert closed.status_code == 200
    assert not _paused(stack)
    assert "دستیار خدمات دولت" in " ".join(_chat(stack, "سلام وقت بخیر"))
    _wait(lambda: sum("در خدمتم" in t for t in shown()) == 1, 10, "the reply shown once")


def test_citizen_widget_and_staff_console_talk_in_two_browsers(stack, browser):  # noqa: F811
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    backend = f"http://127.0.0.1:{stack.ports['BACKEND']}"
    banner = stack.out.read_text(encoding="utf-8")
    password = re.search(r"admin login\s+admin / (\S+)", banner).group(1)
    problems: list[str] = []

    # the staff member signs in and watches the queue before anyone asks
    console = browser.new_page()
    console.on("pageerror", lambda e: problems.append(str(e)))
    console.goto(f"{backend}/console/handoffs")
    console.get_by_label("نام کاربری").fill("admin")
    console.get_by_label("گذرواژه").fill(password)
    console.get_by_role("button", name="ورود").click()
    expect(console.get_by_role("heading", name="گفت‌وگوهای واگذارشده به کارشناس")).to_be_visible()

    # the citizen asks for a person in the widget
    citizen = browser.new_page()
    citizen.on("pageerror", lambda e: problems.append(str(e)))
    citizen.goto(f"http://127.0.0.1:{stack.ports['GATEWAY']}/")
    expect(citizen.locator("#dastyar-widget[data-ready=true]")).to_have_count(1)
    citizen.get_by_role("button", name="گفتگو با دستیار").click()
    textbox = citizen.get_by_role("textbox", name="پیام شما")
    textbox.fill("نمیخوام با ربات حرف بزنم، کارشناس انسانی لطفا")
    textbox.press("Enter")
    expect(citizen.get_by_text("کارشناس سپرده شد", exact=False)).to_be_visible(timeout=30000)

    # the waiting conversation appears in the console without a reload; take it and reply
    row = console.get_by_role("link", name="نمیخوام با ربات حرف بزنم، کارشناس انسانی لطفا")
    expect(row).to_be_visible(timeout=15000)
    row.click()
    console.get_by_role("button", name="برداشتن گفت‌وگو").click()
    console.get_by_label("پاسخ به شهروند").fill("سلام، من کارشناس هستم. چه کمکی از من برمی‌آید؟")
    console.get_by_role("button", name="فرستادن پاسخ").click()
    expect(console.get_by_text("چه کمکی از من برمی‌آید؟", exact=False)).to_be_visible()

    # the reply appears in the widget without a reload; the citizen answers, the bot is silent
    expect(citizen.get_by_text("چه کمکی از من برمی‌آید؟", exact=False)).to_be_visible(timeout=10000)
    textbox.fill("کد پیگیری درخواستم گم شده")
    textbox.press("Enter")
    expect(console.get_by_text("کد پیگیری درخواستم گم شده")).to_be_visible(timeout=10000)
    citizen.screenshot(path=str(ARTIFACTS / "handoff-widget.png"))
    console.screenshot(path=str(ARTIFACTS / "handoff-console.png"), full_page=True)

    # closing gives the conversation back: the assistant answers the next message
    console.get_by_label("نتیجه").select_option("answered")
    console.get_by_label("یادداشت بستن").fill("راهنمایی شد")
    console.get_by_role("button", name="بستن گفت‌وگو").click()
    expect(citizen.get_by_text("دستیار دوباره در خدمت شماست", exact=False)).to_be_visible(
        timeout=10000
    )
    textbox.fill("سلام وقت بخیر")
    textbox.press("Enter")
    expect(citizen.get_by_text("دستیار خدمات دولت", exact=False).last).to_be_visible(timeout=30000)
    assert problems == []
    citizen.close()
    console.close()
