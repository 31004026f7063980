"""Automatic checks against the practitioner registry (医生/护士电子化注册信息系统).

Who holds the certificate, whether the registration is in force, whether a nurse may still
renew, and whether a clinic's head is a physician of sufficient level and standing are facts
the window would otherwise read off the registry by eye. Each check advises the clerk; an
answer it cannot give is UNKNOWN, never PASSED.
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

PRACTITIONER_REGISTRY = "practitioner-registry"

PHYSICIAN = "医师"
NURSE = "护士"
FULL_PHYSICIAN = "执业医师"  # not 执业助理医师
CLINIC_HEAD_YEARS = 5  # 个体行医: registered and practising in an institution for five years
RENEWAL_NOTICE_DAYS = 30  # 延续注册: apply 30 days before the registration expires

_ACTIVE_WORDS = ("有效", "正常")
_CLOSED_WORDS = ("注销", "吊销", "撤销")
_SUSPENDED_WORDS = ("暂停", "中止")
_EXPIRED_WORDS = ("过期", "届满")
# The order a registration's status is judged in (see onewindow.checks.classify_status).
_STATUSES = {"closed": _CLOSED_WORDS, "suspended": _SUSPENDED_WORDS, "expired": _EXPIRED_WORDS,
             "active": _ACTIVE_WORDS}

_NOT_QUERIED = "请先按执业证书编码查询医生/护士电子化注册信息系统，再进行自动核验"


def today() -> dt.date:
    """The date registrations are judged on; a function so tests can fix it."""
    return dt.date.today()


def years_after(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (28 February for a 29 February start)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _who(record: Mapping[str, Any]) -> str:
    return f"{record.get('name', '')}（{record.get('certificate_number', '')}）"


def _status_problem(record: Mapping[str, Any]) -> CheckOutcome | None:
    """FAILED for a registration that is ended or suspended; None when the status allows."""
    status = str(record.get("status") or "").strip()
    kind = classify_status(status, _STATUSES)
    if kind == "closed":
        return CheckOutcome(CheckVerdict.FAILED, f"{_who(record)}注册状态为“{status}”，执业证书已废止")
    if kind == "suspended":
        return CheckOutcome(CheckVerdict.FAILED,
                            f"{_who(record)}注册状态为“{status}”，暂停期间不得办理本事项")
    return None


def _profession_problem(record: Mapping[str, Any], profession: str) -> CheckOutcome | None:
    found = str(record.get("profession") or "").strip()
    if not found:
        return CheckOutcome(CheckVerdict.UNKNOWN, f"{_who(record)}的查询记录未载明类别（医师/护士）")
    if found != profession:
        return CheckOutcome(CheckVerdict.FAILED,
                            f"查询到的是{found}执业注册记录，本事项须为{profession}，请核对证书编码")
    return None


def practitioner_identity_matches(context: CheckContext) -> CheckOutcome:
    """The certificate's holder is the applicant (a person)."""
    record = found_record(context, PRACTITIONER_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    if context.applicant.get("kind") != "person":
        return CheckOutcome(CheckVerdict.UNKNOWN, "申请人为单位，请人工核对执业证书持有人")
    applicant = normalise_name(context.applicant.get("name"))
    if not applicant:
        return CheckOutcome(CheckVerdict.UNKNOWN, "申请人信息未填写姓名，无法比对")
    holder = normalise_name(record.get("name"))
    if holder != applicant:
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"证书编码{record.get('certificate_number', '')}的持有人为“{record.get('name', '')}”，"
            f"不是申请人“{context.applicant.get('name')}”",
        )
    return CheckOutcome(CheckVerdict.PASSED, f"执业证书持有人与申请人一致（{record.get('name')}）")


