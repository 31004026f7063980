"""Joint review (共同形式审查): the window calls an approver of the section to the counter.

When a clerk cannot judge a technical review point, they call the section; the section's
approvers see the call on their screens until one of them answers it. Both the call and the
answer are events on the case's audit trail, and the time between them is the response time
the hall reports on. A case has at most one open call at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from attrs import frozen

from . import audit, lifecycle
from .case import SECTION_BOUND_ROLES, Actor, Case, Role
from .errors import NotFound, TransitionRefused, ValidationError
from .inputs import clean_text, is_row_id
from .storage import repo
from .storage.models import CaseRow, JointReviewCallRow, StaffRow

MAX_NOTE = 500


@frozen
class JointReviewCall:
    """One call from the window: for which case, about what, who called and who answered."""

    id: int
    case_number: str
    section: str
    material: str
    point: str
    note: str
    called_by: str
    called_at: dt.datetime
    answered_by: str | None = None
    answered_at: dt.datetime | None = None
    case_at_window: bool = True  # False once the case was taken in, notified away, withdrawn

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def waiting(self) -> bool:
        """Nobody answered and the case is still at the window: the call still stands.
        A call the case left behind unanswered lapses (it stays on the record as such)."""
        return not self.answered and self.case_at_window

    @property
    def lapsed(self) -> bool:
        return not self.answered and not self.case_at_window

    @property
    def response_seconds(self) -> int | None:
        """Seconds from the call to the answer (None while nobody has answered)."""
        if self.answered_at is None:
            return None
        return max(0, int((self.answered_at - self.called_at).total_seconds()))

    def waiting_seconds(self, now: dt.datetime) -> int:
        return max(0, int(((self.answered_at or now) - self.called_at).total_seconds()))


AT_WINDOW_STATES = [s.value for s in lifecycle.AT_WINDOW]


def _calls():
    """Calls with their case's state, in one query (the case decides whether a call stands)."""
    return (JointReviewCallRow.select(JointReviewCallRow, CaseRow.state)
            .join(CaseRow, on=(CaseRow.number == JointReviewCallRow.case_number),
                  attr="case_row"))


def _call(row: JointReviewCallRow) -> JointReviewCall:
    case_row = getattr(row, "case_row", None)
    at_window = case_row is None or case_row.state in AT_WINDOW_STATES
    return JointReviewCall(row.id, row.case_number, row.section, row.material, row.point,
                           row.note, row.called_by, row.called_at, row.answered_by,
                           row.answered_at, at_window)


