"""The lifecycle rules, through the services, on the configured database."""

import datetime as dt

import pytest
from conftest import ENTERPRISE, PERSON

from onewindow.case import ReviewOutcome, State
from onewindow.errors import TransitionRefused, ValidationError
from onewindow.lifecycle import allowed_actions, deficiencies

ALL_PASS = [("application", "signed", "passed", ""), ("application", "sealed", "passed", ""),
            ("application", "neat", "passed", ""), ("lease", "valid", "passed", ""),
            ("id-copy", "valid", "passed", "")]


def take_in(hall, staff, applicant=ENTERPRISE, marks=ALL_PASS):
    case = hall.open_case(staff["window"], "sample-permit", applicant)
    hall.review(staff["window"], case.number, marks)
    return hall.act(staff["window"], case.number, "take_in")


def test_happy_path_to_closed(hall, staff, clock):
    case = take_in(hall, staff)
    assert case.state is State.TAKEN_IN
    for actor, action in [("approver", "accept"), ("approver", "approve"),
                          ("issuance", "issue"), ("issuance", "close")]:
        clock.advance(hours=1)
        case = hall.act(staff[actor], case.number, action)
    assert case.state is State.CLOSED
    assert [e.action for e in case.events] == [
        "open", "review", "take_in", "accept", "approve", "issue", "close"]
    assert case.events[3].actor == "approver1" and case.events[3].before is State.TAKEN_IN


