"""Automatic checks against the investment project platform (投资项目在线审批监管平台).

The window compares the project code's record with the applicant and the item: who the
project unit is (项目单位), which management category the code was given (审批/核准/备案) and
where the project stands (已赋码/已核准/已备案/已撤销). Each check advises; an answer it
cannot give is UNKNOWN, never PASSED.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from onewindow.checks import (
    CheckContext,
    CheckOutcome,
    CheckVerdict,
    MaterialCheck,
    compare_holder,
    found_record,
    normalise_code,
)

PROJECT_PLATFORM = "project-platform"

REVOKED = "已撤销"
# 管理类别 of a project code.
GOVERNMENT = "审批"  # 政府投资项目
APPROVAL = "核准"
FILING = "备案"

_NOT_QUERIED = "请先按项目代码查询投资项目在线审批监管平台，再进行自动核验"


def _label(record: Mapping[str, Any]) -> str:
    return f"项目{record.get('project_code', '')}（{record.get('project_name', '')}）"


def _foreign_record(context: CheckContext, record: Mapping[str, Any]) -> CheckOutcome | None:
    """UNKNOWN when the project found belongs to another unit than the applicant.

    Category and status of someone else's project say nothing about this application; the
    identity check reports the mismatch itself.
    """
    applicant_code = normalise_code(context.applicant.get("credit_code"))
    record_code = normalise_code(record.get("credit_code"))
    if applicant_code and record_code and applicant_code != record_code:
        return CheckOutcome(
            CheckVerdict.UNKNOWN,
            f"{_label(record)}的项目单位不是申请人（{record.get('unit_name', '')}），"
            "请核对申请人填写的项目代码后重新查询",
        )
    return None


def project_unit_matches(context: CheckContext) -> CheckOutcome:
    """The applicant's name and credit code equal the project unit (项目单位) on the platform."""
    record = found_record(context, PROJECT_PLATFORM)
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
    holder = compare_holder(context, record, name_field="unit_name")
    if not holder.missing and not (holder.record_code and holder.record_name):
        return CheckOutcome(CheckVerdict.UNKNOWN, f"{_label(record)}未载明项目单位，请人工核实")
    return holder.outcome(
        missing="申请人信息未填写单位名称或统一社会信用代码，无法比对",
        code_mismatch=f"统一社会信用代码{holder.applicant_code}"
                      f"与在线平台项目单位代码{holder.record_code}不一致",
        name_mismatch=f"单位名称“{holder.raw_name}”与在线平台项目单位"
                      f"“{record.get('unit_name')}”不一致",
        passed=f"项目单位与在线平台赋码信息一致（{record.get('unit_name')}）",
    )


_CATEGORY_ADVICE = {
    GOVERNMENT: "政府投资项目应办理项目建议书、可行性研究报告审批",
    APPROVAL: "核准类项目应办理项目核准",
    FILING: "备案类项目应办理项目备案（或备案变更）",
}


def project_category_is(expected: str) -> Callable[[CheckContext], CheckOutcome]:
    """A check that the code's 管理类别 is ``expected`` (审批, 核准 or 备案)."""

    def check(context: CheckContext) -> CheckOutcome:
        record = found_record(context, PROJECT_PLATFORM)
        if record is None:
            return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
        foreign = _foreign_record(context, record)
        if foreign:
            return foreign
        category = str(record.get("approval_type") or "").strip()
        if not category:
            return CheckOutcome(CheckVerdict.UNKNOWN,
                                f"{_label(record)}未载明管理类别，请人工核实")
        if category != expected:
            advice = _CATEGORY_ADVICE.get(category, "请核对项目管理类别")
            return CheckOutcome(
                CheckVerdict.FAILED,
                f"{_label(record)}在线平台管理类别为“{category}”，不是“{expected}”；{advice}",
            )
        return CheckOutcome(CheckVerdict.PASSED, f"在线平台管理类别为“{category}”")

    check.__name__ = f"project_category_is_{expected}"
    return check


def project_status_in(allowed: tuple[str, ...], hints: Mapping[str, str] | None = None
                      ) -> Callable[[CheckContext], CheckOutcome]:
    """A check that the project's platform status is one of ``allowed``.

    ``hints`` say what the window tells the applicant for a status that is not allowed (e.g. an
    already approved project must apply for a change, not approval again). 已撤销 always fails.
    """
    hints = dict(hints or {})

    def check(context: CheckContext) -> CheckOutcome:
        record = found_record(context, PROJECT_PLATFORM)
        if record is None:
            return CheckOutcome(CheckVerdict.UNKNOWN, _NOT_QUERIED)
        foreign = _foreign_record(context, record)
        if foreign:
            return foreign
        status = str(record.get("status") or "").strip()
        if not status:
            return CheckOutcome(CheckVerdict.UNKNOWN, f"{_label(record)}未载明项目状态，请人工核实")
        if status == REVOKED:
            note = str(record.get("status_note") or "").strip()
            return CheckOutcome(
                CheckVerdict.FAILED,
                f"{_label(record)}状态为“已撤销”{('（' + note + '）') if note else ''}，"
                "不能以该项目代码办理，须重新赋码",
            )
        if status in allowed:
            return CheckOutcome(CheckVerdict.PASSED, f"{_label(record)}状态为“{status}”")
        hint = hints.get(status, "请核实项目所处阶段")
        return CheckOutcome(CheckVerdict.FAILED,
                            f"{_label(record)}状态为“{status}”，{hint}")

    check.__name__ = "project_status_in_" + "_".join(allowed)
    return check


CODED = "已赋码"
APPROVED = "已核准"
FILED = "已备案"

approval_status = project_status_in(
    (CODED,), {APPROVED: "项目已核准，不得重复申请核准；内容变化的应申请核准变更"})
filing_status = project_status_in(
    (CODED,), {FILED: "项目已备案，不得重复备案；信息变化的应办理备案变更"})
filing_change_status = project_status_in(
    (FILED,), {CODED: "项目尚未备案，应先办理项目备案"})
government_status = project_status_in((CODED,))
energy_review_status = project_status_in((CODED, APPROVED, FILED))


def material_checks() -> list[MaterialCheck]:
    """Every automatic check of the section, each tied to one review point in catalogue.toml."""
    targets = [
        (project_unit_matches, "inv-enterprise-approval", "approval-form",
         "unit-matches-platform"),
        (project_category_is(APPROVAL), "inv-enterprise-approval", "approval-form",
         "category-approval"),
        (approval_status, "inv-enterprise-approval", "approval-form", "project-coded"),
        (project_unit_matches, "inv-enterprise-filing", "filing-form", "unit-matches-platform"),
        (project_category_is(FILING), "inv-enterprise-filing", "filing-form", "category-filing"),
        (filing_status, "inv-enterprise-filing", "filing-form", "not-yet-filed"),
        (project_unit_matches, "inv-filing-change", "change-form", "unit-matches-platform"),
        (filing_change_status, "inv-filing-change", "change-form", "status-filed"),
        (project_unit_matches, "inv-gov-feasibility", "application-form",
         "unit-matches-platform"),
        (project_category_is(GOVERNMENT), "inv-gov-feasibility", "application-form",
         "category-government"),
        (government_status, "inv-gov-feasibility", "application-form", "project-coded"),
        (project_unit_matches, "inv-energy-review", "energy-application",
         "unit-matches-platform"),
        (energy_review_status, "inv-energy-review", "energy-application", "project-valid"),
    ]
    return [MaterialCheck(item=item, material=material, point=point, run=run)
            for run, item, material, point in targets]
