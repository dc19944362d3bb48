"""The web widget in a real browser: Playwright driving Debian's Chromium, headless.

The real gateway runs as a subprocess (``python -m connectors``) against a small fake of Rasa's
REST channel and of the backend's attachment endpoint (Rasa itself is tested end to end in
test_stack.py). The test greets, asks a service question, clicks a button, gets a receipt card,
uploads a file, tries an injection, uses the keyboard, reloads, restarts the gateway and checks the
history and an inbox notification. Screenshots are kept under test-artifacts/.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from connectors.store import Store
from tests.connectors.servers import ServerThread
from tests.support.browser import CHROMIUM, chromium, contrast
from tests.support.ports import free_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
TRACKING_CODE = "1000000009"
ATTACK = '<img src=x onerror="window.__pwned=1">'


def fake_rasa() -> FastAPI:
    """Rasa's REST channel, scripted for the widget's scenario."""
    app = FastAPI()

    @app.get("/")
    def hello() -> str:
        return "Hello from Rasa"

    @app.post("/webhooks/rest/webhook")
    async def webhook(request: Request) -> JSONResponse:
        body = await request.json()
        message = body["message"]
        replies: list[dict[str, Any]]
        if message == "سلام":
            replies = [{"text": "سلام! من دستیار خدمات دولت هستم."}]
        elif message == "کند":
            await asyncio.sleep(1.5)  # a slow answer: the typing indicator shows meanwhile
            replies = [{"text": "پاسخ کند."}]
        elif "گذرنامه" in message:
            replies = [
                {
                    "text": "هزینهٔ صدور گذرنامه در https://epolice.ir آمده است. درخواست ثبت شود؟",
                    "buttons": [
                        {
                            "title": "صدور گذرنامه",
                            "payload": '/inform{"service_code":"10202000001"}',
                        },
                        {"title": "خیر", "payload": "/deny"},
                    ],
                }
            ]
        elif message.startswith("/inform"):
            replies = [
                {"text": "درخواست شما ثبت شد."},
                {
                    "custom": {
                        "type": "receipt",
                        "tracking_code": TRACKING_CODE,
                        "service_title": "صدور گذرنامهٔ عادی",
                        "agency_name": "پلیس مهاجرت و گذرنامه",
                        "status": "submitted",
                        "created_at": "2024-08-02T09:30:00+00:00",
                        "estimated_completion_jalali": "۲۰ مرداد ۱۴۰۳",
                        "cost_text": "۱٬۲۰۰٬۰۰۰ ریال",
                        "proof": {"mobile": "09121234567"},
                    }
                },
            ]
        else:
            replies = [{"text": f"پیام شما: {message}"}]
        return JSONResponse([{"recipient_id": body["sender"], **r} for r in replies])

    return app


OUTBOX: list[dict[str, Any]] = []  # messages the fake backend hands to the gateway's worker


def fake_backend(received: list[bytes]) -> FastAPI:
    """The backend endpoints the gateway calls."""
    app = FastAPI()

    @app.post("/api/v1/auth/token")
    def auth() -> dict[str, Any]:
        return {"access_token": "t", "token_type": "bearer", "expires_in": 3600}

    @app.post("/api/v1/outbox/claim")
    async def claim(request: Request) -> list[Any]:
        channel = (await request.json())["channel"]
        return [m for m in OUTBOX if m["channel"] == channel]

    @app.post("/api/v1/outbox/{message_id}/sent")
    def sent(message_id: int) -> dict[str, Any]:
        OUTBOX[:] = [m for m in OUTBOX if m["id"] != message_id]
        return {"id": message_id, "status": "sent"}

    @app.post("/api/v1/requests/attachments", status_code=201)
    async def attach(request: Request) -> dict[str, Any]:
        received.append(await request.body())
        return {
            "id": 1,
            "filename": "madrak.pdf",
            "content_type": "application/pdf",
            "size": 10,
            "created_at": "2024-08-02T09:30:00",
        }

    return app


class Gateway:
    """``python -m connectors`` as the operator's stack starts it."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.url = f"http://127.0.0.1:{env['DASTYAR_GATEWAY_PORT']}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "connectors"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail("the gateway did not start:\n" + self.log.read_text()[-3000:])
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[dict[str, Any]]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is not installed at /usr/bin/chromium: run `make browser` first")
    data_dir = tmp_path_factory.mktemp("gateway")
    received: list[bytes] = []
    with ServerThread(fake_rasa()) as rasa, ServerThread(fake_backend(received)) as backend:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DASTYAR_")},
            "PYTHONPATH": str(ROOT),
            "DASTYAR_GATEWAY_PORT": str(free_port()),
            "DASTYAR_RASA_URL": rasa.url,
            "DASTYAR_DATA_DIR": str(data_dir),
            "DASTYAR_BACKEND_URL": backend.url,
            "DASTYAR_BACKEND_ASSISTANT_PASSWORD": "pw",
        }
        gateway = Gateway(env, data_dir / "gateway.log")
        gateway.start()
        try:
            yield {"gateway": gateway, "data_dir": data_dir, "received": received}
        finally:
            gateway.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("chromium-profile"), viewport_height=800) as context:
        yield context


