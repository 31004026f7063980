"""Cookies, CSRF and response headers: the browser-facing half of the hall's security.

Keys for the session cookie and CSRF tokens are derived from the one ``secret_key`` of
:class:`onewindow.config.Settings`, each with its own label, so neither key can stand in for the
other and the hall only has one secret to keep.
"""

from __future__ import annotations

import hashlib

from litestar.config.csrf import CSRFConfig
from litestar.middleware.session.client_side import CookieBackendConfig

SESSION_COOKIE = "onewindow_session"
CSRF_COOKIE = "onewindow_csrf"
CSRF_HEADER = "x-csrftoken"
CSRF_FIELD = "_csrf_token"  # the form field Litestar's CSRF middleware reads

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",  # no inline script anywhere: htmx is configured by a meta tag
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose (AES-256 wants exactly 16, 24 or 32 bytes)."""
    if not secret:
        raise ValueError("the hall's secret_key is empty: set ONEWINDOW_SECRET_KEY")
    return hashlib.sha256(b"onewindow-web:" + purpose.encode("ascii") + b":" + secret).digest()


def session_config(secret: bytes, *, secure: bool, max_age: int) -> CookieBackendConfig:
    """An encrypted (AES-GCM) client-side session: nothing to share between app servers.

    Static files and the health check never touch the session, so they never re-send it.
    """
    return CookieBackendConfig(
        secret=derive_key(secret, "session"),
        key=SESSION_COOKIE,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
        exclude=["^/static/", "^/healthz$"],
    )


def csrf_config(secret: bytes, *, secure: bool) -> CSRFConfig:
    """Double-submit CSRF tokens (HMAC-signed) on every POST, PUT, PATCH and DELETE."""
    return CSRFConfig(
        secret=derive_key(secret, "csrf").hex(),
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=secure,
        cookie_httponly=True,  # pages carry the token themselves; scripts never read the cookie
        cookie_samesite="lax",
        exclude=["^/static/"],
    )


async def add_security_headers(message: dict, scope: dict) -> None:
    """``before_send`` hook: the headers every response carries, errors and static files too.

    Pages for a signed-in member of staff show applicants' data, so they are never cached.
    """
    if message["type"] != "http.response.start" or scope.get("type") != "http":
        return
    headers = message.setdefault("headers", [])
    present = {name.lower() for name, _ in headers}
    for name, value in SECURITY_HEADERS:
        if name not in present:
            headers.append((name, value))
    if scope.get("state", {}).get("onewindow_private") and b"cache-control" not in present:
        headers.append((b"cache-control", b"no-store"))
