"""Explicit conversion between case domain objects and peewee rows.

Loading many cases costs a fixed number of queries (one per table), never one per case: list
pages stay fast however long the queue grows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

from ..audit import dump_data
from ..case import (
    Applicant,
    Case,
    CaseEvent,
    DeferralMark,
    LookupRecord,
    ReviewMark,
    ReviewOutcome,
    Role,
    State,
    Supplement,
)
from ..catalogue import ApplicantKind, DeferralKind
from ..errors import NotFound
from ..inputs import is_case_number
from .models import (
    AuditRow,
    CaseCounterRow,
    CaseRow,
    DeferralRow,
    LookupRow,
    ReviewRow,
    SupplementRow,
)


def _applicant(row: CaseRow) -> Applicant:
    return Applicant(
        kind=ApplicantKind(row.applicant_kind), name=row.applicant_name, phone=row.phone,
        credit_code=row.credit_code, id_number=row.id_number,
        legal_representative=row.legal_representative, contact_person=row.contact_person,
        social_organisation_name=row.social_organisation_name)


def _group(rows: Iterable, key="case_id") -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def _events(numbers: list[str]) -> dict[str, list[CaseEvent]]:
    grouped: dict[str, list[CaseEvent]] = defaultdict(list)
    for e in AuditRow.select().where(AuditRow.case_number.in_(numbers)).order_by(AuditRow.seq):
        grouped[e.case_number].append(CaseEvent(
            e.case_number, e.action, e.actor, Role(e.role), e.at, State(e.before),
            State(e.after), e.reason, json.loads(e.data), e.seq))
    return grouped


def load_summaries(rows: list[CaseRow]) -> list[tuple[Case, str, int]]:
    """Cases for a queue page, with (item name, time limit) from each case's own snapshot.

    Only what a queue shows is loaded (applicant, state, events for the deadline, deferrals);
    reviews, supplements and look-ups are left empty, so these are never written back.
    """
    if not rows:
        return []
    events = _events([r.number for r in rows])
    deferrals = _group(DeferralRow.select().where(DeferralRow.case.in_([r.id for r in rows]))
                       .order_by(DeferralRow.id))
    summaries = []
    for row in rows:
        snapshot = json.loads(row.item_snapshot)
        case = Case(
            number=row.number, item_code=row.item_code, item_version=row.item_version,
            section=row.section, applicant=_applicant(row), state=State(row.state),
            opened_by=row.opened_by, opened_at=row.opened_at,
            deferrals=tuple(DeferralMark(d.material, DeferralKind(d.kind), d.due_date,
                                         d.commitment_signed, d.requested, d.supplied_at)
                            for d in deferrals[row.id]),
            events=tuple(events[row.number]), notices_issued=row.notices_issued)
        summaries.append((case, snapshot["name"], snapshot["time_limit_days"]))
    return summaries


def load_cases(rows: list[CaseRow]) -> list[Case]:
    """Domain cases for ``rows``, with their children fetched in one query per table."""
    if not rows:
        return []
    ids = [r.id for r in rows]
    reviews = _group(ReviewRow.select().where(ReviewRow.case.in_(ids)).order_by(ReviewRow.id))
    deferrals = _group(DeferralRow.select().where(DeferralRow.case.in_(ids))
                       .order_by(DeferralRow.id))
    supplements = _group(SupplementRow.select().where(SupplementRow.case.in_(ids))
                         .order_by(SupplementRow.id))
    lookups = _group(LookupRow.select().where(LookupRow.case.in_(ids)).order_by(LookupRow.id))
    events = _events([r.number for r in rows])
    return [
        Case(
            number=row.number, item_code=row.item_code, item_version=row.item_version,
            section=row.section, applicant=_applicant(row), state=State(row.state),
            opened_by=row.opened_by, opened_at=row.opened_at,
            item_snapshot=json.loads(row.item_snapshot),
            reviews=tuple(ReviewMark(r.material, r.point, ReviewOutcome(r.outcome), r.reason)
                          for r in reviews[row.id]),
            deferrals=tuple(DeferralMark(d.material, DeferralKind(d.kind), d.due_date,
                                         d.commitment_signed, d.requested, d.supplied_at)
                            for d in deferrals[row.id]),
            supplements=tuple(Supplement(s.material, s.filename, s.sha256, s.size,
                                         s.storage_path, s.uploaded_by, s.uploaded_at)
                              for s in supplements[row.id]),
            lookups=tuple(LookupRecord(x.network, json.loads(x.params), x.status, x.message,
                                       x.answer_hash, json.loads(x.record), x.asked_by,
                                       x.asked_at)
                          for x in lookups[row.id]),
            events=tuple(events[row.number]),
            state_before_halt=State(row.state_before_halt) if row.state_before_halt else None,
            notices_issued=row.notices_issued,
        )
        for row in rows
    ]


def insert_case(case: Case) -> CaseRow:
    a = case.applicant
    return CaseRow.create(
        number=case.number, item_code=case.item_code, item_version=case.item_version,
        item_snapshot=dump_data(case.item_snapshot), section=case.section,
        state=case.state.value, notices_issued=case.notices_issued,
        applicant_kind=a.kind.value, applicant_name=a.name, credit_code=a.credit_code,
        id_number=a.id_number, legal_representative=a.legal_representative,
        contact_person=a.contact_person, phone=a.phone,
        social_organisation_name=a.social_organisation_name,
        opened_by=case.opened_by, opened_at=case.opened_at, updated_at=case.opened_at)


def save_case(row: CaseRow, before: Case, after: Case) -> None:
    """Write what changed between ``before`` and ``after``; call inside ``db.atomic()``.

    Reviews and deferrals are small and rewritten whole; supplements and look-ups are only ever
    appended, never rewritten.
    """
    now = after.events[-1].at if after.events else after.opened_at
    CaseRow.update(
        state=after.state.value,
        state_before_halt=after.state_before_halt.value if after.state_before_halt else None,
        notices_issued=after.notices_issued, updated_at=now,
    ).where(CaseRow.id == row.id).execute()
    if after.reviews != before.reviews:
        ReviewRow.delete().where(ReviewRow.case == row.id).execute()
        ReviewRow.insert_many([
            {"case": row.id, "material": m.material, "point": m.point,
             "outcome": m.outcome.value, "reason": m.reason} for m in after.reviews
        ]).execute()
    if after.deferrals != before.deferrals:
        DeferralRow.delete().where(DeferralRow.case == row.id).execute()
        if after.deferrals:
            DeferralRow.insert_many([
                {"case": row.id, "material": d.material, "kind": d.kind.value,
                 "due_date": d.due_date, "commitment_signed": d.commitment_signed,
                 "requested": d.requested, "supplied_at": d.supplied_at}
                for d in after.deferrals
            ]).execute()
    for s in after.supplements[len(before.supplements):]:
        SupplementRow.create(case=row.id, material=s.material, filename=s.filename,
                             sha256=s.sha256, size=s.size, storage_path=s.storage_path,
                             uploaded_by=s.uploaded_by, uploaded_at=s.uploaded_at)
    for x in after.lookups[len(before.lookups):]:
        LookupRow.create(case=row.id, network=x.network, params=dump_data(dict(x.params)),
                         status=x.status, message=x.message, answer_hash=x.answer_hash,
                         record=dump_data(dict(x.record)), asked_by=x.asked_by,
                         asked_at=x.asked_at)


def next_in_sequence(key: str) -> int:
    """The next number of the daily sequence ``key`` (at most 8 characters); an upsert, so two
    windows taking the day's first number at once cannot collide. Call inside a transaction."""
    (CaseCounterRow.insert(day=key, last=1)
     .on_conflict(conflict_target=[CaseCounterRow.day],
                  update={CaseCounterRow.last: CaseCounterRow.last + 1})
     .execute())
    return CaseCounterRow.get_by_id(key).last


def first_for_update(query):
    """The query's first row, locked until the transaction ends (``SELECT … FOR UPDATE`` on
    PostgreSQL; SQLite takes the whole database for a write anyway), or None."""
    if query.model._meta.database.for_update:
        query = query.for_update()
    return query.first()


def lock_case(number: str) -> tuple[CaseRow, Case]:
    """The case ``number`` and its row, locked for the transaction: whatever is written next
    (its change, its audit event) sees no concurrent change. :class:`NotFound` if missing."""
    if not is_case_number(number):  # a malformed number (a NUL...) never reaches a query
        raise NotFound(f"没有编号为 {number} 的办件")
    row = first_for_update(CaseRow.select().where(CaseRow.number == number))
    if row is None:
        raise NotFound(f"没有编号为 {number} 的办件")
    return row, load_cases([row])[0]
