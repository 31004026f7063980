"""Drafts: half-filled forms saved server-side so a reload or a timeout loses nothing.

The intake form sends itself here as the clerk types (htmx, after a short pause); the answer
is a status line plus each field's live check (credit code and ID number checksums, phone),
swapped out of band beside the fields. Without JavaScript the form's "save draft" button posts
the same data. The draft belongs to the signed-in clerk, so it is still there after the
session expired and they signed in again; opening the case removes it.
"""

from __future__ import annotations

from litestar import Request, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from onewindow.case import Applicant, Role
from onewindow.errors import ValidationError
from onewindow.services import Hall

from ..access import require_role, visible_case
from ..errors import PageNotFound
from ..templating import page, wants_fragment
from .intake import applicant_values, intake_key

# Fields whose format can be checked while typing; an empty one is not an error yet.
LIVE_FIELDS = ("name", "credit_code", "id_number", "phone", "legal_representative")
CHECKSUM_FIELDS = ("credit_code", "id_number")


def live_check(values: dict[str, str]) -> dict[str, tuple[bool, str]]:
    """Each typed field's verdict, (ok, message), by the same rules as opening the case
    (:meth:`Applicant.create`): only fields with something in them are judged."""
    if not values.get("kind"):
        return {}
    try:
        Applicant.create(values)
        errors: dict[str, str] = {}
    except ValidationError as exc:
        errors = dict(exc.errors)
    verdicts = {}
    for name in LIVE_FIELDS:
        if not values.get(name):
            continue
        if name in errors:
            verdicts[name] = (False, errors[name])
        elif name in CHECKSUM_FIELDS or name == "phone":
            verdicts[name] = (True, "")
    return verdicts


@post("/drafts/intake/{item:str}", name="intake_draft")
async def save_intake_draft(request: Request, hall: NamedDependency[Hall],
                            item: FromPath[str]) -> Template | Redirect:
    actor = require_role(request, Role.WINDOW_STAFF)
    if item not in hall.catalogue.items:
        raise PageNotFound(detail=f"没有编码为 {item} 的审批事项")
    form = await request.form()
    values = applicant_values(form)
    fields = [(name, value) for name, value in values.items() if value]
    try:
        draft = await sync_to_thread(hall.drafts.save, actor.username, intake_key(item), fields)
    except ValidationError as exc:  # too many drafts, or too long: say so, lose nothing typed
        return _not_saved(request, exc, f"/intake/new?item={item}&draft=failed")
    if not wants_fragment(request):
        return Redirect(path=f"/intake/new?item={item}&draft=saved", status_code=303)
    return page(request, "intake/_draft_status.html", saved_at=draft.updated_at,
                live=live_check(values))


def _not_saved(request: Request, exc: ValidationError, fallback: str) -> Template | Redirect:
    """The autosave could not keep the draft: tell the clerk beside the form (htmx), or go
    back to the form with a note; the form itself still holds everything typed."""
    if not wants_fragment(request):
        return Redirect(path=fallback, status_code=303)
    return page(request, "intake/_draft_status.html", saved_at=None, live={},
                error=next(iter(exc.errors.values())))


@post("/drafts/intake/{item:str}/discard", name="intake_draft_discard", sync_to_thread=True)
def discard_intake_draft(request: Request, hall: NamedDependency[Hall],
                         item: FromPath[str]) -> Redirect:
    actor = require_role(request, Role.WINDOW_STAFF)
    hall.drafts.discard(actor.username, intake_key(item))
    return Redirect(path=f"/intake/new?item={item}", status_code=303)


def review_key(number: str) -> str:
    """The draft of a case's review checklist: marks ticked but not yet saved."""
    return f"review:{number}"


def review_fields(form) -> list[tuple[str, str]]:
    """The checklist's own fields (``mark:…`` and ``reason:…``), nothing else."""
    return [(name, value.strip()) for name, value in form.multi_items()
            if isinstance(value, str) and name.startswith(("mark:", "reason:"))
            and len(name) <= 140]


@post("/drafts/review/{number:str}", name="review_draft")
async def save_review_draft(request: Request, hall: NamedDependency[Hall],
                            number: FromPath[str]) -> Template | Redirect:
    """Keep the checklist's unsaved marks while the clerk works through the materials."""
    actor = require_role(request, Role.WINDOW_STAFF)
    form = await request.form()

    def save():
        visible_case(hall, actor, number)  # 404 for a case that is not there
        return hall.drafts.save(actor.username, review_key(number), review_fields(form))

    try:
        draft = await sync_to_thread(save)
    except ValidationError as exc:
        return _not_saved(request, exc, f"/cases/{number}#checklist")
    if not wants_fragment(request):
        return Redirect(path=f"/cases/{number}#checklist", status_code=303)
    return page(request, "cases/_review_draft_status.html", saved_at=draft.updated_at)


@post("/drafts/review/{number:str}/discard", name="review_draft_discard", sync_to_thread=True)
def discard_review_draft(request: Request, hall: NamedDependency[Hall],
                         number: FromPath[str]) -> Redirect:
    actor = require_role(request, Role.WINDOW_STAFF)
    hall.drafts.discard(actor.username, review_key(number))
    return Redirect(path=f"/cases/{number}#checklist", status_code=303)


ROUTES = [save_intake_draft, discard_intake_draft, save_review_draft, discard_review_draft]
