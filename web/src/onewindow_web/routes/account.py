"""Signing in and out.

Login errors name the field in the clerk's language; a wrong password never says whether the
username exists. After 5 wrong passwords for one username in 15 minutes the form refuses it for
15 minutes (:mod:`onewindow_web.throttle`), correct password or not.
"""

from __future__ import annotations

import logging
from typing import Annotated

from litestar import Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import Cookie
from litestar.middleware.csrf import generate_csrf_token
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from onewindow import accounts
from onewindow.inputs import refusal

from ..auth import PUBLIC, end_session, login_url, safe_next, session_user, start_session
from ..i18n import N_, translate
from ..security import CSRF_COOKIE
from ..templating import page

log = logging.getLogger(__name__)

MAX_USERNAME = accounts.MAX_USERNAME
BAD_CHARACTER = N_("The username contains a character that cannot be typed: letters, digits "
                   "and underscores only.")
MAX_PASSWORD = 1024  # longer is never a real password; refuse before hashing it

NOTICES = {
    "expired": N_("You were signed out after 30 minutes without activity. Please sign in "
                  "again."),
    "inactive": N_("This account is inactive or no longer exists. Please contact the "
                   "administrator."),
    "signed_out": N_("You have signed out."),
}


def _login_page(request: Request, *, status_code: int = 200, username: str = "",
                errors: dict[str, str] | None = None, next_path: str = "/") -> Template:
    reason = request.query_params.get("reason", "")
    notice = translate(request, NOTICES[reason]) if reason in NOTICES and not errors else ""
    return page(request, "account/login.html", status_code=status_code, username=username,
                errors=errors or {}, next_path=safe_next(next_path), notice=notice,
                signed_in_as=session_user(request))


@get("/login", name="login", opt={PUBLIC: True}, sync_to_thread=False)
def login_form(request: Request,
               next_path: Annotated[str, QueryParameter(name="next")] = "/") -> Template:
    return _login_page(request, next_path=next_path)


@post("/login", name="login_submit", opt={PUBLIC: True})
async def login(request: Request) -> Template | Redirect:
    form = await request.form()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    next_path = safe_next(str(form.get("next") or "/"))
    throttle = request.app.state.login_throttle

    errors: dict[str, str] = {}
    if not username:
        errors["username"] = translate(request, "Please enter your username.")
    elif len(username) > MAX_USERNAME:
        errors["username"] = translate(request, "The username is too long.")
    elif refusal(username):  # a NUL never reaches the database (PostgreSQL refuses it)
        errors["username"] = translate(request, BAD_CHARACTER)
    if not password:
        errors["password"] = translate(request, "Please enter your password.")
    if errors:
        shown = "" if "username" in errors else username
        return _login_page(request, status_code=400, username=shown,
                           errors=errors, next_path=next_path)

    minutes = throttle.locked_for(username)
    if minutes:
        log.warning("login refused for %r: locked after repeated failures", username)
        return _login_page(request, status_code=429, username=username, next_path=next_path,
                           errors={"form": _locked_message(request, minutes)})

    actor = None
    if len(password) <= MAX_PASSWORD:
        actor = await sync_to_thread(accounts.authenticate, username, password)
    if actor is None:
        minutes = throttle.failed(username)
        log.info("login failed for %r", username)
        message = (_locked_message(request, minutes) if minutes else
                   translate(request, "The username or password is incorrect. Please check both "
                              "and try again."))
        return _login_page(request, status_code=429 if minutes else 400, username=username,
                           next_path=next_path, errors={"form": message})

    throttle.succeeded(username)
    start_session(request, actor)
    log.info("login: %s (%s)", actor.username, actor.role.value)
    response = Redirect(path=next_path, status_code=303)
    # A new CSRF token for the new session, so a token seen before login is worth nothing.
    settings = request.app.state.web_settings
    response.cookies.append(Cookie(
        key=CSRF_COOKIE, value=generate_csrf_token(request.app.csrf_config.secret), path="/",
        httponly=True, samesite="lax", secure=settings.secure_cookies))
    return response


def _locked_message(request: Request, minutes: int) -> str:
    return translate(request, "Too many failed sign-ins for this username. Sign-in is locked; try "
                      "again in %(minutes)d minutes or ask the administrator.", minutes=minutes)


@post("/logout", name="logout", opt={PUBLIC: True}, sync_to_thread=True)
def logout(request: Request) -> Redirect:
    user = session_user(request)
    end_session(request)
    if user:
        log.info("logout: %s", user)
    return Redirect(path=login_url(reason="signed_out"), status_code=303)
