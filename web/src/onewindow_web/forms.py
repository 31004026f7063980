"""What a page needs to show a form again after a refusal: the errors and what was typed.

A page with several forms (the case page has a dozen) re-renders all of them; only the one that
was sent carries errors and the clerk's input, the others show their usual values. Templates
ask :class:`Feedback` for a field's value with the default the form would otherwise show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from litestar.datastructures import FormMultiDict


def text(form: FormMultiDict | Mapping[str, Any], name: str) -> str:
    """The field as typed, stripped: never cut. The core checks its characters and length
    (:mod:`onewindow.inputs`) and names the field when it refuses it."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def texts(form: FormMultiDict, name: str) -> list[str]:
    return [v.strip() for v in form.getall(name, []) if isinstance(v, str) and v.strip()]


def parse_date(value: str) -> dt.date | None:
    """An ISO date as ``<input type="date">`` sends it (2026-10-09), or None."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


class Feedback:
    """The errors and typed values of the one form that was sent (``form``), if any.

    ``errors`` maps a field name to a message; the key ``""`` is a message for the whole form
    (the core's reason for refusing an action).
    """

    def __init__(self, form: str = "", errors: Mapping[str, str] | None = None,
                 typed: FormMultiDict | None = None):
        self.form = form
        self.errors = dict(errors or {})
        self._typed = typed

    def __bool__(self) -> bool:
        return bool(self.form and self.errors)

    def errors_for(self, form: str) -> dict[str, str]:
        return self.errors if form == self.form else {}

    def sent(self, form: str) -> bool:
        return form == self.form and self._typed is not None

    def value(self, form: str, name: str, default: Any = "") -> Any:
        if self.sent(form):
            return text(self._typed, name)
        return default if default is not None else ""

    def values(self, form: str, name: str, default: list[str] | tuple[str, ...] = ()) -> list[str]:
        if self.sent(form):
            return texts(self._typed, name)
        return list(default)

    def checked(self, form: str, name: str, value: str = "on", default: bool = False) -> bool:
        if self.sent(form):
            return value in self._typed.getall(name, [])
        return default


NO_FEEDBACK = Feedback()


def parse_month(value: str, today: dt.date) -> tuple[dt.date | None, str]:
    """A month as ``<input type="month">`` sends it (2026-09), as its first day.

    Empty means the month of ``today``; anything else that is not ``YYYY-MM`` gives
    ``(None, error)``, the error a msgid the page translates.
    """
    from onewindow.inquiries import parse_month as first_day

    from .i18n import N_

    if not (value or "").strip():
        return dt.date(today.year, today.month, 1), ""
    month = first_day(value)
    if month is None:
        return None, N_("Enter the month as year-month, e.g. 2026-09.")
    return month, ""
