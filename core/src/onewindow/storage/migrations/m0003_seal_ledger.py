"""0003: the seal ledger (行政审批专用章使用台账), one row per use of a section's approval seal."""

from __future__ import annotations

import peewee as pw


class SealLedgerRow(pw.Model):
    case_number = pw.CharField(max_length=32, index=True)
    section = pw.CharField(max_length=64, index=True)
    item_code = pw.CharField(max_length=64)
    item_name = pw.CharField(max_length=200)
    applicant_name = pw.CharField(max_length=200)
    purpose = pw.CharField(max_length=200)
    used_by = pw.CharField(max_length=64)
    used_at = pw.DateTimeField(index=True)
    audit_seq = pw.IntegerField(null=True)  # the audit row of the event that used the seal

    class Meta:
        table_name = "seal_ledger"
        legacy_table_names = False


def upgrade(db: pw.Database, migrator) -> None:
    with db.bind_ctx([SealLedgerRow]):
        db.create_tables([SealLedgerRow])