class JointReviews:
    """The calls of one hall (``hall.calls``)."""

    def __init__(self, hall):
        self.hall = hall

    # ---------------------------------------------------------------- reading
    def for_case(self, number: str) -> list[JointReviewCall]:
        """Every call made for the case, oldest first."""
        query = (_calls().where(JointReviewCallRow.case_number == number)
                 .order_by(JointReviewCallRow.called_at, JointReviewCallRow.id))
        return [_call(r) for r in query]

    def waiting(self, section: str | None = None) -> list[JointReviewCall]:
        """Calls that still stand (unanswered, the case still at the window), longest waiting
        first (one query)."""
        query = _calls().where(JointReviewCallRow.answered_at.is_null(),
                               CaseRow.state.in_(AT_WINDOW_STATES))
        if section:
            query = query.where(JointReviewCallRow.section == section)
        return [_call(r) for r in query.order_by(JointReviewCallRow.called_at,
                                                 JointReviewCallRow.id)]

    def recent(self, section: str | None = None, *, since: dt.date | None = None,
               limit: int = 200) -> list[JointReviewCall]:
        """Calls newest first, answered or not, optionally from ``since`` on (one query)."""
        query = _calls()
        if section:
            query = query.where(JointReviewCallRow.section == section)
        if since:
            query = query.where(JointReviewCallRow.called_at
                                >= dt.datetime.combine(since, dt.time()))
        return [_call(r) for r in query.order_by(JointReviewCallRow.called_at.desc(),
                                                 JointReviewCallRow.id.desc()).limit(limit)]

    def get(self, call_id: int) -> JointReviewCall:
        row = (JointReviewCallRow.get_or_none(JointReviewCallRow.id == call_id)
               if is_row_id(call_id) else None)
        if row is None:
            raise NotFound(f"没有编号为 {call_id} 的共同形式审查呼叫")
        return _call(row)

    # ---------------------------------------------------------------- writing
    def call(self, actor: Actor, number: str, *, material: str = "", point: str = "",
             note: str = "") -> JointReviewCall:
        """The window calls the case's section to a joint review of its materials."""
        note = clean_text(note, "note", limit=MAX_NOTE, multiline=True)
        now = self.hall.clock()
        with self.hall.db.atomic():
            _row, case = repo.lock_case(number)
            if actor.role is not Role.WINDOW_STAFF:
                raise TransitionRefused(number, case.state.value, "joint_review_call",
                                        "只有大厅服务人员可以呼叫共同形式审查", [])
            if case.state not in lifecycle.AT_WINDOW:
                raise TransitionRefused(number, case.state.value, "joint_review_call",
                                        "办件已离开接件窗口，不能再呼叫共同形式审查", [])
            self._check_point(case, material, point)
            if any(c.waiting for c in self.for_case(number)):
                raise TransitionRefused(number, case.state.value, "joint_review_call",
                                        "已呼叫审批人员，正在等待响应", [])
            row = JointReviewCallRow.create(
                case_number=number, section=case.section, material=material, point=point,
                note=note, called_by=actor.username, called_at=now)
            audit.append_record(
                self.hall.settings.audit_key, case_number=number, action="joint_review_call",
                actor=actor.username, role=str(actor.role), at=now, before=str(case.state),
                after=str(case.state), data={"call": row.id, "section": case.section,
                                             "material": material, "point": point,
                                             "note": note})
        return _call(row)

    def answer(self, actor: Actor, call_id: int) -> JointReviewCall:
        """An approver (or head) of the section answers: the response time is fixed now."""
        if not is_row_id(call_id):
            raise NotFound(f"没有编号为 {call_id} 的共同形式审查呼叫")
        now = self.hall.clock()
        with self.hall.db.atomic():
            row = repo.first_for_update(
                JointReviewCallRow.select().where(JointReviewCallRow.id == call_id))
            if row is None:
                raise NotFound(f"没有编号为 {call_id} 的共同形式审查呼叫")
            _case_row, case = repo.lock_case(row.case_number)
            if actor.role not in SECTION_BOUND_ROLES or actor.section != row.section:
                raise TransitionRefused(row.case_number, case.state.value,
                                        "joint_review_answer",
                                        "只有该审批业务科的审批人员可以响应此呼叫", [])
            if row.answered_at is not None:
                raise TransitionRefused(row.case_number, case.state.value,
                                        "joint_review_answer",
                                        f"此呼叫已由{_name(row.answered_by)}于"
                                        f"{row.answered_at:%H:%M}响应", [])
            if case.state not in lifecycle.AT_WINDOW:
                raise TransitionRefused(row.case_number, case.state.value,
                                        "joint_review_answer",
                                        "办件已离开接件窗口，此呼叫已失效", [])
            row.answered_by, row.answered_at = actor.username, now
            row.save()
            answered = _call(row)
            audit.append_record(
                self.hall.settings.audit_key, case_number=row.case_number,
                action="joint_review_answer", actor=actor.username, role=str(actor.role),
                at=now, before=str(case.state), after=str(case.state),
                data={"call": row.id, "response_seconds": answered.response_seconds})
        return answered

    @staticmethod
    def _check_point(case: Case, material: str, point: str) -> None:
        """The call's subject, if any; errors are keyed ``point``, the form's one field."""
        if not material:
            if point:
                raise ValidationError({"point": "请先选择审查要点所属的材料"})
            return
        item = lifecycle.item_of(case)
        try:
            found = item.material(material)
        except KeyError:
            raise ValidationError({"point": f"本事项没有材料 {material}"}) from None
        if point and point not in {p.code for p in found.review_points}:
            raise ValidationError({"point": f"材料 {found.name} 没有审查要点 {point}"})


def _name(username: str | None) -> str:
    """A colleague's display name for a message (the username if the account is gone)."""
    row = StaffRow.get_or_none(StaffRow.username == username)
    return row.display_name if row else str(username)


def average_response(calls: Iterable[JointReviewCall]) -> int | None:
    """Mean response time in seconds of the answered calls (None when none was answered)."""
    times = [c.response_seconds for c in calls if c.response_seconds is not None]
    return round(sum(times) / len(times)) if times else None
