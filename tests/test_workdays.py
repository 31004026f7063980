"""Working days on the statutory calendar, and the promised time limit of a case."""

import datetime as dt

from conftest import ENTERPRISE
from test_lifecycle import take_in

from onewindow.workdays import (
    Timeliness,
    add_working_days,
    is_known,
    is_workday,
    working_days_between,
)

D = dt.date


def test_national_day_and_make_up_workday_2026():
    assert not is_workday(D(2026, 10, 1))  # 国庆节
    assert not is_workday(D(2026, 10, 7))
    assert is_workday(D(2026, 10, 10))  # Saturday, make-up working day (调休上班)
    assert not is_workday(D(2026, 10, 11))  # an ordinary Sunday


def test_add_working_days_skips_the_golden_week():
    # Monday 28 September + 3 working days: 29, 30 September, then 8 October
    assert add_working_days(D(2026, 9, 28), 3) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 28), 0) == D(2026, 9, 28)
    assert working_days_between(D(2026, 9, 28), D(2026, 10, 8)) == 3


def test_unpublished_year_is_provisional_weekdays():
    assert not is_known(D(2099, 1, 5))
    assert is_workday(D(2099, 1, 5)) and not is_workday(D(2099, 1, 4))  # Monday / Sunday


def test_deadline_runs_from_acceptance_in_working_days(hall, staff, clock):
    case = take_in(hall, staff)
    assert hall.deadline(case).status is Timeliness.NOT_STARTED
    case = hall.act(staff["approver"], case.number, "accept")  # Monday 28 September 2026
    deadline = hall.deadline(case)
    # 5 working days: 29, 30 Sep, then 8, 9 Oct and the make-up Saturday 10 Oct
    assert deadline.due == D(2026, 10, 10)
    assert deadline.status is Timeliness.ON_TIME and deadline.remaining == 5
    clock.now = dt.datetime(2026, 10, 9, 10)
    assert hall.deadline(case).status is Timeliness.WARNED
    clock.now = dt.datetime(2026, 10, 13, 10)
    assert hall.deadline(case).status is Timeliness.OVERDUE
    assert not hall.deadline(case).provisional


def test_waiting_for_supplements_does_not_count(hall, staff, clock):
    case = take_in(hall, staff)
    hall.act(staff["approver"], case.number, "accept")
    clock.now = dt.datetime(2026, 9, 29, 9)
    hall.act(staff["approver"], case.number, "request_supplement", reason="补正",
             params={"materials": ["lease"], "due_date": D(2026, 10, 30)})
    clock.now = dt.datetime(2026, 10, 12, 9)  # Monday: 8, 9, 10, 12 Oct paused = 4 days
    paused = hall.deadline(hall.get_case(case.number))
    assert paused.status is Timeliness.PAUSED
    case = hall.supply(staff["window"], case.number, "lease", "a.pdf", b"%PDF")
    deadline = hall.deadline(case)
    assert deadline.paused_days == 5  # 30 Sep, 8, 9, 10, 12 Oct
    assert deadline.due == D(2026, 10, 16)  # 5 + 5 working days after 28 September
    clock.now = dt.datetime(2026, 10, 14, 9)
    case = hall.act(staff["approver"], case.number, "approve")
    assert hall.deadline(case).status is Timeliness.FINISHED_ON_TIME


def test_due_date_in_an_unpublished_year_is_provisional(hall, staff, clock):
    clock.now = dt.datetime(2026, 12, 28, 9)
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    hall.review(staff["window"], case.number, [
        ("application", "signed", "passed", ""), ("application", "sealed", "passed", ""),
        ("lease", "valid", "passed", ""), ("id-copy", "valid", "passed", "")])
    hall.act(staff["window"], case.number, "take_in")
    case = hall.act(staff["approver"], case.number, "accept")
    deadline = hall.deadline(case)
    assert deadline.due.year == 2027 and deadline.provisional


def test_a_withdrawn_case_stops_the_clock(hall, staff, clock):
    case = take_in(hall, staff)
    hall.act(staff["approver"], case.number, "accept")
    case = hall.act(staff["window"], case.number, "withdraw", reason="申请人撤回")
    clock.now = dt.datetime(2026, 12, 1, 9)
    assert hall.deadline(case).status is Timeliness.STOPPED
