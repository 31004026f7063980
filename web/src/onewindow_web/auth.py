"""Who is signed in: the session's contents, the login guard, and safe redirects.

Every route needs a signed-in member of staff unless its handler says ``opt={"public": True}``:
a page somebody forgets to mark stays private. The actor is re-read from the database on
every request, so an account deactivated at noon is out at its next click; the session only
remembers the username and when it was last used.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote, urlsplit

from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from onewindow import accounts
from onewindow.case import Actor

PUBLIC = "public"  # handler opt key: no login needed
# A page's own background polling (htmx ``every``): checked like any request but not activity,
# so a screen left open still reaches the idle timeout.
PASSIVE = "onewindow_passive"
USER = "user"
GENERATION = "gen"  # the account's session generation at login; see accounts.end_sessions
ISSUED_AT = "iat"
LAST_SEEN = "seen"
LOGIN_PATH = "/login"

_ACTOR_STATE = "onewindow_actor"
PRIVATE_STATE = "onewindow_private"  # read by security.add_security_headers: no caching


class LoginRequired(NotAuthorizedException):
    """Raised by the guard; the error handler turns it into a redirect to the login page.

    ``reason`` is ``""`` (never signed in), ``"expired"`` (idle too long) or ``"inactive"``.
    """

    def __init__(self, reason: str = "") -> None:
        super().__init__(detail="login required")
        self.reason = reason


def safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (other hosts, schemes) becomes ``/``."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(c) < 32 for c in target)):
        return "/"
    if parts.path == LOGIN_PATH:
        return "/"
    return target


def login_url(next_path: str | None = None, reason: str = "") -> str:
    url = LOGIN_PATH
    query = []
    target = safe_next(next_path)
    if target != "/":
        query.append("next=" + quote(target, safe="/"))
    if reason:
        query.append("reason=" + reason)
    return url + ("?" + "&".join(query) if query else "")


def now() -> float:
    """Wall-clock seconds; one place for tests to move time."""
    return time.time()


def start_session(connection: ASGIConnection, actor: Actor) -> None:
    """A fresh session for ``actor``: whatever the old session held is dropped first."""
    started = now()
    connection.clear_session()
    connection.set_session({USER: actor.username,
                            GENERATION: accounts.session_generation(actor.username),
                            ISSUED_AT: started, LAST_SEEN: started})


def end_session(connection: ASGIConnection) -> None:
    """Clear this cookie and end the account's sessions server-side, so a copy is worthless."""
    user = session_user(connection)
    connection.clear_session()
    if user:
        accounts.end_sessions(user)


def session_user(connection: ASGIConnection) -> str | None:
    """The username in the session, without checking the database (for public pages' header)."""
    session = connection.scope.get("session")
    if not isinstance(session, dict):
        return None
    user = session.get(USER)
    return user if isinstance(user, str) and user else None


def current_actor(connection: ASGIConnection) -> Actor | None:
    """The actor the guard loaded for this request, if any."""
    return connection.scope.get("state", {}).get(_ACTOR_STATE)


def _session_state(session: dict[str, Any], moment: float, idle_timeout: float,
                   max_age: float) -> str:
    """``ok``, ``anonymous`` or ``expired`` for the session's timestamps."""
    if not session.get(USER):
        return "anonymous"
    seen, issued = session.get(LAST_SEEN), session.get(ISSUED_AT)
    if not isinstance(seen, (int, float)) or not isinstance(issued, (int, float)):
        return "anonymous"
    if moment - seen > idle_timeout or moment - issued > max_age or seen > moment + 60:
        return "expired"
    return "ok"


async def require_staff(connection: ASGIConnection, route_handler: BaseRouteHandler) -> None:
    """Guard on the whole app: load the signed-in actor or refuse with :class:`LoginRequired`.

    Public routes return at once; the staff table is read in a worker thread, off the loop.
    """
    if route_handler.opt.get(PUBLIC):
        return
    settings = connection.app.state.web_settings
    session = connection.scope.get("session")
    session = session if isinstance(session, dict) else {}
    moment = now()
    state = _session_state(session, moment, settings.idle_timeout, settings.session_max_age)
    if state != "ok":
        connection.clear_session()
        raise LoginRequired("expired" if state == "expired" else "")
    actor = await sync_to_thread(accounts.session_actor, session[USER], session.get(GENERATION))
    if actor is None:
        connection.clear_session()
        raise LoginRequired("inactive")
    if not route_handler.opt.get(PASSIVE):
        session[LAST_SEEN] = moment  # sliding idle timeout; the cookie is re-sent
    connection.scope["state"][_ACTOR_STATE] = actor
    connection.scope["state"][PRIVATE_STATE] = True
