"""Automatic checks against the spatial-planning system (国土空间规划“一张图”实施监督信息系统).

The window reads the parcel's record and compares it with the applicant and the item: who the
land user is (用地单位/用地人), which stage the parcel has reached (已供地, 已核发建设用地规划许可证,
…), whether it is frozen (规划冻结) or its permit revoked, whether it touches permanent basic
farmland (永久基本农田) or the ecological red line (生态保护红线), and whether the site-selection
opinion (用地预审与选址意见书, valid three years) is still valid. Each check advises; an answer
it cannot give is UNKNOWN, never PASSED.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from onewindow.checks import (
    CheckContext,
    CheckOutcome,
    CheckVerdict,
    MaterialCheck,
    found_record,
    normalise_code,
    normalise_name,
    parse_date,
)

SPATIAL_PLANNING = "spatial-planning"

FROZEN = "规划冻结"
REVOKED = "许可已撤销"
_BLOCKING_WORDS = ("冻结", "撤销")

SITE_SELECTED = "已核发用地预审与选址意见书"
SUPPLIED = "已供地"
LAND_USE_PERMITTED = "已核发建设用地规划许可证"
WORKS_PERMITTED = "已核发建设工程规划许可证"
HOMESTEAD_APPROVED = "宅基地已批准"

_NOT_QUERIED = "请先按地块编号查询国土空间规划“一张图”实施监督信息系统，再进行自动核验"


def _label(record: Mapping[str, Any]) -> str:
    return f"地块{record.get('parcel_code', '')}"


def _blocked(record: Mapping[str, Any]) -> CheckOutcome | None:
    """FAILED when the parcel is frozen or its permit revoked: nothing may be issued on it."""
    status = str(record.get("status") or "").strip()
    if any(word in status for word in _BLOCKING_WORDS):
        note = str(record.get("status_note") or "").strip()
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"{_label(record)}状态为“{status}”{('（' + note + '）') if note else ''}，"
            "不能核发规划许可",
        )
    return None


def _masked_id_matches(id_number: str, masked: str) -> bool:
    """``210311********2418`` matches an ID number with the same first six and last four."""
    id_number, masked = normalise_code(id_number), normalise_code(masked)
    if len(id_number) != 18 or len(masked) != 18:
        return False
    return all(m == "*" or m == c for m, c in zip(masked, id_number, strict=True))


def parcel_holder_matches(context: CheckContext) -> CheckOutcome:
    """The applicant is the parcel's land user: unit name and credit code, or a person's name
    and (masked) ID number."""
    record = found_record(context, SPATIAL_PLANNING)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    land_user = str(record.get("land_user") or "").strip()
    if not land_user:
        return CheckOutcome(CheckVerdict.UNKNOWN,
                            f"{_label(record)}尚未确定用地单位，请人工核对土地使用证明文件")
    applicant_name = normalise_name(context.applicant.get("name"))
    if not applicant_name:
        return CheckOutcome(CheckVerdict.UNKNOWN, "申请人信息未填写名称，无法比对")
    problems = []
    if applicant_name != normalise_name(land_user):
        problems.append(f"申请人“{context.applicant.get('name')}”与“一张图”记载的用地人"
                        f"“{land_user}”不一致")
    if context.applicant.get("kind") == "person":
        masked = str(record.get("land_user_id_masked") or "")
        id_number = str(context.applicant.get("id_number") or "")
        if not masked or not id_number:
            if not problems:
                return CheckOutcome(CheckVerdict.UNKNOWN, "缺少身份证号码，无法比对用地人身份")
        elif not _masked_id_matches(id_number, masked):
            problems.append("申请人身份证号码与“一张图”记载的用地人身份证号码不一致")
    else:
        applicant_code = normalise_code(context.applicant.get("credit_code"))
        record_code = normalise_code(record.get("land_user_credit_code"))
        if not applicant_code or not record_code:
            if not problems:
                return CheckOutcome(CheckVerdict.UNKNOWN, "缺少统一社会信用代码，无法比对用地单位")
        elif applicant_code != record_code:
            problems.append(f"统一社会信用代码{applicant_code}与用地单位代码{record_code}不一致")
    if problems:
        return CheckOutcome(CheckVerdict.FAILED, "；".join(problems))
    return CheckOutcome(CheckVerdict.PASSED, f"申请人为{_label(record)}的用地人（{land_user}）")


def parcel_status_in(allowed: tuple[str, ...], hints: Mapping[str, str] | None = None
                     ) -> Callable[[CheckContext], CheckOutcome]:
    """A check that the parcel stands at one of the ``allowed`` stages.

    Frozen (规划冻结) and revoked (许可已撤销) always fail; ``hints`` tell the window what to say
    for another stage (e.g. a permit already issued is not issued twice).
    """
    hints = dict(hints or {})

    def check(context: CheckContext) -> CheckOutcome:
        record = found_record(context, SPATIAL_PLANNING)
        if record is None:
            return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
        status = str(record.get("status") or "").strip()
        if not status:
            return CheckOutcome(CheckVerdict.UNKNOWN, f"{_label(record)}未载明审批状态，请人工核实")
        blocked = _blocked(record)
        if blocked:
            return blocked
        if status in allowed:
            return CheckOutcome(CheckVerdict.PASSED, f"{_label(record)}状态为“{status}”")
        hint = hints.get(status, "不具备申请本事项的条件，请核实地块审批进度")
        return CheckOutcome(CheckVerdict.FAILED, f"{_label(record)}状态为“{status}”，{hint}")

    check.__name__ = "parcel_status_in_" + "_".join(allowed)
    return check


def parcel_not_blocked(context: CheckContext) -> CheckOutcome:
    """The parcel is neither frozen (规划冻结) nor carrying a revoked permit."""
    record = found_record(context, SPATIAL_PLANNING)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    status = str(record.get("status") or "").strip()
    if not status:
        return CheckOutcome(CheckVerdict.UNKNOWN, f"{_label(record)}未载明审批状态，请人工核实")
    return _blocked(record) or CheckOutcome(CheckVerdict.PASSED,
                                            f"{_label(record)}状态为“{status}”，未冻结")


def outside_protected_zones(context: CheckContext) -> CheckOutcome:
    """The parcel touches neither permanent basic farmland nor the ecological red line."""
    record = found_record(context, SPATIAL_PLANNING)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    farmland = record.get("occupies_permanent_farmland")
    redline = record.get("in_ecological_redline")
    if not isinstance(farmland, bool) or not isinstance(redline, bool):
        return CheckOutcome(CheckVerdict.UNKNOWN,
                            f"{_label(record)}未载明永久基本农田、生态保护红线核验结果，请人工叠图核实")
    problems = []
    if farmland:
        problems.append("占用永久基本农田")
    if redline:
        problems.append("涉及生态保护红线")
    if problems:
        note = str(record.get("status_note") or "").strip()
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"{_label(record)}{'、'.join(problems)}{('（' + note + '）') if note else ''}；"
            "须符合法律法规允许的情形并附论证材料，否则不予受理",
        )
    return CheckOutcome(CheckVerdict.PASSED,
                        f"{_label(record)}不占用永久基本农田，不涉及生态保护红线")


def site_selection_valid(context: CheckContext, *, today: dt.date | None = None
                         ) -> CheckOutcome:
    """The parcel's 用地预审与选址意见书 is within its three-year validity on ``today``."""
    record = found_record(context, SPATIAL_PLANNING)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    number = str(record.get("site_selection_no") or "").strip()
    until = str(record.get("site_selection_valid_until") or "").strip()
    if not number or not until:
        if record.get("supply_method") == "出让":
            return CheckOutcome(CheckVerdict.UNKNOWN,
                                f"{_label(record)}以出让方式供地，不核发选址意见书，本要点不适用")
        return CheckOutcome(CheckVerdict.UNKNOWN,
                            f"{_label(record)}未记载用地预审与选址意见书，请人工核实")
    valid_until = parse_date(until)
    if valid_until is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, f"有效期“{until}”无法识别，请人工核实")
    today = today or dt.date.today()
    if today > valid_until:
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"用地预审与选址意见书{number}有效期至{valid_until.isoformat()}，已过期；"
            "须重新申请用地预审与选址意见书",
        )
    return CheckOutcome(CheckVerdict.PASSED,
                        f"用地预审与选址意见书{number}有效期至{valid_until.isoformat()}")


