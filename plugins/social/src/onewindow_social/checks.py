"""Automatic checks against 全国社会组织信用信息公示平台 and, for 劳务派遣, the enterprise
credit registry (国家企业信用信息公示系统, supplied by the enterprise plugin).

Each check advises the clerk; an answer it cannot give is UNKNOWN, never PASSED.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
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
    normalise_name,
    parse_date,
    unclear_status,
)

SOCIAL_ORGANISATION = "social-organisation"
CREDIT_REGISTRY = "credit-registry"  # supplied by the enterprise plugin

# 《劳动合同法》第五十七条: 注册资本不得少于人民币二百万元.
DISPATCH_MIN_CAPITAL_WAN = Decimal(200)

_NORMAL = "正常"
_CLOSED_WORDS = ("注销", "撤销")
_FAILED_INSPECTION = ("不合格", "未参检", "未参加")
_ACTIVE_WORDS = ("存续", "在营", "开业", "在册")
_ENDED_WORDS = ("吊销", "注销", "撤销", "迁出")

_NOT_QUERIED = "请先查询全国社会组织信用信息公示平台，再进行自动核验"
_NOT_QUERIED_REGISTRY = "请先查询国家企业信用信息公示系统，再进行自动核验"
_HALL_TIMEZONE = ZoneInfo("Asia/Shanghai")


def hall_today() -> dt.date:
    """Today in Beijing time: registration certificates expire on the hall's calendar."""
    return dt.datetime.now(_HALL_TIMEZONE).date()


def _organisation_name(context: CheckContext) -> str:
    """The social organisation the applicant speaks for: 社会组织名称, else the unit name."""
    return str(context.applicant.get("social_organisation_name")
               or context.applicant.get("name") or "")


def _foreign_record(context: CheckContext, record: Mapping[str, Any], what: str
                    ) -> CheckOutcome | None:
    """UNKNOWN when the record found belongs to someone other than the applicant."""
    applicant_code = normalise_code(context.applicant.get("credit_code"))
    record_code = normalise_code(record.get("credit_code"))
    if applicant_code and record_code and applicant_code != record_code:
        return CheckOutcome(
            CheckVerdict.UNKNOWN,
            f"查询记录的统一社会信用代码{record_code}不是申请人的（{applicant_code}），"
            f"请按申请人统一社会信用代码重新查询{what}",
        )
    return None


# --- 全国社会组织信用信息公示平台 -------------------------------------------------------------

def organisation_identity_matches(context: CheckContext) -> CheckOutcome:
    """The organisation's name and credit code equal the platform's record."""
    if context.applicant.get("kind") == "person":
        return CheckOutcome(CheckVerdict.UNKNOWN,
                            "申请人为自然人，不适用社会组织核验，请人工核对身份证件")
    record = found_record(context, SOCIAL_ORGANISATION)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    holder = compare_holder(context, record, name=_organisation_name(context))
    return holder.outcome(
        missing="申请人信息未填写社会组织名称或统一社会信用代码，无法比对",
        code_mismatch=f"统一社会信用代码{holder.applicant_code}与登记信息{holder.record_code}不一致",
        name_mismatch=f"名称“{holder.raw_name}”与登记名称“{record.get('name')}”不一致",
        passed=f"名称、统一社会信用代码与登记信息一致（{record.get('name')}）",
    )


def _standing(record: Mapping[str, Any], today: dt.date) -> CheckOutcome:
    """登记状态正常, 年检合格, not on the 活动异常名录, certificate still valid."""
    name = record.get("name", "")
    status = str(record.get("status") or "").strip()
    if any(word in status for word in _CLOSED_WORDS):
        return CheckOutcome(CheckVerdict.FAILED,
                            f"{name}登记状态为“{status}”，主体已终止，不能办理本事项")
    if status != _NORMAL:
        return unclear_status(status, "登记")
    problems = []
    abnormal = str(record.get("abnormal_list") or "").strip()
    if abnormal:
        problems.append(f"已列入活动异常名录（{abnormal}）")
    result = str(record.get("annual_inspection_result") or "").strip()
    year = record.get("annual_inspection_year", "")
    if any(word in result for word in _FAILED_INSPECTION):
        problems.append(f"{year}年度年检结论为“{result}”")
    until = parse_date(record.get("certificate_valid_until"))
    if until is not None and until < today:
        problems.append(f"登记证书已于{until.isoformat()}有效期届满，须先办理换证")
    if problems:
        return CheckOutcome(CheckVerdict.FAILED, f"{name}：" + "；".join(problems))
    if not result:
        return CheckOutcome(CheckVerdict.UNKNOWN,
                            f"{name}登记状态正常，但查询记录未载明年检结论，请人工核实")
    return CheckOutcome(CheckVerdict.PASSED,
                        f"{name}登记状态正常，{year}年度年检“{result}”，未列入活动异常名录")


def organisation_in_good_standing(context: CheckContext, today: dt.date | None = None
                                  ) -> CheckOutcome:
    """The applicant organisation is 正常, passed its last inspection, is not listed."""
    if context.applicant.get("kind") == "person":
        return CheckOutcome(CheckVerdict.UNKNOWN,
                            "申请人为自然人，不适用社会组织核验，请人工核对身份证件")
    record = found_record(context, SOCIAL_ORGANISATION)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    return (_foreign_record(context, record, "全国社会组织信用信息公示平台")
            or _standing(record, today or hall_today()))


