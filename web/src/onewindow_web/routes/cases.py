"""The case page (/cases/{number}) and every form on it.

Each form POSTs, and on success redirects back to the page (POST-redirect-GET), so a reload
never repeats a step. When the web's own checks or the core refuse, the page is rendered again
with the reason in Chinese beside the form that was sent and everything the clerk typed still
in it (422 for input to correct, 409 for a step the case's state does not allow). The core
decides every step; the routes only keep each role to its own forms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from litestar import Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from onewindow.case import Actor, Case, ReviewOutcome, Role
from onewindow.errors import NotFound, TransitionRefused, ValidationError
from onewindow.lifecycle import ACTIONS, applicable_materials, item_of
from onewindow.services import Hall

from ..access import actor_of, require_role, visible_case
from ..caseview import EVENT_LABELS, WORKSHEET_ACTIONS, case_context, event_label
from ..errors import PageConflict, PageNotFound
from ..forms import Feedback, parse_date, text, texts
from ..i18n import N_, translate
from ..templating import page, wants_fragment
from ..uploads import MAX_REQUEST_BYTES, NO_FILE, UploadRefused, check_upload, sniff
from .drafts import review_key

OUTCOMES = {o.value for o in ReviewOutcome}
NO_MARKS = N_("Choose a result for at least one review point, or change one.")
NEEDS_REASON = N_("Give the reason why this point is not met.")
REASON_REQUIRED = N_("Write the reason: the applicant and the record will read it.")
BAD_DATE = N_("Enter the due date as year-month-day, e.g. 2026-10-09.")
NO_POINTS = N_("Choose the review points the window missed.")
NO_MATERIALS = N_("Choose the materials to be supplemented.")
LOOKUP_PARAM_MISSING = N_("Fill this in before querying the network.")
DONE = N_("Done: %(action)s.")

class Refused(Exception):
    """The web's own check failed: ``errors`` maps field names to (translated) messages."""

    def __init__(self, errors: dict[str, str], status_code: int = 422):
        super().__init__(errors)
        self.errors = errors
        self.status_code = status_code


def _page(request: Request, hall: Hall, case: Case, actor: Actor, *,
          feedback: Feedback | None = None, status_code: int = 200, done: str = "",
          fragment: str | None = None) -> Template:
    context = case_context(hall, case, actor)
    review_draft = None
    if feedback is None and "review" in context["allowed"]:
        # marks the clerk ticked but did not save (a reload, a timeout) come back as typed
        review_draft = hall.drafts.load(actor.username, review_key(case.number))
        if review_draft is not None:
            feedback = Feedback("review", {}, FormMultiDict(
                [(name, value) for name, values in review_draft.fields.items()
                 for value in values]))
    return page(request, "cases/case.html", fragment=fragment, status_code=status_code,
                fb=feedback if feedback is not None else Feedback(), done=done,
                review_draft=review_draft, **context)


def _back(case: Case, action: str, anchor: str = "") -> Redirect:
    return Redirect(path=f"/cases/{case.number}?done={action}" + (f"#{anchor}" if anchor else ""),
                    status_code=303)


async def _run(request: Request, hall: Hall, number: str, form_id: str,
               step: Callable[[Actor, Case, FormMultiDict], Case], action: str, *,
               roles: tuple[Role, ...], anchor: str = "",
               fragment: str | None = None) -> Template | Redirect:
    """Check the role, read the form, do ``step`` in a worker thread (the case must be
    visible to the actor), then redirect, or show the page again with what went wrong."""
    actor = require_role(request, *roles)
    form = await request.form()

    def work() -> Template | Redirect:
        case = visible_case(hall, actor, number)
        try:
            after = step(actor, case, form)
        except Refused as exc:
            errors, status = exc.errors, exc.status_code
        except ValidationError as exc:
            errors, status = dict(exc.errors), 422
        except TransitionRefused as exc:
            errors, status = {"": exc.reason}, 409
        else:
            if fragment and wants_fragment(request):
                return _page(request, hall, after, actor, fragment=fragment,
                             done=translate(request, DONE, action=event_label(action)))
            return _back(after, action, anchor)
        fresh = hall.get_case(number)
        return _page(request, hall, fresh, actor, feedback=Feedback(form_id, errors, form),
                     status_code=status, fragment=fragment)

    return await sync_to_thread(work)


