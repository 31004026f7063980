"""Everything the case page shows, read once from the case: no queries from the template.

The page is a clerk's worksheet (the checklist, deferrals, look-ups, supplements) and a record
(notices, events). Which forms appear follows :func:`onewindow.lifecycle.allowed_actions`: the
page never offers what the core would refuse for the actor's role, state or section.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from attrs import frozen

from onewindow.case import (
    SECTION_BOUND_ROLES,
    Actor,
    Case,
    CaseEvent,
    DeferralMark,
    LookupRecord,
    Role,
    mask_identifiers,
)
from onewindow.catalogue import ApprovalItem, Material
from onewindow.lifecycle import (
    ACTIONS,
    AT_WINDOW,
    allowed_actions,
    applicable_materials,
    find_deficiencies,
    item_of,
)
from onewindow.lookups import LookupParam
from onewindow.services import Hall
from onewindow.workdays import add_working_days

from . import documents

# Actions with a form of their own on the page, not a button in the action bar.
# record_transfer is done from the transfer form's page (/transfers), never as a case button.
WORKSHEET_ACTIONS = frozenset({"review", "defer", "lookup", "supply", "record_transfer"})
# Applicant fields a look-up form may be filled in from (never the raw ID number).
PREFILL_FIELDS = ("credit_code", "name", "legal_representative", "social_organisation_name",
                  "phone")
RECORD_FIELDS_SHOWN = 6
# Events on a case's trail that are not lifecycle actions (their labels come from ACTIONS).
EVENT_LABELS = {"open": "新建办件", "joint_review_call": "呼叫审批人员共同形式审查",
                "joint_review_answer": "审批人员响应共同形式审查",
                "point_unclear": "报告审查要点不清"}


@frozen
class LookupPanel:
    network: str
    title: str
    purpose: str
    material: str
    params: tuple[LookupParam, ...]
    prefill: Mapping[str, str]
    records: tuple[LookupRecord, ...]
    available: bool


@frozen
class Notice:
    """A one-time notice (一次性告知书) or a return: its lines and the hash printed on it."""

    event: CaseEvent
    lines: tuple[str, ...]
    notice_hash: str


# The registries' common field names, as the domain names them (like onewindow.labels: the
# same in every interface language). A field not listed here is shown by its own name.
RECORD_FIELD_LABELS = {
    "credit_code": "统一社会信用代码", "name": "名称", "legal_representative": "法定代表人",
    "status": "状态", "type": "类型", "established": "成立日期", "address": "住所",
    "registered_capital": "注册资本", "certificate_number": "证书编号",
    "project_code": "项目代码", "project_name": "项目名称", "unit_name": "单位名称",
    "licence_no": "许可证编号", "permit_number": "许可证编号", "parcel_code": "地块编码",
    "valid_until": "有效期至", "issuing_authority": "发证机关",
}
# What identifies the record comes first, then who it belongs to and its standing.
RECORD_FIELD_ORDER = ("credit_code", "certificate_number", "project_code", "parcel_code",
                      "licence_no", "permit_number", "name", "project_name", "unit_name",
                      "legal_representative", "status", "type", "valid_until")


def record_fields(record: LookupRecord) -> list[tuple[str, Any]]:
    """The key fields of a network's answer (labelled), with any resident ID number masked."""
    values = mask_identifiers(record.record)
    rank = {name: i for i, name in enumerate(RECORD_FIELD_ORDER)}
    names = sorted(values, key=lambda n: (rank.get(n, len(rank)), n))[:RECORD_FIELDS_SHOWN]
    return [(RECORD_FIELD_LABELS.get(n, n), values[n]) for n in names]


def masked_params(record: LookupRecord) -> dict[str, Any]:
    return mask_identifiers(record.params)


