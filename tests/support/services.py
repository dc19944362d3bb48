"""What a test does when a local server it needs (PostgreSQL, Redis) does not answer."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

# CI sets it: there the servers run, so their tests must fail rather than be skipped.
REQUIRE_ENV = "DASTYAR_TEST_REQUIRE_POSTGRES"


def unavailable(service: str, detail: str = "") -> NoReturn:
    """Skip the test because ``service`` does not answer, or fail where CI requires it."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{service} is required here but does not answer ({detail or 'no detail'})")
    pytest.skip(f"no {service} (set {REQUIRE_ENV}=1 to fail instead)")
