"""Printable A4 documents of a case: the intake receipt, one-time notices, commitment letters.

Whoever may see the case page may print its documents (same 404 for another section's case);
a document that does not exist yet (a receipt before take-in) is a 404 too. A document that
:data:`onewindow.privacy.DOCUMENT_RULES` lets print a whole ID number is audited at each print.
"""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from onewindow import privacy
from onewindow.case import Case
from onewindow.services import Hall

from .. import documents
from ..access import actor_of, visible_case
from ..errors import PageNotFound
from ..templating import page


def _render(request: Request, hall: Hall, case: Case,
            document: documents.Document | None) -> Template:
    if document is None:
        raise PageNotFound(detail="该办件尚无此文书")
    if documents.shows_full_id(document, case):  # the rule lets it print a whole ID number
        privacy.record_full_disclosure(hall, actor_of(request), document.kind, case.number)
    return page(request, "cases/document.html", doc=document)


@get("/cases/{number:str}/print/receipt", name="print_receipt", sync_to_thread=True)
def print_receipt(request: Request, hall: NamedDependency[Hall], number: FromPath[str]) -> Template:
    case = visible_case(hall, actor_of(request), number)
    return _render(request, hall, case, documents.receipt(case))


@get("/cases/{number:str}/print/notice", name="print_notice", sync_to_thread=True)
def print_notice(request: Request, hall: NamedDependency[Hall], number: FromPath[str],
                 seq: FromQuery[int | None] = None) -> Template:
    case = visible_case(hall, actor_of(request), number)
    return _render(request, hall, case, documents.notice(case, seq))


@get("/cases/{number:str}/print/commitment/{material:str}", name="print_commitment",
     sync_to_thread=True)
def print_commitment(request: Request, hall: NamedDependency[Hall], number: FromPath[str],
                     material: FromPath[str]) -> Template:
    case = visible_case(hall, actor_of(request), number)
    return _render(request, hall, case, documents.commitment(case, material))