def field_id(form: str, field: str = "") -> str:
    """An HTML id for a form's field (codes may hold ``/`` and ``:``; ids keep it simple)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", f"{form}--{field}" if field else form)


def event_label(action: str) -> str:
    found = ACTIONS.get(action)
    return found.label if found else EVENT_LABELS.get(action, action)


def _lookup_panels(hall: Hall, case: Case, item: ApprovalItem) -> list[LookupPanel]:
    panels = []
    for use in item.lookups:
        adapter = hall.registry.lookups.get(use.network)
        params = tuple(adapter.params) if adapter else ()
        prefill = {p.name: str(getattr(case.applicant, p.name, "") or "")
                   for p in params if p.name in PREFILL_FIELDS}
        panels.append(LookupPanel(
            network=use.network, title=adapter.title if adapter else use.network,
            purpose=use.purpose, material=use.material, params=params, prefill=prefill,
            records=tuple(r for r in case.lookups if r.network == use.network),
            available=adapter is not None))
    return panels


def _notices(case: Case) -> list[Notice]:
    return [Notice(e, tuple(e.data.get("deficiencies", ())), str(e.data.get("notice_hash", "")))
            for e in case.events if e.action in ("notify", "return")]


def _deferral_of(case: Case, material: str) -> DeferralMark | None:
    """The material's newest mark, window deferral or section request alike."""
    marks = [d for d in case.deferrals if d.material == material]
    return marks[-1] if marks else None


def call_panel(hall: Hall, case: Case, actor: Actor) -> dict[str, Any]:
    """What ``cases/_calls.html`` shows: the case's joint-review calls (共同形式审查) and
    whether ``actor`` may call (the window, while the case is there) or answer (its section)."""
    calls = hall.calls.for_case(case.number)
    waiting = any(c.waiting for c in calls)
    return {
        "calls": calls,
        "call_waiting": waiting,
        "may_call": actor.role is Role.WINDOW_STAFF and case.state in AT_WINDOW and not waiting,
        "may_answer": actor.role in SECTION_BOUND_ROLES and actor.section == case.section,
        "now": hall.clock(),
    }


def case_context(hall: Hall, case: Case, actor: Actor) -> dict[str, Any]:
    """The template context of ``cases/case.html`` for ``actor``."""
    item = item_of(case)
    materials: list[Material] = applicable_materials(case, item)
    allowed = allowed_actions(case, actor)
    buttons = [ACTIONS[name] for name in allowed if name not in WORKSHEET_ACTIONS]
    outstanding = [d for d in case.deferrals if d.outstanding]
    deferrable = [m for m in materials if m.deferral is not None]
    today = hall.clock().date()
    return {
        "case": case,
        "item": item,
        "section": hall.catalogue.sections.get(case.section),
        "materials": materials,
        "material_names": {m.code: m.name for m in item.materials},
        "deadline": hall.deadline(case),
        "checks": hall.checks_for(case),
        "allowed": allowed,
        "buttons": buttons,
        "deferrable": deferrable,
        # a deferral's due date: from tomorrow to the last working day the catalogue allows
        "defer_earliest": today + dt.timedelta(days=1),
        "defer_latest": {m.code: add_working_days(today, m.deferral.max_days)
                         for m in deferrable if m.deferral is not None},
        "deferral_of": {m.code: _deferral_of(case, m.code) for m in materials},
        "outstanding": outstanding,
        "deficiencies": find_deficiencies(case, item),
        "notices": _notices(case),
        "documents": documents.available(case),
        "lookup_panels": _lookup_panels(hall, case, item),
        "review_points": [(m, p) for m in materials for p in m.review_points],
        "point_texts": {f"{m.code}/{p.code}": p.text for m in item.materials
                        for p in m.review_points},
        "events": list(case.events),
        "event_label": event_label,
        **call_panel(hall, case, actor),
        # earlier one-time notices to this applicant for this item (repeat visits)
        "visits": hall.inquiries.earlier_notices(case),
        "reported_points": hall.problems.reported_points(case.number, actor.username),
        "field_id": field_id,
        "record_fields": record_fields,
        "masked_params": masked_params,
    }
