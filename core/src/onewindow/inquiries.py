"""The consultation window (咨询辅导窗口): the first-inquiry log (首问负责制) and repeat visits.

First-inquiry responsibility: whoever is asked first owns the question until it is answered,
and contacts a colleague when it is not theirs. Each line of the log records the question, the
item (optional), who was asked first (the member of staff signed in), whom they contacted,
whether and how it was answered, and the applicant (name; credit code or resident ID number,
the latter stored and shown masked only).

One-time notification (一次性告知制): an applicant who comes back for the same item after a
one-time notice (一次性告知书) is a **repeat visit** (再次来访), counted against the member of
staff who gave that notice. Repeat visits are read from what the hall already stores, never
typed in:

1. an inquiry logged for the same item and applicant as an earlier case whose notice was not
   yet followed by intake (:attr:`Inquiry.repeat_of`, fixed when the line is logged);
2. a case whose notice is followed by another visit to the window: a ``take_in`` or ``notify``
   event whose state before was ``notified``;
3. a new case opened for the same item and applicant as an earlier case with a notice that was
   not followed by intake before the new case was opened.

A visit is counted once per earlier case and day, whichever of the three shows it.

Coming back once after a complete notice is what the notice is for: it is counted, never held
against anyone. A **breach** (违反一次性告知) is what costs the member of staff who gave the
notice that month's eligibility for the "business expert" and "service star" awards
(业务能手、服务标兵):

- a **second notice** on the same application (a ``notify`` event whose state before was
  ``notified``; its data says ``"repeat": true``): the first one did not tell everything;
- the applicant **coming back again**: the second and every later repeat visit for the same
  item and applicant (credit code or ID number) since the last intake of a case for them
  (:attr:`RepeatVisit.number`).

Each breach is counted against whoever gave the notice just before that visit. A question asked
first and left unanswered is shown in the month's tally but does not, by itself, cost
eligibility. Every read here costs a fixed number of queries however many lines there are.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import evolve, frozen
from stdnum.cn import ric

from . import audit
from .case import Actor, Role, mask_id_number
from .errors import NotFound, TransitionRefused, ValidationError
from .inputs import (
    Form,
    clean_text,
    column_limit,
    compact_identifier,
    is_row_id,
    is_valid_credit_code,
    refusal,
)
from .storage.models import AuditRow, CaseRow, InquiryRow, StaffRow

MAX_QUESTION = 2000  # TEXT columns: the limits are the desk's
MAX_ANSWER = 2000
# Who keeps the log: the window, and the approvers who sit the consultation window on a rota.
LOGGING_ROLES = frozenset({Role.WINDOW_STAFF, Role.APPROVER, Role.SECTION_HEAD})
NOTIFIED = "notified"


# ----------------------------------------------------------------------------- months
def parse_month(value: str) -> dt.date | None:
    """``2026-09`` as the first day of that month, or None for anything else."""
    value = (value or "").strip()
    if len(value) != 7 or value[4] != "-":
        return None
    try:
        return dt.date(int(value[:4]), int(value[5:]), 1)
    except ValueError:
        return None


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month holding ``month`` as [start, end) hall-clock datetimes."""
    start = dt.datetime(month.year, month.month, 1)
    end = (dt.datetime(month.year + 1, 1, 1) if month.month == 12
           else dt.datetime(month.year, month.month + 1, 1))
    return start, end


