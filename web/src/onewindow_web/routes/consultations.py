"""The consultation window (咨询辅导窗口): the first-inquiry log and repeat visits.

Whoever is asked first (首问负责制) logs the question here and owns it until it is answered:
the window staff, and the approvers who sit the consultation window on a rota. The page also
shows the month's repeat visits (再次来访): applicants back for the same item after a one-time
notice, counted against the member of staff who gave the notice. Only a breach of one-time
notification (a second notice on the same application, or the applicant coming back again)
costs that member of staff the month's eligibility; a single return after a notice does not.
The supervision section, which decides eligibility, reads the page too.

Approvers and section heads see their own section's questions (and those asked of them) and
their section's repeat visits; everyone else sees the whole hall. Every list costs a fixed
number of queries.
"""

from __future__ import annotations

import datetime as dt

from litestar import Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from onewindow.case import SECTION_BOUND_ROLES, Actor, Role
from onewindow.errors import NotFound, TransitionRefused, ValidationError
from onewindow.inquiries import LOGGING_ROLES, shift_month
from onewindow.services import Hall

from ..access import require_role
from ..errors import PageNotFound
from ..forms import Feedback, parse_month, text
from ..i18n import N_, translate
from ..templating import page

READING_ROLES = (*sorted(LOGGING_ROLES), Role.SUPERVISION)
INQUIRY_FIELDS = ("question", "item", "applicant_name", "identifier", "contacted",
                  "answered", "answer")
LOGGED = N_("The inquiry was logged.")
ANSWERED = N_("The answer was recorded.")


def _month_of(request: Request, hall: Hall, value: str) -> tuple[dt.date, dict[str, str]]:
    """The month asked for (this month by default, and when it is not one), and the error."""
    today = hall.clock().date()
    month, error = parse_month(value, today)
    if month is None:
        return dt.date(today.year, today.month, 1), {"month": translate(request, error)}
    return month, {}


def _scope(actor: Actor) -> dict[str, str | None]:
    if actor.role in SECTION_BOUND_ROLES:
        return {"section": actor.section, "asked_of": actor.username}
    return {"section": None, "asked_of": None}


def _may_see(actor: Actor, inquiry) -> bool:
    """Approvers and section heads see their section's questions and those asked of them."""
    return (actor.role not in SECTION_BOUND_ROLES or inquiry.section == actor.section
            or inquiry.first_asked == actor.username)


def _page(request: Request, hall: Hall, actor: Actor, month: dt.date, *,
          feedback: Feedback | None = None, month_errors: dict[str, str] | None = None,
          typed_month: str = "", status_code: int = 200, done: str = "",
          highlight: int | None = None) -> Template:
    data = None if month_errors else hall.inquiries.month(month, **_scope(actor))
    catalogue = hall.catalogue
    sections = sorted(catalogue.sections.values(), key=lambda s: s.code)
    items_by_section = {s.code: sorted((i for i in catalogue.items.values()
                                        if i.section == s.code), key=lambda i: i.code)
                        for s in sections}
    highlighted = None
    if data is not None and highlight is not None:
        highlighted = next((i for i in data.inquiries if i.id == highlight), None)
    return page(
        request, "consultations/index.html", status_code=status_code,
        fb=feedback or Feedback(), month=month, month_errors=month_errors or {},
        typed_month=typed_month or month.strftime("%Y-%m"),
        previous_month=shift_month(month, -1), next_month=shift_month(month, 1),
        data=data, sections=sections, items_by_section=items_by_section,
        item_names={code: item.name for code, item in catalogue.items.items()},
        section_names={s.code: s.name for s in sections},
        scope=catalogue.sections.get(actor.section or "") if actor.role in SECTION_BOUND_ROLES
        else None,
        may_log=actor.role in LOGGING_ROLES, me=actor.username, done=done,
        highlighted=highlighted)


@get("/consultations", name="consultations", sync_to_thread=True)
def consultations(request: Request, hall: NamedDependency[Hall], month: FromQuery[str] = "",
                  logged: FromQuery[int | None] = None,
                  answered: FromQuery[int | None] = None) -> Template:
    actor = require_role(request, *READING_ROLES)
    chosen, errors = _month_of(request, hall, month)
    done = ""
    if logged is not None:
        done = translate(request, LOGGED)
    elif answered is not None:
        done = translate(request, ANSWERED)
    return _page(request, hall, actor, chosen, month_errors=errors, typed_month=month.strip(),
                 status_code=422 if errors else 200, done=done,
                 highlight=logged if logged is not None else answered)


@post("/consultations", name="consultation_log")
async def log_inquiry(request: Request, hall: NamedDependency[Hall]) -> Template | Redirect:
    actor = require_role(request, *LOGGING_ROLES)
    form: FormMultiDict = await request.form()
    values = {name: text(form, name) for name in INQUIRY_FIELDS}

    def work() -> Template | Redirect:
        try:
            inquiry = hall.inquiries.record(actor, values)
        except ValidationError as exc:  # shown in the order of the form's fields
            order = {name: i for i, name in enumerate(INQUIRY_FIELDS)}
            errors = dict(sorted(exc.errors.items(),
                                 key=lambda e: order.get(e[0], len(order))))
            month, _ = _month_of(request, hall, "")
            return _page(request, hall, actor, month, status_code=422,
                         feedback=Feedback("inquiry", errors, form))
        return Redirect(path=f"/consultations?logged={inquiry.id}#inquiry-{inquiry.id}",
                        status_code=303)

    return await sync_to_thread(work)


@post("/consultations/{inquiry_id:int}/answer", name="consultation_answer")
async def answer_inquiry(request: Request, hall: NamedDependency[Hall],
                         inquiry_id: FromPath[int]) -> Template | Redirect:
    actor = require_role(request, *LOGGING_ROLES)
    form: FormMultiDict = await request.form()

    def work() -> Template | Redirect:
        try:
            inquiry = hall.inquiries.get(inquiry_id)
        except NotFound:
            inquiry = None
        if inquiry is None or not _may_see(actor, inquiry):
            raise PageNotFound(detail=f"没有编号为 {inquiry_id} 的咨询登记")
        month = dt.date(inquiry.asked_at.year, inquiry.asked_at.month, 1)
        try:
            hall.inquiries.answer(actor, inquiry_id, text(form, "answer"))
        except ValidationError as exc:
            errors, status = dict(exc.errors), 422
        except TransitionRefused as exc:
            errors, status = {"": exc.reason}, 409
        else:
            return Redirect(path=f"/consultations?month={month:%Y-%m}&answered={inquiry_id}"
                                 f"#inquiry-{inquiry_id}", status_code=303)
        return _page(request, hall, actor, month, status_code=status,
                     feedback=Feedback(f"answer-{inquiry_id}", errors, form))

    return await sync_to_thread(work)


# POSTs first, as routes/calls.py does: listed before the async POST of the same path, the
# sync_to_thread GET came out of this Litestar (2.25) as an un-awaited coroutine (a 500).
ROUTES: list = [log_inquiry, answer_inquiry, consultations]
