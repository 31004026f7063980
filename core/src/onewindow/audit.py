"""The audit trail (网上留痕): every event, chained by HMAC-SHA256 so no edit goes unseen.

Row n's mac is HMAC(key, mac of row n-1 + canonical JSON of row n). A head row keeps the newest
seq and mac under its own MAC, so deleting the newest rows is detected too. The key lives
outside the database (``ONEWINDOW_AUDIT_KEY`` or a key file): whoever can edit the database
cannot forge the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from attrs import frozen

from .case import CaseEvent
from .storage.models import AuditHeadRow, AuditRow, CaseRow

GENESIS = "0" * 64


def _canonical(seq: int, case_number: str | None, action: str, actor: str, role: str,
               at: dt.datetime, before: str, after: str, reason: str, data: str) -> bytes:
    return json.dumps(
        [seq, case_number, action, actor, role, at.isoformat(timespec="microseconds"), before,
         after, reason, data],
        ensure_ascii=False, separators=(",", ":"),
    ).encode("utf-8")


def _mac(key: bytes, previous: str, payload: bytes) -> str:
    return hmac.new(key, previous.encode("ascii") + payload, hashlib.sha256).hexdigest()


def _head_mac(key: bytes, seq: int, mac: str) -> str:
    return _mac(key, GENESIS, f"head:{seq}:{mac}".encode("ascii"))


def dump_data(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def append(key: bytes, event: CaseEvent) -> int:
    """Append a case event to the chain; call inside the transaction that stores its effect."""
    return append_record(key, case_number=event.case_number, action=event.action,
                         actor=event.actor, role=str(event.role), at=event.at,
                         before=str(event.before), after=str(event.after), reason=event.reason,
                         data=event.data)


def append_record(key: bytes, *, case_number: str | None, action: str, actor: str, role: str,
                  at: dt.datetime, before: str = "", after: str = "", reason: str = "",
                  data: Any = None) -> int:
    """Append one row to the chain (a case event, or a staff-account change with no case).

    Returns its sequence number. The head row is locked for update on PostgreSQL so two windows
    writing at once cannot fork the chain.
    """
    query = AuditHeadRow.select().where(AuditHeadRow.id == 1)
    if AuditHeadRow._meta.database.for_update:
        query = query.for_update()
    head = query.first()
    previous_seq, previous_mac = (head.last_seq, head.last_mac) if head else (0, GENESIS)
    seq = previous_seq + 1
    data = dump_data(data or {})
    mac = _mac(key, previous_mac, _canonical(seq, case_number, action, actor, role, at, before,
                                             after, reason, data))
    AuditRow.create(seq=seq, case_number=case_number, action=action, actor=actor, role=role,
                    at=at, before=before, after=after, reason=reason, data=data, mac=mac)
    values = {"last_seq": seq, "last_mac": mac, "mac": _head_mac(key, seq, mac)}
    if head is None:
        AuditHeadRow.create(id=1, **values)
    else:
        AuditHeadRow.update(**values).where(AuditHeadRow.id == 1).execute()
    return seq


# Rows without a case that say who was refused what: failed sign-ins and refused actions.
LOGIN_FAILED = "login_failed"
ACTION_REFUSED = "action_refused"


def record_refusal(key: bytes, *, actor: str, role: str, action: str, subject: str,
                   reason: str, at: dt.datetime, data: Any = None) -> int:
    """Chain a refused action (a lifecycle refusal, a role refusal) in a transaction of its own.

    Call it after the refused transaction rolled back. The row carries no case number (the
    case's own trail only holds what happened to it): the case, if any, is ``subject``. Typed
    text that looks like a resident ID number is masked.
    """
    from .privacy import audit_username, mask_text

    with AuditRow._meta.database.atomic():
        return append_record(key, case_number=None, action=ACTION_REFUSED,
                             actor=audit_username(actor), role=role, at=at,
                             reason=mask_text(reason),
                             data={"action": action, "subject": mask_text(subject),
                                   **(data or {})})


@frozen
class Verification:
    ok: bool
    rows: int
    message: str
    first_bad_seq: int | None = None


def verify(key: bytes, batch: int = 2000) -> Verification:
    """Walk the whole chain; name the first row that is edited, missing, reordered or extra.

    Then hold every case against its trail: a case must have one, and its stored state must be
    where its last event left it, so a state changed outside the platform is found too.
    """
    last_state: dict[str, str] = {}
    previous_mac = GENESIS
    expected = 1
    count = 0
    last = 0
    while True:
        rows = list(AuditRow.select().where(AuditRow.seq >= expected)
                    .order_by(AuditRow.seq).limit(batch))
        if not rows:
            break
        for row in rows:
            if row.seq != expected:
                return Verification(False, count, f"audit row seq {expected} is missing "
                                    f"(next row present is seq {row.seq})", expected)
            payload = _canonical(row.seq, row.case_number, row.action, row.actor, row.role,
                                 row.at, row.before, row.after, row.reason, row.data)
            mac = _mac(key, previous_mac, payload)
            if not hmac.compare_digest(mac, row.mac):
                return Verification(False, count, f"audit row seq {row.seq} (id {row.id}) does "
                                    "not match its MAC: edited, reordered or written without "
                                    "the key", row.seq)
            previous_mac = mac
            if row.case_number:
                last_state[row.case_number] = row.after
            last = row.seq
            count += 1
            expected += 1
    head = AuditHeadRow.get_or_none(AuditHeadRow.id == 1)
    if head is None:
        if count:
            return Verification(False, count, "audit head is missing", None)
        untraced = CaseRow.select(CaseRow.number).limit(1).scalar()
        if untraced:
            return Verification(False, 0, f"audit trail is empty but case {untraced} exists")
        return Verification(True, 0, "audit trail is empty")
    if not hmac.compare_digest(head.mac, _head_mac(key, head.last_seq, head.last_mac)):
        return Verification(False, count, "audit head does not match its MAC", None)
    if head.last_seq > last:
        return Verification(False, count, f"audit trail is truncated: rows after seq {last} "
                            f"are missing (head records seq {head.last_seq})", last + 1)
    if head.last_seq < last or head.last_mac != previous_mac:
        return Verification(False, count, f"audit row seq {head.last_seq + 1} was added "
                            "after the head: written without going through the chain",
                            head.last_seq + 1)
    for number, state in CaseRow.select(CaseRow.number, CaseRow.state).order_by(CaseRow.id
                                                                                ).tuples():
        if number not in last_state:
            return Verification(False, count, f"case {number} has no audit trail: it was "
                                "written without going through the platform")
        if last_state[number] != state:
            return Verification(False, count, f"case {number} is {state} but its audit trail "
                                f"ends at {last_state[number]}: changed outside the platform")
    return Verification(True, count, f"audit trail intact: {count} rows, {len(last_state)} "
                        "cases consistent")
