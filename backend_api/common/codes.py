"""Tracking codes: ten digits, random, with a Verhoeff check digit.

The first digit tells the kind (1–4 service requests, 5–9 complaints and suggestions) so the
assistant can tell which lookup to make from the code alone.
"""

from __future__ import annotations

import secrets

from nlu.identifiers import verhoeff_check_digit

REQUEST_PREFIXES = "1234"
COMPLAINT_PREFIXES = "56789"


def new_tracking_code(prefixes: str) -> str:
    """Draw an unpredictable code whose first digit is one of ``prefixes``."""
    body = secrets.choice(prefixes) + f"{secrets.randbelow(10**8):08d}"
    return body + verhoeff_check_digit(body)
