"""Joint review (共同形式审查): the window calls the section; the approver sees and answers.

The clerk calls from the case page. Every page an approver or section head has open asks
``/calls/alert`` every few seconds (htmx polling) and shows the section's waiting calls; their
home page lists them too, so the call reaches them with JavaScript off. Answering records the
response time and opens the case. ``/calls`` lists the calls and their response times.
"""

from __future__ import annotations

import datetime as dt

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from onewindow.calls import average_response
from onewindow.case import SECTION_BOUND_ROLES, Actor, Case, Role
from onewindow.errors import NotFound, TransitionRefused
from onewindow.services import Hall

from ..access import actor_of, require_role, visible_case
from ..auth import PASSIVE
from ..caseview import case_context
from ..errors import PageNotFound
from ..forms import Feedback, text
from ..templating import page, wants_fragment
from .cases import _run

# Who reads the list of calls: the section's own staff, and those who audit the hall.
LIST_ROLES = (Role.APPROVER, Role.SECTION_HEAD, Role.WINDOW_STAFF, Role.COORDINATION,
              Role.SUPERVISION)
LIST_DAYS = 31


@post("/cases/{number:str}/calls", name="case_call")
async def call(request: Request, hall: NamedDependency[Hall],
               number: FromPath[str]) -> Template | Redirect:
    """The window calls an approver of the case's section to a joint review."""
    def step(actor: Actor, case: Case, form: FormMultiDict) -> Case:
        material, _, point = text(form, "point").partition("/")
        hall.calls.call(actor, case.number, material=material, point=point,
                        note=text(form, "note"))
        return hall.get_case(case.number)

    return await _run(request, hall, number, "call", step, "joint_review_call",
                      roles=(Role.WINDOW_STAFF,), anchor="calls")


@get("/cases/{number:str}/calls", name="case_calls", sync_to_thread=True,
     opt={PASSIVE: True})
def case_calls(request: Request, hall: NamedDependency[Hall],
               number: FromPath[str]) -> Template | Redirect:
    """The case's call panel alone, for the clerk's screen to follow a waiting call."""
    actor = actor_of(request)
    case = visible_case(hall, actor, number)
    if not wants_fragment(request):
        return Redirect(path=f"/cases/{number}#calls", status_code=303)
    return page(request, "calls/case_panel.html", fragment="panel", fb=Feedback(),
                **case_context(hall, case, actor))


@get("/calls/alert", name="calls_alert", sync_to_thread=True, opt={PASSIVE: True})
def alert(request: Request, hall: NamedDependency[Hall]) -> Template:
    """The banner on every page of a section's staff: the section's waiting calls."""
    actor = require_role(request, *SECTION_BOUND_ROLES)
    return page(request, "calls/alert.html", fragment="alert",
                waiting=hall.calls.waiting(actor.section), now=hall.clock())


@post("/calls/{call_id:int}/answer", name="call_answer", sync_to_thread=True)
def answer(request: Request, hall: NamedDependency[Hall], call_id: FromPath[int]) -> Redirect:
    """An approver answers: the response time is fixed and the case opens for the review."""
    actor = require_role(request, *SECTION_BOUND_ROLES)
    try:
        found = hall.calls.get(call_id)
    except NotFound:
        raise PageNotFound(detail=f"没有编号为 {call_id} 的呼叫") from None
    if found.section != actor.section:  # another section's call does not exist for them
        raise PageNotFound(detail=f"没有编号为 {call_id} 的呼叫")
    try:
        hall.calls.answer(actor, call_id)
    except TransitionRefused:  # a colleague was quicker: the case page shows who answered
        return Redirect(path=f"/cases/{found.case_number}#calls", status_code=303)
    return Redirect(path=f"/cases/{found.case_number}?done=joint_review_answer#calls",
                    status_code=303)


@get("/calls", name="calls", sync_to_thread=True)
def calls_page(request: Request, hall: NamedDependency[Hall],
               section: FromQuery[str] = "") -> Template:
    """The calls of the last month with their response times, section by section."""
    actor = require_role(request, *LIST_ROLES)
    if actor.role in SECTION_BOUND_ROLES:
        chosen = actor.section or ""
    else:
        chosen = section.strip()
        if chosen and chosen not in hall.catalogue.sections:
            raise PageNotFound(detail=f"没有编码为 {chosen} 的审批业务科")
    since = hall.clock().date() - dt.timedelta(days=LIST_DAYS)
    recent = hall.calls.recent(chosen or None, since=since)
    return page(request, "calls/index.html", calls=recent, chosen=chosen,
                sections=sorted(hall.catalogue.sections.values(), key=lambda s: s.code),
                sections_by_code=hall.catalogue.sections,
                may_choose=actor.role not in SECTION_BOUND_ROLES,
                average=average_response(recent), days=LIST_DAYS, now=hall.clock())


ROUTES = [call, case_calls, alert, answer, calls_page]
