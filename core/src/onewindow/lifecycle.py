"""The case lifecycle: one explicit state machine, and every rule of the hall in one place.

    consultation ──take_in──▶ taken_in ──accept──▶ accepted ──approve──▶ approved ──issue──▶ issued
        │  ▲                     │                  │  ▲   └──deny──▶ denied                  │
      notify│                  return          request_supplement │                          close
        ▼  │                     ▼                  ▼  │supply (all in)                     ▼
      notified ──take_in──▶   returned           suspended                                closed
    halt: taken_in / accepted / suspended / approved ──▶ halted ──resume──▶ (where it was)
                                                              └──refuse──▶ denied
    withdraw: anything before a decision ──▶ withdrawn
    record_transfer: consultation ──▶ approved (an approval given on a dedicated network,
        recorded by the window from the section's transfer form; issued here as usual)

The web layer asks :func:`allowed_actions` which buttons to draw and calls :func:`apply`; a
refused action raises :class:`TransitionRefused` naming the case, its state, the reason and the
actions that are allowed. Nothing here touches storage: :mod:`onewindow.services` persists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from attrs import evolve, frozen

from .case import (
    Actor,
    Case,
    CaseEvent,
    DeferralMark,
    LookupRecord,
    ReviewOutcome,
    Role,
    State,
    Supplement,
    TransferForm,
    mask_identifiers,
)
from .catalogue import ApprovalItem, DeferralKind
from .errors import TransitionRefused
from .labels import ROLE_LABELS
from .workdays import add_working_days

S = State
OPEN_BEFORE_DECISION = frozenset({S.CONSULTATION, S.NOTIFIED, S.TAKEN_IN, S.ACCEPTED,
                                  S.SUSPENDED})
IN_BACK_OFFICE = frozenset({S.TAKEN_IN, S.ACCEPTED, S.SUSPENDED, S.APPROVED})
AT_WINDOW = frozenset({S.CONSULTATION, S.NOTIFIED})
SECTION_STAFF = frozenset({Role.APPROVER, Role.SECTION_HEAD})


@frozen
class Action:
    """One thing a role may do to a case. ``target`` None keeps the state (an activity)."""

    name: str
    label: str  # what the button says, zh-CN
    sources: frozenset[State]
    roles: frozenset[Role]
    target: State | None = None
    needs_reason: bool = False


def _action(name, label, sources, roles, target=None, needs_reason=False) -> Action:
    return Action(name, label, frozenset(sources), frozenset(roles), target, needs_reason)


ACTIONS: dict[str, Action] = {a.name: a for a in (
    _action("review", "形式审查", AT_WINDOW, {Role.WINDOW_STAFF}),
    _action("defer", "容缺", AT_WINDOW, {Role.WINDOW_STAFF}),
    _action("lookup", "专网查询", AT_WINDOW | IN_BACK_OFFICE,
            {Role.WINDOW_STAFF} | SECTION_STAFF),
    _action("take_in", "接件", AT_WINDOW, {Role.WINDOW_STAFF}, S.TAKEN_IN),
    _action("notify", "出具一次性告知书", AT_WINDOW, {Role.WINDOW_STAFF}, S.NOTIFIED),
    _action("accept", "受理", {S.TAKEN_IN}, SECTION_STAFF, S.ACCEPTED),
    _action("return", "退回", {S.TAKEN_IN}, SECTION_STAFF, S.RETURNED, needs_reason=True),
    _action("request_supplement", "要求补正", {S.ACCEPTED}, SECTION_STAFF, S.SUSPENDED,
            needs_reason=True),
    _action("supply", "补正材料上传", {S.TAKEN_IN, S.ACCEPTED, S.SUSPENDED, S.APPROVED},
            {Role.WINDOW_STAFF}),
    _action("approve", "准予许可", {S.ACCEPTED}, SECTION_STAFF, S.APPROVED),
    _action("deny", "不予许可", {S.ACCEPTED}, SECTION_STAFF, S.DENIED, needs_reason=True),
    _action("issue", "发证", {S.APPROVED}, {Role.ISSUANCE}, S.ISSUED),
    _action("close", "办结", {S.ISSUED, S.DENIED}, {Role.ISSUANCE}, S.CLOSED),
    _action("halt", "中止办理", IN_BACK_OFFICE, {Role.SUPERVISION, Role.SECTION_HEAD}, S.HALTED,
            needs_reason=True),
    _action("resume", "复核通过，恢复办理", {S.HALTED}, {Role.SECTION_HEAD}, needs_reason=True),
    _action("refuse", "复核不通过，不予许可", {S.HALTED}, {Role.SECTION_HEAD}, S.DENIED,
            needs_reason=True),
    # an approval given end to end on a dedicated network, recorded from its transfer form
    _action("record_transfer", "录入专网审批结果", {S.CONSULTATION}, {Role.WINDOW_STAFF},
            S.APPROVED),
    _action("withdraw", "撤回申请", OPEN_BEFORE_DECISION, {Role.WINDOW_STAFF}, S.WITHDRAWN,
            needs_reason=True),
)}


def item_of(case: Case) -> ApprovalItem:
    """The catalogue entry exactly as the case was opened under it."""
    from .catalogue_file import structure_item

    return structure_item(dict(case.item_snapshot))


def applicable_materials(case: Case, item: ApprovalItem):
    return [m for m in item.materials if case.applicant.kind in m.applicant_kinds]


@frozen
class Deficiency:
    """One line of a one-time notice. ``blocking`` ones (hard requirements) stop intake."""

    material: str
    point: str
    text: str
    blocking: bool


def find_deficiencies(case: Case, item: ApprovalItem | None = None) -> list[Deficiency]:
    """Everything wrong with the materials, for the one-time notice (一次性告知书).

    Blocking: a hard point failed, or not yet checked on a required material, unless the
    material is deferred (容缺). Not blocking: a failed advice point (建议), listed so the notice
    tells the applicant everything at once, but never a reason to turn them away.
    """
    item = item or item_of(case)
    found: list[Deficiency] = []
    for material in applicable_materials(case, item):
        deferred = case.deferral(material.code) is not None
        for point in material.review_points:
            mark = case.review(material.code, point.code)
            if mark is not None and mark.outcome is ReviewOutcome.FAILED:
                if deferred and point.is_hard:
                    continue
                found.append(Deficiency(material.code, point.code,
                                        f"{material.name}：{point.text}——{mark.reason}",
                                        point.is_hard))
            elif mark is None and point.is_hard and material.required and not deferred:
                found.append(Deficiency(material.code, point.code,
                                        f"{material.name}：{point.text}——未审查", True))
    return found


def deficiencies(case: Case, item: ApprovalItem | None = None) -> list[str]:
    """The notice's lines: every deficiency, blocking or not."""
    return [d.text for d in find_deficiencies(case, item)]


