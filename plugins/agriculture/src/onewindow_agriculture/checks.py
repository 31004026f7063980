"""Automatic checks against the water-permit network (全国取水许可电子证照系统).

The holder, the permit's status and its expiry date are facts the window would otherwise read
off the screen and compare by eye. Each check advises the clerk; an answer it cannot give is
UNKNOWN, never PASSED.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

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

WATER_PERMIT = "water-permit"

# 取水许可和水资源费征收管理条例第二十五条: renewal is applied for 45 days before expiry.
RENEWAL_LEAD_DAYS = 45

_IN_FORCE = "有效"
_REVOKED_WORDS = ("吊销",)
_CLOSED_WORDS = ("注销", "届满", "失效", "过期", "撤销")

_NOT_QUERIED = "请先查询全国取水许可电子证照系统，再进行自动核验"
_HALL_TIMEZONE = ZoneInfo("Asia/Shanghai")


def hall_today() -> dt.date:
    """Today in Beijing time: permits expire on calendar dates of the hall."""
    return dt.datetime.now(_HALL_TIMEZONE).date()


def _applicant_key(context: CheckContext) -> str:
    """A unit is known by its credit code, a person by the ID number the permit records."""
    return normalise_code(context.applicant.get("credit_code")
                          or context.applicant.get("id_number"))


def _foreign_record(context: CheckContext, record: Mapping[str, Any]) -> CheckOutcome | None:
    """UNKNOWN when the record found is another holder's permit."""
    applicant = _applicant_key(context)
    holder = normalise_code(record.get("credit_code"))
    if applicant and holder and applicant != holder:
        return CheckOutcome(
            CheckVerdict.UNKNOWN,
            f"查询到的取水许可证持证人代码{holder}不是申请人的（{applicant}），"
            "请按申请人统一社会信用代码重新查询",
        )
    return None


def permit_holder_matches(context: CheckContext) -> CheckOutcome:
    """The applicant's name and credit code equal the permit holder's (取水权人)."""
    record = found_record(context, WATER_PERMIT)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    holder = compare_holder(context, record, code=_applicant_key(context))
    return holder.outcome(
        missing="申请人信息未填写名称或统一社会信用代码（身份证号码），无法比对",
        code_mismatch=f"申请人代码{holder.applicant_code}"
                      f"与取水许可证持证人代码{holder.record_code}不一致",
        name_mismatch=f"申请人名称“{holder.raw_name}”与取水权人“{record.get('name')}”不一致，"
                      "名称变更的应先办理取水许可变更",
        passed=f"取水权人与申请人一致（{record.get('name')}，{record.get('permit_number', '')}）",
    )


def permit_in_force(context: CheckContext, today: dt.date | None = None) -> CheckOutcome:
    """The permit is 有效 on the register and its valid_until date has not passed."""
    record = found_record(context, WATER_PERMIT)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    foreign = _foreign_record(context, record)
    if foreign:
        return foreign
    today = today or hall_today()
    number = record.get("permit_number", "")
    status = str(record.get("status") or "").strip()
    kind = classify_status(status, {"revoked": _REVOKED_WORDS, "closed": _CLOSED_WORDS})
    if kind == "revoked":
        return CheckOutcome(CheckVerdict.FAILED,
                            f"取水许可证{number}状态为“{status}”（已被吊销），不予延续")
    if kind == "closed":
        return CheckOutcome(CheckVerdict.FAILED,
                            f"取水许可证{number}状态为“{status}”，不予延续，应重新申请取水许可")
    if status != _IN_FORCE:
        return unclear_status(status, "许可证")
    until = parse_date(record.get("valid_until"))
    if until is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, "查询记录未载明有效期届满日期，请人工核实")
    if until < today:
        return CheckOutcome(CheckVerdict.FAILED,
                            f"取水许可证{number}已于{until.isoformat()}有效期届满，"
                            "不予延续，应重新申请取水许可")
    return CheckOutcome(CheckVerdict.PASSED,
                        f"取水许可证{number}有效，有效期至{until.isoformat()}")


def renewal_filed_in_time(context: CheckContext, today: dt.date | None = None) -> CheckOutcome:
    """The renewal is applied for at least 45 days before the permit expires (第二十五条)."""
    record = found_record(context, WATER_PERMIT)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    foreign = _foreign_record(context, record)
    if foreign:
        return foreign
    until = parse_date(record.get("valid_until"))
    if until is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, "查询记录未载明有效期届满日期，请人工核实")
    today = today or hall_today()
    latest = until - dt.timedelta(days=RENEWAL_LEAD_DAYS)
    if today > until:
        return CheckOutcome(CheckVerdict.FAILED,
                            f"原许可已于{until.isoformat()}届满，不能延续，应重新申请取水许可")
    if today > latest:
        return CheckOutcome(CheckVerdict.FAILED,
                            f"原许可{until.isoformat()}届满，延续申请最迟应于{latest.isoformat()}"
                            f"提出（届满{RENEWAL_LEAD_DAYS}日前），已逾期，应告知申请人重新申请")
    return CheckOutcome(CheckVerdict.PASSED,
                        f"在有效期届满{RENEWAL_LEAD_DAYS}日前提出（最迟{latest.isoformat()}）")


def material_checks() -> list[MaterialCheck]:
    """Every automatic check of the section, each tied to one review point in catalogue.toml."""
    renewal = "agr-water-intake-renewal"
    targets = [
        (permit_holder_matches, renewal, "application", "name-code-match-permit"),
        (renewal_filed_in_time, renewal, "application", "filed-in-time"),
        (permit_in_force, renewal, "current-permit", "permit-in-force"),
        (permit_holder_matches, renewal, "current-permit", "holder-matches"),
    ]
    return [MaterialCheck(item=item, material=material, point=point, run=run)
            for run, item, material, point in targets]
