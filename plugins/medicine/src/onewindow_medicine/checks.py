"""Automatic checks against the pharmacist registry (国家执业药师注册管理信息系统).

A pharmacy may only be licensed with a licensed pharmacist (执业药师) who is registered to it,
for 药品经营, and whose registration is in force today. The window would otherwise compare the
registry page with the application by eye; code compares, the clerk sees the verdict beside the
review point. An answer a check cannot give is UNKNOWN, never PASSED.
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
    found_record,
    normalise_name,
    parse_date,
)

PHARMACIST_REGISTRY = "pharmacist-registry"
RETAIL_SCOPE = "药品经营"

# Registry wordings: in force, ended for good, or suspended.
_ACTIVE_WORDS = ("有效", "正常")
_CLOSED_WORDS = ("注销", "撤销", "吊销")
_SUSPENDED_WORDS = ("暂停", "中止")
_EXPIRED_WORDS = ("过期", "届满")

_NOT_QUERIED = "请先按执业药师注册证编号查询国家执业药师注册管理信息系统，再进行自动核验"


def today() -> dt.date:
    """The date registrations are judged on; a function so tests can fix it."""
    return dt.date.today()


def _who(record: Mapping[str, Any]) -> str:
    return f"执业药师{record.get('name', '')}（{record.get('certificate_number', '')}）"


def pharmacist_unit_matches(context: CheckContext) -> CheckOutcome:
    """The pharmacist's registered practice unit (执业单位) is the applicant enterprise."""
    record = found_record(context, PHARMACIST_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    applicant = normalise_name(context.applicant.get("name"))
    if not applicant:
        return CheckOutcome(CheckVerdict.UNKNOWN, "申请人信息未填写企业名称，无法比对执业单位")
    unit = normalise_name(record.get("practice_unit"))
    if not unit:
        return CheckOutcome(CheckVerdict.UNKNOWN, f"{_who(record)}的查询记录未载明执业单位，请人工核实")
    if unit != applicant:
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"{_who(record)}注册的执业单位为“{record.get('practice_unit')}”，不是申请企业"
            f"“{context.applicant.get('name')}”；须先办理执业药师变更注册（不得挂证）",
        )
    return CheckOutcome(CheckVerdict.PASSED,
                        f"{_who(record)}注册的执业单位与申请企业一致")


def pharmacist_registration_valid(context: CheckContext) -> CheckOutcome:
    """The registration is in force: status 有效 and valid_until not before today."""
    record = found_record(context, PHARMACIST_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    status = str(record.get("status") or "").strip()
    kind = classify_status(status, {"closed": _CLOSED_WORDS, "suspended": _SUSPENDED_WORDS,
                                    "expired": _EXPIRED_WORDS, "active": _ACTIVE_WORDS})
    if kind == "closed":
        return CheckOutcome(CheckVerdict.FAILED,
                            f"{_who(record)}注册状态为“{status}”，不能作为本企业的执业药师")
    if kind == "suspended":
        return CheckOutcome(CheckVerdict.FAILED, f"{_who(record)}注册状态为“{status}”，暂不能执业")
    if kind == "expired":
        return CheckOutcome(CheckVerdict.FAILED,
                            f"{_who(record)}注册状态为“{status}”；须先办理延续注册")
    valid_until = parse_date(record.get("valid_until"))
    if valid_until is None:
        return CheckOutcome(CheckVerdict.UNKNOWN,
                            f"{_who(record)}的查询记录未载明有效的注册有效期，请人工核实")
    if valid_until < today():
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"{_who(record)}注册有效期至{valid_until.isoformat()}，已过期；须先办理延续注册",
        )
    if kind != "active":
        return CheckOutcome(CheckVerdict.UNKNOWN, f"注册状态“{status}”无法识别，请人工核实")
    return CheckOutcome(CheckVerdict.PASSED,
                        f"{_who(record)}注册有效，有效期至{valid_until.isoformat()}")


def pharmacist_scope_retail(context: CheckContext) -> CheckOutcome:
    """The practice scope (执业范围) is 药品经营, the only one that may serve a pharmacy."""
    record = found_record(context, PHARMACIST_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    scope = str(record.get("practice_scope") or "").strip()
    if not scope:
        return CheckOutcome(CheckVerdict.UNKNOWN, f"{_who(record)}的查询记录未载明执业范围，请人工核实")
    if RETAIL_SCOPE not in scope:
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"{_who(record)}执业范围为“{scope}”，不能在药品零售企业执业；须先变更执业范围为药品经营",
        )
    return CheckOutcome(CheckVerdict.PASSED, f"{_who(record)}执业范围为“{scope}”")


def material_checks() -> list[MaterialCheck]:
    """Every automatic check of the section, each tied to one hard review point."""
    targets = []
    for item in ("med-retail-licence", "med-retail-renewal"):
        targets += [
            (pharmacist_unit_matches, item, "pharmacist-certificate", "registered-to-applicant"),
            (pharmacist_registration_valid, item, "pharmacist-certificate", "registration-valid"),
            (pharmacist_scope_retail, item, "pharmacist-certificate", "scope-retail"),
        ]
    return [MaterialCheck(item=item, material=material, point=point, run=run)
            for run, item, material, point in targets]
