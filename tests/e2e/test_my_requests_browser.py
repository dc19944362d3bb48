"""«My requests» in the web widget, with the whole stack as `python -m assistant run` starts it
(real Rasa model, action server, backend, gateway) and a local fake of the SMS provider.

A request and a complaint are filed for a mobile; in the widget the citizen asks for «my
requests», gives the mobile, reads the one-time code the fake SMS provider received (through the
backend's outbox and the gateway's SMS worker), types a wrong code and then the right one, sees
both filings listed and opens the request with its history.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from assistant.local_stack import LocalStack, local_stack
from assistant.stack import latest_model
from nlu.personal_data import mask_personal_data as mask
from shared.settings import models_dir
from tests.connectors.fake_sms import FakeSmsGateway
from tests.connectors.servers import ServerThread
from tests.e2e.test_widget_browser import ARTIFACTS, browser  # noqa: F401  (headless Chromium)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

MOBILE = "09127654321"
SMS_KEY = "fake-sms-key-for-my-requests"


@pytest.fixture(scope="module")
def sms() -> Iterator[tuple[FakeSmsGateway, str]]:
    fake = FakeSmsGateway(SMS_KEY)
    with ServerThread(fake.app) as server:
        yield fake, server.url


@pytest.fixture(scope="module")
def stack(tmp_path_factory, sms) -> Iterator[LocalStack]:
    if latest_model(models_dir()) is None:
        pytest.fail("no trained model in models/: `make test` trains one first")
    _, sms_url = sms
    env = {
        "DASTYAR_GATEWAY_SMS_API_KEY": SMS_KEY,
        "DASTYAR_GATEWAY_SMS_BASE_URL": sms_url,
        "DASTYAR_GATEWAY_SMS_SENDER": "10004346",
        "DASTYAR_GATEWAY_SMS_INBOUND_SECRET": "inbound-secret-for-my-requests",
        "DASTYAR_GATEWAY_NOTIFY_INTERVAL": "0.5",  # the code should not wait for the next claim
    }
    with local_stack(tmp_path_factory.mktemp("stack"), timeout=300, env=env) as running:
        yield running


def _admin(stack: LocalStack) -> tuple[str, dict[str, str]]:
    banner = stack.out.read_text(encoding="utf-8")
    password = re.search(r"admin login\s+admin / (\S+)", banner).group(1)
    api = f"{stack.url('BACKEND')}/api/v1"
    body = {"username": "admin", "password": password}
    token = httpx.post(f"{api}/auth/token", json=body, timeout=30).json()["access_token"]
    return api, {"Authorization": f"Bearer {token}"}


def _file(stack: LocalStack) -> tuple[str, str]:
    """A passport request and a complaint filed with MOBILE, as the assistant would."""
    api, admin = _admin(stack)
    request = {"service_code": "10202000001", "full_name": "مریم احمدی",
               "national_code": "0013542419", "mobile": MOBILE}  # fmt: skip
    filed = httpx.post(f"{api}/requests", json=request, headers=admin, timeout=30)
    assert filed.status_code == 201, filed.text
    complaint = {"kind": "complaint", "text": "پاسخ درخواستم خیلی دیر شد.", "mobile": MOBILE}
    complained = httpx.post(f"{api}/complaints", json=complaint, headers=admin, timeout=30)
    assert complained.status_code == 201, complained.text
    return filed.json()["tracking_code_display"], complained.json()["tracking_code_display"]


def _code_sent_to(fake: FakeSmsGateway, mobile: str, count: int, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while len(fake.to(mobile)) < count:
        assert time.monotonic() < deadline, "no code reached the SMS provider"
        time.sleep(0.2)
    return re.search(r"\b(\d{6})\b", fake.to(mobile)[-1]).group(1)


def _persian(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def test_a_citizen_proves_the_mobile_and_sees_their_requests(stack, sms, browser):  # noqa: F811
    from playwright.sync_api import expect

    fake, _ = sms
    request_code, complaint_code = _file(stack)
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    page = browser.new_page()
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(stack.url("GATEWAY") + "/")
    expect(page.locator("#dastyar-widget[data-ready=true]")).to_have_count(1)
    page.get_by_role("button", name="گفتگو با دستیار").click()
    textbox = page.get_by_role("textbox", name="پیام شما")

    def say(text: str) -> None:
        textbox.fill(text)
        textbox.press("Enter")

    say("درخواست‌های من")
    expect(page.get_by_text("کد تأیید برایتان پیامک شود", exact=False)).to_be_visible(timeout=30000)
    say(MOBILE)
    expect(page.get_by_text("کد تأیید ۶ رقمی به شمارهٔ", exact=False)).to_be_visible(timeout=30000)
    code = _code_sent_to(fake, MOBILE, 1)
    assert "کد تأیید" in fake.to(MOBILE)[0]

    say(f"{(int(code) + 1) % 10**6:06d}")
    expect(page.get_by_text("کد واردشده درست نیست", exact=False)).to_be_visible(timeout=30000)
    say(_persian(code))  # typed with Persian digits, as a Persian keyboard does
    listing = page.get_by_text("درخواست‌ها و شکایت‌های ثبت‌شده با این شماره", exact=False)
    expect(listing).to_be_visible(timeout=30000)
    expect(listing).to_contain_text("صدور گذرنامه")
    expect(listing).to_contain_text(_persian(complaint_code))
    page.screenshot(path=str(ARTIFACTS / "my-requests-list.png"))

    page.get_by_role("button", name=f"درخواست {_persian(request_code)}").click()
    report = page.get_by_text("وضعیت فعلی: ثبت شده", exact=False)
    expect(report).to_be_visible(timeout=30000)
    expect(report).to_contain_text(_persian(request_code))
    history = page.get_by_text("سابقه:", exact=False).last  # its own paragraph in the widget
    expect(history).to_contain_text("ثبت شده")
    page.screenshot(path=str(ARTIFACTS / "my-requests-open.png"))

    # the code went through the backend's outbox, and it was delivered once
    api, admin = _admin(stack)
    outbox = httpx.get(f"{api}/staff/outbox", headers=admin, timeout=30).json()
    sms_rows = [m for m in outbox if m["channel"] == "sms" and m["recipient"] == mask(MOBILE)]
    assert [m["status"] for m in sms_rows] == ["sent"]
    assert len(fake.to(MOBILE)) == 1
    assert problems == []
    page.close()
