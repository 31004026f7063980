"""Every value of the core's enums has its Chinese label, so no page fails on a new state."""

from __future__ import annotations

import pytest

from onewindow import labels
from onewindow.case import Role, State
from onewindow.catalogue import ApplicantKind, DeferralKind, MaterialForm, Requirement, SealRule
from onewindow.workdays import Timeliness


@pytest.mark.parametrize(("enum", "table"), [
    (State, labels.STATE_LABELS),
    (Timeliness, labels.TIMELINESS_LABELS),
    (SealRule, labels.SEAL_LABELS),
    (MaterialForm, labels.MATERIAL_FORM_LABELS),
    (DeferralKind, labels.DEFERRAL_LABELS),
    (ApplicantKind, labels.APPLICANT_KIND_LABELS),
    (Requirement, labels.REQUIREMENT_LABELS),
    (Role, labels.ROLE_LABELS),
])
def test_every_enum_value_has_a_label(enum, table):
    assert set(table) == set(enum)
    assert all(label.strip() for label in table.values())


def test_the_seed_s_own_words_are_used():
    assert labels.SEAL_LABELS[SealRule.HEAD_OFFICE] == "总公司公章"
    assert labels.SEAL_LABELS[SealRule.NONE] == "无需盖章"
    assert labels.DEFERRAL_LABELS[DeferralKind.AT_ACCEPTANCE] == "容缺受理"
    assert labels.DEFERRAL_LABELS[DeferralKind.AT_ISSUANCE] == "容缺发证"
    assert labels.REQUIREMENT_LABELS[Requirement.HARD] == "硬性要求"
