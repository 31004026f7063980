"""The seal ledger (行政审批专用章使用台账): every use of a section's approval seal.

Each issuance writes one entry (see ``Hall.act``). Approvers and section heads (who sign it
weekly) read their own section's ledger; the supervision section, which audits every section's
ledger against the cases' traces, may choose a section.
"""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from onewindow.services import Hall

from ..access import LEDGER_ANY_SECTION, LEDGER_ROLES, require_role
from ..errors import PageForbidden, PageNotFound
from ..templating import page


@get("/seal-ledger", name="seal_ledger", sync_to_thread=True)
def seal_ledger(request: Request, hall: NamedDependency[Hall],
                section: FromQuery[str] = "") -> Template:
    actor = require_role(request, *LEDGER_ROLES)
    sections = sorted(hall.catalogue.sections.values(), key=lambda s: s.code)
    chosen = section.strip() or actor.section or ""
    if actor.role not in LEDGER_ANY_SECTION and chosen != actor.section:
        raise PageForbidden(detail="只能查看本科室的用章台账")
    if section.strip() and chosen not in hall.catalogue.sections:
        raise PageNotFound(detail=f"没有编码为 {chosen} 的审批业务科")
    rows = hall.seal_ledger(chosen) if chosen else []
    return page(request, "ledger/ledger.html", rows=rows, sections=sections, chosen=chosen,
                section=hall.catalogue.sections.get(chosen),
                may_choose=actor.role in LEDGER_ANY_SECTION)