Guard = Callable[[Case, Actor, Mapping[str, Any], dt.datetime], str | None]


def _guard_section(case: Case, actor: Actor) -> str | None:
    if actor.role in SECTION_STAFF and actor.section != case.section:
        return f"该办件不属于{actor.display_name or actor.username}所在科室"
    return None


def _guard_take_in(case, actor, params, at):
    blocking = [d.text for d in find_deficiencies(case) if d.blocking]
    if blocking:
        return "尚有未通过或未审查的硬性要求：" + "；".join(blocking)
    return None


def _guard_notify(case, actor, params, at):
    if not find_deficiencies(case):
        return "没有不通过的审查要点，无需出具一次性告知书，应直接接件"
    return None


def _guard_decision(case, actor, params, at):
    waiting = case.outstanding(DeferralKind.AT_ACCEPTANCE)
    if waiting:
        return "容缺受理的材料尚未补齐：" + "、".join(d.material for d in waiting)
    return None


def _guard_issue(case, actor, params, at):
    waiting = [d for d in case.deferrals if d.outstanding]
    if waiting:
        return "容缺发证的材料尚未补齐：" + "、".join(d.material for d in waiting)
    return None


def _guard_review(case, actor, params, at):
    item = item_of(case)
    for mark in params.get("marks", ()):
        try:
            material = item.material(mark.material)
        except KeyError:
            return f"本事项没有材料 {mark.material}"
        if mark.point not in {p.code for p in material.review_points}:
            return f"材料 {material.name} 没有审查要点 {mark.point}"
        if mark.outcome is ReviewOutcome.FAILED and not mark.reason.strip():
            return f"{material.name}：不通过的要点必须写明原因"
    return None


def _guard_defer(case, actor, params, at):
    item = item_of(case)
    code = params.get("material", "")
    try:
        material = item.material(code)
    except KeyError:
        return f"本事项没有材料 {code}"
    if material.deferral is None:
        return f"{material.name}不可容缺"
    due: dt.date = params["due_date"]
    latest = add_working_days(at.date(), material.deferral.max_days)
    if due <= at.date():
        return "补正期限必须晚于今天"
    if due > latest:
        return (f"{material.name}最多容缺{material.deferral.max_days}个工作日，"
                f"补正期限不得晚于{latest.isoformat()}")
    if material.deferral.commitment_required and not params.get("commitment_signed"):
        return f"{material.name}容缺须由申请人签署告知承诺书"
    return None


def _guard_supply(case, actor, params, at):
    code = params.get("material", "")
    supplement = params.get("supplement")
    if not isinstance(supplement, Supplement) or supplement.material != code:
        return "补正材料与所选材料不一致"
    if not any(d.material == code and d.outstanding for d in case.deferrals):
        return f"材料 {code} 不在待补正清单中"
    return None


