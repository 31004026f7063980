"""Automatic checks against the construction market platform (全国建筑市场监管公共服务平台).

Certificate validity, safety production licence (安全生产许可证) status, qualification category
and the count of registered constructors (注册建造师) are facts the window would otherwise read
off the platform by eye. Each check advises; an answer it cannot give is UNKNOWN, never PASSED.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
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
    normalise_name,
    parse_date,
    unclear_status,
)

CONSTRUCTION_MARKET = "construction-market"

# Status wordings of certificates and licences on the platform.
_IN_FORCE_WORDS = ("有效", "正常")
_SUSPENDED_WORDS = ("暂扣",)
_ENDED_WORDS = ("吊销", "撤回", "撤销", "注销", "过期", "失效", "未取得", "不适用")

# Qualification categories that allow a contractor to build a 建筑工程 (房屋建筑).
BUILDING_CONTRACTOR_CATEGORIES = ("建筑工程施工总承包",)
# Design qualifications that cover a building's fire design.
BUILDING_DESIGN_CATEGORIES = ("工程设计综合", "建筑行业", "建筑工程设计")
# 《建筑业企业资质标准》: 施工总承包三级 needs at least 5 registered constructors (建筑工程、机电工程).
MIN_CONSTRUCTORS_GRADE_THREE = 5

_NOT_QUERIED = "请先查询全国建筑市场监管公共服务平台，再进行自动核验"

Check = Callable[[CheckContext], CheckOutcome]


def _validity(status: Any, valid_until: Any, what: str, today: dt.date) -> CheckOutcome:
    """The verdict on a certificate or licence from its platform status and expiry date."""
    status = str(status or "").strip()
    until = parse_date(valid_until)
    kind = classify_status(status, {"suspended": _SUSPENDED_WORDS, "ended": _ENDED_WORDS,
                                    "in force": _IN_FORCE_WORDS})
    if kind == "suspended":
        return CheckOutcome(CheckVerdict.FAILED, f"{what}状态为“{status}”，暂扣期间不得从事相应活动")
    if kind == "ended":
        return CheckOutcome(CheckVerdict.FAILED, f"{what}状态为“{status}”")
    if kind != "in force":
        return unclear_status(status, what, source="平台记录")
    if until is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, f"平台记录未载明{what}有效期，请人工核实")
    if until < today:
        return CheckOutcome(CheckVerdict.FAILED,
                            f"{what}有效期至{until.isoformat()}，已过期（核验日{today.isoformat()}）")
    return CheckOutcome(CheckVerdict.PASSED, f"{what}状态为“{status}”，有效期至{until.isoformat()}")


def certificate_in_force(context: CheckContext, today: dt.date | None = None) -> CheckOutcome:
    """The enterprise's qualification certificate (资质证书) is in force on ``today``."""
    record = found_record(context, CONSTRUCTION_MARKET)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    if not str(record.get("certificate_number") or "").strip():
        return CheckOutcome(CheckVerdict.FAILED, f"{record.get('name', '')}在平台上无资质证书")
    outcome = _validity(record.get("certificate_status"), record.get("valid_until"),
                        "资质证书", today or dt.date.today())
    return CheckOutcome(outcome.verdict,
                        f"{record.get('name', '')}（{record.get('certificate_number')}）："
                        f"{outcome.message}")


def safety_licence_in_force(context: CheckContext, today: dt.date | None = None
                            ) -> CheckOutcome:
    """The contractor's safety production licence is in force: not 暂扣, 吊销 or expired."""
    record = found_record(context, CONSTRUCTION_MARKET)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    outcome = _validity(record.get("safety_licence_status"),
                        record.get("safety_licence_valid_until"), "安全生产许可证",
                        today or dt.date.today())
    return CheckOutcome(outcome.verdict, f"{record.get('name', '')}：{outcome.message}")


def held_qualifications(record: Mapping[str, Any]) -> list[str]:
    value = record.get("qualifications") or []
    if isinstance(value, str):
        value = re.split(r"[；;，,、]", value)
    return [q.strip() for q in value if str(q).strip()]


