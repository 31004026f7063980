"""People and durations as the screens write them: display names, not login names.

Every display name is loaded once per request (one query however many names a page shows) by
:func:`load_names`, which :func:`onewindow_web.templating.page` calls in the handler's worker
thread, so rendering never queries the database on the event loop. ``staff_name`` falls back
to the username for an account that no longer exists.
"""

from __future__ import annotations

from jinja2 import pass_context

from onewindow import accounts

from .i18n import _template_locale, translations

_STATE_KEY = "onewindow_display_names"


def load_names(connection) -> None:
    """Read the staff's display names for this request, once."""
    state = connection.scope.setdefault("state", {})
    if _STATE_KEY not in state:
        state[_STATE_KEY] = accounts.display_names()


@pass_context
def staff_name(context, username: str | None) -> str:
    if not username:
        return ""
    request = context.get("request")
    if request is None:
        return accounts.display_names().get(username, username)
    load_names(request)  # already loaded by page(), unless a template was rendered otherwise
    return request.scope["state"][_STATE_KEY].get(username, username)


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
