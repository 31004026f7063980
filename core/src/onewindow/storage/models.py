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


ALL_ROWS = [StaffRow, CaseRow, ReviewRow, DeferralRow, SupplementRow, LookupRow, AuditRow,
            AuditHeadRow, CaseCounterRow, SealLedgerRow]
