"""Dedicated-network transfer forms (专网审批事项信息转交表): the section fills, the window records.

* ``/transfers``: the list. Approvers and section heads see their own section's forms; the
  window staff (大厅服务人员) the forms waiting to be recorded and the recently recorded ones;
  the supervision section (督查考核科) every form.
* ``/transfers/new``: an approver or section head fills a form for one of the section's items
  handled end to end on a dedicated network (``handled_on_network``; no other item is offered
  or accepted), its fields exactly the seed's, enterprise or person; every error in Chinese
  beside its field, everything typed kept (422).
* ``/transfers/{number}``: the form; the window records it there (POST), which opens the case
  already approved, and lands on the new case's page.
* ``/transfers/{number}/print``: the form on A4, laid out like the seed's table, with its
  number, the case number once recorded and the verification hash.

Every route checks the role (403); section staff never see another section's form (404, as for
cases). The core (:mod:`onewindow.transfers`) decides every rule; these routes only show it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from attrs import frozen
from litestar import Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from onewindow import transfers as core
from onewindow.case import Actor, Role, TransferForm
from onewindow.errors import NotFound, TransitionRefused, ValidationError
from onewindow.services import Hall

from ..access import require_role
from ..errors import PageNotFound
from ..forms import text
from ..i18n import N_, translate
from ..templating import page

VIEW_ROLES = (Role.WINDOW_STAFF, Role.APPROVER, Role.SECTION_HEAD, Role.SUPERVISION)
FILL_ROLES = (Role.APPROVER, Role.SECTION_HEAD)
RECORD_ROLES = (Role.WINDOW_STAFF,)
LIST_LIMIT = 200
RECENTLY_RECORDED = 20  # what the window sees of the forms it has already recorded

# The fields in the order of the seed's table: the error summary follows it.
FIELDS = ("form_date", "item", "kind", "name", "legal_representative", "contact_person",
          "phone", "credit_code", "social_organisation_name", "person_name", "id_number",
          "person_phone", "notes")
# A person's name and phone have fields of their own on the form (个人申办: 申请人, 联系电话).
PERSON_FIELDS = {"person_name": "name", "person_phone": "phone"}
ENTERPRISE_ONLY = ("legal_representative", "contact_person", "credit_code",
                   "social_organisation_name")
DONE_FILLED = N_("Transfer form %(number)s is saved. Print it for the approver to sign and "
                 "hand it to the window, which records it.")
BAD_STATE = N_("This form can no longer be recorded.")


@frozen
class Line:
    """One row of a list: only what a list may show (the ID number masked)."""

    number: str
    form_date: dt.date
    item_name: str
    section_name: str
    applicant_name: str
    identifier: str
    filled_by_name: str
    filled_at: dt.datetime
    recorded_at: dt.datetime | None
    case_number: str | None


def _line(hall: Hall, form: TransferForm) -> Line:
    section = hall.catalogue.sections.get(form.section)
    return Line(form.number, form.form_date, form.item_name,
                section.name if section else form.section, form.applicant.name,
                form.applicant.identifier, form.filled_by_name, form.filled_at,
                form.recorded_at, form.case_number)


def short_hash(digest: str) -> str:
    """The first 16 hex digits in groups of four, as the case documents print them."""
    head = digest[:16]
    return " ".join(head[i:i + 4] for i in range(0, len(head), 4))


def _visible(hall: Hall, actor: Actor, number: str) -> TransferForm:
    """The form if ``actor`` may see it; 404 otherwise (also when it does not exist)."""
    try:
        form = hall.transfers.get(number)
    except NotFound:
        raise PageNotFound(detail=f"没有编号为 {number} 的专网审批事项信息转交表") from None
    if not core.may_view(form, actor):
        raise PageNotFound(detail=f"没有编号为 {number} 的专网审批事项信息转交表")
    return form


# ------------------------------------------------------------------------------ the list
@get("/transfers", name="transfers", sync_to_thread=True)
def transfer_list(request: Request, hall: NamedDependency[Hall]) -> Template:
    actor = require_role(request, *VIEW_ROLES)
    desk = hall.transfers
    lists: list[tuple[str, str, list[Line]]] = []  # (id, heading msgid, lines)
    if actor.role is Role.WINDOW_STAFF:
        lists.append(("waiting", N_("Waiting to be recorded"),
                      [_line(hall, f) for f in desk.list(recorded=False, limit=LIST_LIMIT)]))
        lists.append(("recorded", N_("Recently recorded"),
                      [_line(hall, f) for f in desk.list(recorded=True,
                                                         limit=RECENTLY_RECORDED)]))
    elif actor.role in FILL_ROLES:
        lists.append(("section", N_("Your section's transfer forms"),
                      [_line(hall, f) for f in desk.list(section=actor.section,
                                                         limit=LIST_LIMIT)]))
    else:
        lists.append(("all", N_("Every transfer form in the hall"),
                      [_line(hall, f) for f in desk.list(limit=LIST_LIMIT)]))
    return page(request, "transfers/list.html", lists=lists, limit=LIST_LIMIT,
                may_fill=actor.role in FILL_ROLES)


# ------------------------------------------------------------------------------ filling
def _form_page(request: Request, hall: Hall, actor: Actor, values: dict[str, str],
               errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    today = hall.clock().date()
    return page(request, "transfers/new.html", status_code=status_code,
                items=hall.transfers.items_for(actor),
                section=hall.catalogue.sections.get(actor.section or ""),
                values=values, errors=errors or {}, today=today.isoformat(),
                notes_limit=core.MAX_NOTES)


@get("/transfers/new", name="transfer_new", sync_to_thread=False)
def transfer_new(request: Request, hall: NamedDependency[Hall],
                 item: FromQuery[str] = "") -> Template:
    actor = require_role(request, *FILL_ROLES)
    values = {"form_date": hall.clock().date().isoformat(), "item": item.strip()[:100]}
    return _form_page(request, hall, actor, values)


def _core_data(values: dict[str, str]) -> dict[str, Any]:
    """What :meth:`TransferDesk.fill` takes: the chosen kind's fields only."""
    data: dict[str, Any] = {"item": values["item"], "form_date": values["form_date"],
                            "notes": values["notes"], "kind": values["kind"]}
    if values["kind"] == "person":
        data.update({core_name: values[name] for name, core_name in PERSON_FIELDS.items()})
        data["id_number"] = values["id_number"]
    else:
        data.update(name=values["name"], phone=values["phone"],
                    **{name: values[name] for name in ENTERPRISE_ONLY})
    return data


