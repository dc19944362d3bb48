"""The whole assistant as an operator runs it: `python -m assistant run`, talk, check, Ctrl-C.

Real processes throughout: backend on SQLite, action server, Rasa with the trained model, gateway.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys

import httpx
import pytest

from assistant.local_stack import local_stack
from assistant.settings import ROOT
from assistant.stack import latest_model
from shared.settings import models_dir

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if latest_model(models_dir()) is None:
        pytest.fail("no trained model in models/: `make test` trains one first")
    with local_stack(tmp_path_factory.mktemp("stack"), timeout=300) as running:
        yield running


def chat(stack, sender: str, text: str) -> list[str]:
    url = f"http://127.0.0.1:{stack.ports['GATEWAY']}/api/chat"
    response = httpx.post(url, json={"sender": sender, "message": text}, timeout=60)
    assert response.status_code == 200, response.text
    return [m.get("text", "") for m in response.json()["messages"]]


def test_the_start_banner_says_where_to_go(stack):
    banner = stack.out.read_text(encoding="utf-8")
    assert f"http://127.0.0.1:{stack.ports['GATEWAY']}/" in banner
    assert f"http://127.0.0.1:{stack.ports['BACKEND']}/docs" in banner
    assert f"http://127.0.0.1:{stack.ports['BACKEND']}/console/" in banner
    assert "admin login" in banner


def test_greeting_and_capabilities(stack):
    assert "دستیار خدمات دولت" in chat(stack, "e2e-1", "سلام وقت بخیر")[0]
    assert "مدارکی" in " ".join(chat(stack, "e2e-1", "چه کارهایی میتونی انجام بدی؟"))


def test_a_service_question_is_answered_from_the_catalogue(stack):
    url = f"http://127.0.0.1:{stack.ports['GATEWAY']}/api/chat"
    body = {"sender": "e2e-2", "message": "هزينه صدور گذرنامه چقدره؟"}
    messages = httpx.post(url, json=body, timeout=60).json()["messages"]
    buttons = [b for m in messages for b in m.get("buttons") or []]
    if buttons:  # "did you mean": choose the first service offered
        body["message"] = buttons[0]["payload"]
        messages = httpx.post(url, json=body, timeout=60).json()["messages"]
    replies = " ".join(m.get("text") or "" for m in messages)
    assert "ریال" in replies
    assert "منبع" in replies and "گذرنامه" in replies


def test_filing_a_request_then_checking_its_status(stack):
    sender = "e2e-request"
    first = " ".join(chat(stack, sender, "می‌خوام درخواست صدور گذرنامه ثبت کنم"))
    if "نام و نام خانوادگی" not in first:  # the service was not clear: choose it
        assert "کدام" in first or "خدمت" in first, first
        first = " ".join(chat(stack, sender, '/choose_service{"service_code": "10202000001"}'))
    assert "نام و نام خانوادگی" in first, first
    assert "کد ملی" in " ".join(chat(stack, sender, "مریم احمدی"))
    wrong = " ".join(chat(stack, sender, "۰۰۱۳۵۴۲۴۱۸"))
    assert "معتبر نیست" in wrong
    assert "همراه" in " ".join(chat(stack, sender, "۰۰۱۳۵۴۲۴۱۹"))
    assert "توضیح" in " ".join(chat(stack, sender, "0912 123 4567"))
    summary = " ".join(chat(stack, sender, "ندارم"))
    assert "مریم احمدی" in summary and "ثبت شود" in summary
    receipt = " ".join(chat(stack, sender, "/affirm"))
    assert "کد پیگیری" in receipt, receipt
    code = re.search(r"[۰-۹]{4}-[۰-۹]{4}-[۰-۹]{2}", receipt).group(0)
    status = " ".join(chat(stack, "e2e-status", f"وضعیت درخواست با کد پیگیری {code}"))
    if "کد ملی یا شمارهٔ همراه" not in status:
        status = " ".join(chat(stack, "e2e-status", code))
    assert "کد ملی یا شمارهٔ همراه" in status, status
    report = " ".join(chat(stack, "e2e-status", "09121234567"))
    assert "ثبت شده" in report and "گذرنامه" in report, report


def test_the_web_page_is_served_right_to_left(stack):
    page = httpx.get(f"http://127.0.0.1:{stack.ports['GATEWAY']}/", timeout=10).text
    assert 'dir="rtl"' in page and 'lang="fa"' in page


def test_check_reports_every_component_healthy(stack):
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "check"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("✓") == 4


def test_terminal_chat(stack):
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "chat"],
        cwd=ROOT,
        env=stack.env,
        input="سلام\nخداحافظ\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "دستیار: سلام!" in result.stderr
    assert "خدانگهدار" in result.stderr


def test_ctrl_c_stops_every_component(stack):
    # This test ends the stack: keep it last in the module.
    process = stack.process
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=90) == 0
    out = stack.out.read_text(encoding="utf-8")
    for name in ("gateway", "rasa", "actions", "backend"):
        assert f"stopped {name}" in out
    for port in stack.ports.values():
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} is still open"
