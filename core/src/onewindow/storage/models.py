"""peewee rows. Domain objects live in :mod:`onewindow.case`; :mod:`onewindow.storage.repo`
converts between the two. The schema itself is created and changed only by numbered migrations
in :mod:`onewindow.storage.migrations`; keep these classes in step with them.
"""

from __future__ import annotations

import peewee as pw

database_proxy = pw.DatabaseProxy()


class BaseRow(pw.Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class StaffRow(BaseRow):
    username = pw.CharField(max_length=64, unique=True)
    display_name = pw.CharField(max_length=64)
    role = pw.CharField(max_length=32)
    section = pw.CharField(max_length=64, null=True)
    password_hash = pw.CharField(max_length=255)
    active = pw.BooleanField(default=True)
    session_generation = pw.IntegerField(default=0)  # migration 0002

    class Meta:
        table_name = "staff"


class CaseRow(BaseRow):
    number = pw.CharField(max_length=32, unique=True)
    item_code = pw.CharField(max_length=64, index=True)
    item_version = pw.CharField(max_length=32)
    item_snapshot = pw.TextField()  # JSON of the catalogue entry the case was opened under
    section = pw.CharField(max_length=64, index=True)
    state = pw.CharField(max_length=32, index=True)
    state_before_halt = pw.CharField(max_length=32, null=True)
    notices_issued = pw.IntegerField(default=0)
    applicant_kind = pw.CharField(max_length=16)
    applicant_name = pw.CharField(max_length=200)
    credit_code = pw.CharField(max_length=18, default="")
    id_number = pw.CharField(max_length=18, default="")
    legal_representative = pw.CharField(max_length=64, default="")
    contact_person = pw.CharField(max_length=64, default="")
    phone = pw.CharField(max_length=32)
    social_organisation_name = pw.CharField(max_length=200, default="")
    opened_by = pw.CharField(max_length=64)
    opened_at = pw.DateTimeField()
    updated_at = pw.DateTimeField()

    class Meta:
        table_name = "case"


class ReviewRow(BaseRow):
    case = pw.ForeignKeyField(CaseRow, backref="review_rows", on_delete="CASCADE")
    material = pw.CharField(max_length=64)
    point = pw.CharField(max_length=64)
    outcome = pw.CharField(max_length=16)
    reason = pw.TextField(default="")

    class Meta:
        table_name = "review"
        indexes = ((("case", "material", "point"), True),)


class DeferralRow(BaseRow):
    case = pw.ForeignKeyField(CaseRow, backref="deferral_rows", on_delete="CASCADE")
    material = pw.CharField(max_length=64)
    kind = pw.CharField(max_length=16)
    due_date = pw.DateField()
    commitment_signed = pw.BooleanField(default=False)
    requested = pw.BooleanField(default=False)
    supplied_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "deferral"


class SupplementRow(BaseRow):
    case = pw.ForeignKeyField(CaseRow, backref="supplement_rows", on_delete="CASCADE")
    material = pw.CharField(max_length=64)
    filename = pw.CharField(max_length=255)
    sha256 = pw.CharField(max_length=64)
    size = pw.IntegerField()
    storage_path = pw.CharField(max_length=255)
    uploaded_by = pw.CharField(max_length=64)
    uploaded_at = pw.DateTimeField()

    class Meta:
        table_name = "supplement"


class LookupRow(BaseRow):
    case = pw.ForeignKeyField(CaseRow, backref="lookup_rows", on_delete="CASCADE")
    network = pw.CharField(max_length=64)
    params = pw.TextField()  # JSON
    status = pw.CharField(max_length=16)
    message = pw.TextField()
    answer_hash = pw.CharField(max_length=64)
    record = pw.TextField()  # JSON
    asked_by = pw.CharField(max_length=64)
    asked_at = pw.DateTimeField()

    class Meta:
        table_name = "lookup"


class AuditRow(BaseRow):
    """One event of the audit trail. ``mac`` chains it to the row before (HMAC-SHA256)."""

    seq = pw.IntegerField(unique=True)
    case_number = pw.CharField(max_length=32, null=True, index=True)
    action = pw.CharField(max_length=64)
    actor = pw.CharField(max_length=64)
    role = pw.CharField(max_length=32)
    at = pw.DateTimeField()
    before = pw.CharField(max_length=32)
    after = pw.CharField(max_length=32)
    reason = pw.TextField(default="")
    data = pw.TextField(default="{}")  # JSON
    mac = pw.CharField(max_length=64)

    class Meta:
        table_name = "audit"
        indexes = ((("action", "at"), False),)  # migration 0005


class AuditHeadRow(BaseRow):
    """The newest seq and mac, itself MACed: what lets verify see a truncated trail."""

    id = pw.IntegerField(primary_key=True)
    last_seq = pw.IntegerField()
    last_mac = pw.CharField(max_length=64)
    mac = pw.CharField(max_length=64)

    class Meta:
        table_name = "audit_head"


class CaseCounterRow(BaseRow):
    """The daily sequence behind case numbers; updated inside the case's own transaction."""

    day = pw.CharField(max_length=8, primary_key=True)
    last = pw.IntegerField()

    class Meta:
        table_name = "case_counter"


class SealLedgerRow(BaseRow):
    """One use of a section's approval seal (行政审批专用章使用台账); migration 0003.

    Written by the platform in the same transaction as the issuance that used the seal, so
    every entry carries the audit row that traces it.
    """

    case_number = pw.CharField(max_length=32, index=True)
    section = pw.CharField(max_length=64, index=True)
    item_code = pw.CharField(max_length=64)
    item_name = pw.CharField(max_length=200)
    applicant_name = pw.CharField(max_length=200)
    purpose = pw.CharField(max_length=200)
    used_by = pw.CharField(max_length=64)
    used_at = pw.DateTimeField(index=True)
    audit_seq = pw.IntegerField(null=True)

    class Meta:
        table_name = "seal_ledger"


# ---------------------------------------------------------------- migration 0004
class TransferRow(BaseRow):
    """A dedicated-network transfer form (专网审批事项信息转交表): the section fills it after an
    approval handled end to end on its own network; the window records it as a case."""

    number = pw.CharField(max_length=32, unique=True)
    form_date = pw.DateField()  # 年 月 日 at the top of the form
    item_code = pw.CharField(max_length=64)
    item_name = pw.CharField(max_length=200)  # 审批事项名称
    section = pw.CharField(max_length=64, index=True)  # 审批业务科
    applicant_kind = pw.CharField(max_length=16)  # 企业申办 / 个人申办
    applicant_name = pw.CharField(max_length=200)  # 单位名称 / 申请人
    credit_code = pw.CharField(max_length=18, default="")
    id_number = pw.CharField(max_length=18, default="")
    legal_representative = pw.CharField(max_length=64, default="")
    contact_person = pw.CharField(max_length=64, default="")
    phone = pw.CharField(max_length=32)
    social_organisation_name = pw.CharField(max_length=200, default="")
    notes = pw.TextField(default="")  # 备注
    filled_by = pw.CharField(max_length=64)  # 审批经办人
    filled_by_name = pw.CharField(max_length=64)
    filled_at = pw.DateTimeField()
    recorded_by = pw.CharField(max_length=64, null=True)  # 大厅服务人员
    recorded_by_name = pw.CharField(max_length=64, null=True)
    recorded_at = pw.DateTimeField(null=True)
    case_number = pw.CharField(max_length=32, null=True, unique=True)
    content_hash = pw.CharField(max_length=64)

    class Meta:
        table_name = "transfer"


class JointReviewCallRow(BaseRow):
    """A call from the window to the section for a joint review (共同形式审查)."""

    case_number = pw.CharField(max_length=32, index=True)
    section = pw.CharField(max_length=64, index=True)
    material = pw.CharField(max_length=64, default="")
    point = pw.CharField(max_length=64, default="")
    note = pw.TextField(default="")
    called_by = pw.CharField(max_length=64)
    called_at = pw.DateTimeField(index=True)
    answered_by = pw.CharField(max_length=64, null=True)
    answered_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "joint_review_call"


class PointReportRow(BaseRow):
    """"This review point is unclear" (要点不清), reported from the checklist for the monthly
    problem list (形式审查要点问题清单)."""

    item_code = pw.CharField(max_length=64)
    item_version = pw.CharField(max_length=32)
    section = pw.CharField(max_length=64, index=True)
    material = pw.CharField(max_length=64)
    point = pw.CharField(max_length=64)
    case_number = pw.CharField(max_length=32, null=True)
    note = pw.TextField(default="")
    reported_by = pw.CharField(max_length=64)
    reported_at = pw.DateTimeField(index=True)

    class Meta:
        table_name = "point_report"


class InquiryRow(BaseRow):
    """One line of the first-inquiry log (首问负责制) at the consultation window."""

    asked_at = pw.DateTimeField(index=True)
    first_asked = pw.CharField(max_length=64)  # who was asked first: owns the question
    section = pw.CharField(max_length=64, null=True)
    item_code = pw.CharField(max_length=64, default="")
    question = pw.TextField()
    applicant_name = pw.CharField(max_length=200, default="")
    applicant_identifier = pw.CharField(max_length=18, default="")
    contacted = pw.CharField(max_length=200, default="")  # whom they contacted, if not theirs
    answered = pw.BooleanField(default=False)
    answer = pw.TextField(default="")
    repeat_of = pw.CharField(max_length=32, null=True)  # the case whose notice came before

    class Meta:
        table_name = "inquiry"


class DraftRow(BaseRow):
    """Half-filled work kept server-side, per member of staff and form, so a reload or an
    expired session loses nothing."""

    owner = pw.CharField(max_length=64)
    key = pw.CharField(max_length=200)
    data = pw.TextField()  # JSON: field name -> list of values
    updated_at = pw.DateTimeField()

    class Meta:
        table_name = "draft"
        indexes = ((("owner", "key"), True),)


ALL_ROWS = [StaffRow, CaseRow, ReviewRow, DeferralRow, SupplementRow, LookupRow, AuditRow,
            AuditHeadRow, CaseCounterRow, SealLedgerRow, TransferRow, JointReviewCallRow,
            PointReportRow, InquiryRow, DraftRow]
