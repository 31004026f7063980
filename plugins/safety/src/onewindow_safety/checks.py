"""Automatic checks against the licence network (安全生产许可信息系统).

The window compares the applicant with the 危险化学品经营许可证 record and reads its status and
expiry date; code does the comparison and the date arithmetic, the clerk sees the verdict next
to the review point. An answer a check cannot give is UNKNOWN, never PASSED.
"""

from __future__ import annotations

import calendar
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

HAZCHEM_LICENCE = "hazchem-licence"

VALID = "有效"
_VALID_WORDS = ("有效", "正常")
_SUSPENDED_WORDS = ("暂扣",)
_ENDED_WORDS = ("吊销", "撤销", "注销", "过期", "失效")
RENEWAL_MONTHS_AHEAD = 3  # 有效期满3个月前提出延期申请

_NOT_QUERIED = "请先查询安全生产许可信息系统，再进行自动核验"


def today() -> dt.date:
    """The day checks judge validity on; a function so tests can fix the date."""
    return dt.date.today()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later, clipped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def _foreign_record(context: CheckContext, record: Mapping[str, Any]) -> CheckOutcome | None:
    """UNKNOWN when the record found belongs to another unit than the applicant."""
    applicant_code = normalise_code(context.applicant.get("credit_code"))
    record_code = normalise_code(record.get("credit_code"))
    if applicant_code and record_code and applicant_code != record_code:
        return CheckOutcome(
            CheckVerdict.UNKNOWN,
            f"查询记录的统一社会信用代码{record_code}不是申请人的（{applicant_code}），"
            "请按申请人统一社会信用代码重新查询",
        )
    return None


def _status_problem(record: Mapping[str, Any]) -> CheckOutcome | None:
    """FAILED or UNKNOWN for any status but 有效; None when the status is 有效."""
    status = str(record.get("status") or "").strip()
    licence = record.get("licence_no", "")
    kind = classify_status(status, {"suspended": _SUSPENDED_WORDS, "ended": _ENDED_WORDS,
                                    "valid": _VALID_WORDS})
    if kind == "suspended":
        return CheckOutcome(CheckVerdict.FAILED,
                            f"许可证{licence}状态为“{status}”，暂扣期间不得办理延期")
    if kind == "ended":
        return CheckOutcome(CheckVerdict.FAILED,
                            f"许可证{licence}状态为“{status}”，已不能延期，应按首次申请办理")
    if kind != "valid":
        return unclear_status(status, "许可证")
    return None


def licence_holder_matches(context: CheckContext) -> CheckOutcome:
    """The applicant's name and credit code equal the licence holder's in the record."""
    record = found_record(context, HAZCHEM_LICENCE)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    holder = compare_holder(context, record)
    return holder.outcome(
        missing="申请人信息未填写单位名称或统一社会信用代码，无法比对",
        code_mismatch=f"统一社会信用代码{holder.applicant_code}与许可证持证单位的"
                      f"{record.get('credit_code')}不一致",
        name_mismatch=f"名称“{holder.raw_name}”与持证单位“{record.get('name')}”"
                      "不一致（名称变更的须先办理许可证变更）",
        passed=f"与许可证{record.get('licence_no', '')}持证单位一致（{record.get('name')}）",
    )


def licence_status_valid(context: CheckContext) -> CheckOutcome:
    """The licence is 有效: not 吊销, 暂扣, 注销 or 过期 in the record."""
    record = found_record(context, HAZCHEM_LICENCE)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    problem = _foreign_record(context, record) or _status_problem(record)
    if problem:
        return problem
    return CheckOutcome(CheckVerdict.PASSED,
                        f"许可证{record.get('licence_no', '')}状态为“{record.get('status')}”")


def licence_valid_for_renewal(context: CheckContext) -> CheckOutcome:
    """The licence is 有效 and its valid_until is not before today: it can still be renewed."""
    record = found_record(context, HAZCHEM_LICENCE)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    problem = _foreign_record(context, record) or _status_problem(record)
    if problem:
        return problem
    valid_until = parse_date(record.get("valid_until"))
    if valid_until is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, "查询记录未载明有效期，请人工核实")
    now = today()
    if valid_until < now:
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"许可证{record.get('licence_no', '')}有效期至{valid_until.isoformat()}，已过期，"
            "不能延期，应按首次申请办理")
    return CheckOutcome(CheckVerdict.PASSED,
                        f"许可证有效期至{valid_until.isoformat()}，申请日仍在有效期内")


def renewal_in_time(context: CheckContext) -> CheckOutcome:
    """The renewal is asked for at least three months before the licence expires."""
    record = found_record(context, HAZCHEM_LICENCE)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    foreign = _foreign_record(context, record)
    if foreign:
        return foreign
    valid_until = parse_date(record.get("valid_until"))
    if valid_until is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, "查询记录未载明有效期，请人工核实")
    now = today()
    latest = add_months(now, RENEWAL_MONTHS_AHEAD)
    if valid_until < now:
        return CheckOutcome(CheckVerdict.FAILED,
                            f"许可证已于{valid_until.isoformat()}到期，已超过延期申请期限")
    if valid_until < latest:
        days = (valid_until - now).days
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"许可证有效期至{valid_until.isoformat()}，距到期仅{days}天，不足3个月；"
            "提示申请人到期前可能无法办结，到期后不得继续经营")
    return CheckOutcome(CheckVerdict.PASSED,
                        f"许可证有效期至{valid_until.isoformat()}，在有效期满3个月前申请")


def no_existing_licence(context: CheckContext) -> CheckOutcome:
    """For a first licence: the applicant holds no licence that is still valid."""
    record = found_record(context, HAZCHEM_LICENCE)
    if record is None:
        return CheckOutcome(
            CheckVerdict.UNKNOWN,
            "未查询到该申请人的许可证记录或尚未查询；专网答复“无此记录”的，由窗口人工确认通过")
    foreign = _foreign_record(context, record)
    if foreign:
        return foreign
    status = str(record.get("status") or "").strip()
    licence = record.get("licence_no", "")
    valid_until = parse_date(record.get("valid_until"))
    if any(word in status for word in _VALID_WORDS) and (valid_until is None
                                                         or valid_until >= today()):
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"申请人已持有有效的危险化学品经营许可证{licence}（有效期至{record.get('valid_until')}），"
            "应办理变更或延期，不得重复核发")
    if any(word in status for word in _SUSPENDED_WORDS + ("吊销", "撤销")):
        return CheckOutcome(
            CheckVerdict.UNKNOWN,
            f"申请人原许可证{licence}状态为“{status}”，请审批人员研判能否重新申请")
    return CheckOutcome(CheckVerdict.PASSED,
                        f"申请人原许可证{licence}已失效（{status or '已过有效期'}），可以重新申请")


def material_checks() -> list[MaterialCheck]:
    """Every automatic check of the section, each tied to one review point in catalogue.toml."""
    targets = [
        (no_existing_licence, "safe-hazchem-licence", "application", "no-existing-licence"),
        (licence_holder_matches, "safe-hazchem-renewal", "renewal-application",
         "holder-matches-network"),
        (licence_valid_for_renewal, "safe-hazchem-renewal", "renewal-application",
         "before-expiry"),
        (renewal_in_time, "safe-hazchem-renewal", "renewal-application", "three-months-ahead"),
        (licence_status_valid, "safe-hazchem-renewal", "original-licence", "status-valid"),
    ]
    return [MaterialCheck(item=item, material=material, point=point, run=run)
            for run, item, material, point in targets]
