"""Joint review (共同形式审查): the window calls the section; the answer's time is recorded."""

from __future__ import annotations

import pytest
from conftest import ENTERPRISE

from onewindow import audit
from onewindow.calls import average_response
from onewindow.errors import Conflict, NotFound, TransitionRefused, ValidationError


@pytest.fixture
def case(hall, staff):
    return hall.open_case(staff["window"], "sample-permit", ENTERPRISE)


def test_a_call_waits_for_the_section_and_its_answer_fixes_the_response_time(
        hall, staff, case, clock):
    made = hall.calls.call(staff["window"], case.number, material="lease", point="valid",
                           note="租期起算日看不清")
    assert [c.id for c in hall.calls.waiting("sample")] == [made.id]
    assert hall.calls.waiting("elsewhere") == []
    clock.advance(minutes=2, seconds=15)
    answered = hall.calls.answer(staff["approver"], made.id)
    assert answered.answered_by == "approver1"
    assert answered.response_seconds == 135
    assert hall.calls.waiting("sample") == []
    assert average_response(hall.calls.recent("sample")) == 135
    # both are on the case's trail, which still verifies, and the case did not move
    after = hall.get_case(case.number)
    assert [e.action for e in after.events] == ["open", "joint_review_call",
                                                "joint_review_answer"]
    assert after.events[-1].data["response_seconds"] == 135
    assert after.state == case.state
    assert audit.verify(hall.settings.audit_key).ok


def test_only_the_window_calls_and_only_while_the_case_is_at_the_window(hall, staff, case):
    with pytest.raises(TransitionRefused, match="只有大厅服务人员"):
        hall.calls.call(staff["approver"], case.number)
    hall.calls.call(staff["window"], case.number)
    with pytest.raises(Conflict, match="正在等待响应"):
        hall.calls.call(staff["window"], case.number)
    withdrawn = hall.act(staff["window"], case.number, "withdraw", reason="申请人撤回")
    with pytest.raises(TransitionRefused, match="离开接件窗口"):
        hall.calls.call(staff["window"], withdrawn.number)


def test_a_call_names_a_point_of_the_item_or_none(hall, staff, case):
    with pytest.raises(ValidationError) as bad:
        hall.calls.call(staff["window"], case.number, material="nope")
    assert "point" in bad.value.errors  # the form's one field
    with pytest.raises(ValidationError) as bad:
        hall.calls.call(staff["window"], case.number, material="lease", point="nope")
    assert "point" in bad.value.errors
    with pytest.raises(ValidationError) as bad:
        hall.calls.call(staff["window"], case.number, note="长" * 501)
    assert "note" in bad.value.errors
    assert hall.calls.for_case(case.number) == []  # nothing half-written


def test_only_the_cases_section_answers_and_only_once(hall, staff, case):
    made = hall.calls.call(staff["window"], case.number)
    for outsider in (staff["other_approver"], staff["window"], staff["issuance"]):
        with pytest.raises(TransitionRefused, match="只有该审批业务科"):
            hall.calls.answer(outsider, made.id)
    hall.calls.answer(staff["head"], made.id)
    with pytest.raises(Conflict, match="已由head1"):
        hall.calls.answer(staff["approver"], made.id)
    with pytest.raises(NotFound):
        hall.calls.answer(staff["approver"], made.id + 100)


def test_a_call_lapses_when_the_case_leaves_the_window(hall, staff, case):
    made = hall.calls.call(staff["window"], case.number)
    assert hall.calls.for_case(case.number)[0].waiting
    hall.act(staff["window"], case.number, "withdraw", reason="申请人撤回")
    assert hall.calls.waiting("sample") == []  # no banner for a call that no longer stands
    [lapsed] = hall.calls.for_case(case.number)
    assert lapsed.lapsed and not lapsed.waiting and lapsed.id == made.id
    assert [c.id for c in hall.calls.recent("sample")] == [made.id]  # still on the record
    with pytest.raises(TransitionRefused, match="此呼叫已失效"):
        hall.calls.answer(staff["approver"], made.id)
