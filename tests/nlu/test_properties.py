"""Properties of the Persian text helpers, on generated input (hypothesis).

Two profiles: ``fast`` (1,000 inputs per helper, one test each, in ``make test-fast``) and ``ci``
(100,000 inputs, each given to every helper, in one test marked ``slow``: ``make test`` and
``bench/faults.py``). A profile's count is the number of inputs each helper sees.

The inputs mix any Unicode text with what citizens and hostile senders really send: Persian,
Arabic and Latin letters and digits, separators, ZWNJ, zero-width and bidi marks, control
characters, emoji and long digit runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlu.digits import only_digits
from nlu.entities import find_identifiers
from nlu.identifiers import (
    mask_mobile,
    mask_national_code,
    normalize_mobile,
    normalize_national_code,
    normalize_tracking_code,
    verhoeff_is_valid,
)
from nlu.normalize import normalize, tokens
from nlu.personal_data import mask_personal_data
from nlu.tokenize import tokenize

settings.register_profile(
    "fast", max_examples=1_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=100_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,  # 100,000 examples would fill the example database for nothing
)

_DIGITS = "0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"
_PIECES = [
    *"سلامکدملیپیگیریموبایلهمراهدرخواستگذرنامه",
    *"يكةۀأإؤئـًٌٍَُِّْٰ",  # Arabic forms, tatweel, diacritics
    *"abcXYZ",
    *" \t\n\r\u00a0-_./+()@،؛؟!«»",
    "\u200c",  # ZWNJ
    *"\u200b\u200d\u200e\u200f\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    *"\x00\x07\x1b\x7f",
    "😀",
    "👨‍👩‍👧",
    "می ",
    " ها",
    "IR",
    "+98",
    "0098",
    "09",
]


@st.composite
def citizen_text(draw: st.DrawFn) -> str:
    """Text made of the pieces citizens (and hostile senders) type, digits favoured."""
    parts = draw(
        st.lists(
            st.one_of(
                st.sampled_from(_PIECES),
                st.text(alphabet=_DIGITS, min_size=1, max_size=16),
            ),
            max_size=40,
        )
    )
    return "".join(parts)


TEXT = st.one_of(st.text(max_size=200), citizen_text())


def run_profile(profile: str, prop: Callable[[str], None]) -> None:
    """Check ``prop`` on the profile's number of generated texts."""
    settings(settings.get_profile(profile))(given(TEXT)(prop))()


def normaliser_properties(text: str) -> None:
    """The normaliser returns text, is idempotent, and its tokens are normalised too."""
    once = normalize(text)
    assert isinstance(once, str)
    assert normalize(once) == once
    assert once == once.strip()
    for token in tokens(text):
        assert token and not any(ch.isspace() for ch in token)


def tokenizer_properties(text: str) -> None:
    """Tokens are in order, do not overlap, and their offsets point at their text."""
    previous_end = 0
    for token in tokenize(text):
        assert 0 <= previous_end <= token.start < token.end <= len(text)
        assert text[token.start : token.end] == token.text
        assert isinstance(token.canonical, str)
        previous_end = token.end


def identifier_properties(text: str) -> None:
    """Extracted identifiers are valid, normalised, idempotent and inside the text."""
    national = normalize_national_code(text)
    if national is not None:
        assert re.fullmatch(r"\d{10}", national)
        assert normalize_national_code(national) == national
        assert "*" in mask_national_code(national)
    mobile = normalize_mobile(text)
    if mobile is not None:
        assert re.fullmatch(r"09\d{9}", mobile)
        assert normalize_mobile(mobile) == mobile
        assert "*" in mask_mobile(mobile)
    tracking = normalize_tracking_code(text)
    if tracking is not None:
        assert re.fullmatch(r"[1-9]\d{9}", tracking) and verhoeff_is_valid(tracking)
        assert normalize_tracking_code(tracking) == tracking
    for span in find_identifiers(text):
        assert 0 <= span.start < span.end <= len(text)
        found = text[span.start : span.end]
        if span.entity == "mobile":
            assert normalize_mobile(found) == span.value
        elif span.entity == "national_code":
            assert normalize_national_code(found) == span.value
        else:
            assert span.entity == "tracking_code"
            assert normalize_tracking_code(found) == span.value


def masking_properties(text: str) -> None:
    """Masking is idempotent and leaves no run of ten digits nor any identifier found before."""
    masked = mask_personal_data(text)
    assert mask_personal_data(masked) == masked
    runs = "".join(d if (d := only_digits(ch)) else " " for ch in masked).split()
    assert all(len(run) < 10 for run in runs), masked
    # each run of digits on its own: digits on both sides of a «:» are not one number
    # («1:۵00000000:1۵00000000» keeps «1» and «۵00000000», which together spell a code)
    for span in find_identifiers(text):
        assert all(span.value not in run for run in runs), (span, masked)


PROPERTIES = (
    normaliser_properties,
    tokenizer_properties,
    identifier_properties,
    masking_properties,
)


@pytest.mark.parametrize("prop", PROPERTIES, ids=lambda p: p.__name__.removesuffix("_properties"))
def test_each_helper(prop):
    run_profile("fast", prop)


def all_properties(text: str) -> None:
    """Every helper's properties on one input."""
    for prop in PROPERTIES:
        prop(text)


@pytest.mark.slow
def test_every_helper_on_100_000_inputs():
    # one input for all four helpers: generating it is most of the cost
    run_profile("ci", all_properties)
