"""Who may open which page: the hall's division of work, checked by every route.

The login guard (:mod:`onewindow_web.auth`) only says *somebody* is signed in. These helpers say
whether that somebody's role may use a page (403 otherwise), and whether they may see a case at
all: approvers and section heads see only their own section's cases, and for them any other
case does not exist (404, so a case number from another section reveals nothing).
The core still decides every action (:func:`onewindow.lifecycle.refusal`); these checks only keep
people off pages that are not theirs.
"""

from __future__ import annotations

from litestar import Request

from onewindow import lifecycle
from onewindow.case import Actor, Case, Role
from onewindow.errors import NotFound
from onewindow.labels import ROLE_LABELS
from onewindow.services import Hall

from .auth import current_actor
from .errors import PageForbidden, PageNotFound

# Who may look at the seal ledger (行政审批专用章使用台账), and who may pick any section's.
LEDGER_ROLES = frozenset({Role.APPROVER, Role.SECTION_HEAD, Role.SUPERVISION})
LEDGER_ANY_SECTION = frozenset({Role.SUPERVISION})  # heads sign their own section's only


def actor_of(request: Request) -> Actor:
    actor = current_actor(request)
    assert actor is not None  # the app-wide guard let the request in
    return actor


def require_role(request: Request, *roles: Role) -> Actor:
    """The signed-in actor, if their role is one of ``roles``; otherwise a 403 page."""
    actor = actor_of(request)
    if actor.role not in roles:
        raise PageForbidden(detail=f"{ROLE_LABELS[actor.role]}不能使用此功能")
    return actor


def visible_case(hall: Hall, actor: Actor, number: str) -> Case:
    """The case ``number`` if ``actor`` may see it; a 404 page otherwise (also if it is missing)."""
    try:
        case = hall.get_case(number)
    except NotFound:
        raise PageNotFound(detail=f"没有编号为 {number} 的办件") from None
    if not lifecycle.may_view(case, actor):
        raise PageNotFound(detail=f"没有编号为 {number} 的办件")
    return case
