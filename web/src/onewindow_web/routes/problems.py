"""Unclear review points and the monthly problem list (形式审查要点问题清单).

From a case's checklist, whoever applies the review points (the window, the section) reports
with one click that a point is unclear (要点不清). The list at ``/problems?month=YYYY-MM`` puts
those reports together with the points the back office named when it returned a case, by
section, item and point, for the coordination section (业务协调科) that receives it and the
sections that revise their points. It prints on A4.

Window staff, coordination and supervision see every section; approvers and section heads
their own. A report the core refuses (a point the case's item does not have) comes back as a
422 naming the field, inline for htmx; a case the actor may not see is a 404.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from litestar import Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from onewindow.case import SECTION_BOUND_ROLES, Role
from onewindow.errors import NotFound, TransitionRefused, ValidationError
from onewindow.inquiries import shift_month
from onewindow.problems import REPORTING_ROLES
from onewindow.services import Hall

from ..access import require_role, visible_case
from ..errors import PageForbidden, PageNotFound
from ..forms import parse_month, text
from ..i18n import N_, translate
from ..templating import page, wants_fragment
from .drafts import review_fields, review_key

LIST_ROLES = (Role.WINDOW_STAFF, Role.COORDINATION, Role.SUPERVISION, Role.SECTION_HEAD,
              Role.APPROVER)
# what the clerk sees for each field the core names in a refusal
FIELD_LABELS = {"point": N_("Review point"), "note": N_("Note on the report")}


@post("/cases/{number:str}/points/unclear", name="point_unclear")
async def report_unclear(request: Request, hall: NamedDependency[Hall],
                         number: FromPath[str]) -> Template | Redirect:
    """One click from the checklist: ``point`` is ``material/point``, ``note`` optional."""
    actor = require_role(request, *sorted(REPORTING_ROLES))
    form = await request.form()
    key = text(form, "point")
    note = text(form, "note")

    def work() -> Template | Redirect:
        visible_case(hall, actor, number)  # another section's case does not exist for them
        material, _, point = key.partition("/")
        try:
            report = hall.problems.report(actor, number, material, point, note)
        except NotFound:
            raise PageNotFound(detail=f"没有编号为 {number} 的办件") from None
        except TransitionRefused as exc:
            raise PageForbidden(detail=exc.reason) from None
        except ValidationError as exc:  # a point the case's item does not have, a long note
            errors = [(translate(request, FIELD_LABELS.get(field, FIELD_LABELS["point"])), message)
                      for field, message in exc.errors.items()]
            if wants_fragment(request):  # htmx: the message takes the button's place
                return page(request, "problems/_refused.html", fragment="refused",
                            status_code=422, errors=errors)
            return page(request, "problems/refused.html", status_code=422, errors=errors,
                        number=number)
        if wants_fragment(request):  # htmx: the button becomes "reported", in place
            return page(request, "problems/_reported.html", fragment="reported",
                        key=report.key)
        marks = review_fields(form)  # sent from the review form: keep what was not saved
        if marks and actor.role is Role.WINDOW_STAFF:
            with contextlib.suppress(ValidationError):
                hall.drafts.save(actor.username, review_key(number), marks)
        return Redirect(path=f"/cases/{number}?done=point_unclear#checklist", status_code=303)

    return await sync_to_thread(work)


@get("/problems", name="problems", sync_to_thread=True)
def problem_list(request: Request, hall: NamedDependency[Hall],
                 month: FromQuery[str] = "") -> Template:
    actor = require_role(request, *LIST_ROLES)
    today = hall.clock().date()
    chosen, error = parse_month(month, today)
    errors = {"month": translate(request, error)} if error else {}
    chosen = chosen or dt.date(today.year, today.month, 1)
    section = actor.section if actor.role in SECTION_BOUND_ROLES else None
    data = None if errors else hall.problems.month(chosen, section=section)
    return page(request, "problems/index.html", status_code=422 if errors else 200,
                month=chosen, typed_month=month.strip() or chosen.strftime("%Y-%m"),
                errors=errors, data=data, previous_month=shift_month(chosen, -1),
                next_month=shift_month(chosen, 1),
                scope=hall.catalogue.sections.get(section) if section else None,
                scoped=section is not None, generated_at=hall.clock())


ROUTES: list = [report_unclear, problem_list]
