"""Cookies, CSRF and response headers: the browser-facing half of the hall's security.

Keys for the session cookie and CSRF tokens are derived from the one ``secret_key`` of
:class:`onewindow.config.Settings`, each with its own label, so neither key can stand in for the
other and the hall only has one secret to keep.

CSRF tokens are bound to the session (:class:`SessionCSRFMiddleware`): the encrypted session
keeps a random per-session secret and a form's token is the HMAC of it, so a token is only good
with the session it was issued for. A visitor who has not signed in gets a session holding only
that secret (the login form is protected the same way); signing in starts a new session, hence
a new secret, so a token seen before login is worth nothing after it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from litestar.enums import ScopeType
from litestar.exceptions import ClientException, PermissionDeniedException
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

SESSION_COOKIE = "onewindow_session"
CSRF_HEADER = "x-csrftoken"
CSRF_FIELD = "_csrf_token"  # the form field pages carry (Litestar's ``csrf_input``)
CSRF_SESSION_KEY = "csrf"  # the per-session secret, inside the encrypted session
CSRF_EXCLUDE_OPT = "exclude_from_csrf"  # handler opt: no token needed (the health check)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CSRF_EXCLUDE_PATH = re.compile(r"^/static/")
_SECRET_PATTERN = re.compile(r"^[0-9a-f]{64}$")

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


def csrf_token_for(key: bytes, session_secret: str) -> str:
    """The token forms of the session holding ``session_secret`` carry."""
    return hmac.new(key, session_secret.encode("ascii"), hashlib.sha256).hexdigest()


class SessionCSRFMiddleware:
    """CSRF tokens bound to the session, checked on every POST, PUT, PATCH and DELETE.

    Runs inside the session middleware. A safe request makes sure the session has a secret and
    gives templates its token (``csrf_input``, ``csrf_token()``); any other request must carry
    that same token in the ``x-csrftoken`` header (htmx) or the ``_csrf_token`` form field, or
    it is refused (403) before its handler runs. A token from another session (a planted
    cookie and token pair included) never matches.
    """

    def __init__(self, app: ASGIApp, secret: bytes) -> None:
        self.app = app
        self.key = derive_key(secret, "csrf")

    def _excluded(self, scope: Scope) -> bool:
        handler = scope.get("route_handler")
        if handler is not None and handler.opt.get(CSRF_EXCLUDE_OPT):
            return True
        return bool(_CSRF_EXCLUDE_PATH.match(scope.get("path", "")))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or self._excluded(scope):
            await self.app(scope, receive, send)
            return
        session: Any = scope.get("session")
        if not isinstance(session, dict):
            session = scope["session"] = {}  # type: ignore[typeddict-unknown-key]
        secret = session.get(CSRF_SESSION_KEY)
        secret = secret if isinstance(secret, str) and _SECRET_PATTERN.match(secret) else None
        state = ScopeState.from_scope(scope)
        if scope["method"] in SAFE_METHODS:
            if secret is None:
                secret = session[CSRF_SESSION_KEY] = secrets.token_hex(32)
            state.csrf_token = csrf_token_for(self.key, secret)
            await self.app(scope, receive, send)
            return
        if secret is None:  # no page of this site was ever seen: refuse before reading a body
            raise PermissionDeniedException("CSRF token verification failed")
        submitted = await self._submitted(scope, receive)
        if not submitted or not hmac.compare_digest(submitted, csrf_token_for(self.key, secret)):
            raise PermissionDeniedException("CSRF token verification failed")
        state.csrf_token = submitted
        await self.app(scope, receive, send)

    @staticmethod
    async def _submitted(scope: Scope, receive: Receive) -> str:
        """The token the request carries: the htmx header, else the form field."""
        request = scope["litestar_app"].request_class(scope=scope, receive=receive)
        token = request.headers.get(CSRF_HEADER)
        if not token and request.content_type[0] in {"application/x-www-form-urlencoded",
                                                      "multipart/form-data"}:
            try:
                form = await request.form()  # cached on the scope: the handler reads it again
            except UnicodeDecodeError:  # a form that is not UTF-8 is a bad request, not a 500
                raise ClientException("the form is not valid UTF-8") from None
            token = form.get(CSRF_FIELD)
        return token if isinstance(token, str) and token.isascii() else ""


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
