"""Automatic checks against the credit registry (国家企业信用信息公示系统).

Name, credit code, legal representative and registry status are facts the window would
otherwise compare by eye, so code compares them and the clerk sees the verdict next to the
review point. Each check advises; an answer it cannot give is UNKNOWN, never PASSED.
"""

from __future__ import annotations

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
    normalise_name,
    unclear_status,
)

CREDIT_REGISTRY = "credit-registry"

ACTIVE = "存续"
# Registry wordings that mean the entity is still on the register and trading.
_ACTIVE_WORDS = ("存续", "在营", "开业", "在册")
# Wordings that mean it may not change, open branches or deregister simply.
_REVOKED_WORDS = ("吊销",)
_CLOSED_WORDS = ("注销", "撤销", "迁出")

_NOT_QUERIED = "请先查询国家企业信用信息公示系统，再进行自动核验"


def _foreign_record(context: CheckContext, record: Mapping[str, Any]) -> CheckOutcome | None:
    """UNKNOWN when the record found belongs to another entity than the applicant."""
    applicant_code = normalise_code(context.applicant.get("credit_code"))
    record_code = normalise_code(record.get("credit_code"))
    if applicant_code and record_code and applicant_code != record_code:
        return CheckOutcome(
            CheckVerdict.UNKNOWN,
            f"查询记录的统一社会信用代码{record_code}不是申请人的（{applicant_code}），"
            "请按申请人统一社会信用代码重新查询",
        )
    return None


def registry_identity_matches(context: CheckContext) -> CheckOutcome:
    """The applicant's name and unified social credit code equal the registry record's."""
    record = found_record(context, CREDIT_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    holder = compare_holder(context, record)
    return holder.outcome(
        missing="申请人信息未填写单位名称或统一社会信用代码，无法比对",
        code_mismatch=f"统一社会信用代码{holder.applicant_code}与登记档案{holder.record_code}不一致",
        name_mismatch=f"名称“{holder.raw_name}”与登记名称“{record.get('name')}”不一致",
        passed=f"名称、统一社会信用代码与登记档案一致（{record.get('name')}）",
    )


def _status_outcome(record: Mapping[str, Any], revoked_hint: str) -> CheckOutcome:
    status = str(record.get("status") or "").strip()
    name = record.get("name", "")
    kind = classify_status(status, {"revoked": _REVOKED_WORDS, "closed": _CLOSED_WORDS,
                                    "active": _ACTIVE_WORDS})
    if kind == "revoked":
        return CheckOutcome(CheckVerdict.FAILED,
                            f"{name}登记状态为“{status}”（已被吊销营业执照）{revoked_hint}")
    if kind == "closed":
        return CheckOutcome(CheckVerdict.FAILED,
                            f"{name}登记状态为“{status}”，主体已终止，不能办理本事项")
    if kind == "active":
        return CheckOutcome(CheckVerdict.PASSED, f"{name}登记状态为“{status}”")
    return unclear_status(status, "登记")


def registry_status_active(context: CheckContext) -> CheckOutcome:
    """The entity is 存续 on the register: not revoked (吊销) and not deregistered (注销)."""
    record = found_record(context, CREDIT_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    return _foreign_record(context, record) or _status_outcome(record, "，不能办理本事项")


def simple_deregistration_status(context: CheckContext) -> CheckOutcome:
    """For 简易注销: a revoked company must be sent to the ordinary procedure (一般注销)."""
    record = found_record(context, CREDIT_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    return _foreign_record(context, record) or _status_outcome(
        record, "，不适用简易注销，请告知申请人按一般注销程序办理")


def legal_representative_matches(context: CheckContext) -> CheckOutcome:
    """The person signing as legal representative is the one on the register."""
    record = found_record(context, CREDIT_REGISTRY)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    foreign = _foreign_record(context, record)
    if foreign:
        return foreign
    signer = normalise_name(context.applicant.get("legal_representative"))
    if not signer:
        return CheckOutcome(CheckVerdict.UNKNOWN, "申请人信息未填写法定代表人，无法比对")
    registered = normalise_name(record.get("legal_representative"))
    if signer != registered:
        return CheckOutcome(
            CheckVerdict.FAILED,
            f"申请人填写的法定代表人“{context.applicant.get('legal_representative')}”与登记档案"
            f"记载的“{record.get('legal_representative')}”不一致；须由登记的法定代表人签署",
        )
    return CheckOutcome(CheckVerdict.PASSED, f"法定代表人与登记档案一致（{registered}）")


def material_checks() -> list[MaterialCheck]:
    """Every automatic check of the section, each tied to one review point in catalogue.toml."""
    targets = [
        (registry_identity_matches, "ent-llc-change", "application", "name-code-match-registry"),
        (registry_status_active, "ent-llc-change", "business-licence", "status-active"),
        (registry_identity_matches, "ent-llc-simple-deregister", "application",
         "name-code-match-registry"),
        (legal_representative_matches, "ent-llc-simple-deregister", "application",
         "signed-by-legal-rep"),
        (simple_deregistration_status, "ent-llc-simple-deregister", "business-licence",
         "status-active"),
        (registry_status_active, "ent-llc-establish", "investor-enterprise-proof",
         "registry-status"),
        (registry_identity_matches, "ent-branch-establish", "parent-licence-copy",
         "licence-matches-registry"),
        (registry_status_active, "ent-branch-establish", "parent-licence-copy",
         "parent-status-active"),
        (legal_representative_matches, "ent-branch-establish", "application",
         "signed-by-parent-legal-rep"),
        (registry_identity_matches, "ent-branch-change", "application",
         "name-code-match-registry"),
        (registry_status_active, "ent-branch-change", "branch-licence", "status-active"),
        (registry_identity_matches, "ent-food-business-licence", "subject-licence",
         "name-code-match-registry"),
        (registry_status_active, "ent-food-business-licence", "subject-licence",
         "status-active"),
        (legal_representative_matches, "ent-food-business-licence", "application",
         "signed-by-legal-rep"),
    ]
    return [MaterialCheck(item=item, material=material, point=point, run=run)
            for run, item, material, point in targets]