def physician_registration_active(context: CheckContext) -> CheckOutcome:
    """A physician's registration is in force: not 注销/吊销, not 暂停执业活动."""
    record = found_record(context, PRACTITIONER_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    problem = _profession_problem(record, PHYSICIAN) or _status_problem(record)
    if problem:
        return problem
    status = str(record.get("status") or "").strip()
    kind = classify_status(status, _STATUSES)
    valid_until = parse_date(record.get("valid_until"))
    if kind == "expired" or (valid_until and valid_until < today()):
        return CheckOutcome(CheckVerdict.FAILED, f"{_who(record)}注册已过期")
    if kind != "active":
        return CheckOutcome(CheckVerdict.UNKNOWN, f"注册状态“{status}”无法识别，请人工核实")
    return CheckOutcome(CheckVerdict.PASSED,
                        f"{_who(record)}注册有效，执业机构：{record.get('practice_institution', '')}")


def clinic_head_qualified(context: CheckContext) -> CheckOutcome:
    """A clinic's head is an 执业医师; for a clinic set up by a person, registered 5 years."""
    record = found_record(context, PRACTITIONER_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    problem = _profession_problem(record, PHYSICIAN)
    if problem:
        return problem
    level = str(record.get("level") or "").strip()
    if not level:
        return CheckOutcome(CheckVerdict.UNKNOWN, f"{_who(record)}的查询记录未载明执业级别")
    if level != FULL_PHYSICIAN:
        return CheckOutcome(CheckVerdict.FAILED,
                            f"{_who(record)}执业级别为{level}，不能作为诊所主要负责人（须为执业医师）")
    if context.applicant.get("kind") != "person":
        return CheckOutcome(CheckVerdict.PASSED,
                            f"{_who(record)}为执业医师（单位设置，不适用个体行医执业满五年的要求）")
    first = parse_date(record.get("first_registered"))
    if first is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, f"{_who(record)}的查询记录未载明首次注册日期，请人工核实")
    due = years_after(first, CLINIC_HEAD_YEARS)
    if due > today():
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"{_who(record)}首次注册于{first.isoformat()}，至{due.isoformat()}方执业满五年，"
            "个人尚不能设置诊所",
        )
    return CheckOutcome(CheckVerdict.PASSED,
                        f"{_who(record)}为执业医师，首次注册于{first.isoformat()}，执业已满五年")


def nurse_renewal_in_time(context: CheckContext) -> CheckOutcome:
    """A nurse may renew (延续注册) only while the registration is still in force."""
    record = found_record(context, PRACTITIONER_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    problem = _profession_problem(record, NURSE) or _status_problem(record)
    if problem:
        return problem
    valid_until = parse_date(record.get("valid_until"))
    if valid_until is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, f"{_who(record)}的查询记录未载明注册有效期，请人工核实")
    day = today()
    status = str(record.get("status") or "").strip()
    if valid_until < day or classify_status(status, _STATUSES) == "expired":
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"{_who(record)}注册有效期至{valid_until.isoformat()}，已届满，不能延续注册；"
            "请告知申请人按重新注册办理",
        )
    left = (valid_until - day).days
    if left < RENEWAL_NOTICE_DAYS:
        return CheckOutcome(
            CheckVerdict.PASSED,
            f"注册有效期至{valid_until.isoformat()}，尚余{left}天，未在届满前30日提出，"
            "请尽快办结并提示申请人今后按期申请",
        )
    return CheckOutcome(CheckVerdict.PASSED,
                        f"注册有效期至{valid_until.isoformat()}，尚余{left}天，可以延续注册")


def material_checks() -> list[MaterialCheck]:
    """Every automatic check of the section, each tied to one hard review point."""
    targets = [
        (clinic_head_qualified, "hlth-clinic-filing", "head-certificate", "head-qualified"),
        (physician_registration_active, "hlth-clinic-filing", "head-certificate",
         "registration-active"),
        (practitioner_identity_matches, "hlth-physician-change", "certificate", "holder-matches"),
        (physician_registration_active, "hlth-physician-change", "certificate",
         "registration-active"),
        (practitioner_identity_matches, "hlth-nurse-renewal", "certificate", "holder-matches"),
        (nurse_renewal_in_time, "hlth-nurse-renewal", "certificate", "within-validity"),
    ]
    return [MaterialCheck(item=item, material=material, point=point, run=run)
            for run, item, material, point in targets]