land_use_permit_stage = parcel_status_in(
    (SUPPLIED, SITE_SELECTED),
    {LAND_USE_PERMITTED: "已核发建设用地规划许可证，不得重复核发；内容变化的应申请变更",
     WORKS_PERMITTED: "已核发建设工程规划许可证，不得重复核发建设用地规划许可证",
     "规划储备": "尚未供地；出让用地须先签订出让合同，划拨用地须先取得用地预审与选址意见书"})
works_permit_stage = parcel_status_in(
    (LAND_USE_PERMITTED,),
    {WORKS_PERMITTED: "已核发建设工程规划许可证，同一工程不得重复核发；方案调整的应申请变更",
     SUPPLIED: "尚未核发建设用地规划许可证，应先申请建设用地规划许可证",
     SITE_SELECTED: "尚未核发建设用地规划许可证，应先申请建设用地规划许可证"})
rural_permit_stage = parcel_status_in(
    (HOMESTEAD_APPROVED,),
    {"已核发乡村建设规划许可证": "已核发乡村建设规划许可证，不得重复核发"})


def material_checks() -> list[MaterialCheck]:
    """Every automatic check of the section, each tied to one review point in catalogue.toml."""
    targets = [
        (outside_protected_zones, "plan-site-selection", "site-report", "farmland-redline"),
        (parcel_not_blocked, "plan-site-selection", "site-report", "parcel-not-frozen"),
        (parcel_holder_matches, "plan-land-use-permit", "application", "unit-consistent"),
        (land_use_permit_stage, "plan-land-use-permit", "land-supply-docs", "parcel-supplied"),
        (site_selection_valid, "plan-land-use-permit", "site-selection", "within-validity"),
        (parcel_holder_matches, "plan-engineering-permit", "application", "unit-consistent"),
        (works_permit_stage, "plan-engineering-permit", "land-proof", "land-use-permit-issued"),
        (parcel_holder_matches, "plan-rural-permit", "application", "applicant-is-land-user"),
        (rural_permit_stage, "plan-rural-permit", "homestead-proof", "parcel-approved"),
    ]
    return [MaterialCheck(item=item, material=material, point=point, run=run)
            for run, item, material, point in targets]
