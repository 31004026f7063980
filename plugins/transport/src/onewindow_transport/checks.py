"""Automatic checks against the road-transport network (全国道路运输市场信用信息管理系统).

The window compares the operator with the 道路运输经营许可证 record, reads its status, expiry
date and business scope (经营范围). Code does the comparison; the clerk sees the verdict next to
the review point. An answer a check cannot give is UNKNOWN, never PASSED.
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

ROAD_TRANSPORT = "road-transport"

_VALID_WORDS = ("有效", "正常", "营业")
_REVOKED_WORDS = ("吊销", "撤销")
_ENDED_WORDS = ("注销", "过期", "失效", "终止")
# Scope wordings (经营范围) that allow a goods vehicle to be given a 道路运输证.
FREIGHT_SCOPES = ("道路普通货物运输", "货物专用运输", "大型物件运输")

_NOT_QUERIED = "请先查询全国道路运输市场信用信息管理系统，再进行自动核验"


def today() -> dt.date:
    """The day checks judge validity on; a function so tests can fix the date."""
    return dt.date.today()


def freight_scopes(record: Mapping[str, Any]) -> list[str]:
    """The freight wordings found in the record's business scope."""
    scope = str(record.get("business_scope") or "")
    return [word for word in FREIGHT_SCOPES if word in scope]


def _foreign_record(context: CheckContext, record: Mapping[str, Any]) -> CheckOutcome | None:
    """UNKNOWN when the record found belongs to another operator than the applicant."""
    applicant_code = normalise_code(context.applicant.get("credit_code"))
    record_code = normalise_code(record.get("credit_code"))
    if applicant_code and record_code and applicant_code != record_code:
        return CheckOutcome(
            CheckVerdict.UNKNOWN,
            f"查询记录的统一社会信用代码{record_code}不是申请人的（{applicant_code}），"
            "请按申请人统一社会信用代码重新查询",
        )
    return None


def operator_identity_matches(context: CheckContext) -> CheckOutcome:
    """The applicant's name and credit code equal the licence holder's (持证业户)."""
    record = found_record(context, ROAD_TRANSPORT)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    holder = compare_holder(context, record)
    return holder.outcome(
        missing="申请人信息未填写业户名称或统一社会信用代码，无法比对",
        code_mismatch=f"统一社会信用代码{holder.applicant_code}与持证业户的"
                      f"{record.get('credit_code')}不一致",
        name_mismatch=f"业户名称“{holder.raw_name}”与持证业户“{record.get('name')}”不一致",
        passed=f"与许可证{record.get('licence_no', '')}持证业户一致（{record.get('name')}）",
    )


def operator_licence_valid(context: CheckContext) -> CheckOutcome:
    """The licence is 有效 in the record and today is not after its valid_until."""
    record = found_record(context, ROAD_TRANSPORT)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    foreign = _foreign_record(context, record)
    if foreign:
        return foreign
    status = str(record.get("status") or "").strip()
    licence = record.get("licence_no", "")
    kind = classify_status(status, {"revoked": _REVOKED_WORDS, "ended": _ENDED_WORDS,
                                    "valid": _VALID_WORDS})
    if kind in ("revoked", "ended"):
        return CheckOutcome(CheckVerdict.FAILED,
                            f"道路运输经营许可证{licence}状态为“{status}”，不予配发道路运输证")
    if kind != "valid":
        return unclear_status(status, "许可证")
    valid_until = parse_date(record.get("valid_until"))
    if valid_until is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, "查询记录未载明有效期，请人工核实")
    if valid_until < today():
        return CheckOutcome(CheckVerdict.FAILED,
                            f"道路运输经营许可证{licence}有效期至{valid_until.isoformat()}，已过期")
    return CheckOutcome(CheckVerdict.PASSED,
                        f"许可证状态为“{status}”，有效期至{valid_until.isoformat()}")


def freight_scope_covers(context: CheckContext) -> CheckOutcome:
    """The licence's business scope allows goods transport (经营范围含货运)."""
    record = found_record(context, ROAD_TRANSPORT)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    foreign = _foreign_record(context, record)
    if foreign:
        return foreign
    scope = str(record.get("business_scope") or "").strip()
    if not scope:
        return CheckOutcome(CheckVerdict.UNKNOWN, "查询记录未载明经营范围，请人工核实")
    found = freight_scopes(record)
    if not found:
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"许可证经营范围为“{scope}”，不含货物运输，不能为货运车辆配发道路运输证；"
            "须先申请道路货物运输经营许可")
    return CheckOutcome(CheckVerdict.PASSED, f"经营范围含{'、'.join(found)}")


def no_freight_licence_held(context: CheckContext) -> CheckOutcome:
    """For a freight licence: the applicant holds no valid licence that already allows goods."""
    record = found_record(context, ROAD_TRANSPORT)
    if record is None:
        return CheckOutcome(
            CheckVerdict.UNKNOWN,
            "未查询到该申请人的许可证记录或尚未查询；专网答复“无此记录”的，由窗口人工确认通过")
    foreign = _foreign_record(context, record)
    if foreign:
        return foreign
    status = str(record.get("status") or "").strip()
    licence = record.get("licence_no", "")
    kind = classify_status(status, {"revoked": _REVOKED_WORDS, "valid": _VALID_WORDS})
    if kind == "revoked":
        return CheckOutcome(CheckVerdict.UNKNOWN,
                            f"申请人原许可证{licence}状态为“{status}”，请审批人员研判能否重新申请")
    valid_until = parse_date(record.get("valid_until"))
    still_valid = kind == "valid" and (valid_until is None or valid_until >= today())
    if not still_valid:
        return CheckOutcome(CheckVerdict.PASSED,
                            f"申请人原许可证{licence}已失效（{status or '已过有效期'}），可以重新申请")
    if freight_scopes(record):
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"申请人已持有含货运经营范围的有效许可证{licence}，不得重复许可；"
            "增加车辆的办理道路运输证配发")
    return CheckOutcome(
        CheckVerdict.PASSED,
        f"申请人持有许可证{licence}（{record.get('business_scope')}），"
        "本次在原证上增加货运经营范围")


def material_checks() -> list[MaterialCheck]:
    """Every automatic check of the section, each tied to one review point in catalogue.toml."""
    targets = [
        (no_freight_licence_held, "tra-freight-licence", "application", "no-existing-licence"),
        (operator_identity_matches, "tra-vehicle-permit", "operator-licence",
         "holder-matches-network"),
        (operator_licence_valid, "tra-vehicle-permit", "operator-licence", "licence-valid"),
        (freight_scope_covers, "tra-vehicle-permit", "operator-licence", "scope-covers-freight"),
    ]
    return [MaterialCheck(item=item, material=material, point=point, run=run)
            for run, item, material, point in targets]