def returned_points(case: Case, codes) -> list[str]:
    """The ``material/point`` codes a return names, as notice lines; ValueError if unknown."""
    item = item_of(case)
    lines = []
    for code in codes:
        material_code, _, point_code = str(code).partition("/")
        try:
            material = item.material(material_code)
        except KeyError:
            raise ValueError(f"本事项没有材料 {material_code}") from None
        point = next((p for p in material.review_points if p.code == point_code), None)
        if point is None:
            raise ValueError(f"材料 {material.name} 没有审查要点 {point_code}")
        lines.append(f"{material.name}：{point.text}")
    return lines


def _guard_return(case, actor, params, at):
    points = params.get("points") or ()
    if not points:
        return "退回必须指明不符合的审查要点"
    try:
        returned_points(case, points)
    except ValueError as exc:
        return str(exc)
    return None


def _guard_request_supplement(case, actor, params, at):
    item = item_of(case)
    materials = params.get("materials") or ()
    if not materials:
        return "请选择需要补正的材料"
    for code in materials:
        try:
            item.material(code)
        except KeyError:
            return f"本事项没有材料 {code}"
    if params.get("due_date") is None or params["due_date"] <= at.date():
        return "补正期限必须晚于今天"
    return None


def _guard_lookup(case, actor, params, at):
    record = params.get("record")
    if not isinstance(record, LookupRecord):
        return "缺少查询记录"
    return None


def _guard_record_transfer(case, actor, params, at):
    form = params.get("transfer")
    if not isinstance(form, TransferForm):
        return "缺少专网审批事项信息转交表"
    if form.recorded:
        return f"转交表 {form.number} 已于{form.recorded_at:%Y-%m-%d %H:%M}录入"
    if (form.item_code, form.section, form.applicant) != (case.item_code, case.section,
                                                           case.applicant):
        return f"转交表 {form.number} 与办件的事项或申请人不一致"
    if case.events and any(e.action != "open" for e in case.events):
        return "已在窗口办理的办件不能再录入专网审批结果"
    return None


GUARDS: dict[str, Guard] = {
    "review": _guard_review,
    "defer": _guard_defer,
    "lookup": _guard_lookup,
    "take_in": _guard_take_in,
    "notify": _guard_notify,
    "approve": _guard_decision,
    "deny": _guard_decision,
    "issue": _guard_issue,
    "supply": _guard_supply,
    "return": _guard_return,
    "request_supplement": _guard_request_supplement,
    "record_transfer": _guard_record_transfer,
}


def refusal(case: Case, actor: Actor, name: str, params: Mapping[str, Any] | None = None,
            at: dt.datetime | None = None, reason: str = "",
            check_guard: bool = True) -> str | None:
    """Why ``actor`` may not do ``name`` to ``case`` now, or None when the action is allowed."""
    action = ACTIONS.get(name)
    if action is None:
        return f"没有名为 {name} 的操作"
    if case.state not in action.sources:
        return f"办件当前状态不允许{action.label}"
    if actor.role not in action.roles:
        return f"{ROLE_LABELS[actor.role]}不能{action.label}"
    wrong_section = _guard_section(case, actor)
    if wrong_section:
        return wrong_section
    if action.needs_reason and check_guard and not reason.strip():
        return f"{action.label}必须写明理由"
    guard = GUARDS.get(name)
    if guard is not None and check_guard:
        try:
            return guard(case, actor, params or {}, at or dt.datetime.now())
        except (KeyError, TypeError, AttributeError) as exc:
            return f"{action.label}缺少或含有错误的参数：{exc}"
    return None


def already_done(case: Case, name: str, display: Callable[[str], str] = str) -> str | None:
    """When ``name`` is refused because someone moved the case on from a state that allowed
    it, what they did: "该办件已由 王某 受理，不能再退回" (``display`` turns a username into a
    name). None when the refusal has another cause."""
    action = ACTIONS.get(name)
    if action is None or case.state in action.sources:
        return None
    moved = next((e for e in reversed(case.events)
                  if e.before != e.after and e.action in ACTIONS), None)
    if moved is None or moved.before not in action.sources:
        return None
    return f"该办件已由 {display(moved.actor)} {ACTIONS[moved.action].label}，不能再{action.label}"


def may_view(case: Case, actor: Actor) -> bool:
    """Approvers and section heads see their own section's cases; every other role sees all."""
    return actor.role not in SECTION_STAFF or actor.section == case.section