def shift_month(month: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` before (negative) or after ``month``."""
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# ----------------------------------------------------------------------------- identifiers
def parse_identifier(value: str) -> tuple[str, str]:
    """(kind, compact value) of a credit code or resident ID number; ("", "") when empty.

    Normalised and checked as :meth:`onewindow.case.Applicant.create` does (full-width,
    spaces and hyphens; python-stdnum and GB 11714); raises ValueError with the clerk's
    message when neither holds.
    """
    compact = compact_identifier(value)
    if not compact:
        return "", ""
    problem = refusal(compact)
    if problem:
        raise ValueError(problem)
    if ric.is_valid(compact):
        return "id_number", compact
    if is_valid_credit_code(compact):
        return "credit_code", compact
    if len(compact) != 18:
        raise ValueError(f"统一社会信用代码或身份证号码应为 18 位（现有 {len(compact)} 位），请核对")
    raise ValueError("统一社会信用代码或身份证号码校验不通过，请核对18位号码")


def _masked(row: Any) -> str:
    """A case row's identifier as lists show it: the credit code, or the masked ID number."""
    return row.credit_code or mask_id_number(row.id_number)


# ----------------------------------------------------------------------------- records
@frozen
class Inquiry:
    """One line of the first-inquiry log. ``applicant_identifier`` is the credit code or the
    masked ID number: the whole ID number is never kept for a consultation."""

    id: int
    asked_at: dt.datetime
    first_asked: str
    section: str | None
    item_code: str
    question: str
    applicant_name: str
    applicant_identifier: str
    contacted: str
    answered: bool
    answer: str
    repeat_of: str | None


def _inquiry(row: InquiryRow) -> Inquiry:
    return Inquiry(row.id, row.asked_at, row.first_asked, row.section, row.item_code,
                   row.question, row.applicant_name, row.applicant_identifier, row.contacted,
                   row.answered, row.answer, row.repeat_of)


@frozen
class RepeatVisit:
    """An applicant back for the same item after a one-time notice.

    ``how``: ``inquiry`` (logged at the consultation window), ``window`` (the notified case
    was worked again at the window), ``new_case`` (a new case was opened). ``earlier_case``
    is the case whose notice came before; ``noticed_by`` who gave that notice, the member of
    staff the visit counts against. ``reference`` is the inquiry's number or the case number
    of the visit. ``second_notice``: the visit ended in another notice on the same
    application; ``number``: which visit after a notice this is for the item and applicant,
    counted since the last intake of a case for them (1 for the first return).
    """

    at: dt.datetime
    how: str
    earlier_case: str
    noticed_by: str
    noticed_at: dt.datetime
    item_code: str
    section: str
    applicant_name: str
    applicant_identifier: str
    reference: str
    second_notice: bool = False
    number: int = 1

    @property
    def breach(self) -> str:
        """``second_notice``, ``again`` (the applicant came back more than once) or ``""``:
        a single return after a complete notice is no breach."""
        if self.second_notice:
            return "second_notice"
        return "again" if self.number > 1 else ""


@frozen
class StaffTally:
    """One member of staff's month: repeat visits after their notices, the breaches of
    one-time notification among them, and questions they were asked first and left
    unanswered. Only a breach costs the month's eligibility: a single return after a notice
    does not, and neither does an unanswered question."""

    username: str
    display_name: str
    repeat_visits: int
    breaches: int
    unanswered: int

    @property
    def loses_eligibility(self) -> bool:
        return self.breaches > 0


@frozen
class EarlierNotice:
    """A one-time notice given on an earlier case for the same applicant and item."""

    case_number: str
    at: dt.datetime
    by: str
    by_name: str
    lines: tuple[str, ...]
    state: str


@frozen
class CaseVisits:
    """What the case page shows about the applicant's visits for this item.

    ``notices``: one-time notices on earlier cases for the same applicant and item;
    ``repeat_visits``: the visits after a notice, on this case or those before it, and
    ``breaches`` those of them that breach one-time notification; ``visits``: how many times
    the applicant has come for this application (the first visit and every repeat visit).
    False when there is nothing to tell.
    """

    notices: tuple[EarlierNotice, ...]
    repeat_visits: tuple[RepeatVisit, ...]
    names: Mapping[str, str]

    @property
    def visits(self) -> int:
        return 1 + len(self.repeat_visits)

    @property
    def breaches(self) -> tuple[RepeatVisit, ...]:
        return tuple(v for v in self.repeat_visits if v.breach)

    def __bool__(self) -> bool:
        return bool(self.notices or self.repeat_visits)


@frozen
class ConsultationMonth:
    """A month at the consultation window: the log (newest first), the repeat visits (in
    order) and each member of staff's tally (most breaches, then repeat visits, first)."""

    month: dt.date
    inquiries: tuple[Inquiry, ...]
    repeat_visits: tuple[RepeatVisit, ...]
    tallies: tuple[StaffTally, ...]
    names: Mapping[str, str]


# ----------------------------------------------------------------------------- the engine
@frozen
class _Event:
    seq: int
    case_number: str
    action: str
    at: dt.datetime
    before: str
    actor: str
    data: str


CASE_FIELDS = (CaseRow.number, CaseRow.item_code, CaseRow.section, CaseRow.state,
               CaseRow.applicant_name, CaseRow.credit_code, CaseRow.id_number, CaseRow.opened_at,
               CaseRow.notices_issued)


def _events(numbers: Iterable[str]) -> dict[str, list[_Event]]:
    """The ``notify`` and ``take_in`` events of these cases, in chain order (one query)."""
    numbers = sorted(set(numbers))
    grouped: dict[str, list[_Event]] = defaultdict(list)
    if not numbers:
        return grouped
    query = (AuditRow.select(AuditRow.seq, AuditRow.case_number, AuditRow.action, AuditRow.at,
                             AuditRow.before, AuditRow.actor, AuditRow.data)
             .where(AuditRow.case_number.in_(numbers)
                    & AuditRow.action.in_(("notify", "take_in")))
             .order_by(AuditRow.seq))
    for row in query:
        grouped[row.case_number].append(_Event(row.seq, row.case_number, row.action, row.at,
                                               row.before, row.actor, row.data))
    return grouped


def _notice_before(events: list[_Event], *, at: dt.datetime | None = None,
                   seq: int | None = None, still_open: bool = False) -> _Event | None:
    """The case's latest notice before a moment (``seq`` in the chain, or time ``at``).

    With ``still_open`` only a notice not yet followed by intake counts: after a take-in the
    applicant's coming back is no longer because of that notice.
    """
    found = None
    for event in events:
        if (seq is not None and event.seq >= seq) or (at is not None and event.at > at):
            break
        if event.action == "notify":
            found = event
        elif still_open:
            found = None
    return found


def _key(row: Any) -> tuple[str, str]:
    """The item and applicant a case row is for: (item code, credit code or ID number)."""
    return row.item_code, row.credit_code or row.id_number


def _same_applicant(a: Any, b: Any) -> bool:
    return a.item_code == b.item_code and (
        (a.credit_code and a.credit_code == b.credit_code)
        or (a.id_number and a.id_number == b.id_number))


def _collect(*, cases: Mapping[str, Any], events: Mapping[str, list[_Event]],
             inquiries: Iterable[InquiryRow], back_at_window: Iterable[_Event],
             new_cases: Iterable[Any]) -> list[RepeatVisit]:
    """Repeat visits from the three sources, once per earlier case and day, in time order,
    numbered per item and applicant (:func:`_numbered`).

    ``cases`` must hold every case named (each inquiry's ``repeat_of``, each event's case and
    the earlier cases a new case may follow); ``back_at_window`` the ``take_in`` and
    ``notify`` events whose state before was ``notified``.
    """
    found: list[RepeatVisit] = []

    def add(at, how, earlier, notice, reference, applicant=None, second_notice=False):
        applicant = applicant or earlier
        found.append(RepeatVisit(
            at=at, how=how, earlier_case=earlier.number, noticed_by=notice.actor,
            noticed_at=notice.at, item_code=earlier.item_code, section=earlier.section,
            applicant_name=applicant.applicant_name, applicant_identifier=_masked(applicant),
            reference=reference, second_notice=second_notice))

    for row in inquiries:
        earlier = cases.get(row.repeat_of)
        notice = earlier and _notice_before(events.get(earlier.number, []), at=row.asked_at)
        if notice:
            found.append(RepeatVisit(
                at=row.asked_at, how="inquiry", earlier_case=earlier.number,
                noticed_by=notice.actor, noticed_at=notice.at, item_code=earlier.item_code,
                section=earlier.section, applicant_name=row.applicant_name,
                applicant_identifier=row.applicant_identifier, reference=str(row.id)))
    for event in back_at_window:
        earlier = cases.get(event.case_number)
        notice = earlier and _notice_before(events.get(earlier.number, []), seq=event.seq)
        if notice:  # a notify from "notified" is a second notice on the same application
            add(event.at, "window", earlier, notice, earlier.number,
                second_notice=event.action == "notify")
    by_applicant: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for case in cases.values():
        if case.notices_issued:
            by_applicant[(case.item_code, case.credit_code or case.id_number)].append(case)
    for case in new_cases:
        best = None
        for earlier in by_applicant.get((case.item_code, case.credit_code or case.id_number), ()):
            if earlier.number == case.number or earlier.opened_at >= case.opened_at:
                continue
            if not _same_applicant(earlier, case):
                continue
            notice = _notice_before(events.get(earlier.number, []), at=case.opened_at,
                                    still_open=True)
            if notice and (best is None or notice.seq > best[1].seq):
                best = (earlier, notice)
        if best:
            add(case.opened_at, "new_case", best[0], best[1], case.number, applicant=case)
    found.sort(key=lambda v: (v.at, v.earlier_case, v.reference))
    kept: dict[tuple[str, dt.date], int] = {}
    visits: list[RepeatVisit] = []
    for visit in found:
        key = (visit.earlier_case, visit.at.date())
        if key not in kept:
            kept[key] = len(visits)
            visits.append(visit)
        elif visit.second_notice:  # the same visit, seen twice: the second notice stays
            visits[kept[key]] = evolve(visits[kept[key]], second_notice=True)
    return _numbered(visits, cases, events)


def _numbered(visits: list[RepeatVisit], cases: Mapping[str, Any],
              events: Mapping[str, list[_Event]]) -> list[RepeatVisit]:
    """Number the visits (in time order) per item and applicant: the first return after a
    notice is 1, the next 2 and so on, starting again after any intake of a case for the same
    item and applicant (a ``take_in`` in ``events``)."""
    intakes: dict[tuple[str, str], list[dt.datetime]] = defaultdict(list)
    for number, chain in events.items():
        case = cases.get(number)
        if case is not None:
            intakes[_key(case)].extend(e.at for e in chain if e.action == "take_in")
    counted: dict[tuple[str, str], tuple[int, dt.datetime]] = {}
    numbered = []
    for visit in visits:
        key = _key(cases[visit.earlier_case])
        count, last = counted.get(key, (0, None))
        if last is not None and any(last <= at < visit.at for at in intakes[key]):
            count = 0  # taken in since the last visit: a new application starts afresh
        counted[key] = (count + 1, visit.at)
        numbered.append(evolve(visit, number=count + 1))
    return numbered


def _names(usernames: Iterable[str]) -> dict[str, str]:
    """Display names by username (one query); a missing account keeps its username."""
    wanted = sorted({u for u in usernames if u})
    names = {u: u for u in wanted}
    if wanted:
        for username, name in (StaffRow.select(StaffRow.username, StaffRow.display_name)
                               .where(StaffRow.username.in_(wanted)).tuples()):
            names[username] = name or username
    return names


# ----------------------------------------------------------------------------- the desk
class InquiryLog:
    """The first-inquiry log of one hall (``hall.inquiries``)."""

    def __init__(self, hall):
        self.hall = hall

    # ------------------------------------------------------------------- writing
    def record(self, actor: Actor, data: Mapping[str, Any]) -> Inquiry:
        """Log one question asked of ``actor`` (who owns it); raise ValidationError naming
        each bad field. A question about an item the applicant already had a one-time notice
        for is marked as a repeat visit (``repeat_of``)."""
        if actor.role not in LOGGING_ROLES:
            raise TransitionRefused("(咨询登记)", "none", "inquiry_log",
                                    "只有大厅服务人员和审批人员可以登记咨询", [])

        form = Form(data)
        question = form.text("question", limit=MAX_QUESTION, multiline=True,
                             required="请填写咨询的问题")
        applicant_name = form.text("applicant_name",
                                   limit=column_limit(InquiryRow.applicant_name),
                                   required="请填写咨询人姓名或单位名称")
        item_code = form.text("item", limit=column_limit(InquiryRow.item_code))
        contacted = form.text("contacted", limit=column_limit(InquiryRow.contacted))
        answer = form.text("answer", limit=MAX_ANSWER, multiline=True)
        answered = str(data.get("answered") or "").strip().lower() in ("1", "on", "true", "yes")
        item = None
        if item_code:
            item = self.hall.catalogue.items.get(item_code)
            if item is None:
                form.fail("item", f"没有编码为 {item_code} 的审批事项")
        try:
            kind, identifier = parse_identifier(data.get("identifier"))
        except ValueError as exc:
            kind, identifier = "", ""
            form.fail("identifier", str(exc))
        if answered and not answer and "answer" not in form.errors:
            form.fail("answer", "已当场答复的，请写明答复内容")
        form.check()
        now = self.hall.clock()
        shown = mask_id_number(identifier) if kind == "id_number" else identifier
        with self.hall.db.atomic():
            repeat_of = self._open_notice_for(item_code, kind, identifier, now) if item else None
            row = InquiryRow.create(
                asked_at=now, first_asked=actor.username,
                section=item.section if item else actor.section, item_code=item_code,
                question=question, applicant_name=applicant_name,
                applicant_identifier=shown, contacted=contacted, answered=answered,
                answer=answer, repeat_of=repeat_of)
            audit.append_record(
                self.hall.settings.audit_key, case_number=None, action="inquiry_log",
                actor=actor.username, role=str(actor.role), at=now,
                data={"inquiry": row.id, "item": item_code, "applicant": applicant_name,
                      "identifier": shown, "answered": answered, "contacted": contacted,
                      "repeat_of": repeat_of})
        return _inquiry(row)

    def answer(self, actor: Actor, inquiry_id: int, answer: str) -> Inquiry:
        """The member of staff asked first records the answer given later: the question
        stays theirs until it is answered."""
        answer = clean_text(answer, "answer", limit=MAX_ANSWER, multiline=True)
        if not answer:
            raise ValidationError({"answer": "请写明答复内容"})
        if not is_row_id(inquiry_id):
            raise NotFound(f"没有编号为 {inquiry_id} 的咨询登记")
        now = self.hall.clock()
        with self.hall.db.atomic():
            query = InquiryRow.select().where(InquiryRow.id == inquiry_id)
            if self.hall.db.for_update:
                query = query.for_update()
            row = query.first()
            if row is None:
                raise NotFound(f"没有编号为 {inquiry_id} 的咨询登记")
            if row.first_asked != actor.username:
                raise TransitionRefused(f"咨询{inquiry_id}", "open", "inquiry_answer",
                                        "首问负责制：只有首问人可以登记答复", [])
            if row.answered:
                raise TransitionRefused(f"咨询{inquiry_id}", "answered", "inquiry_answer",
                                        "该咨询已答复", [])
            InquiryRow.update(answered=True, answer=answer).where(
                InquiryRow.id == inquiry_id).execute()
            audit.append_record(
                self.hall.settings.audit_key, case_number=None, action="inquiry_answer",
                actor=actor.username, role=str(actor.role), at=now,
                data={"inquiry": inquiry_id})
        return _inquiry(InquiryRow.get_by_id(inquiry_id))

    def _open_notice_for(self, item_code: str, kind: str, identifier: str,
                         now: dt.datetime) -> str | None:
        """The latest case for the item and applicant whose one-time notice is not yet
        followed by intake (two queries), or None."""
        if not kind:
            return None
        column = CaseRow.credit_code if kind == "credit_code" else CaseRow.id_number
        candidates = list(CaseRow.select(*CASE_FIELDS).where(
            (CaseRow.item_code == item_code) & (column == identifier)
            & (CaseRow.notices_issued > 0) & (CaseRow.opened_at <= now)))
        events = _events(c.number for c in candidates)
        best = None
        for case in candidates:
            notice = _notice_before(events.get(case.number, []), at=now, still_open=True)
            if notice and (best is None or notice.seq > best[1].seq):
                best = (case.number, notice)
        return best[0] if best else None

    # ------------------------------------------------------------------- reading
    def get(self, inquiry_id: int) -> Inquiry:
        row = (InquiryRow.get_or_none(InquiryRow.id == inquiry_id)
               if is_row_id(inquiry_id) else None)
        if row is None:
            raise NotFound(f"没有编号为 {inquiry_id} 的咨询登记")
        return _inquiry(row)

    def inquiries(self, month: dt.date, *, section: str | None = None,
                  asked_of: str | None = None, limit: int = 1000) -> list[Inquiry]:
        """The month's log, newest first (one query). With ``section``: that section's
        questions and those asked of ``asked_of``."""
        start, end = month_bounds(month)
        query = InquiryRow.select().where((InquiryRow.asked_at >= start)
                                          & (InquiryRow.asked_at < end))
        if section:
            mine = InquiryRow.section == section
            if asked_of:
                mine = mine | (InquiryRow.first_asked == asked_of)
            query = query.where(mine)
        return [_inquiry(r) for r in query.order_by(InquiryRow.asked_at.desc(),
                                                     InquiryRow.id.desc()).limit(limit)]

    def repeat_visits(self, month: dt.date, *, section: str | None = None
                      ) -> list[RepeatVisit]:
        """The month's repeat visits in time order, optionally for one section's items
        (four queries whatever their number).

        Each visit is numbered against the applicant's whole history for the item, so that a
        return in this month after one in an earlier month is seen as coming back again.
        """
        start, end = month_bounds(month)
        # the cases the month touched: named by an inquiry, worked again at the window after
        # a notice, or opened in the month
        asked = InquiryRow.select(InquiryRow.repeat_of).where(
            (InquiryRow.asked_at >= start) & (InquiryRow.asked_at < end)
            & InquiryRow.repeat_of.is_null(False))
        back = AuditRow.select(AuditRow.case_number).where(
            AuditRow.action.in_(("take_in", "notify")) & (AuditRow.at >= start)
            & (AuditRow.at < end) & (AuditRow.before == NOTIFIED))
        touched = (CaseRow.number.in_(asked) | CaseRow.number.in_(back)
                   | ((CaseRow.opened_at >= start) & (CaseRow.opened_at < end)))
        if section:
            touched = touched & (CaseRow.section == section)
        keys = {_key(c) for c in CaseRow.select(CaseRow.item_code, CaseRow.credit_code,
                                                CaseRow.id_number).where(touched)}
        keys = {(item, who) for item, who in keys if who}
        if not keys:
            return []
        # their whole history for those items: every case for the same item and applicant
        who = sorted({who for _, who in keys})
        chain = {c.number: c for c in CaseRow.select(*CASE_FIELDS).where(
            CaseRow.item_code.in_(sorted({item for item, _ in keys}))
            & (CaseRow.credit_code.in_(who) | CaseRow.id_number.in_(who))
            & (CaseRow.opened_at < end)) if _key(c) in keys}
        events = _events(chain)
        inquiries = list(InquiryRow.select().where(
            InquiryRow.repeat_of.in_(sorted(chain)) & (InquiryRow.asked_at < end)))
        back_at_window = [e for number in chain for e in events.get(number, [])
                          if e.before == NOTIFIED and e.at < end]
        visits = _collect(cases=chain, events=events, inquiries=inquiries,
                          back_at_window=back_at_window, new_cases=chain.values())
        return [v for v in visits
                if start <= v.at < end and (not section or v.section == section)]

    def month(self, month: dt.date, *, section: str | None = None,
              asked_of: str | None = None) -> ConsultationMonth:
        """Everything the consultation page shows for a month, display names included (a
        fixed number of queries)."""
        inquiries = self.inquiries(month, section=section, asked_of=asked_of)
        visits = self.repeat_visits(month, section=section)
        repeat: dict[str, int] = defaultdict(int)
        breaches: dict[str, int] = defaultdict(int)
        unanswered: dict[str, int] = defaultdict(int)
        for visit in visits:
            repeat[visit.noticed_by] += 1
            if visit.breach:
                breaches[visit.noticed_by] += 1
        for inquiry in inquiries:
            if not inquiry.answered:
                unanswered[inquiry.first_asked] += 1
        names = _names([*repeat, *unanswered, *(i.first_asked for i in inquiries)])
        tallies = sorted(
            (StaffTally(u, names.get(u, u), repeat.get(u, 0), breaches.get(u, 0),
                        unanswered.get(u, 0))
             for u in set(repeat) | set(unanswered)),
            key=lambda t: (-t.breaches, -t.repeat_visits, -t.unanswered, t.username))
        return ConsultationMonth(month, tuple(inquiries), tuple(visits), tuple(tallies),
                                 names)

    def earlier_notices(self, case) -> CaseVisits:
        """For the case page: notices given to the same applicant for the same item on
        earlier cases, and the repeat visits on this case and those (four queries)."""
        a = case.applicant
        if a.credit_code:
            same = CaseRow.credit_code == a.credit_code
        elif a.id_number:
            same = CaseRow.id_number == a.id_number
        else:
            return CaseVisits((), (), {})
        chain = {c.number: c for c in CaseRow.select(*CASE_FIELDS).where(
            (CaseRow.item_code == case.item_code) & same
            & ((CaseRow.opened_at <= case.opened_at) | (CaseRow.number == case.number)))}
        events = _events(chain)
        back = [e for number in chain for e in events.get(number, [])
                if e.before == NOTIFIED]
        inquiries = (list(InquiryRow.select().where(InquiryRow.repeat_of.in_(sorted(chain))))
                     if chain else [])
        visits = _collect(cases=chain, events=events, inquiries=inquiries,
                          back_at_window=back, new_cases=chain.values())
        notices = []
        for number, row in chain.items():
            if number == case.number:
                continue
            for event in events.get(number, []):
                if event.action == "notify":
                    lines = tuple(json.loads(event.data or "{}").get("deficiencies", ()))
                    notices.append((event, row, lines))
        notices.sort(key=lambda n: n[0].seq)
        names = _names([*(n[0].actor for n in notices), *(v.noticed_by for v in visits)])
        return CaseVisits(
            tuple(EarlierNotice(e.case_number, e.at, e.actor, names.get(e.actor, e.actor),
                                lines, row.state) for e, row, lines in notices),
            tuple(visits), names)


__all__ = ["CaseVisits", "ConsultationMonth", "EarlierNotice", "Inquiry", "InquiryLog",
           "RepeatVisit", "StaffTally", "month_bounds", "parse_identifier", "parse_month",
           "shift_month"]
