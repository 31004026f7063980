"""0004: the hall's working day: transfer forms (专网审批事项信息转交表), joint-review calls
(共同形式审查), unclear review-point reports, the first-inquiry log (首问负责制) and drafts.

A frozen copy of the rows as this migration created them; later changes are new migrations.
"""

from __future__ import annotations

import peewee as pw


class TransferRow(pw.Model):
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
        legacy_table_names = False


class JointReviewCallRow(pw.Model):
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
        legacy_table_names = False


class PointReportRow(pw.Model):
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
        legacy_table_names = False


class InquiryRow(pw.Model):
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
        legacy_table_names = False


class DraftRow(pw.Model):
    """Half-filled work kept server-side, per member of staff and form, so a reload or an
    expired session loses nothing."""

    owner = pw.CharField(max_length=64)
    key = pw.CharField(max_length=200)
    data = pw.TextField()  # JSON: field name -> list of values
    updated_at = pw.DateTimeField()

    class Meta:
        table_name = "draft"
        legacy_table_names = False
        indexes = ((("owner", "key"), True),)



TABLES = [TransferRow, JointReviewCallRow, PointReportRow, InquiryRow, DraftRow]


def upgrade(db: pw.Database, migrator) -> None:
    with db.bind_ctx(TABLES):
        db.create_tables(TABLES)
