"""The HMAC-chained audit trail detects every kind of tampering and names the first bad row."""

import pytest
from test_lifecycle import take_in

from onewindow import audit
from onewindow.storage.models import AuditHeadRow, AuditRow, CaseRow


@pytest.fixture
def trail(hall, staff):
    for _ in range(3):
        take_in(hall, staff)
    assert audit.verify(hall.settings.audit_key).ok
    return hall.settings.audit_key


def test_intact_trail_verifies(trail):
    result = audit.verify(trail)
    assert result.ok and result.rows == 9 and "intact" in result.message
    assert "3 cases consistent" in result.message


def test_edited_row_is_named(trail):
    AuditRow.update(actor="someone_else").where(AuditRow.seq == 5).execute()
    result = audit.verify(trail)
    assert not result.ok and result.first_bad_seq == 5 and "seq 5" in result.message


def test_deleted_row_is_named(trail):
    AuditRow.delete().where(AuditRow.seq == 4).execute()
    result = audit.verify(trail)
    assert not result.ok and result.first_bad_seq == 4 and "missing" in result.message


def test_reordered_rows_are_detected(trail):
    a = AuditRow.get(AuditRow.seq == 2)
    b = AuditRow.get(AuditRow.seq == 3)
    fields = ["case_number", "action", "actor", "role", "at", "before", "after", "reason",
              "data", "mac"]
    va = {f: getattr(a, f) for f in fields}
    vb = {f: getattr(b, f) for f in fields}
    AuditRow.update(**vb).where(AuditRow.id == a.id).execute()
    AuditRow.update(**va).where(AuditRow.id == b.id).execute()
    result = audit.verify(trail)
    assert not result.ok and result.first_bad_seq == 2


def test_truncated_tail_is_detected(trail):
    AuditRow.delete().where(AuditRow.seq >= 8).execute()
    result = audit.verify(trail)
    assert not result.ok and "truncated" in result.message and result.first_bad_seq == 8


def test_row_added_behind_the_chain_is_detected(trail):
    last = AuditRow.get(AuditRow.seq == 9)
    AuditRow.create(seq=10, case_number=last.case_number, action="approve", actor="x",
                    role="approver", at=last.at, before="taken_in", after="approved",
                    reason="", data="{}", mac="0" * 64)
    assert not audit.verify(trail).ok


def test_wrong_key_fails_at_the_first_row(trail):
    result = audit.verify(b"another key")
    assert not result.ok and result.first_bad_seq == 1


def test_forged_head_is_detected(trail):
    AuditHeadRow.update(last_seq=5).execute()
    assert not audit.verify(trail).ok


def test_case_state_changed_outside_the_platform_is_detected(trail):
    case = CaseRow.select().first()
    CaseRow.update(state="issued").where(CaseRow.id == case.id).execute()
    result = audit.verify(trail)
    assert not result.ok and case.number in result.message and "issued" in result.message


def test_wiping_the_whole_trail_is_detected(trail):
    AuditRow.delete().execute()
    AuditHeadRow.delete().execute()
    result = audit.verify(trail)
    assert not result.ok and "audit trail is empty but case" in result.message


def test_case_written_behind_the_platforms_back_is_detected(trail, hall):
    from onewindow.storage import repo

    existing = hall.list_cases(limit=1)[0]
    repo.insert_case(existing.evolve(number="209901010001"))  # a case with no events at all
    result = audit.verify(trail)
    assert not result.ok and "case 209901010001 has no audit trail" in result.message
