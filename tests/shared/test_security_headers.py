"""The one definition of the pages' security headers."""

from shared.security_headers import content_security_policy, security_headers


def test_no_inline_script_or_style_and_never_framed_by_default():
    policy = content_security_policy()
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert security_headers()["X-Frame-Options"] == "DENY"


def test_framing_only_by_the_origins_given():
    headers = security_headers(["'self'", "https://portal.example.ir"])
    assert headers["Content-Security-Policy"].endswith(
        "frame-ancestors 'self' https://portal.example.ir"
    )
    assert "X-Frame-Options" not in headers  # it cannot name origins; the CSP does
