"""Working days on China's statutory calendar, and the promised time limit (承诺时限) of a case.

The calendar comes from the maintained ``chinesecalendar`` library, which knows the public
holidays and the make-up working days (调休上班) the State Council announces each year. For a
year it does not know yet, weekends are the only rest days and the answer is marked
*provisional* (估算), so a clerk never mistakes a guess for a promise.
"""

from __future__ import annotations

import datetime as dt
import enum

import chinese_calendar
from attrs import frozen

from .case import Case, State

WARN_WORKING_DAYS = 2  # a case is "warned" when this many working days or fewer remain


def is_known(day: dt.date) -> bool:
    """Whether the statutory calendar for ``day``'s year has been published in the library."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day: dt.date) -> bool:
    """A working day: statutory calendar where known, Monday to Friday otherwise."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += dt.timedelta(days=1)
        if is_workday(day):
            days -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in the half-open span (start, end]; 0 when end is not after start."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


class Timeliness(enum.StrEnum):
    NOT_STARTED = "not_started"  # not yet accepted: the clock has not started
    ON_TIME = "on_time"  # 正常
    WARNED = "warned"  # 临近到期
    OVERDUE = "overdue"  # 已超期
    PAUSED = "paused"  # 补正中，计时暂停
    FINISHED_ON_TIME = "finished_on_time"  # 按时办结
    FINISHED_LATE = "finished_late"  # 超期办结
    STOPPED = "stopped"  # 已终止：withdrawn or returned before a decision


@frozen
class Deadline:
    """The promised time limit of a case as of ``today``.

    ``due`` is None before acceptance. ``paused_days`` are working days spent waiting for the
    applicant's supplements, which do not count against the limit. ``provisional`` is True when
    the due date falls in a year whose statutory calendar is not yet published.
    """

    status: Timeliness
    due: dt.date | None = None
    remaining: int | None = None
    paused_days: int = 0
    provisional: bool = False


def _pause_spans(case: Case, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    spans = []
    started: dt.date | None = None
    for event in case.events:
        if event.after is State.SUSPENDED and event.before is not State.SUSPENDED:
            started = event.at.date()
        elif event.before is State.SUSPENDED and event.after is not State.SUSPENDED:
            if started is not None:
                spans.append((started, event.at.date()))
            started = None
    if started is not None:
        spans.append((started, today))
    return spans


def deadline(case: Case, limit_days: int, today: dt.date) -> Deadline:
    """Where a case stands against its promised limit of ``limit_days`` working days."""
    accepted = next((e.at.date() for e in case.events if e.action == "accept"), None)
    if accepted is None:
        return Deadline(Timeliness.NOT_STARTED)
    paused = sum(working_days_between(a, b) for a, b in _pause_spans(case, today))
    due = add_working_days(accepted, limit_days + paused)
    provisional = not is_known(due)
    decided = next((e.at.date() for e in case.events
                    if e.action in ("approve", "deny", "refuse")), None)
    if decided is not None:
        status = Timeliness.FINISHED_ON_TIME if decided <= due else Timeliness.FINISHED_LATE
        return Deadline(status, due, None, paused, provisional)
    if case.state in (State.WITHDRAWN, State.RETURNED):
        return Deadline(Timeliness.STOPPED, due, None, paused, provisional)
    if case.state is State.SUSPENDED:
        return Deadline(Timeliness.PAUSED, due, None, paused, provisional)
    if today > due:
        return Deadline(Timeliness.OVERDUE, due, -working_days_between(due, today), paused,
                        provisional)
    remaining = working_days_between(today, due)
    status = Timeliness.WARNED if remaining <= WARN_WORKING_DAYS else Timeliness.ON_TIME
    return Deadline(status, due, remaining, paused, provisional)
