"""Every log record a process makes is masked, whatever handlers are configured after start."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

from shared import settings as shared
from shared.log_masking import install_log_masking
from tests.backend_api.citizens import ALI

MOBILE_FA = "۰۹۱۲۱۲۳۴۵۶۷"


class Kept(logging.Handler):
    """Keeps the formatted records."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def kept() -> Iterator[Kept]:
    factory = logging.getLogRecordFactory()
    handler = Kept()
    log = logging.getLogger("test.masking")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        log.removeHandler(handler)
        logging.setLogRecordFactory(factory)


def test_messages_arguments_and_tracebacks_are_masked(kept):
    install_log_masking()
    install_log_masking()  # twice is once
    log = logging.getLogger("test.masking")
    # a handler added after the install is covered too
    log.info("lookup for %s by %s failed", ALI, MOBILE_FA)
    try:
        raise ValueError(f"bad national code {ALI}")
    except ValueError:
        log.exception("parsing failed")
    text = "\n".join(kept.lines)
    assert ALI not in text and MOBILE_FA not in text
    assert f"lookup for {ALI[:2]}******{ALI[-2:]} by ۰۹۱۲*****۶۷ failed" in text
    assert "ValueError: bad national code 00******" in text


def test_a_broken_format_string_is_left_to_logging(kept):
    install_log_masking()
    make = logging.getLogRecordFactory()
    record = make("test.masking", logging.INFO, __file__, 1, "%d items", ("many",), None)
    assert (record.msg, record.args) == ("%d items", ("many",))  # logging reports it, as before


def test_the_launcher_masks_a_module_it_runs(tmp_path):
    (tmp_path / "talker.py").write_text(
        textwrap.dedent(
            f"""
            import logging, sys
            logging.basicConfig(level=logging.INFO, stream=sys.stdout, force=True)
            logging.getLogger("talker").info("citizen wrote: %s", "کد ملی {ALI} " + sys.argv[1])
            """
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "shared.log_masking", "talker", "ali@example.com"],
        capture_output=True,
        text=True,
        check=True,
        cwd=shared.ROOT,
        env={"PYTHONPATH": f"{shared.ROOT}:{tmp_path}"},
    )
    assert "citizen wrote: کد ملی 00******" in result.stdout
    assert ALI not in result.stdout and "a***@example.com" in result.stdout
