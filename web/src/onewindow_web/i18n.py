"""Interface language: the .po catalogs, built in memory, and the choice of locale per request.

The screens speak Simplified Chinese (zh_CN) by default; English is there for visitors and
developers. msgids are English; ``locale/<lang>/LC_MESSAGES/messages.po`` holds the
translations. Compiled .mo files are never committed: at start-up each .po is read with Babel
and compiled into a BytesIO, so a fixed translation cannot be shadowed by a stale .mo.

Domain text (catalogue content, state and seal labels) stays Chinese in every locale.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, pass_context
from litestar.connection import ASGIConnection

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "zh_CN"
SUPPORTED = ("zh_CN", "en")
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
LANG_COOKIE = "onewindow_lang"
LANG_QUERY = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
_STATE_KEY = "onewindow_locale"


def load_translations(locale: str, locale_dir: Path = LOCALE_DIR) -> Translations:
    """Compile ``<locale>/LC_MESSAGES/messages.po`` in memory (fuzzy entries are left out)."""
    path = locale_dir / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


@cache
def translations(locale: str) -> Translations:
    """The compiled catalog of a supported locale, built once per process."""
    if locale not in SUPPORTED:
        locale = DEFAULT_LOCALE
    return load_translations(locale)


def normalise(value: str | None) -> str | None:
    """Map ``zh-CN``, ``zh_cn``, ``zh-Hans``, ``en-US``... to a supported locale, or None."""
    if not value:
        return None
    tag = value.strip().replace("-", "_").lower()
    if tag == "zh" or tag.startswith("zh_"):
        return "zh_CN"
    if tag == "en" or tag.startswith("en_"):
        return "en"
    return None


def requested_switch(connection: ASGIConnection) -> str | None:
    """The locale named by ``?lang=`` on this request, if it is a supported one."""
    return normalise(connection.query_params.get(LANG_QUERY))


def select_locale(connection: ASGIConnection) -> str:
    """``?lang=``, then the language cookie, then zh_CN. Cached per request.

    The browser's Accept-Language is ignored on purpose: the hall works in Chinese, and a clerk's
    PC with an English system must not flip the screens; English is an explicit choice.
    """
    state = connection.scope.setdefault("state", {})
    if _STATE_KEY in state:
        return state[_STATE_KEY]
    locale = (requested_switch(connection)
              or normalise(connection.cookies.get(LANG_COOKIE))
              or DEFAULT_LOCALE)
    state[_STATE_KEY] = locale
    return locale


def N_(message: str) -> str:  # noqa: N802 - the conventional name of the marker
    """Mark ``message`` for extraction where it is defined; translate it where it is shown."""
    return message


def translate(connection: ASGIConnection | None, message: str, **variables: Any) -> str:
    """Translate ``message`` for the request's locale (Python side: error and notice texts)."""
    locale = select_locale(connection) if connection is not None else DEFAULT_LOCALE
    text = translations(locale).gettext(message)
    return text % variables if variables else text


def _connection(context: Mapping[str, Any]) -> ASGIConnection | None:
    return context.get("request")


@pass_context
def _template_gettext(context, message: str) -> str:
    return translations(_template_locale(context)).gettext(message)


@pass_context
def _template_ngettext(context, singular: str, plural: str, number: int) -> str:
    return translations(_template_locale(context)).ngettext(singular, plural, number)


@pass_context
def _template_locale(context) -> str:
    connection = _connection(context)
    return select_locale(connection) if connection is not None else DEFAULT_LOCALE


def install(env: Environment) -> None:
    """Give templates ``_``/``gettext``/``ngettext`` that follow each request's locale.

    ``install_gettext_translations`` binds one catalog to the whole environment; a hall serves
    both languages at once, so the callables look the locale up in the render context instead.
    """
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _template_gettext, _template_ngettext, newstyle=True)
    env.globals["current_locale"] = _template_locale
    env.globals["html_lang"] = pass_context(
        lambda context: HTML_LANG[_template_locale(context)])
    env.globals["supported_locales"] = SUPPORTED
    env.globals["switch_locale_url"] = _switch_url


async def remember_switch(message: dict, scope: dict) -> None:
    """``before_send`` hook: when ``?lang=`` chose a locale, keep it in a cookie."""
    if message["type"] != "http.response.start" or scope.get("type") != "http":
        return
    locale = scope.get("state", {}).get(_STATE_KEY)
    query = scope.get("query_string", b"").decode("latin-1")
    if locale is None or f"{LANG_QUERY}=" not in query:
        return
    if normalise((parse_qs(query).get(LANG_QUERY) or [""])[0]) != locale:
        return
    cookie = (f"{LANG_COOKIE}={locale}; Path=/; Max-Age={LANG_COOKIE_MAX_AGE}; "
              f"SameSite=Lax")
    message.setdefault("headers", []).append((b"set-cookie", cookie.encode("latin-1")))


@pass_context
def _switch_url(context, locale: str) -> str:
    """The current page's address with ``?lang=`` set to ``locale`` (other parameters kept)."""
    connection = _connection(context)
    if connection is None:
        return f"/?{LANG_QUERY}={locale}"
    params = [(k, v) for k, v in connection.query_params.multi_items() if k != LANG_QUERY]
    params.append((LANG_QUERY, locale))
    return connection.url.path + "?" + urlencode(params)
