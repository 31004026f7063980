"""The signed-in staff member's home: who they are and the cases waiting for them.

Which cases wait for whom follows the hall's division of work: the window has what is at the
window, a section what it must accept or decide, the issuance window what is approved, and the
supervising roles see everything recent.
"""

from __future__ import annotations

import datetime as dt

from attrs import frozen
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from onewindow.case import SECTION_BOUND_ROLES, Actor, Role, State
from onewindow.services import Hall, QueueEntry
from onewindow.workdays import Deadline

from ..auth import current_actor
from ..config import HOME_LIST_LIMIT
from ..templating import page

SECTION_QUEUE = (State.TAKEN_IN, State.ACCEPTED, State.SUSPENDED)
WORK_QUEUES: dict[Role, tuple[State, ...] | None] = {
    Role.WINDOW_STAFF: (State.CONSULTATION, State.NOTIFIED),
    Role.APPROVER: SECTION_QUEUE,
    Role.SECTION_HEAD: SECTION_QUEUE,
    Role.ISSUANCE: (State.APPROVED, State.ISSUED, State.DENIED),  # to issue, then to close
    Role.COORDINATION: None,  # None: every state, most recent first
    Role.SUPERVISION: None,
    Role.ADMIN: None,
}
# The window also follows, after intake, the cases that still owe a deferred material (容缺)
# or a supplement the section asked for: the clerk takes it in when the applicant comes back.
OWING_STATES = (State.TAKEN_IN, State.ACCEPTED, State.SUSPENDED, State.APPROVED)
OWING_QUEUES: dict[Role, tuple[State, ...]] = {Role.WINDOW_STAFF: OWING_STATES}


@frozen
class WorkRow:
    """One line of the work list: only what the list may show (never a raw ID number)."""

    number: str
    item_name: str
    applicant_name: str
    applicant_identifier: str
    state: State
    deadline: Deadline


@frozen
class OwedRow:
    """One material a case still owes: which case, what, and by when."""

    number: str
    item_name: str
    applicant_name: str
    state: State
    material: str
    due_date: dt.date
    overdue: bool


def work_list(hall: Hall, actor: Actor, limit: int = HOME_LIST_LIMIT) -> list[QueueEntry]:
    """The cases on ``actor``'s desk, newest first (a fixed number of queries)."""
    states = WORK_QUEUES.get(actor.role, ())
    if states == ():
        return []
    section = actor.section if actor.role in (Role.APPROVER, Role.SECTION_HEAD) else None
    return hall.queue(section=section, states=states, limit=limit)


def work_rows(entries: list[QueueEntry]) -> list[WorkRow]:
    return [WorkRow(number=e.case.number, item_name=e.item_name,
                    applicant_name=e.case.applicant.name,
                    applicant_identifier=e.case.applicant.identifier, state=e.case.state,
                    deadline=e.deadline)
            for e in entries]


def owed_rows(hall: Hall, actor: Actor, limit: int = HOME_LIST_LIMIT) -> list[OwedRow]:
    """The outstanding deferrals of the cases ``actor`` follows after intake, soonest due
    first (a fixed number of queries: the queue brings each case's deferrals along)."""
    states = OWING_QUEUES.get(actor.role)
    if not states:
        return []
    today = hall.clock().date()
    rows = []
    for entry in hall.queue(states=states, limit=limit * 5):
        case = entry.case
        item = hall.catalogue.items.get(case.item_code)
        names = {m.code: m.name for m in item.materials} if item else {}
        rows.extend(OwedRow(number=case.number, item_name=entry.item_name,
                            applicant_name=case.applicant.name, state=case.state,
                            material=names.get(d.material, d.material), due_date=d.due_date,
                            overdue=d.due_date < today)
                    for d in case.deferrals if d.outstanding)
    rows.sort(key=lambda r: (r.due_date, r.number))
    return rows[:limit]


@get("/", name="home", sync_to_thread=True)
def home(request: Request, hall: NamedDependency[Hall]) -> Template:
    actor = current_actor(request)
    assert actor is not None  # the guard let us in
    cases = work_list(hall, actor)
    section = hall.catalogue.sections.get(actor.section) if actor.section else None
    section_staff = actor.role in SECTION_BOUND_ROLES
    return page(request, "home.html", rows=work_rows(cases), section=section,
                owed=owed_rows(hall, actor), follows_owed=actor.role in OWING_QUEUES,
                # the window's joint-review calls, for a section's staff without JavaScript
                calls=hall.calls.waiting(actor.section) if section_staff else [],
                now=hall.clock(),
                # the clerk's unfinished intakes, kept while they were away or signed out
                drafts=hall.drafts.of(actor.username, "intake")
                if actor.role is Role.WINDOW_STAFF else [],
                catalogue_items=hall.catalogue.items,
                limit=HOME_LIST_LIMIT, everything=WORK_QUEUES.get(actor.role) is None)