# ------------------------------------------------------------------ the page
@get("/cases/{number:str}", name="case", sync_to_thread=True)
def case_page(request: Request, hall: NamedDependency[Hall], number: FromPath[str],
              done: FromQuery[str] = "") -> Template:
    actor = actor_of(request)
    case = visible_case(hall, actor, number)
    message = ""
    if done in ACTIONS or done in EVENT_LABELS:
        message = translate(request, DONE, action=event_label(done))
    return _page(request, hall, case, actor, done=message)


# ------------------------------------------------------------------ the checklist
def _review_marks(request: Request, case: Case, form: FormMultiDict
                  ) -> list[tuple[str, str, str, str]]:
    """The marks that differ from what the case holds; errors name the point's reason field.

    A reason belongs to a failed point only: it is sent empty for any other outcome, so a
    point switched back to met or not applicable loses its old reason. With ``mark_all``
    (the “mark all as met” button) every point of a required material is met and every point
    of an optional one not applicable, except the points marked not met, which are kept, and a
    deferred (容缺) material's points, which stay as they are: that material is not there yet.
    """
    marks, errors = [], {}
    mark_all = text(form, "mark_all") == ReviewOutcome.PASSED
    for material in applicable_materials(case, item_of(case)):
        deferred = case.deferral(material.code) is not None
        for point in material.review_points:
            key = f"{material.code}/{point.code}"
            outcome = text(form, f"mark:{key}")
            reason = text(form, f"reason:{key}")
            stored = case.review(material.code, point.code)
            if mark_all and not deferred:
                current = outcome or (stored.outcome if stored else "")
                if current != ReviewOutcome.FAILED:
                    outcome = (ReviewOutcome.PASSED if material.required
                               else ReviewOutcome.NOT_APPLICABLE).value
                elif not outcome:
                    continue  # failed in the record, not sent: left as it is
            if outcome not in OUTCOMES:
                continue
            if outcome != ReviewOutcome.FAILED:
                reason = ""
            if outcome == ReviewOutcome.FAILED and not reason:
                errors[f"reason:{key}"] = translate(request, NEEDS_REASON)
            if stored is None or stored.outcome != outcome or stored.reason != reason:
                marks.append((material.code, point.code, outcome, reason))
    if errors:
        raise Refused(errors)
    if not marks:
        raise Refused({"": translate(request, NO_MARKS)})
    return marks


def _review_field(key: str) -> str:
    """The checklist field of a core error: ``m.p`` is the point's mark, ``m.p.reason`` its
    reason."""
    if key.endswith(".reason"):
        return "reason:" + key.removesuffix(".reason").replace(".", "/", 1)
    return "mark:" + key.replace(".", "/", 1)


@post("/cases/{number:str}/review", name="case_review")
async def review(request: Request, hall: NamedDependency[Hall],
                 number: FromPath[str]) -> Template | Redirect:
    def step(actor: Actor, case: Case, form: FormMultiDict) -> Case:
        marks = _review_marks(request, case, form)
        try:
            reviewed = hall.review(actor, case.number, marks)
            hall.drafts.discard(actor.username, review_key(case.number))
            return reviewed
        except ValidationError as exc:  # the core keys a point as material.point
            raise Refused({_review_field(k): v for k, v in exc.errors.items()}) from None

    return await _run(request, hall, number, "review", step, "review",
                      roles=(Role.WINDOW_STAFF,), anchor="checklist")


# ------------------------------------------------------------------ deferral (容缺)
@post("/cases/{number:str}/defer", name="case_defer")
async def defer(request: Request, hall: NamedDependency[Hall],
                number: FromPath[str]) -> Template | Redirect:
    form = await request.form()
    material = text(form, "material")

    def step(actor: Actor, case: Case, form: FormMultiDict) -> Case:
        due = parse_date(text(form, "due_date"))
        if due is None:
            raise Refused({"due_date": translate(request, BAD_DATE)})
        return hall.act(actor, case.number, "defer", params={
            "material": material, "due_date": due,
            "commitment_signed": text(form, "commitment_signed") == "on"})

    return await _run(request, hall, number, f"defer-{material}", step, "defer",
                      roles=(Role.WINDOW_STAFF,), anchor="deferrals")


