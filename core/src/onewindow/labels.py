"""Chinese labels for the core's enums: the words a window clerk reads on screen.

These are domain terms (the seed's own vocabulary), so they stay Chinese in every interface
language; the web layer and other bureaus' code show them as they are.
"""

from __future__ import annotations

from .case import Role, State
from .catalogue import (
    ApplicantKind,
    DeferralKind,
    MaterialForm,
    Requirement,
    SealRule,
)
from .workdays import Timeliness

ROLE_LABELS = {
    Role.WINDOW_STAFF: "大厅服务人员",
    Role.APPROVER: "审批人员",
    Role.SECTION_HEAD: "科室负责人",
    Role.ISSUANCE: "统一发证窗口",
    Role.COORDINATION: "业务协调科",
    Role.SUPERVISION: "督查考核科",
    Role.ADMIN: "系统管理员",
}

STATE_LABELS = {
    State.CONSULTATION: "咨询/接件中",
    State.NOTIFIED: "已一次性告知",
    State.TAKEN_IN: "已接件",
    State.ACCEPTED: "已受理",
    State.SUSPENDED: "补正中",
    State.RETURNED: "已退回",
    State.APPROVED: "准予许可",
    State.DENIED: "不予许可",
    State.ISSUED: "已发证",
    State.CLOSED: "已办结",
    State.HALTED: "已中止",
    State.WITHDRAWN: "已撤回",
}

TIMELINESS_LABELS = {
    Timeliness.NOT_STARTED: "未开始计时",
    Timeliness.ON_TIME: "正常",
    Timeliness.WARNED: "临近到期",
    Timeliness.OVERDUE: "已超期",
    Timeliness.PAUSED: "补正中，计时暂停",
    Timeliness.FINISHED_ON_TIME: "按时办结",
    Timeliness.FINISHED_LATE: "超期办结",
    Timeliness.STOPPED: "已终止",
}

SEAL_LABELS = {
    SealRule.HEAD_OFFICE: "总公司公章",
    SealRule.BRANCH: "分公司公章",
    SealRule.LEGAL_REPRESENTATIVE_SIGNATURE: "法定代表人签字",
    SealRule.NONE: "无需盖章",
}

MATERIAL_FORM_LABELS = {
    MaterialForm.ORIGINAL: "原件",
    MaterialForm.COPY: "复印件",
    MaterialForm.ORIGINAL_AND_COPY: "验原件收复印件",
}

DEFERRAL_LABELS = {
    DeferralKind.AT_ACCEPTANCE: "容缺受理",
    DeferralKind.AT_ISSUANCE: "容缺发证",
}

APPLICANT_KIND_LABELS = {
    ApplicantKind.ENTERPRISE: "单位",
    ApplicantKind.PERSON: "个人",
}

REQUIREMENT_LABELS = {
    Requirement.HARD: "硬性要求",
    Requirement.ADVICE: "建议",
}
