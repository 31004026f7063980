"""The case (办件): an application's whole life in the hall, as domain objects.

These are frozen attrs classes, separate from the peewee rows that store them
(:mod:`onewindow.storage`): the lifecycle rules reason about these, never about rows.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from attrs import evolve, field, frozen
from stdnum.cn import ric

from .catalogue import ApplicantKind, DeferralKind
from .errors import ValidationError
from .inputs import (
    Form,
    column_limit,
    compact_identifier,
    credit_code_problem,
    id_number_problem,
)
from .storage.models import CaseRow


class Role(enum.StrEnum):
    """Who acts in the hall. The Chinese names are what the screens show."""

    WINDOW_STAFF = "window_staff"  # 大厅服务人员（分类综合接件窗口）
    APPROVER = "approver"  # 审批人员
    SECTION_HEAD = "section_head"  # 科室负责人
    ISSUANCE = "issuance"  # 统一发证窗口
    COORDINATION = "coordination"  # 业务协调科
    SUPERVISION = "supervision"  # 督查考核科
    ADMIN = "admin"  # 网络平台科（系统管理员）


SECTION_BOUND_ROLES = frozenset({Role.APPROVER, Role.SECTION_HEAD})


@frozen
class Actor:
    """A member of staff acting on a case. Approvers and section heads belong to a section."""

    username: str
    role: Role
    section: str | None = None
    display_name: str = ""

    def __attrs_post_init__(self):
        if self.role in SECTION_BOUND_ROLES and not self.section:
            raise ValueError(f"{self.role} {self.username} must belong to a section")


class State(enum.StrEnum):
    """Where a case stands. See :mod:`onewindow.lifecycle` for the moves between states."""

    CONSULTATION = "consultation"  # 咨询/接件中：the window is checking the materials
    NOTIFIED = "notified"  # 已一次性告知：deficiencies listed, applicant to come back
    TAKEN_IN = "taken_in"  # 已接件：waiting for the section to accept
    ACCEPTED = "accepted"  # 已受理：the time limit runs
    SUSPENDED = "suspended"  # 补正中：waiting for the applicant; the clock stops
    RETURNED = "returned"  # 已退回：the section refused to accept what the window took in
    APPROVED = "approved"  # 准予许可
    DENIED = "denied"  # 不予许可
    ISSUED = "issued"  # 已发证：result handed out at the unified window
    CLOSED = "closed"  # 已办结
    HALTED = "halted"  # 已中止：a violating case stopped for re-review
    WITHDRAWN = "withdrawn"  # 已撤回


class ReviewOutcome(enum.StrEnum):
    PASSED = "passed"  # 通过
    FAILED = "failed"  # 不通过
    NOT_APPLICABLE = "not_applicable"  # 不适用


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")


def validate_phone(value: str) -> str:
    """A mainland mobile (11 digits) or landline with area code; returns it compacted.

    Full-width digits and spaces are normalised first (:func:`onewindow.inputs.compact_identifier`
    keeps no hyphen, so a landline's area-code hyphen is put back from the typed value).
    """
    typed = "".join(c for c in unicodedata.normalize("NFKC", value)
                    if unicodedata.category(c) != "Zs")
    digits = compact_identifier(value)
    if _MOBILE.fullmatch(digits):
        return digits
    if _LANDLINE.fullmatch(typed):
        return typed
    if _LANDLINE.fullmatch(digits):
        return digits
    raise ValueError("应为11位手机号码或带区号的固定电话")


def mask_id_number(value: str) -> str:
    """Show a resident ID number as ``2101**********123X``: enough to match, not to misuse."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_identifiers(values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy with every valid resident ID number masked: what events and logs may keep."""
    return {k: mask_id_number(v) if isinstance(v, str) and ric.is_valid(v) else v
            for k, v in values.items()}


def _as_str(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


# The applicant's free-text fields and the case table's columns that hold them.
_TEXT_COLUMNS = {"name": CaseRow.applicant_name,
                 "legal_representative": CaseRow.legal_representative,
                 "contact_person": CaseRow.contact_person,
                 "social_organisation_name": CaseRow.social_organisation_name}

# What each applicant field of a form accepts as typed (the pages' ``maxlength``): a text field
# its column's limit; a code room for the spaces and hyphens it may be typed with.
APPLICANT_INPUT_LIMITS = {**{name: column_limit(column) for name, column in _TEXT_COLUMNS.items()},
                          "credit_code": 40, "id_number": 40,
                          "phone": column_limit(CaseRow.phone)}


@frozen
class Applicant:
    """The applicant (办事人), with exactly the fields of the seed's transfer form.

    An enterprise (单位) gives its unified social credit code (统一社会信用代码); a person
    (个人) gives a resident ID number (居民身份证号码). Both are checksum-validated with
    python-stdnum; use :meth:`create` to validate and normalise.
    """

    kind: ApplicantKind
    name: str  # 单位名称 / 申请人
    phone: str  # 联系电话
    credit_code: str = ""  # 统一社会信用代码
    id_number: str = ""  # 申请人身份证号
    legal_representative: str = ""  # 法定代表人
    contact_person: str = ""  # 联系人
    social_organisation_name: str = ""  # 社会组织名称

    @classmethod
    def create(cls, data: Mapping[str, Any]) -> Applicant:
        """Validate raw input; raise :class:`ValidationError` naming every bad field.

        Every field goes through :mod:`onewindow.inputs`: control and bidirectional
        characters are refused, lengths are the case table's columns', and the credit code, ID
        number and phone are compacted (full-width, spaces, hyphens) before they are checked.
        """
        form = Form(data)
        try:
            kind = ApplicantKind(_as_str(data.get("kind")).strip())
        except ValueError:
            raise ValidationError({"kind": "请选择申请人类型：单位或个人"}) from None
        enterprise = kind is ApplicantKind.ENTERPRISE
        values = {name: form.text(name, limit=column_limit(column))
                  for name, column in _TEXT_COLUMNS.items()}
        if not values["name"] and "name" not in form.errors:
            form.fail("name", "请填写单位名称" if enterprise else "请填写申请人姓名")
        phone = form.identifier("phone", limit=column_limit(CaseRow.phone))
        if not phone:
            form.fail("phone", "请填写联系电话")
        else:
            try:
                phone = validate_phone(phone)
            except ValueError as exc:
                form.fail("phone", str(exc))
        values["phone"] = phone
        values["credit_code"] = values["id_number"] = ""
        if enterprise:
            # the identifier's own length check says "应为 18 位", not the column's limit
            code = form.identifier("credit_code", limit=1000)
            if not code:
                form.fail("credit_code", "请填写统一社会信用代码")
            elif problem := credit_code_problem(code):
                form.fail("credit_code", problem)
            values["credit_code"] = code
            if not values["legal_representative"]:
                form.fail("legal_representative", "请填写法定代表人")
        else:
            number = form.identifier("id_number", limit=1000)
            if not number:
                form.fail("id_number", "请填写申请人身份证号")
            elif problem := id_number_problem(number):
                form.fail("id_number", problem)
            values["id_number"] = number
        form.check()
        return cls(kind=kind, **values)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def identifier(self) -> str:
        """The credit code, or the masked ID number: what lists and logs may show."""
        return self.credit_code if self.kind is ApplicantKind.ENTERPRISE else self.masked_id_number


@frozen
class ReviewMark:
    """The window's verdict on one review point of one material."""

    material: str
    point: str
    outcome: ReviewOutcome
    reason: str = ""


@frozen
class DeferralMark:
    """A material taken in later (容缺), or asked for by the section (补正).

    ``requested`` is True for a supplement the section asked for after acceptance.
    """

    material: str
    kind: DeferralKind
    due_date: dt.date
    commitment_signed: bool = False
    requested: bool = False
    supplied_at: dt.datetime | None = None

    @property
    def outstanding(self) -> bool:
        return self.supplied_at is None


@frozen
class Supplement:
    """A material supplied later (补正材料上传留痕): the file's fingerprint and where it lives."""

    material: str
    filename: str
    sha256: str
    size: int
    storage_path: str
    uploaded_by: str
    uploaded_at: dt.datetime


@frozen
class LookupRecord:
    """One dedicated-network query made for a case: who, when, which network, what, answer."""

    network: str
    params: Mapping[str, str]
    status: str
    message: str
    answer_hash: str
    record: Mapping[str, Any]
    asked_by: str
    asked_at: dt.datetime


@frozen
class TransferForm:
    """The dedicated-network transfer form (专网审批事项信息转交表), exactly the seed's fields.

    An item handled end to end on a section's own network (业务专网) leaves no trace on the
    platform; after the approval the section fills this form and the window records it
    (``record_transfer``), which gives the approval a case with its whole trace.
    ``content_hash`` is printed on the form: the paper and the record can be compared.
    """

    number: str
    form_date: dt.date  # 年 月 日
    item_code: str
    item_name: str  # 审批事项名称
    section: str  # 审批业务科
    applicant: Applicant  # 企业申办 / 个人申办 fields
    notes: str  # 备注
    filled_by: str  # 审批经办人 (signs)
    filled_by_name: str
    filled_at: dt.datetime
    content_hash: str
    recorded_by: str | None = None  # 大厅服务人员 (signs)
    recorded_by_name: str | None = None
    recorded_at: dt.datetime | None = None
    case_number: str | None = None

    @property
    def recorded(self) -> bool:
        return self.recorded_at is not None


@frozen
class CaseEvent:
    """Something that happened to a case: who (and in which role), when, what, why.

    ``before`` and ``after`` are the states around it (equal for an event that does not move
    the case, like a look-up). ``data`` carries the action's details.
    """

    case_number: str
    action: str
    actor: str
    role: Role
    at: dt.datetime
    before: State
    after: State
    reason: str = ""
    data: Mapping[str, Any] = field(factory=dict)
    seq: int | None = None


@frozen
class Case:
    """An application in the hall, from the window's first look to the result handed out.

    ``item_version`` and ``item_snapshot`` keep the catalogue entry exactly as it was when the
    case was opened: a later revision of review points never changes an existing case.
    """

    number: str
    item_code: str
    item_version: str
    section: str
    applicant: Applicant
    state: State
    opened_by: str
    opened_at: dt.datetime
    item_snapshot: Mapping[str, Any] = field(factory=dict, repr=False)
    reviews: tuple[ReviewMark, ...] = ()
    deferrals: tuple[DeferralMark, ...] = ()
    supplements: tuple[Supplement, ...] = ()
    lookups: tuple[LookupRecord, ...] = ()
    events: tuple[CaseEvent, ...] = ()
    state_before_halt: State | None = None
    notices_issued: int = 0

    def evolve(self, **changes) -> Case:
        return evolve(self, **changes)

    def review(self, material: str, point: str) -> ReviewMark | None:
        for mark in self.reviews:
            if mark.material == material and mark.point == point:
                return mark
        return None

    def deferral(self, material: str) -> DeferralMark | None:
        for mark in self.deferrals:
            if mark.material == material and not mark.requested:
                return mark
        return None

    def outstanding(self, kind: DeferralKind) -> list[DeferralMark]:
        return [d for d in self.deferrals if d.kind is kind and d.outstanding]

    def event_at(self, action: str) -> dt.datetime | None:
        """When the latest event of ``action`` happened, if it did."""
        for event in reversed(self.events):
            if event.action == action:
                return event.at
        return None
