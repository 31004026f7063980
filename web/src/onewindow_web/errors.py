"""Error responses: Chinese pages for people, a redirect to the login page, logs for us.

A page never shows a stack trace or an exception's text to the browser: an unexpected error is
logged with its traceback and the visitor reads a plain message.
"""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.background_tasks import BackgroundTask
from litestar.concurrency import sync_to_thread
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar_htmx import HTMXDetails

from onewindow.errors import Busy

from .auth import LoginRequired, current_actor, login_url
from .i18n import N_, translate
from .templating import page

log = logging.getLogger(__name__)

# (title, explanation) per status; msgids in English, translated through the catalogs.
MESSAGES = {
    400: (N_("The request could not be understood"),
          N_("Something in the address or the form is not valid. Go back and check it.")),
    403: (N_("The request was refused"),
          N_("This page has expired or the request did not come from this site. Reload the "
             "page and try again.")),
    404: (N_("Page not found"),
          N_("The address may be mistyped, or the item is no longer in the catalogue.")),
    405: (N_("This action is not available here"),
          N_("The page does not accept this kind of request. Use the buttons on the page.")),
    409: (N_("The stored record does not match"),
          N_("What is stored no longer matches what was registered. Nothing was changed; tell "
             "the network platform section.")),
    413: (N_("The upload is too large"),
          N_("A file may be at most 10 MB. Scan it at a lower resolution or split it, then "
             "upload it again.")),
    429: (N_("Too many requests"), N_("Please wait a moment and try again.")),
    503: (N_("The system is busy, please try again"),
          N_("Nothing was saved. Wait a few seconds, then go back and send the form again.")),
    500: (N_("Something went wrong on the server"),
          N_("The error has been logged. Please try again; if it happens again, tell the "
             "network platform section.")),
}


# A role refusal is not an expired form: it gets its own explanation.
ROLE_REFUSED = N_("Your role does not allow this. Ask a colleague whose role does, or the "
                  "administrator.")


class PageNotFound(NotFoundException):
    """A 404 whose ``detail`` is written for the visitor (in Chinese) and safe to show."""


class PageForbidden(PermissionDeniedException):
    """A 403 for a role that may not use a page; ``detail`` (Chinese) is safe to show."""


class PageConflict(ClientException):
    """A 409: a stored file or record no longer matches its registered hash (``detail``)."""

    status_code = 409


class BadRequestBody(ClientException):
    """A 400 for a body the hall cannot read (not UTF-8, broken multipart, not a form);
    ``detail`` (Chinese) says what to do and is safe to show. See :mod:`.requests`."""

    status_code = 400


SHOWN_DETAIL = (PageNotFound, PageForbidden, PageConflict, BadRequestBody)


def _htmx(request: Request) -> HTMXDetails:
    return getattr(request, "htmx", None) or HTMXDetails(request)


def _next_for(request: Request) -> str:
    """Where to come back to after login: the page htmx was on (same host only), or this one."""
    htmx = _htmx(request)
    if htmx and htmx.current_url_abs_path:
        return htmx.current_url_abs_path
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def login_required(request: Request, exc: NotAuthorizedException) -> Response:
    reason = exc.reason if isinstance(exc, LoginRequired) else ""
    target = login_url(_next_for(request), reason)
    if _htmx(request):
        # htmx would swap a redirect's page into a fragment; ask it to navigate instead.
        return Response(b"", status_code=401, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


def _role_refusal_task(request: Request, exc: PageForbidden) -> BackgroundTask | None:
    """Chain who was refused which page or action into the audit trail, after the refusal
    page is sent and in a worker thread: the write may wait for the database's lock, and an
    error handler runs on the event loop, which must never wait."""
    actor = current_actor(request)
    hall = request.app.state.get("hall")
    if actor is None or hall is None:
        return None
    handler = request.scope.get("route_handler")
    action = f"{request.method} {getattr(handler, 'name', None) or request.url.path}"[:200]

    async def chain() -> None:
        try:
            await sync_to_thread(hall.refused_role, actor, action, exc.detail)
        except Exception:  # noqa: BLE001 - the refusal page was shown even if the trail is down
            log.exception("could not chain the refusal of %s to %s", action, actor.username)

    return BackgroundTask(chain)


def error_page(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else HTTP_500_INTERNAL_SERVER_ERROR
    if status >= 500:
        log.exception("unhandled error on %s %s", request.method, request.url.path,
                      exc_info=exc)
    title, explanation = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    detail = exc.detail if isinstance(exc, SHOWN_DETAIL) else ""
    background = None
    if isinstance(exc, PageForbidden):
        explanation = ROLE_REFUSED
        background = _role_refusal_task(request, exc)
    headers = {}
    if isinstance(exc, HTTPException) and exc.headers:
        headers.update(exc.headers)  # e.g. Allow on 405
    response = page(request, "error.html", status_code=status, status=status,
                    title=translate(request, title), explanation=translate(request, explanation),
                    detail=detail)
    response.headers.update(headers)
    response.background = background
    return response


RETRY_AFTER_SECONDS = 5


def busy_page(request: Request, exc: Busy) -> Template:
    """503 with ``Retry-After``: the database kept the write lock past the busy timeout or could
    not be reached. Rendered without touching the database (it is the thing that is busy)."""
    log.warning("database busy on %s %s: %s", request.method, request.url.path, exc.cause)
    title, explanation = MESSAGES[503]
    return Template(template_name="error.html", status_code=503, media_type=MediaType.HTML,
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                    context={"status": 503, "title": translate(request, title),
                             "explanation": translate(request, explanation), "detail": "",
                             "fragment": None})


EXCEPTION_HANDLERS = {
    Busy: busy_page,
    NotAuthorizedException: login_required,
    HTTPException: error_page,
    Exception: error_page,
}
