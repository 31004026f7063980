"""The intake window (分类综合接件窗口): find the item, type in the applicant, open the case.

Only window staff (大厅服务人员) take cases in. The search accepts what a clerk types at the
counter: part of a name, a code, or pinyin initials (``jyxk`` for 经营许可). With htmx the
results follow the typing; without it the search button sends the same form.
"""

from __future__ import annotations

import contextlib

from litestar import Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from onewindow.case import Role
from onewindow.catalogue import ApprovalItem
from onewindow.drafts import Draft
from onewindow.errors import TransitionRefused, ValidationError
from onewindow.services import Hall

from ..access import require_role
from ..errors import PageNotFound
from ..forms import text
from ..templating import page

MAX_QUERY_LENGTH = 50
APPLICANT_FIELDS = ("kind", "name", "credit_code", "legal_representative",
                    "social_organisation_name", "id_number", "contact_person", "phone")


def intake_key(item_code: str) -> str:
    """The draft (草稿) of an intake form: one per clerk and item."""
    return f"intake:{item_code}"


def applicant_values(form) -> dict[str, str]:
    return {name: text(form, name) for name in APPLICANT_FIELDS}


def _item_or_404(hall: Hall, code: str) -> ApprovalItem:
    item = hall.catalogue.items.get(code)
    if item is None:
        raise PageNotFound(detail=f"没有编码为 {code} 的审批事项")
    return item


def _form_page(request: Request, hall: Hall, item: ApprovalItem, values: dict[str, str],
               errors: dict[str, str] | None = None, status_code: int = 200,
               draft: Draft | None = None, draft_note: str = "") -> Template:
    """``draft_note``: ``saved`` or ``failed`` after the no-JavaScript "save draft" button."""
    return page(request, "intake/new.html", status_code=status_code, item=item,
                section=hall.catalogue.sections[item.section], values=values,
                errors=errors or {}, draft=draft, draft_note=draft_note)


@get("/intake", name="intake", sync_to_thread=False)
def intake(request: Request, hall: NamedDependency[Hall], q: FromQuery[str] = "") -> Template:
    require_role(request, Role.WINDOW_STAFF)
    query = q.strip()[:MAX_QUERY_LENGTH]
    items = hall.search_items(query)
    return page(request, "intake/search.html", fragment="intake_results", query=query,
                items=items, sections=hall.catalogue.sections)


@get("/intake/new", name="intake_new", sync_to_thread=True)
def intake_form(request: Request, hall: NamedDependency[Hall], item: FromQuery[str] = "",
                draft: FromQuery[str] = "") -> Template:
    """The applicant form, with the clerk's unfinished draft for this item if there is one."""
    actor = require_role(request, Role.WINDOW_STAFF)
    found = _item_or_404(hall, item)
    kinds = [k.value for k in found.applicant_kinds]
    values = {"kind": kinds[0] if len(kinds) == 1 else ""}
    saved = hall.drafts.load(actor.username, intake_key(found.code))
    if saved is not None:
        values.update({name: saved.first(name) for name in APPLICANT_FIELDS
                       if saved.first(name)})
    return _form_page(request, hall, found, values, draft=saved, draft_note=draft)


@post("/intake/new", name="intake_open")
async def intake_open(request: Request, hall: NamedDependency[Hall]) -> Template | Redirect:
    actor = require_role(request, Role.WINDOW_STAFF)
    form = await request.form()
    item = _item_or_404(hall, text(form, "item"))
    values = applicant_values(form)
    try:
        case = await sync_to_thread(hall.open_case, actor, item.code, values)
    except ValidationError as exc:  # shown in the order of the form's fields
        order = {name: i for i, name in enumerate(APPLICANT_FIELDS)}
        errors = dict(sorted(exc.errors.items(), key=lambda e: order.get(e[0], len(order))))
        # what was typed is kept server-side too, should the clerk leave the page now; a
        # draft that cannot be kept must not hide the field errors
        with contextlib.suppress(ValidationError):
            await sync_to_thread(hall.drafts.save, actor.username, intake_key(item.code),
                                 [(k, v) for k, v in values.items() if v])
        return _form_page(request, hall, item, values, errors, status_code=422)
    except TransitionRefused as exc:  # the core's last word, should a role rule change
        return _form_page(request, hall, item, values, {"": exc.reason}, status_code=409)
    await sync_to_thread(hall.drafts.discard, actor.username, intake_key(item.code))
    return Redirect(path=f"/cases/{case.number}?done=open", status_code=303)