def _form_errors(kind: str, errors: dict[str, str]) -> dict[str, str]:
    """The core's errors keyed by the form's own fields, in the order of the form."""
    if kind == "person":
        back = {core_name: name for name, core_name in PERSON_FIELDS.items()}
        errors = {back.get(field, field): message for field, message in errors.items()}
    order = {name: i for i, name in enumerate(FIELDS)}
    return dict(sorted(errors.items(), key=lambda e: order.get(e[0], len(order))))


@post("/transfers/new", name="transfer_fill")
async def transfer_fill(request: Request, hall: NamedDependency[Hall]) -> Template | Redirect:
    actor = require_role(request, *FILL_ROLES)
    form = await request.form()
    values = {name: text(form, name) for name in FIELDS}

    def work() -> Template | Redirect:
        try:
            filled = hall.transfers.fill(actor, _core_data(values))
        except ValidationError as exc:
            return _form_page(request, hall, actor, values,
                              _form_errors(values["kind"], exc.errors), status_code=422)
        except TransitionRefused as exc:  # the core's last word, should a role rule change
            return _form_page(request, hall, actor, values, {"": exc.reason}, status_code=409)
        return Redirect(path=f"/transfers/{filled.number}?done=fill", status_code=303)

    return await sync_to_thread(work)


# ------------------------------------------------------------------------------ one form
def _view(request: Request, hall: Hall, actor: Actor, form: TransferForm, *,
          done: str = "", error: str = "", status_code: int = 200) -> Template:
    section = hall.catalogue.sections.get(form.section)
    return page(request, "transfers/view.html", status_code=status_code, form=form,
                section_name=section.name if section else form.section,
                may_record=actor.role in RECORD_ROLES and not form.recorded,
                intact=core.intact(form), short_hash=short_hash(form.content_hash),
                done=done, error=error)


@get("/transfers/{number:str}", name="transfer", sync_to_thread=True)
def transfer_view(request: Request, hall: NamedDependency[Hall], number: FromPath[str],
                  done: FromQuery[str] = "") -> Template:
    actor = require_role(request, *VIEW_ROLES)
    form = _visible(hall, actor, number)
    message = translate(request, DONE_FILLED, number=form.number) if done == "fill" else ""
    return _view(request, hall, actor, form, done=message)


@post("/transfers/{number:str}/record", name="transfer_record")
async def transfer_record(request: Request, hall: NamedDependency[Hall],
                          number: FromPath[str]) -> Template | Redirect:
    actor = require_role(request, *RECORD_ROLES)  # the CSRF token was checked before this

    def work() -> Template | Redirect:
        form = _visible(hall, actor, number)
        try:
            case = hall.transfers.record(actor, form.number)
        except TransitionRefused as exc:
            reason, status = exc.reason or translate(request, BAD_STATE), 409
        except ValidationError as exc:
            reason, status = "；".join(exc.errors.values()), 422
        except NotFound:
            raise PageNotFound(detail=f"没有编号为 {number} 的专网审批事项信息转交表") from None
        else:
            return Redirect(path=f"/cases/{case.number}?done=record_transfer", status_code=303)
        return _view(request, hall, actor, hall.transfers.get(form.number), error=reason,
                     status_code=status)

    return await sync_to_thread(work)


# ------------------------------------------------------------------------------ print
@get("/transfers/{number:str}/print", name="transfer_print", sync_to_thread=True)
def transfer_print(request: Request, hall: NamedDependency[Hall],
                   number: FromPath[str]) -> Template:
    actor = require_role(request, *VIEW_ROLES)
    form = _visible(hall, actor, number)
    section = hall.catalogue.sections.get(form.section)
    return page(request, "transfers/print.html", form=form,
                section_name=section.name if section else form.section,
                short_hash=short_hash(form.content_hash))


ROUTES: list = [transfer_list, transfer_new, transfer_fill, transfer_view, transfer_record,
                transfer_print]  # this module's handlers, registered by onewindow_web.app
