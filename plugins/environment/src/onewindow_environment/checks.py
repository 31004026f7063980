"""Automatic checks against the pollutant discharge permit platform (全国排污许可证管理信息平台).

Whether an application was submitted on the platform, its management category (管理类别), and
whether a permit is the applicant's and still in force are facts the window would otherwise read
off the platform by eye. Each check advises; an answer it cannot give is UNKNOWN, never PASSED.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from onewindow.checks import (
    CheckContext,
    CheckOutcome,
    CheckVerdict,
    MaterialCheck,
    classify_status,
    compare_holder,
    found_record,
    normalise_code,
    parse_date,
    unclear_status,
)

POLLUTION_PERMIT = "pollution-permit"

# Management categories of 《固定污染源排污许可分类管理名录》.
KEY = "重点管理"
SIMPLIFIED = "简化管理"
REGISTRATION = "登记管理"

# Status wordings on the platform.
_IN_FORCE_WORDS = ("有效",)
_PENDING_WORDS = ("申请中", "待审核", "已提交", "审核中")
_ENDED_WORDS = ("撤销", "注销", "吊销", "过期", "失效", "届满")

_NOT_QUERIED = "请先查询全国排污许可证管理信息平台，再进行自动核验"


def _foreign_record(context: CheckContext, record: Mapping[str, Any]) -> CheckOutcome | None:
    """UNKNOWN when the record found belongs to another unit than the applicant."""
    applicant_code = normalise_code(context.applicant.get("credit_code"))
    record_code = normalise_code(record.get("credit_code"))
    if applicant_code and record_code and applicant_code != record_code:
        return CheckOutcome(
            CheckVerdict.UNKNOWN,
            f"查询记录的统一社会信用代码{record_code}不是申请单位的（{applicant_code}），"
            "请按申请单位统一社会信用代码重新查询",
        )
    return None


def permit_holder_matches(context: CheckContext) -> CheckOutcome:
    """The permit's holder (name and credit code) is the applicant."""
    record = found_record(context, POLLUTION_PERMIT)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    holder = compare_holder(context, record)
    return holder.outcome(
        missing="申请人信息未填写单位名称或统一社会信用代码，无法比对",
        code_mismatch=f"持证单位统一社会信用代码{record.get('credit_code')}与申请单位"
                      f"{holder.applicant_code}不一致",
        name_mismatch=f"持证单位“{record.get('name')}”与申请单位“{holder.raw_name}”名称不一致",
        passed=f"持证单位与申请单位一致（{record.get('name')}）",
    )


def permit_in_force(context: CheckContext, today: dt.date | None = None) -> CheckOutcome:
    """The applicant's permit is 有效 on the platform and its validity covers ``today``."""
    record = found_record(context, POLLUTION_PERMIT)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    foreign = _foreign_record(context, record)
    if foreign:
        return foreign
    today = today or dt.date.today()
    status = str(record.get("status") or "").strip()
    number = record.get("permit_number") or "（无编号）"
    kind = classify_status(status, {"pending": _PENDING_WORDS, "ended": _ENDED_WORDS,
                                    "in force": _IN_FORCE_WORDS})
    if kind == "pending":
        return CheckOutcome(CheckVerdict.FAILED,
                            f"平台显示排污许可申请“{status}”，尚未取得排污许可证")
    if kind == "ended":
        return CheckOutcome(CheckVerdict.FAILED, f"排污许可证{number}状态为“{status}”")
    if kind != "in force":
        return unclear_status(status, "许可证", source="平台记录")
    until = parse_date(record.get("valid_until"))
    if until is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, "平台记录未载明许可证有效期，请人工核实")
    if until < today:
        return CheckOutcome(CheckVerdict.FAILED,
                            f"排污许可证{number}有效期至{until.isoformat()}，已过期"
                            f"（核验日{today.isoformat()}），须申请重新核发")
    return CheckOutcome(CheckVerdict.PASSED,
                        f"排污许可证{number}状态有效，有效期至{until.isoformat()}")


def application_submitted(context: CheckContext) -> CheckOutcome:
    """The permit application was submitted on the platform and is awaiting review."""
    record = found_record(context, POLLUTION_PERMIT)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    foreign = _foreign_record(context, record)
    if foreign:
        return foreign
    status = str(record.get("status") or "").strip()
    # Not _ENDED_WORDS here: an ended permit is no application either (the last FAILED below).
    kind = classify_status(status, {"pending": _PENDING_WORDS, "in force": _IN_FORCE_WORDS})
    if kind == "missing":
        return CheckOutcome(CheckVerdict.UNKNOWN, "平台记录未载明状态，请人工核实")
    if kind == "pending":
        submitted = record.get("submitted_on") or "日期未载明"
        return CheckOutcome(CheckVerdict.PASSED,
                            f"平台显示{record.get('name', '')}已提交排污许可申请（{submitted}，"
                            f"状态“{status}”）；请核对纸质申请表与平台内容一致")
    if kind == "in force":
        return CheckOutcome(CheckVerdict.FAILED,
                            f"平台上未见待审核的申请：该单位已持有排污许可证"
                            f"{record.get('permit_number')}（状态“{status}”）；同一生产经营场所"
                            "应办理变更或延续，新的生产经营场所须先在平台提交申请")
    return CheckOutcome(CheckVerdict.FAILED,
                        f"平台上未见待审核的申请（该单位最新记录状态为“{status}”），"
                        "请申请单位先在全国排污许可证管理信息平台填报并提交")


def management_category_requires_permit(context: CheckContext) -> CheckOutcome:
    """The unit's category is 重点管理 or 简化管理; 登记管理 units file a registration instead."""
    record = found_record(context, POLLUTION_PERMIT)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    foreign = _foreign_record(context, record)
    if foreign:
        return foreign
    category = str(record.get("management_category") or "").strip()
    industry = record.get("industry") or "行业未载明"
    if category in (KEY, SIMPLIFIED):
        return CheckOutcome(CheckVerdict.PASSED, f"管理类别为{category}（{industry}）")
    if category == REGISTRATION:
        return CheckOutcome(CheckVerdict.FAILED,
                            f"管理类别为登记管理（{industry}），无需申请排污许可证，"
                            "应在全国排污许可证管理信息平台填报排污登记表")
    return CheckOutcome(CheckVerdict.UNKNOWN,
                        f"管理类别“{category or '未载明'}”无法识别，请对照分类管理名录人工核实")


def material_checks() -> list[MaterialCheck]:
    """Every automatic check of the section, each tied to one review point in catalogue.toml."""
    targets = [
        (permit_in_force, "env-eia-approval", "existing-permit", "permit-in-force"),
        (permit_holder_matches, "env-eia-approval", "existing-permit", "holder-matches"),
        (application_submitted, "env-pollution-permit", "application", "submitted-on-platform"),
        (management_category_requires_permit, "env-pollution-permit", "application",
         "management-category"),
        (permit_in_force, "env-hazardous-waste-licence", "pollution-permit", "permit-in-force"),
        (permit_holder_matches, "env-hazardous-waste-licence", "pollution-permit",
         "holder-matches"),
    ]
    return [MaterialCheck(item=item, material=material, point=point, run=run)
            for run, item, material, point in targets]