def test_refusal_names_case_state_and_allowed_actions(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    with pytest.raises(TransitionRefused) as info:
        hall.act(staff["approver"], case.number, "approve")
    error = info.value
    assert error.case_number == case.number and error.state == "consultation"
    assert case.number in str(error) and "consultation" in str(error)
    assert "allowed actions" in str(error) and error.allowed == ["lookup"]


def test_only_window_staff_take_in(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    hall.review(staff["window"], case.number, ALL_PASS)
    for who in ("approver", "head", "issuance", "supervision"):
        with pytest.raises(TransitionRefused):
            hall.act(staff[who], case.number, "take_in")
    with pytest.raises(TransitionRefused):
        hall.open_case(staff["approver"], "sample-permit", ENTERPRISE)


def test_take_in_needs_every_hard_point_passed(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    hall.review(staff["window"], case.number, ALL_PASS[:2])
    with pytest.raises(TransitionRefused, match="未审查"):
        hall.act(staff["window"], case.number, "take_in")


def test_failed_point_gives_one_notice_and_repeat_is_flagged(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    marks = list(ALL_PASS)
    marks[1] = ("application", "sealed", "failed", "加盖的是分公司公章")
    hall.review(staff["window"], case.number, marks)
    with pytest.raises(TransitionRefused):
        hall.act(staff["window"], case.number, "take_in")
    case = hall.act(staff["window"], case.number, "notify")
    notice = case.events[-1]
    assert case.state is State.NOTIFIED
    assert notice.data["deficiencies"] == [
        "样例经营许可申请表：加盖总公司公章，不得使用分公司公章——加盖的是分公司公章"]
    assert notice.data["repeat"] is False
    case = hall.act(staff["window"], case.number, "notify")
    assert case.events[-1].data["repeat"] is True  # breach of one-time notification
    # the applicant comes back with the right seal: the same case is taken in
    hall.review(staff["window"], case.number, [("application", "sealed", "passed", "")])
    assert hall.act(staff["window"], case.number, "take_in").state is State.TAKEN_IN


def test_a_failed_advice_point_is_noticed_but_never_blocks_intake(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    marks = [m for m in ALL_PASS if m[1] != "neat"] + [("application", "neat", "failed", "潦草")]
    hall.review(staff["window"], case.number, marks)
    assert deficiencies(hall.get_case(case.number)) == ["样例经营许可申请表：字迹工整——潦草"]
    assert hall.act(staff["window"], case.number, "take_in").state is State.TAKEN_IN


def test_supply_must_match_the_material_and_params_are_checked(hall, staff):
    from onewindow.case import Supplement

    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    hall.review(staff["window"], case.number, ALL_PASS)
    _defer(hall, staff, case, "id-copy")
    hall.act(staff["window"], case.number, "take_in")
    wrong = Supplement("lease", "x.pdf", "0" * 64, 1, "p", "window1", dt.datetime(2026, 9, 28))
    with pytest.raises(TransitionRefused, match="不一致"):
        hall.act(staff["window"], case.number, "supply",
                 params={"material": "id-copy", "supplement": wrong})
    fresh = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    with pytest.raises(TransitionRefused, match="缺少或含有错误的参数"):
        hall.act(staff["window"], fresh.number, "defer", params={"material": "id-copy"})


def test_lookups_are_limited_to_the_items_declared_networks(hall, staff):
    case = hall.open_case(staff["window"], "sample-simple", PERSON)
    with pytest.raises(ValidationError) as info:
        hall.lookup(staff["window"], case.number, "sample-registry", {"credit_code": "x"})
    assert "network" in info.value.errors


def test_notice_refused_when_nothing_is_wrong(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    hall.review(staff["window"], case.number, ALL_PASS)
    with pytest.raises(TransitionRefused, match="无需出具一次性告知书"):
        hall.act(staff["window"], case.number, "notify")


def test_failed_point_needs_a_reason(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    with pytest.raises(TransitionRefused, match="必须写明原因"):
        hall.review(staff["window"], case.number, [("lease", "valid", "failed", " ")])
    with pytest.raises(TransitionRefused, match="没有审查要点"):
        hall.review(staff["window"], case.number, [("lease", "nope", "passed", "")])
    with pytest.raises(ValidationError):
        hall.review(staff["window"], case.number, [("lease", "valid", "maybe", "")])
    assert hall.get_case(case.number).reviews == ()  # nothing half-written


def test_approver_acts_only_in_own_section(hall, staff):
    case = take_in(hall, staff)
    with pytest.raises(TransitionRefused, match="不属于.*所在科室"):
        hall.act(staff["other_approver"], case.number, "accept")
    assert allowed_actions(case, staff["other_approver"]) == []
    assert "accept" in allowed_actions(case, staff["approver"])


def test_return_needs_reason_and_is_final(hall, staff):
    case = take_in(hall, staff)
    with pytest.raises(TransitionRefused, match="理由"):
        hall.act(staff["approver"], case.number, "return")
    with pytest.raises(TransitionRefused, match="必须指明"):
        hall.act(staff["approver"], case.number, "return", reason="租赁证明已过期")
    with pytest.raises(TransitionRefused, match="没有审查要点"):
        hall.act(staff["approver"], case.number, "return", reason="过期",
                 params={"points": ["lease/nope"]})
    case = hall.act(staff["approver"], case.number, "return", reason="租赁证明已过期",
                    params={"points": ["lease/valid"]})
    event = case.events[-1]
    assert case.state is State.RETURNED and event.data["points"] == ["lease/valid"]
    assert event.data["deficiencies"] == ["经营场所使用证明：租赁期限不少于一年且在有效期内"]
    assert allowed_actions(case, staff["window"]) == []


def _defer(hall, staff, case, material, days=3, signed=True):
    due = dt.date(2026, 9, 28) + dt.timedelta(days=days)
    return hall.act(staff["window"], case.number, "defer",
                    params={"material": material, "due_date": due, "commitment_signed": signed})


def test_deferral_at_acceptance_blocks_decision_until_supplied(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    hall.review(staff["window"], case.number,
                [m for m in ALL_PASS if m[0] != "lease"] + [("lease", "valid", "failed", "未带")])
    with pytest.raises(TransitionRefused, match="告知承诺书"):
        _defer(hall, staff, case, "lease", signed=False)
    with pytest.raises(TransitionRefused, match="最多容缺10个工作日"):
        _defer(hall, staff, case, "lease", days=40)
    with pytest.raises(TransitionRefused, match="不可容缺"):
        _defer(hall, staff, case, "application")
    _defer(hall, staff, case, "lease")
    assert deficiencies(hall.get_case(case.number)) == []
    case = hall.act(staff["window"], case.number, "take_in")
    hall.act(staff["approver"], case.number, "accept")
    with pytest.raises(TransitionRefused, match="容缺受理的材料尚未补齐"):
        hall.act(staff["approver"], case.number, "approve")
    case = hall.supply(staff["window"], case.number, "lease", "租赁合同.pdf", b"%PDF-1.4 lease")
    assert case.supplements[0].sha256 and not case.deferrals[0].outstanding
    assert hall.act(staff["approver"], case.number, "approve").state is State.APPROVED


def test_deferral_at_issuance_blocks_issue_until_supplied(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    hall.review(staff["window"], case.number, ALL_PASS)
    _defer(hall, staff, case, "id-copy")
    hall.act(staff["window"], case.number, "take_in")
    hall.act(staff["approver"], case.number, "accept")
    hall.act(staff["approver"], case.number, "approve")  # at-issuance does not block decision
    with pytest.raises(TransitionRefused, match="容缺发证的材料尚未补齐"):
        hall.act(staff["issuance"], case.number, "issue")
    with pytest.raises(TransitionRefused):
        hall.act(staff["window"], case.number, "issue")  # only the issuance window issues
    hall.supply(staff["window"], case.number, "id-copy", "id.png", b"\x89PNG....")
    assert hall.act(staff["issuance"], case.number, "issue").state is State.ISSUED


def test_supplement_request_suspends_and_resumes(hall, staff, clock):
    case = take_in(hall, staff)
    hall.act(staff["approver"], case.number, "accept")
    case = hall.act(staff["approver"], case.number, "request_supplement", reason="证明不清晰",
                    params={"materials": ["lease"], "due_date": dt.date(2026, 10, 20)})
    assert case.state is State.SUSPENDED
    with pytest.raises(TransitionRefused):
        hall.act(staff["approver"], case.number, "approve")
    case = hall.supply(staff["window"], case.number, "lease", "lease.pdf", b"%PDF new")
    assert case.state is State.ACCEPTED


def test_supply_refuses_unlisted_material_and_keeps_no_file(hall, staff, onewindow_settings):
    case = take_in(hall, staff)
    with pytest.raises(TransitionRefused, match="不在待补正清单"):
        hall.supply(staff["window"], case.number, "lease", "x.pdf", b"%PDF")
    assert not any(onewindow_settings.upload_dir.rglob("*.pdf"))


def test_halt_resume_and_refuse(hall, staff):
    case = take_in(hall, staff)
    hall.act(staff["approver"], case.number, "accept")
    case = hall.act(staff["supervision"], case.number, "halt", reason="公章使用未留痕")
    assert case.state is State.HALTED
    with pytest.raises(TransitionRefused):
        hall.act(staff["approver"], case.number, "approve")
    case = hall.act(staff["head"], case.number, "resume", reason="复核符合许可条件")
    assert case.state is State.ACCEPTED
    hall.act(staff["supervision"], case.number, "halt", reason="再次抽查")
    case = hall.act(staff["head"], case.number, "refuse", reason="复核不符合许可条件")
    assert case.state is State.DENIED


def test_withdraw_before_decision_only(hall, staff):
    case = take_in(hall, staff)
    case = hall.act(staff["window"], case.number, "withdraw", reason="申请人撤回")
    assert case.state is State.WITHDRAWN
    other = take_in(hall, staff)
    hall.act(staff["approver"], other.number, "accept")
    hall.act(staff["approver"], other.number, "approve")
    with pytest.raises(TransitionRefused):
        hall.act(staff["window"], other.number, "withdraw", reason="太晚了")


def test_person_item_and_applicant_kind(hall, staff):
    with pytest.raises(ValidationError) as info:
        hall.open_case(staff["window"], "sample-simple", ENTERPRISE)
    assert "kind" in info.value.errors
    case = hall.open_case(staff["window"], "sample-simple", PERSON)
    assert case.applicant.identifier == "1101**********002X"
    hall.review(staff["window"], case.number, [("form", "signed", "passed", "")])
    assert hall.act(staff["window"], case.number, "take_in").state is State.TAKEN_IN


def test_case_keeps_its_catalogue_version(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    assert case.item_version == "2026.1"
    assert case.item_snapshot["materials"][0]["review_points"][1]["code"] == "sealed"


def test_plugins_are_told_of_each_event(hall, staff):
    import sample_plugin

    sample_plugin.EVENTS.clear()
    case = take_in(hall, staff)
    assert [e[0] for e in sample_plugin.EVENTS] == ["open", "review", "take_in"]
    assert sample_plugin.EVENTS[-1] == ("take_in", case.number, State.TAKEN_IN)


def test_review_outcome_values_are_stable():
    assert [o.value for o in ReviewOutcome] == ["passed", "failed", "not_applicable"]


def test_issuance_writes_the_seal_ledger_linked_to_the_case(hall, staff, clock):
    case = take_in(hall, staff)
    hall.act(staff["approver"], case.number, "accept")
    hall.act(staff["approver"], case.number, "approve")
    assert hall.seal_ledger("sample") == []
    clock.advance(hours=2)
    case = hall.act(staff["issuance"], case.number, "issue")
    [use] = hall.seal_ledger("sample")
    assert (use.case_number, use.used_by, use.used_at) == (case.number, "issuance1", clock.now)
    assert use.item_name == "样例经营许可" and use.applicant_name == ENTERPRISE["name"]
    issue_event = case.events[-1]
    assert issue_event.action == "issue" and use.audit_seq == issue_event.seq
    assert hall.seal_ledger("sample", since=clock.now.date() + dt.timedelta(days=1)) == []
    assert hall.seal_ledger("other") == []


def test_the_one_time_notice_is_frozen_with_a_hash(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    hall.review(staff["window"], case.number, [("lease", "valid", "failed", "已过期")])
    event = hall.act(staff["window"], case.number, "notify").events[-1]
    assert len(event.data["notice_hash"]) == 64


def test_who_may_view_a_case(hall, staff):
    from onewindow.lifecycle import may_view

    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    assert may_view(case, staff["approver"]) and may_view(case, staff["head"])
    assert not may_view(case, staff["other_approver"])
    assert may_view(case, staff["window"]) and may_view(case, staff["supervision"])


def test_a_point_passed_again_drops_its_old_failure_reason(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    hall.review(staff["window"], case.number, [("lease", "valid", "failed", "已过期")])
    case = hall.review(staff["window"], case.number, [("lease", "valid", "passed", "已过期")])
    assert case.review("lease", "valid").reason == ""


def test_the_case_an_action_returns_is_the_case_stored(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    returned = [hall.review(staff["window"], case.number, ALL_PASS),
                _defer(hall, staff, case, "id-copy"),
                hall.act(staff["window"], case.number, "take_in"),
                hall.act(staff["approver"], case.number, "accept"),
                hall.supply(staff["window"], case.number, "id-copy", "id.png", b"\x89PNG")]
    for shown in returned:
        assert shown.events[-1].seq is not None
    assert returned[-1] == hall.get_case(case.number)