def _holds(categories: Iterable[str], what: str) -> Check:
    categories = tuple(categories)

    def check(context: CheckContext) -> CheckOutcome:
        record = found_record(context, CONSTRUCTION_MARKET)
        if record is None:
            return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
        held = held_qualifications(record)
        matching = [q for q in held if any(normalise_name(q).startswith(normalise_name(c))
                                           for c in categories)]
        name = record.get("name", "")
        if not matching:
            return CheckOutcome(CheckVerdict.FAILED,
                                f"{name}未取得{what}（平台记载资质：{'、'.join(held) or '无'}）")
        return CheckOutcome(CheckVerdict.PASSED,
                            f"{name}持有{'、'.join(matching)}；请核对等级许可范围覆盖本工程规模")

    check.__name__ = f"holds_{what}"
    check.__doc__ = f"The platform record lists a qualification of {categories}."
    return check


building_contractor_qualification = _holds(BUILDING_CONTRACTOR_CATEGORIES,
                                           "建筑工程施工总承包资质")
building_design_qualification = _holds(BUILDING_DESIGN_CATEGORIES, "建筑工程设计资质")


def design_unit_qualified(context: CheckContext, today: dt.date | None = None) -> CheckOutcome:
    """The design unit holds a building design qualification and its certificate is in force."""
    held = building_design_qualification(context)
    if held.verdict is not CheckVerdict.PASSED:
        return held
    valid = certificate_in_force(context, today)
    if valid.verdict is not CheckVerdict.PASSED:
        return valid
    return CheckOutcome(CheckVerdict.PASSED, f"{held.message}；{valid.message}")


def _foreign_record(context: CheckContext, record: Mapping[str, Any]) -> CheckOutcome | None:
    """UNKNOWN when the record found belongs to another enterprise than the applicant."""
    applicant_code = normalise_code(context.applicant.get("credit_code"))
    record_code = normalise_code(record.get("credit_code"))
    if applicant_code and record_code and applicant_code != record_code:
        return CheckOutcome(
            CheckVerdict.UNKNOWN,
            f"查询记录的统一社会信用代码{record_code}不是申请企业的（{applicant_code}），"
            "请按申请企业统一社会信用代码重新查询",
        )
    return None


def platform_identity_matches(context: CheckContext) -> CheckOutcome:
    """The applicant's name and credit code equal the enterprise record on the platform."""
    record = found_record(context, CONSTRUCTION_MARKET)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    holder = compare_holder(context, record)
    return holder.outcome(
        missing="申请人信息未填写企业名称或统一社会信用代码，无法比对",
        code_mismatch=f"统一社会信用代码{holder.applicant_code}与平台记录"
                      f"{record.get('credit_code')}不一致",
        name_mismatch=f"企业名称“{holder.raw_name}”与平台记录“{record.get('name')}”不一致",
        passed=f"企业名称、统一社会信用代码与平台记录一致（{record.get('name')}）",
    )


def constructor_count_sufficient(context: CheckContext,
                                 minimum: int = MIN_CONSTRUCTORS_GRADE_THREE) -> CheckOutcome:
    """At least ``minimum`` registered constructors are registered to the applicant."""
    record = found_record(context, CONSTRUCTION_MARKET)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    foreign = _foreign_record(context, record)
    if foreign:
        return foreign
    count = record.get("registered_constructors")
    if isinstance(count, bool) or not isinstance(count, int):
        try:
            count = int(str(count).strip())
        except ValueError:
            return CheckOutcome(CheckVerdict.UNKNOWN, "平台记录未载明注册建造师人数，请人工核实")
    if count < minimum:
        return CheckOutcome(CheckVerdict.FAILED,
                            f"平台显示注册在本企业的注册建造师{count}人，少于资质标准要求的"
                            f"{minimum}人")
    return CheckOutcome(CheckVerdict.PASSED,
                        f"平台显示注册在本企业的注册建造师{count}人（标准不少于{minimum}人）；"
                        "专业构成请对照名单核对")


def material_checks() -> list[MaterialCheck]:
    """Every automatic check of the section, each tied to one review point in catalogue.toml."""
    targets = [
        (certificate_in_force, "cons-construction-permit", "contractor-qualification",
         "certificate-in-force"),
        (building_contractor_qualification, "cons-construction-permit",
         "contractor-qualification", "qualification-category"),
        (safety_licence_in_force, "cons-construction-permit", "contractor-qualification",
         "safety-licence-valid"),
        (platform_identity_matches, "cons-enterprise-qualification", "application",
         "name-code-match-platform"),
        (constructor_count_sufficient, "cons-enterprise-qualification", "constructors",
         "constructors-count"),
        (design_unit_qualified, "cons-fire-design-review", "design-documents",
         "design-unit-qualification"),
    ]
    return [MaterialCheck(item=item, material=material, point=point, run=run)
            for run, item, material, point in targets]
