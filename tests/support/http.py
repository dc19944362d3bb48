"""What tests check of every successful HTTP answer, in one place."""

from __future__ import annotations

from typing import Any


def ok(response: Any, status: int = 200) -> Any:
    """The JSON body of ``response``, which must have answered ``status`` (else its text shows)."""
    assert response.status_code == status, response.text
    return response.json()
