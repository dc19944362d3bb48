"""The console in a real browser: Playwright driving Debian's Chromium, headless.

The real backend runs as a subprocess (``python -m backend_api``) on a SQLite file with the mini
catalogue. The test signs in with the keyboard, looks at the dashboard's charts, asks a citizen
for more information and finds the message in the outbox of the citizen's channel, answers a
group of unresolved questions into an FAQ and sees the assistant answer it, imports a catalogue
file with an error and reads the row-level report; every page keeps WCAG AA contrast, breaks no
CSP rule and fetches nothing from elsewhere. Screenshots are kept under test-artifacts/.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.backend_process import running_backend
from tests.support.browser import CHROMIUM, chromium, contrast

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
MINI_CATALOGUE = ROOT / "tests" / "data" / "mini_catalogue.yaml"
ADMIN_PASSWORD = "console-admin-password-1"
ASSISTANT_PASSWORD = "console-assistant-password-1"
ATTACK = '<img src=x onerror="window.__pwned=1">'

# Every visible text on the page: its colour and the colour of what lies behind it.
_TEXT_COLOURS = """() => {
  const behind = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { return c; }
    }
    return 'rgb(255, 255, 255)';
  };
  const found = [];
  document.querySelectorAll('body *').forEach((el) => {
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!text || el.closest('.sr-only, .skip') || el.getClientRects().length === 0) { return; }
    found.push([el.tagName + '.' + el.className, getComputedStyle(el).color, behind(el)]);
  });
  return found;
}"""


@pytest.fixture(scope="module")
def backend(tmp_path_factory) -> Iterator[dict[str, Any]]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is not installed at /usr/bin/chromium: run `make browser` first")
    data_dir = tmp_path_factory.mktemp("console")
    catalogue = data_dir / "catalogue"
    catalogue.mkdir()
    shutil.copy(MINI_CATALOGUE, catalogue / "catalogue.yaml")
    with running_backend(
        sys.executable,
        data_dir,
        assistant_password=ASSISTANT_PASSWORD,
        admin_password=ADMIN_PASSWORD,
        catalogue_dir=catalogue,
    ) as url:
        token = httpx.post(
            f"{url}/api/v1/auth/token",
            json={"username": "assistant", "password": ASSISTANT_PASSWORD},
        ).json()["access_token"]
        yield {"url": url, "assistant": {"Authorization": f"Bearer {token}"}}


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("chromium-profile"), viewport_height=900) as context:
        yield context


def _readable(page: Any) -> None:
    colours = page.evaluate(_TEXT_COLOURS)
    assert len(colours) > 5
    weak = [(name, fg, bg) for name, fg, bg in colours if contrast(fg, bg) < 4.5]
    assert weak == [], weak


def test_staff_work_in_the_console(backend, browser):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    url, assistant = backend["url"], backend["assistant"]
    # a request with a script in its description, and three wordings of one question
    filed = httpx.post(
        f"{url}/api/v1/requests",
        headers=assistant,
        json={
            "service_code": "10202000001", "full_name": "علی رضایی", "national_code": "0013542419",
            "mobile": "09121234567", "description": ATTACK, "channel": "telegram",
            "sender_id": "telegram:42",
        },
    )  # fmt: skip
    assert filed.status_code == 201, filed.text
    code = filed.json()["tracking_code"]
    for question in (
        "دفاتر پیشخوان پنجشنبه‌ها تا چه ساعتی باز هستند؟",
        "دفتر پیشخوان پنجشنبه تا چه ساعتی باز است",
        "دفاتر پیشخوان پنجشنبه‌ها تا چه ساعتی باز هستند؟",
    ):
        logged = httpx.post(
            f"{url}/api/v1/unresolved", headers=assistant, json={"question": question}
        )
        assert logged.status_code == 201

    page = browser.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))

    # anonymous: sent to the sign-in page; sign in with the keyboard
    page.goto(f"{url}/console/requests")
    expect(page.get_by_role("heading", name="ورود به میز کار")).to_be_visible()
    expect(page.get_by_label("نام کاربری")).to_be_focused()
    page.keyboard.type("admin")
    page.keyboard.press("Tab")
    page.keyboard.type(ADMIN_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="کارتابل درخواست‌ها")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.evaluate("document.fonts.check('16px Vazirmatn')")
    page.screenshot(path=str(ARTIFACTS / "console-worklist.png"), full_page=True)
    _readable(page)

    # the request: the script stays text; ask the citizen for a document
    page.locator(f'a[href="/console/requests/{code}"]').click()
    expect(page.get_by_text(ATTACK)).to_be_visible()
    assert page.evaluate("window.__pwned") is None
    page.get_by_label("درخواست اطلاعات بیشتر از شهروند").fill("لطفاً تصویر شناسنامه را بفرستید.")
    page.get_by_role("button", name="فرستادن به شهروند").click()
    expect(page.get_by_role("status")).to_contain_text("درخواست تکمیل اطلاعات")
    expect(page.locator("h1 .badge").first).to_have_text("نیازمند تکمیل مدارک")
    page.screenshot(path=str(ARTIFACTS / "console-request.png"), full_page=True)
    claimed = httpx.post(
        f"{url}/api/v1/outbox/claim", headers=assistant, json={"channel": "telegram", "limit": 10}
    )
    bodies = [m["body"] for m in claimed.json() if m["recipient"] == "telegram:42"]
    assert any("تصویر شناسنامه" in b for b in bodies), claimed.text

    # the unresolved group becomes an FAQ the assistant answers at once
    page.get_by_role("link", name="پرسش‌های بی‌پاسخ").click()
    expect(page.get_by_text("۳ پرسش در انتظار، در ۱ گروه")).to_be_visible()
    page.get_by_role("link", name="پاسخ به این گروه").click()
    page.get_by_label("پاسخ", exact=True).fill("دفاتر پیشخوان پنجشنبه‌ها تا ساعت ۱۳ باز هستند.")
    page.get_by_role("button", name="ثبت پاسخ برای همهٔ گروه").click()
    expect(page.get_by_role("status")).to_contain_text("۳ پرسش پاسخ‌داده شد")
    page.get_by_label("پرسش", exact=True).fill("پیشخوان پنجشنبه تا کی باز است؟")
    page.get_by_role("button", name="دستیار الان چه پاسخی می‌دهد؟").click()
    expect(page.locator("#test-result")).to_contain_text("تا ساعت ۱۳ باز هستند")
    page.screenshot(path=str(ARTIFACTS / "console-unresolved.png"), full_page=True)

    # a catalogue file with an error: nothing is saved, the row is named
    page.get_by_role("link", name="شناسنامهٔ خدمات").click()
    page.get_by_label("پرونده (xlsx یا csv)").set_input_files(
        {"name": "clusters.csv", "mimeType": "text/csv",
         "buffer": "code,name\ntax,مالیات\nBAD CODE,خطا\n".encode()}
    )  # fmt: skip
    page.get_by_role("button", name="ورود پرونده").click()
    report = page.locator("#import-problems")
    expect(report).to_contain_text("clusters.csv / clusters")
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report.locator("tbody td").nth(1)).to_have_text("۳")
    page.screenshot(path=str(ARTIFACTS / "console-import-error.png"), full_page=True)
    _readable(page)

    # the dashboard draws its charts from the vendored Chart.js
    page.get_by_role("link", name="داشبورد").click()
    expect(page.locator("canvas[data-drawn]").first).to_be_visible()
    assert page.evaluate("Object.keys(Chart.instances).length") >= 5
    page.screenshot(path=str(ARTIFACTS / "console-dashboard.png"), full_page=True)
    _readable(page)

    # a phone: the navigation becomes a row, nothing overflows the screen
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{url}/console/requests")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 376, width
    page.screenshot(path=str(ARTIFACTS / "console-mobile.png"), full_page=True)

    assert all(r.startswith(url) for r in requests), [r for r in requests if not r.startswith(url)]
    assert problems == [], problems  # no script error, no CSP violation
    assert failed == [f"422 {url}/console/catalogue/import"], failed
    page.close()
