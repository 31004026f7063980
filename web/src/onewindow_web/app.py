"""The application factory: one Litestar app over one :class:`onewindow.services.Hall`.

Tests pass their own hall (a temporary database, a test plugin); ``server.serve`` lets the
factory open the configured one.
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from jinja2 import pass_context
from litestar import Litestar
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.static_files import create_static_files_router

from onewindow import privacy
from onewindow.case import APPLICANT_INPUT_LIMITS
from onewindow.services import Hall, open_hall

from . import auth, i18n, labels, people
from .config import load_web_settings
from .errors import EXCEPTION_HANDLERS
from .requests import HallRequest
from .routes import calls, consultations, drafts, problems, transfers
from .routes.account import login, login_form, logout
from .routes.cases import act, case_page, defer, lookup, review, supplement_file, supply
from .routes.documents import print_commitment, print_notice, print_receipt
from .routes.guide import GuideController
from .routes.health import healthz
from .routes.home import home
from .routes.intake import intake, intake_form, intake_open
from .routes.ledger import seal_ledger
from .security import SessionCSRFMiddleware, add_security_headers, session_config
from .staticfiles import StaticFileSystem
from .templating import build_environment, template_config
from .throttle import LoginThrottle

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
HTMX_PATH = STATIC_DIR / "vendor" / "htmx.min.js"
STATIC_MAX_AGE = 24 * 3600  # asset URLs carry ?v=, so a release is picked up at once


def _package_version() -> str:
    try:
        return version("onewindow-web")
    except PackageNotFoundError:  # running from a source tree without installing
        return "0"


def htmx_version(path: Path | None = None, stamp: Path | None = None) -> str | None:
    """The fetched htmx's version, or None when it is missing (pages then work without it)."""
    path = path or HTMX_PATH
    stamp = stamp or path.with_name("htmx.version")
    if not path.is_file():
        log.warning("htmx is missing (%s): pages work without JavaScript, but run "
                    "`python web/scripts/fetch_htmx.py` for partial updates", path)
        return None
    return stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else "unknown"


def create_app(hall: Hall | None = None, *, secure_cookies: bool | None = None) -> Litestar:
    """Build the web app over ``hall`` (default: the configured database and plugins).

    Opening the default hall refuses a database with pending migrations (RuntimeError).
    """
    privacy.install_log_filter()  # before anything logs: no whole ID number in any log line
    if hall is None:
        hall = open_hall()
    web_settings = load_web_settings(secure_cookies=secure_cookies)
    htmx = htmx_version()
    for locale in i18n.SUPPORTED:  # a broken .po file stops start-up, not a page
        i18n.translations(locale)
    env = build_environment()
    templates = template_config(
        env,
        bureau_name=web_settings.bureau_name,
        htmx_version=htmx,
        asset_version=f"{_package_version()}-{htmx or 'none'}",
        current_actor=_template_actor,
        session_user=_template_session_user,
        staff_name=people.staff_name,
        duration=people.duration,
        applicant_limits=APPLICANT_INPUT_LIMITS,
        **labels.template_globals(),
    )
    static = create_static_files_router(
        path="/static", directories=[STATIC_DIR], name="static", opt={auth.PUBLIC: True},
        file_system=StaticFileSystem(),
        include_in_schema=False, send_as_attachment=False,
        cache_control=CacheControlHeader(max_age=STATIC_MAX_AGE, public=True),
    )

    def provide_hall() -> Hall:
        return hall

    def close_database() -> None:
        if not hall.db.is_closed():
            hall.db.close()

    return Litestar(
        route_handlers=[GuideController, home, login_form, login, logout, healthz, static,
                        intake, intake_open, intake_form, case_page, review, defer, lookup,
                        supply, supplement_file, act, print_receipt, print_notice, print_commitment,
                        seal_ledger, *transfers.ROUTES, *consultations.ROUTES,
                        *problems.ROUTES, *calls.ROUTES, *drafts.ROUTES],
        request_class=HallRequest,
        dependencies={"hall": Provide(provide_hall, use_cache=True, sync_to_thread=False)},
        guards=[auth.require_staff],
        middleware=[session_config(hall.settings.secret_key, secure=web_settings.secure_cookies,
                                   max_age=web_settings.session_max_age).middleware,
                    DefineMiddleware(SessionCSRFMiddleware, secret=hall.settings.secret_key)],
        template_config=templates,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        before_send=[add_security_headers, i18n.remember_switch],
        state=State({"web_settings": web_settings, "login_throttle": LoginThrottle(),
                     "hall": hall}),
        on_shutdown=[close_database],
        openapi_config=None,  # no schema pages on a hall's intranet
        logging_config=None,  # the process (server.py, tests) configures logging, not the app
        debug=False,
    )


@pass_context
def _template_actor(context):
    request = context.get("request")
    return auth.current_actor(request) if request is not None else None


@pass_context
def _template_session_user(context):
    request = context.get("request")
    return auth.session_user(request) if request is not None else None
