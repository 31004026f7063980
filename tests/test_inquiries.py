"""The consultation window's first-inquiry log (首问负责制) and repeat visits after a one-time
notice (一次性告知书), through the services on the configured database."""

import datetime as dt

import pytest
from conftest import ENTERPRISE, PERSON

from onewindow import accounts, audit
from onewindow.errors import NotFound, TransitionRefused, ValidationError
from onewindow.inquiries import month_bounds, parse_identifier, parse_month, shift_month
from onewindow.storage.models import AuditRow, InquiryRow
from onewindow.testing import counting_queries

SEPTEMBER = dt.date(2026, 9, 1)
OCTOBER = dt.date(2026, 10, 1)
FAILED_SEAL = [("application", "signed", "passed", ""),
               ("application", "sealed", "failed", "加盖的是分公司公章"),
               ("application", "neat", "passed", ""), ("lease", "valid", "passed", ""),
               ("id-copy", "valid", "passed", "")]


def notified(hall, staff, applicant=ENTERPRISE, clerk="window"):
    """A case that received a one-time notice from ``clerk``."""
    case = hall.open_case(staff[clerk], "sample-permit", applicant)
    hall.review(staff[clerk], case.number, FAILED_SEAL)
    return hall.act(staff[clerk], case.number, "notify")


def passed(hall, staff, case, clerk="window"):
    """The applicant brings what the notice asked for and the case is taken in."""
    hall.review(staff[clerk], case.number, [("application", "sealed", "passed", "")])
    return hall.act(staff[clerk], case.number, "take_in")


def tally(hall, month=SEPTEMBER, username="window1"):
    """(repeat visits, breaches, loses eligibility) of one member of staff in the month."""
    found = {t.username: t for t in hall.inquiries.month(month).tallies}.get(username)
    return (found.repeat_visits, found.breaches, found.loses_eligibility) if found else None


def ask(hall, actor, **data):
    return hall.inquiries.record(actor, {"question": "需要带哪些材料？", "applicant_name": "王芳",
                                         **data})


@pytest.fixture
def window2(onewindow_actor):
    return onewindow_actor("window_staff", username="window2")


