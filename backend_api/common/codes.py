"""Tracking codes: ten digits, random, with a Verhoeff check digit.

The first digit tells the kind (1–4 service requests, 5–8 complaints and suggestions) so the
assistant can tell which lookup to make from the code alone; 9 is left out because a ten-digit
number starting with 9 reads as a mobile written without its 0.
"""

from __future__ import annotations

import secrets

from nlu.identifiers import COMPLAINT_CODE_PREFIXES, REQUEST_CODE_PREFIXES, verhoeff_check_digit

REQUEST_PREFIXES = REQUEST_CODE_PREFIXES
COMPLAINT_PREFIXES = COMPLAINT_CODE_PREFIXES


def new_tracking_code(prefixes: str) -> str:
    """Draw an unpredictable code whose first digit is one of ``prefixes``."""
    body = secrets.choice(prefixes) + f"{secrets.randbelow(10**8):08d}"
    return body + verhoeff_check_digit(body)