# ------------------------------------------------------------------ dedicated networks
@post("/cases/{number:str}/lookups/{network:str}", name="case_lookup")
async def lookup(request: Request, hall: NamedDependency[Hall], number: FromPath[str],
                 network: FromPath[str]) -> Template | Redirect:
    adapter = hall.registry.lookups.get(network)
    if adapter is None:
        raise PageNotFound(detail=f"没有名为 {network} 的业务专网")

    def step(actor: Actor, case: Case, form: FormMultiDict) -> Case:
        params = {p.name: text(form, p.name) for p in adapter.params}
        missing = {p.name: translate(request, LOOKUP_PARAM_MISSING)
                   for p in adapter.params if not params[p.name]}
        if missing:
            raise Refused(missing)
        after, _record = hall.lookup(actor, case.number, network, params)
        return after

    return await _run(request, hall, number, f"lookup-{network}", step, "lookup",
                      roles=(Role.WINDOW_STAFF, Role.APPROVER, Role.SECTION_HEAD),
                      anchor="lookups", fragment="lookup_panel")


# ------------------------------------------------------------------ supplements (补正材料)
@post("/cases/{number:str}/supplements", name="case_supply",
      request_max_body_size=MAX_REQUEST_BYTES)
async def supply(request: Request, hall: NamedDependency[Hall],
                 number: FromPath[str]) -> Template | Redirect:
    require_role(request, Role.WINDOW_STAFF)  # before reading up to 10 MB
    form = await request.form()
    material = text(form, "material")
    upload = form.get("file")
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    filename = upload.filename if isinstance(upload, UploadFile) else ""

    def step(actor: Actor, case: Case, form: FormMultiDict) -> Case:
        if not isinstance(upload, UploadFile) or not filename:
            raise Refused({"file": translate(request, NO_FILE)})
        try:
            checked = check_upload(filename, content)
        except UploadRefused as exc:
            raise Refused({"file": translate(request, exc.message)}) from None
        return hall.supply(actor, case.number, material, checked.filename, checked.content)

    return await _run(request, hall, number, f"supply-{material}", step, "supply",
                      roles=(Role.WINDOW_STAFF,), anchor="supplements")


@get("/cases/{number:str}/supplements/{sha256:str}", name="case_supplement_file",
     sync_to_thread=True)
def supplement_file(request: Request, hall: NamedDependency[Hall], number: FromPath[str],
                    sha256: FromPath[str]) -> Response:
    """A stored supplement, for whoever may see the case; its SHA-256 is checked first."""
    case = visible_case(hall, actor_of(request), number)
    try:
        supplement, content = hall.read_supplement(case, sha256)
    except NotFound as exc:
        raise PageNotFound(detail=str(exc)) from None
    except ValidationError as exc:
        raise PageConflict(detail=exc.errors["file"]) from None
    content_type = (sniff(content) or ("application/octet-stream", ""))[0]
    return Response(content, media_type=content_type, headers={
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(supplement.filename)}",
        "X-Content-SHA256": supplement.sha256,
        "Cache-Control": "private, no-store"})


# ------------------------------------------------------------------ lifecycle actions
def _action_params(request: Request, name: str, form: FormMultiDict) -> dict[str, Any]:
    errors: dict[str, str] = {}
    params: dict[str, Any] = {}
    if ACTIONS[name].needs_reason and not text(form, "reason"):
        errors["reason"] = translate(request, REASON_REQUIRED)
    if name == "return":
        params["points"] = texts(form, "points")
        if not params["points"]:
            errors["points"] = translate(request, NO_POINTS)
    elif name == "request_supplement":
        params["materials"] = texts(form, "materials")
        if not params["materials"]:
            errors["materials"] = translate(request, NO_MATERIALS)
        params["due_date"] = parse_date(text(form, "due_date"))
        if params["due_date"] is None:
            errors["due_date"] = translate(request, BAD_DATE)
    if errors:
        raise Refused(errors)
    return params


@post("/cases/{number:str}/actions/{action:str}", name="case_action")
async def act(request: Request, hall: NamedDependency[Hall], number: FromPath[str],
              action: FromPath[str]) -> Template | Redirect:
    found = ACTIONS.get(action)
    if found is None or action in WORKSHEET_ACTIONS:
        raise PageNotFound(detail=f"没有名为 {action} 的操作")

    def step(actor: Actor, case: Case, form: FormMultiDict) -> Case:
        params = _action_params(request, action, form)
        after = hall.act(actor, case.number, action, reason=text(form, "reason"), params=params)
        if actor.role is Role.WINDOW_STAFF:  # the case moved on: unsaved marks are moot
            hall.drafts.discard(actor.username, review_key(case.number))
        return after

    return await _run(request, hall, number, f"action-{action}", step, action,
                      roles=tuple(found.roles), anchor="case-top")