def test_months_parse_and_bound():
    assert parse_month("2026-09") == SEPTEMBER
    for bad in ("", "2026-13", "2026-9", "202609", "abcd-ef", "2026/09"):
        assert parse_month(bad) is None
    assert month_bounds(dt.date(2026, 12, 5)) == (dt.datetime(2026, 12, 1),
                                                  dt.datetime(2027, 1, 1))
    assert shift_month(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert shift_month(dt.date(2026, 12, 1), 1) == dt.date(2027, 1, 1)


def test_identifiers_are_checked_like_an_applicants():
    assert parse_identifier("") == ("", "")
    assert parse_identifier(PERSON["id_number"]) == ("id_number", PERSON["id_number"])
    assert parse_identifier(" 91110000600037341l ") == ("credit_code", ENTERPRISE["credit_code"])
    with pytest.raises(ValueError, match="校验不通过"):
        parse_identifier("91110000600037341X")


def test_an_inquiry_is_logged_owned_by_who_was_asked_first_and_audited(hall, staff):
    inquiry = ask(hall, staff["approver"], item="sample-permit", contacted="企业登记科 李科长",
                  identifier=PERSON["id_number"], answered="on", answer="带齐五项材料")
    assert inquiry.first_asked == "approver1"
    assert inquiry.section == "sample" and inquiry.item_code == "sample-permit"
    assert inquiry.answered and inquiry.answer == "带齐五项材料"
    assert inquiry.contacted == "企业登记科 李科长"
    assert inquiry.repeat_of is None
    # the resident ID number is never kept whole, not in the log and not on the trail
    assert inquiry.applicant_identifier == "1101**********002X"
    assert InquiryRow.get_by_id(inquiry.id).applicant_identifier == "1101**********002X"
    row = AuditRow.select().order_by(AuditRow.seq.desc()).first()
    assert row.action == "inquiry_log" and row.actor == "approver1" and row.case_number is None
    assert PERSON["id_number"] not in row.data and "1101**********002X" in row.data
    assert audit.verify(hall.settings.audit_key).ok
    # without an item the question belongs to the asker's section (none for the window)
    assert ask(hall, staff["window"]).section is None


def test_bad_input_names_every_field_and_stores_nothing(hall, staff):
    with pytest.raises(ValidationError) as info:
        hall.inquiries.record(staff["window"], {"question": " ", "applicant_name": "",
                                                "item": "no-such-item",
                                                "identifier": "91110000600037341X",
                                                "answered": "on", "answer": ""})
    assert info.value.errors == {
        "question": "请填写咨询的问题", "applicant_name": "请填写咨询人姓名或单位名称",
        "item": "没有编码为 no-such-item 的审批事项",
        "identifier": "统一社会信用代码或身份证号码校验不通过，请核对18位号码",
        "answer": "已当场答复的，请写明答复内容"}
    assert InquiryRow.select().count() == 0
    for role in ("issuance", "supervision"):
        with pytest.raises(TransitionRefused):
            ask(hall, staff[role])


def test_only_who_was_asked_first_records_the_answer_later(hall, staff, clock):
    inquiry = ask(hall, staff["window"], contacted="样例审批科")
    assert not inquiry.answered
    with pytest.raises(TransitionRefused, match="首问"):
        hall.inquiries.answer(staff["approver"], inquiry.id, "可以办理")
    with pytest.raises(ValidationError):
        hall.inquiries.answer(staff["window"], inquiry.id, "  ")
    clock.advance(hours=2)
    answered = hall.inquiries.answer(staff["window"], inquiry.id, "已电话答复：可以办理")
    assert answered.answered and answered.answer == "已电话答复：可以办理"
    with pytest.raises(TransitionRefused, match="已答复"):
        hall.inquiries.answer(staff["window"], inquiry.id, "again")
    with pytest.raises(NotFound):
        hall.inquiries.answer(staff["window"], 999_999, "x")
    assert AuditRow.select().order_by(AuditRow.seq.desc()).first().action == "inquiry_answer"


def test_an_inquiry_after_a_notice_is_a_repeat_visit(hall, staff, clock, window2):
    case = notified(hall, staff)
    clock.advance(hours=3)
    # another item, or no identifier: nothing to connect
    assert ask(hall, window2, item="sample-simple",
               identifier=ENTERPRISE["credit_code"]).repeat_of is None
    assert ask(hall, window2, item="sample-permit").repeat_of is None
    inquiry = ask(hall, window2, item="sample-permit", identifier=ENTERPRISE["credit_code"],
                  applicant_name=ENTERPRISE["name"])
    assert inquiry.repeat_of == case.number
    visits = hall.inquiries.repeat_visits(SEPTEMBER)
    assert [(v.how, v.earlier_case, v.noticed_by, v.reference) for v in visits] == [
        ("inquiry", case.number, "window1", str(inquiry.id))]
    # counted against who gave the notice, not who took the question
    assert tally(hall) == (1, 0, False)
    assert tally(hall, username="window2") == (0, 0, False)  # only unanswered questions
    assert hall.inquiries.repeat_visits(OCTOBER) == []


def test_after_intake_the_notice_no_longer_brings_anyone_back(hall, staff, clock):
    case = notified(hall, staff)
    hall.review(staff["window"], case.number, [("application", "sealed", "passed", "")])
    clock.advance(hours=1)
    hall.act(staff["window"], case.number, "take_in")
    clock.advance(days=1)
    inquiry = ask(hall, staff["window"], item="sample-permit",
                  identifier=ENTERPRISE["credit_code"])
    assert inquiry.repeat_of is None  # a question about the case in hand, not a repeat


def test_coming_back_to_the_window_after_a_notice_counts(hall, staff, clock):
    case = notified(hall, staff)
    clock.advance(days=1)
    hall.review(staff["window"], case.number, [("application", "sealed", "failed", "仍不对")])
    hall.act(staff["window"], case.number, "notify")  # a second notice: another visit
    clock.advance(days=1)
    passed(hall, staff, case)  # and a third visit
    visits = hall.inquiries.repeat_visits(SEPTEMBER)
    assert [(v.how, v.earlier_case, v.at.date(), v.number, v.breach) for v in visits] == [
        ("window", case.number, dt.date(2026, 9, 29), 1, "second_notice"),
        ("window", case.number, dt.date(2026, 9, 30), 2, "again")]
    assert visits[0].applicant_identifier == ENTERPRISE["credit_code"]
    # both visits are counted, and both are breaches of one-time notification
    assert tally(hall) == (2, 2, True)


def test_a_single_return_after_a_notice_is_counted_but_costs_nothing(hall, staff, clock):
    case = notified(hall, staff)
    clock.advance(days=1)
    passed(hall, staff, case)  # the notice told everything: one return, taken in
    [visit] = hall.inquiries.repeat_visits(SEPTEMBER)
    assert (visit.how, visit.number, visit.second_notice, visit.breach) == (
        "window", 1, False, "")
    assert tally(hall) == (1, 0, False)
    # the case page shows the visit too, and no breach
    visits = hall.inquiries.earlier_notices(hall.get_case(case.number))
    assert visits.visits == 2 and visits.breaches == ()


def test_a_second_notice_on_the_same_application_costs_eligibility(hall, staff, clock,
                                                                    window2):
    case = notified(hall, staff)
    clock.advance(days=1)
    hall.review(window2, case.number, [("application", "sealed", "failed", "仍不对")])
    second = hall.act(window2, case.number, "notify")
    assert second.events[-1].data["repeat"] is True
    [visit] = hall.inquiries.repeat_visits(SEPTEMBER)
    assert (visit.number, visit.breach) == (1, "second_notice")
    # against whoever gave the notice that did not tell everything at once
    assert visit.noticed_by == "window1"
    assert tally(hall) == (1, 1, True)
    assert tally(hall, username="window2") is None


def test_a_second_notice_the_same_day_as_an_inquiry_is_still_a_breach(hall, staff, clock):
    case = notified(hall, staff)
    clock.advance(days=1)
    ask(hall, staff["window"], item="sample-permit", identifier=ENTERPRISE["credit_code"])
    clock.advance(minutes=20)  # the same visit: asked first, then noticed again at the window
    hall.review(staff["window"], case.number, [("application", "sealed", "failed", "仍不对")])
    hall.act(staff["window"], case.number, "notify")
    [visit] = hall.inquiries.repeat_visits(SEPTEMBER)
    assert (visit.how, visit.breach) == ("inquiry", "second_notice")
    assert tally(hall) == (1, 1, True)


def test_a_third_visit_costs_eligibility(hall, staff, clock, window2):
    case = notified(hall, staff)
    clock.advance(days=1)
    ask(hall, window2, item="sample-permit", identifier=ENTERPRISE["credit_code"])
    assert tally(hall) == (1, 0, False)  # one return: nothing lost yet
    clock.advance(days=1)
    passed(hall, staff, case)  # back again: the notice did not do its work
    visits = hall.inquiries.repeat_visits(SEPTEMBER)
    assert [(v.how, v.number, v.breach) for v in visits] == [
        ("inquiry", 1, ""), ("window", 2, "again")]
    assert tally(hall) == (2, 1, True)
    page = hall.inquiries.earlier_notices(hall.get_case(case.number))
    assert [v.number for v in page.breaches] == [2]


def test_coming_back_again_is_seen_across_months(hall, staff, clock, window2):
    notified(hall, staff)  # 28 September
    clock.advance(days=2)
    ask(hall, window2, item="sample-permit", identifier=ENTERPRISE["credit_code"])
    clock.advance(days=1)  # 1 October
    ask(hall, window2, item="sample-permit", identifier=ENTERPRISE["credit_code"])
    assert tally(hall) == (1, 0, False)
    [visit] = hall.inquiries.repeat_visits(OCTOBER)
    assert (visit.at.date(), visit.number, visit.breach) == (dt.date(2026, 10, 1), 2, "again")
    assert tally(hall, OCTOBER) == (1, 1, True)


def test_after_intake_a_new_application_starts_afresh(hall, staff, clock):
    first = notified(hall, staff)
    clock.advance(days=1)
    passed(hall, staff, first)  # one return, taken in
    clock.advance(days=1)
    second = notified(hall, staff)  # a new application for the same item, a new notice
    clock.advance(days=1)
    passed(hall, staff, second)
    visits = hall.inquiries.repeat_visits(SEPTEMBER) + hall.inquiries.repeat_visits(OCTOBER)
    assert [(v.earlier_case, v.number, v.breach) for v in visits] == [
        (first.number, 1, ""), (second.number, 1, "")]
    assert tally(hall) == (1, 0, False) and tally(hall, OCTOBER) == (1, 0, False)


def test_a_new_case_after_a_notice_counts_once_per_day(hall, staff, clock, window2):
    first = notified(hall, staff, applicant=PERSON)
    clock.advance(hours=2)
    inquiry = ask(hall, window2, item="sample-permit", identifier=PERSON["id_number"])
    assert inquiry.repeat_of == first.number
    clock.advance(minutes=10)  # the same visit: the applicant asked, then a case was opened
    second = hall.open_case(window2, "sample-permit", PERSON)
    visits = hall.inquiries.repeat_visits(SEPTEMBER)
    assert len(visits) == 1 and visits[0].how == "inquiry"
    assert visits[0].applicant_identifier == "1101**********002X"
    clock.advance(days=1)
    third = hall.open_case(window2, "sample-permit", PERSON)
    visits = hall.inquiries.repeat_visits(SEPTEMBER)
    assert [(v.how, v.reference, v.noticed_by) for v in visits] == [
        ("inquiry", str(inquiry.id), "window1"), ("new_case", third.number, "window1")]
    # another applicant or another item is not a repeat visit
    hall.open_case(window2, "sample-permit", ENTERPRISE)
    hall.open_case(window2, "sample-simple", PERSON)
    visits = hall.inquiries.repeat_visits(SEPTEMBER)
    # the applicant came back twice after the same notice: the second time is a breach
    assert [(v.number, v.breach) for v in visits] == [(1, ""), (2, "again")]
    assert hall.inquiries.repeat_visits(SEPTEMBER, section="elsewhere") == []
    assert len(hall.inquiries.repeat_visits(SEPTEMBER, section="sample")) == 2
    assert second.number != third.number


def test_the_month_tallies_each_member_of_staff(hall, staff, clock, window2):
    accounts.create_staff("window1", "王晓梅", "window_staff", "correct-horse-42")
    case = notified(hall, staff)
    clock.advance(hours=1)
    ask(hall, window2, item="sample-permit", identifier=ENTERPRISE["credit_code"])
    ask(hall, window2, question="能否网上办理？")  # not answered
    ask(hall, staff["approver"], answered="on", answer="可以")
    month = hall.inquiries.month(SEPTEMBER)
    assert len(month.inquiries) == 3 and month.inquiries[0].first_asked == "approver1"
    tallies = {t.username: t for t in month.tallies}
    assert tallies["window1"].display_name == "王晓梅"
    # one return after a notice: counted, not a breach, eligibility kept
    assert tallies["window1"].repeat_visits == 1 and tallies["window1"].breaches == 0
    assert not tallies["window1"].loses_eligibility
    # unanswered questions are listed; they do not cost eligibility
    assert tallies["window2"].repeat_visits == 0 and tallies["window2"].unanswered == 2
    assert not tallies["window2"].loses_eligibility
    assert "approver1" not in tallies
    # an approver's view: their section's questions and those asked of them
    mine = hall.inquiries.month(SEPTEMBER, section="elsewhere", asked_of="approver2")
    assert mine.inquiries == () and mine.repeat_visits == ()
    assert len(hall.inquiries.month(SEPTEMBER, section="sample").repeat_visits) == 1
    assert case.number in {v.earlier_case for v in month.repeat_visits}


def test_the_case_page_sees_earlier_notices_for_the_same_applicant(hall, staff, clock):
    first = notified(hall, staff)
    assert not hall.inquiries.earlier_notices(first)  # nothing earlier, no visit yet
    clock.advance(days=1)
    second = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    visits = hall.inquiries.earlier_notices(second)
    assert visits and visits.visits == 2
    [notice] = visits.notices
    assert notice.case_number == first.number and notice.by == "window1"
    assert notice.lines == ("样例经营许可申请表：加盖总公司公章，不得使用分公司公章——加盖的是分公司公章",)
    assert [v.reference for v in visits.repeat_visits] == [second.number]
    other = hall.open_case(staff["window"], "sample-permit", PERSON)
    assert not hall.inquiries.earlier_notices(other)


def test_reading_costs_a_fixed_number_of_queries(hall, staff, clock, window2):
    def queries(call):
        with counting_queries(hall.db) as executed:
            call()
        return len(executed)

    def visit():
        case = notified(hall, staff)
        clock.advance(minutes=5)
        ask(hall, window2, item="sample-permit", identifier=ENTERPRISE["credit_code"])
        return case

    case = visit()
    few = queries(lambda: hall.inquiries.month(SEPTEMBER))
    few_case = queries(lambda: hall.inquiries.earlier_notices(case))
    for _ in range(6):
        case = visit()
    assert len(hall.inquiries.month(SEPTEMBER).repeat_visits) == 7
    assert queries(lambda: hall.inquiries.month(SEPTEMBER)) == few
    assert queries(lambda: hall.inquiries.earlier_notices(case)) == few_case