# Every visible text of the widget: its class, its colour and the colour of what lies behind it.
_TEXT_COLOURS = """() => {
  const root = document.querySelector('#dastyar-widget').shadowRoot;
  const behind = (el) => {
    for (let e = el; e; e = e.parentElement || e.getRootNode().host) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { return c; }
    }
    return 'rgb(255, 255, 255)';
  };
  const found = [];
  root.querySelectorAll('*').forEach((el) => {
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!text || el.closest('.sr') || el.disabled || el.getClientRects().length === 0) { return; }
    found.push([String(el.className || el.tagName), getComputedStyle(el).color, behind(el)]);
  });
  return found;
}"""


def entries(page: Any) -> list[str]:
    return page.locator("#dastyar-widget li").all_inner_texts()


def test_a_conversation_in_the_widget_survives_reload_and_restart(stack, browser):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    gateway = stack["gateway"]
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(gateway.url + "/")
    expect(page.locator("#dastyar-widget[data-ready=true]")).to_have_count(1)

    # open with the launcher; the input gets the focus
    page.get_by_role("button", name="گفتگو با دستیار").click()
    dialog = page.get_by_role("dialog", name="دستیار خدمات دولت")
    expect(dialog).to_be_visible()
    textbox = page.get_by_role("textbox", name="پیام شما")
    expect(textbox).to_be_focused()

    # greet, then ask a service question
    textbox.fill("سلام")
    textbox.press("Enter")
    expect(page.get_by_text("سلام! من دستیار خدمات دولت هستم.")).to_be_visible()
    textbox.fill("کند")
    textbox.press("Enter")
    typing = page.get_by_role("status").filter(has_text="دستیار در حال نوشتن است")
    expect(typing).to_be_visible()
    expect(page.get_by_text("پاسخ کند.")).to_be_visible()
    expect(typing).to_be_hidden()
    textbox.fill("هزینه گذرنامه چقدر است؟")
    page.get_by_role("button", name="ارسال").click()
    link = page.get_by_role("link", name=re.compile("epolice"))
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("href", "https://epolice.ir")

    # click a button: its title is shown, its payload goes to Rasa, the receipt card appears
    page.get_by_role("button", name="صدور گذرنامه").click()
    card = page.get_by_role("group", name="رسید ثبت درخواست")
    expect(card).to_be_visible()
    expect(card).to_contain_text("1000-0000-09")
    expect(card).to_contain_text("ثبت شده")
    expect(card).to_contain_text("۱۲ مرداد ۱۴۰۳")
    expect(card).to_contain_text("۱٬۲۰۰٬۰۰۰ ریال")
    expect(page.get_by_role("button", name="خیر")).to_be_disabled()

    # attach a file to the filed request
    page.locator("#dastyar-widget input[type=file]").set_input_files(
        {"name": "madrak.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    )
    expect(page.get_by_text("فایل «madrak.pdf» به درخواست 1000-0000-09 پیوست شد.")).to_be_visible()
    assert b"09121234567" in stack["received"][0] and b"%PDF-1.4" in stack["received"][0]
    page.locator("#dastyar-widget input[type=file]").set_input_files(
        {"name": "setup.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"}
    )
    expect(page.get_by_text("فایل «setup.exe» پذیرفته نمی‌شود", exact=False)).to_be_visible()

    # an injection attempt is shown as text, never run
    textbox.fill(ATTACK)
    textbox.press("Enter")
    expect(page.get_by_text(f"پیام شما: {ATTACK}")).to_be_visible()
    images = page.evaluate(
        "document.querySelector('#dastyar-widget').shadowRoot.querySelectorAll('img').length"
    )
    assert images == 0 and page.evaluate("window.__pwned") is None

    # the font is the project's own Vazirmatn; nothing was fetched from anywhere else
    assert page.evaluate("document.fonts.check('16px Vazirmatn')")
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('#dastyar-widget').shadowRoot"
            ".querySelector('.dw')).direction"
        )
        == "rtl"
    )
    assert all(url.startswith(gateway.url) for url in requests), requests
    page.screenshot(path=str(ARTIFACTS / "widget-desktop.png"))

    # readable contrast (WCAG AA, 4.5:1) for every text on screen, receipt and buttons included
    colours = page.evaluate(_TEXT_COLOURS)
    assert len(colours) > 10
    weak = [(name, fg, bg) for name, fg, bg in colours if contrast(fg, bg) < 4.5]
    assert weak == [], weak

    # keyboard: Escape closes and gives the focus back to the launcher, with a visible ring
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    launcher = page.get_by_role("button", name="گفتگو با دستیار")
    expect(launcher).to_be_focused()
    outline = launcher.evaluate(
        "b => getComputedStyle(b).outlineStyle + ' ' + getComputedStyle(b).outlineWidth"
    )
    assert outline == "solid 3px"
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()

    # reload: the same session, the history re-rendered from the gateway, the panel still open
    before = entries(page)
    page.reload()
    expect(page.locator("#dastyar-widget[data-ready=true]")).to_have_count(1)
    expect(dialog).to_be_visible()
    local_only = [t for t in before if "پذیرفته نمی‌شود" in t]  # a check made in the browser
    assert entries(page) == [t for t in before if t not in local_only]
    expect(page.get_by_role("group", name="رسید ثبت درخواست")).to_be_visible()

    # a gateway restart and a notification delivered meanwhile to the session's inbox
    session = page.evaluate("localStorage.getItem('dastyar.session')")
    assert re.fullmatch(r"[0-9a-f]{32}", session)
    gateway.stop()
    store = Store(f"sqlite:///{stack['data_dir'] / 'gateway.db'}")
    store.add_notice(
        session, 1, {"who": "bot", "notice": True, "text": "درخواست شما تأیید شد."}, 200
    )
    store.close()
    gateway.start()
    page.reload()
    expect(page.locator("#dastyar-widget[data-ready=true]")).to_have_count(1)
    expect(page.get_by_text("درخواست شما تأیید شد.")).to_be_visible()
    expect(page.get_by_text("سلام! من دستیار خدمات دولت هستم.")).to_be_visible()
    textbox.fill("پس از راه‌اندازی دوباره")
    textbox.press("Enter")
    expect(page.get_by_text("پیام شما: پس از راه‌اندازی دوباره")).to_be_visible()
    history = httpx.get(f"{gateway.url}/api/history", params={"sender": session}).json()["entries"]
    assert json.dumps(history).count("proof") == 0

    # a notification stored while a turn waits on the assistant shows once the turn ends
    textbox.fill("کند")
    textbox.press("Enter")
    expect(typing).to_be_visible()
    store = Store(f"sqlite:///{stack['data_dir'] / 'gateway.db'}")
    store.add_notice(
        session, 2, {"who": "bot", "notice": True, "text": "درخواست شما در حال بررسی است."}, 200
    )
    store.close()
    expect(page.get_by_text("پاسخ کند.")).to_have_count(2)
    expect(page.get_by_text("درخواست شما در حال بررسی است.")).to_have_count(1)

    # a phone: the panel takes the whole screen
    page.set_viewport_size({"width": 375, "height": 700})
    box = dialog.bounding_box()
    assert box is not None and box["width"] == 375 and box["height"] == 700
    page.screenshot(path=str(ARTIFACTS / "widget-mobile.png"))
    page.close()


def test_a_staff_reply_is_pushed_to_the_open_widget(stack, browser):
    """A live-handoff reply reaches an open widget at once (server-sent events), not at the
    next 20 s poll, and only once."""
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(stack["gateway"].url + "/")
    expect(page.locator("#dastyar-widget[data-ready=true]")).to_have_count(1)
    page.get_by_role("button", name="گفتگو با دستیار").click()
    session = page.evaluate("localStorage.getItem('dastyar.session')")
    page.wait_for_timeout(500)  # the event stream is open
    reply = "کارشناس: سلام، پرسشتان را بفرمایید."
    OUTBOX.append({"id": 7001, "channel": "web", "recipient": f"web:{session}", "body": reply})
    expect(page.get_by_text(reply)).to_be_visible(timeout=5000)
    assert OUTBOX == []
    page.wait_for_timeout(1500)
    expect(page.get_by_text(reply)).to_have_count(1)
    page.close()
