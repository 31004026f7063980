"""People and durations as the screens write them: display names, not login names.

``staff_name`` loads every display name once per request (one query however many names a
page shows) and falls back to the username for an account that no longer exists.
"""

from __future__ import annotations

from jinja2 import pass_context

from onewindow import accounts

from .i18n import _template_locale, translations

_STATE_KEY = "onewindow_display_names"


@pass_context
def staff_name(context, username: str | None) -> str:
    if not username:
        return ""
    request = context.get("request")
    if request is None:
        return accounts.display_names().get(username, username)
    state = request.scope.setdefault("state", {})
    names = state.get(_STATE_KEY)
    if names is None:
        names = state[_STATE_KEY] = accounts.display_names()
    return names.get(username, username)


@pass_context
def duration(context, seconds: int | None) -> str:
    """A response time: 45秒, 2分15秒, 1小时5分 (and the English equivalents)."""
    if seconds is None:
        return ""
    t = translations(_template_locale(context))
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return t.gettext("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    if minutes:
        return t.gettext("%(m)d min %(s)d s") % {"m": minutes, "s": secs}
    return t.gettext("%(s)d s") % {"s": secs}