def unit_member_in_good_standing(context: CheckContext, today: dt.date | None = None
                                 ) -> CheckOutcome:
    """A unit member (单位会员) that is a social organisation is in good standing.

    The record is a third party's, not the applicant's, so it is judged as it is.
    """
    record = found_record(context, SOCIAL_ORGANISATION)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN,
                            "单位会员为社会组织的，请逐一查询全国社会组织信用信息公示平台")
    return _standing(record, today or hall_today())


# --- 国家企业信用信息公示系统 (劳务派遣) ----------------------------------------------------

_CAPITAL = re.compile(r"([0-9][0-9,]*(?:\.[0-9]+)?)\s*(亿|万)?\s*元?")


def capital_in_wan(text: Any) -> Decimal | None:
    """'500万元人民币' -> 500; '1.2亿元' -> 12000; None for other currencies or no amount."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not text or any(c in text for c in ("美元", "欧元", "港元", "日元", "英镑")):
        return None
    match = _CAPITAL.search(text)
    if not match:
        return None
    try:
        amount = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:
        return None
    unit = match.group(2)
    if unit == "亿":
        return amount * 10000
    if unit == "万":
        return amount
    return amount / 10000


def dispatch_capital_sufficient(context: CheckContext) -> CheckOutcome:
    """Registered capital on the register is at least 200万元人民币 (劳动合同法第五十七条)."""
    record = found_record(context, CREDIT_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED_REGISTRY)
    foreign = _foreign_record(context, record, "国家企业信用信息公示系统")
    if foreign:
        return foreign
    raw = record.get("registered_capital")
    amount = capital_in_wan(raw)
    if amount is None:
        return CheckOutcome(CheckVerdict.UNKNOWN,
                            f"注册资本“{raw or '未载明'}”无法换算为人民币，请人工核实")
    shown = f"{amount.normalize():f}万元"
    if amount < DISPATCH_MIN_CAPITAL_WAN:
        return CheckOutcome(CheckVerdict.FAILED,
                            f"注册资本{shown}，不足经营劳务派遣业务要求的"
                            f"{DISPATCH_MIN_CAPITAL_WAN}万元人民币")
    return CheckOutcome(CheckVerdict.PASSED,
                        f"注册资本{shown}，不少于{DISPATCH_MIN_CAPITAL_WAN}万元人民币")


def dispatch_company_active(context: CheckContext) -> CheckOutcome:
    """The company is 存续 on the register: not revoked (吊销) and not deregistered (注销)."""
    record = found_record(context, CREDIT_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED_REGISTRY)
    foreign = _foreign_record(context, record, "国家企业信用信息公示系统")
    if foreign:
        return foreign
    status = str(record.get("status") or "").strip()
    name = record.get("name", "")
    kind = classify_status(status, {"ended": _ENDED_WORDS, "active": _ACTIVE_WORDS})
    if kind == "ended":
        return CheckOutcome(CheckVerdict.FAILED,
                            f"{name}登记状态为“{status}”，不能申请劳务派遣经营许可")
    if kind == "active":
        return CheckOutcome(CheckVerdict.PASSED, f"{name}登记状态为“{status}”")
    return CheckOutcome(CheckVerdict.UNKNOWN, f"登记状态“{status or '未载明'}”无法识别，请人工核实")


def dispatch_legal_representative_matches(context: CheckContext) -> CheckOutcome:
    """The legal representative whose ID is shown is the one on the register."""
    record = found_record(context, CREDIT_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED_REGISTRY)
    foreign = _foreign_record(context, record, "国家企业信用信息公示系统")
    if foreign:
        return foreign
    given = normalise_name(context.applicant.get("legal_representative"))
    if not given:
        return CheckOutcome(CheckVerdict.UNKNOWN, "申请人信息未填写法定代表人，无法比对")
    registered = normalise_name(record.get("legal_representative"))
    if given != registered:
        return CheckOutcome(CheckVerdict.FAILED,
                            f"申请人填写的法定代表人“{context.applicant.get('legal_representative')}”"
                            f"与登记的“{record.get('legal_representative')}”不一致")
    return CheckOutcome(CheckVerdict.PASSED, f"法定代表人与登记信息一致（{registered}）")


def material_checks() -> list[MaterialCheck]:
    """Every automatic check of the section, each tied to one review point in catalogue.toml."""
    targets = [
        (organisation_identity_matches, "soc-private-school", "founder-qualification",
         "founder-identity"),
        (organisation_in_good_standing, "soc-private-school", "founder-qualification",
         "founder-standing"),
        (unit_member_in_good_standing, "soc-social-group-establish", "members",
         "unit-members-standing"),
        (organisation_identity_matches, "soc-elderly-care-filing", "filing-form",
         "name-code-match"),
        (organisation_in_good_standing, "soc-elderly-care-filing", "registration-certificate",
         "status-normal"),
        (dispatch_capital_sufficient, "soc-labour-dispatch", "business-licence",
         "capital-sufficient"),
        (dispatch_company_active, "soc-labour-dispatch", "business-licence", "status-active"),
        (dispatch_legal_representative_matches, "soc-labour-dispatch", "legal-rep-id",
         "matches-registry"),
    ]
    return [MaterialCheck(item=item, material=material, point=point, run=run)
            for run, item, material, point in targets]