def may_open(actor: Actor) -> str | None:
    """Why ``actor`` may not open a case at the intake window, or None: only window staff do."""
    if actor.role is not Role.WINDOW_STAFF:
        return f"只有大厅服务人员可以在窗口接件，{ROLE_LABELS[actor.role]}不能"
    return None


def allowed_actions(case: Case, actor: Actor) -> list[str]:
    """The actions whose state, role and section fit; what buttons a page may draw.

    Guards that depend on input (a deferral's due date, a reason) are checked at :func:`apply`.
    """
    return [name for name in ACTIONS if refusal(case, actor, name, check_guard=False) is None]


def apply(case: Case, actor: Actor, name: str, *, at: dt.datetime, reason: str = "",
          params: Mapping[str, Any] | None = None) -> tuple[Case, CaseEvent]:
    """Do ``name`` to ``case`` as ``actor``; return the new case and the event to record.

    Raises :class:`TransitionRefused` when any rule forbids it.
    """
    params = dict(params or {})
    why = refusal(case, actor, name, params, at, reason)
    if why is not None:
        raise TransitionRefused(case.number, case.state.value, name, why,
                                allowed_actions(case, actor))
    action = ACTIONS[name]
    target = action.target or case.state
    changes: dict[str, Any] = {}
    data: dict[str, Any] = {}

    if name == "review":
        marks = {(m.material, m.point): m for m in case.reviews}
        for mark in params["marks"]:  # a reason belongs to a failed point only
            if mark.outcome is not ReviewOutcome.FAILED and mark.reason:
                mark = evolve(mark, reason="")
            marks[(mark.material, mark.point)] = mark
        changes["reviews"] = tuple(marks.values())
        data["marks"] = [[m.material, m.point, m.outcome.value, m.reason]
                         for m in params["marks"]]
    elif name == "defer":
        material = item_of(case).material(params["material"])
        mark = DeferralMark(material=material.code, kind=material.deferral.kind,
                            due_date=params["due_date"],
                            commitment_signed=bool(params.get("commitment_signed")))
        changes["deferrals"] = tuple(d for d in case.deferrals
                                     if d.material != mark.material or d.requested) + (mark,)
        data.update(material=mark.material, kind=mark.kind.value,
                    due_date=mark.due_date.isoformat(), commitment_signed=mark.commitment_signed)
    elif name == "lookup":
        record: LookupRecord = params["record"]
        changes["lookups"] = case.lookups + (record,)
        data.update(network=record.network, params=mask_identifiers(record.params),
                    status=record.status, answer_hash=record.answer_hash)
    elif name == "notify":  # the notice is frozen here: its hash is printed on it
        data["deficiencies"] = deficiencies(case)
        data["repeat"] = case.notices_issued > 0  # a breach of one-time notification
        data["notice_hash"] = hashlib.sha256(json.dumps(
            [case.number, case.item_code, case.item_version, at.isoformat(),
             data["deficiencies"]], ensure_ascii=False).encode("utf-8")).hexdigest()
        changes["notices_issued"] = case.notices_issued + 1
    elif name == "request_supplement":
        marks = tuple(DeferralMark(material=code, kind=DeferralKind.AT_ACCEPTANCE,
                                   due_date=params["due_date"], requested=True)
                      for code in params["materials"])
        changes["deferrals"] = case.deferrals + marks
        data.update(materials=list(params["materials"]), due_date=params["due_date"].isoformat())
    elif name == "supply":
        supplement: Supplement = params["supplement"]
        changes["supplements"] = case.supplements + (supplement,)
        changes["deferrals"] = tuple(
            evolve(d, supplied_at=at) if d.material == supplement.material and d.outstanding else d
            for d in case.deferrals)
        data.update(material=supplement.material, filename=supplement.filename,
                    sha256=supplement.sha256, size=supplement.size)
        if case.state is S.SUSPENDED and not any(
                d.requested and d.outstanding for d in changes["deferrals"]):
            target = S.ACCEPTED
    elif name == "return":  # counts against intake success; names what the window missed
        data["points"] = list(params["points"])
        data["deficiencies"] = returned_points(case, params["points"])
    elif name == "record_transfer":  # the section's approval on its network, now traced here
        form: TransferForm = params["transfer"]
        data.update(transfer=form.number, form_date=form.form_date.isoformat(),
                    approved_by=form.filled_by, filled_at=form.filled_at.isoformat(),
                    content_hash=form.content_hash)
    elif name == "halt":
        changes["state_before_halt"] = case.state
    elif name == "resume":
        target = case.state_before_halt or S.TAKEN_IN
        changes["state_before_halt"] = None

    event = CaseEvent(case_number=case.number, action=name, actor=actor.username,
                      role=actor.role, at=at, before=case.state, after=target,
                      reason=reason.strip(), data=data)
    new_case = case.evolve(state=target, events=case.events + (event,), **changes)
    return new_case, event
