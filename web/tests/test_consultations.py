"""The consultation window (/consultations) with JavaScript off: the first-inquiry log, repeat
visits after a one-time notice, who sees what, and the case page's repeat-visit panel."""

from __future__ import annotations

import re

import pytest

from onewindow import accounts
from onewindow.case import ReviewOutcome
from onewindow.lifecycle import applicable_materials, item_of
from onewindow.storage.models import InquiryRow
from onewindow_web import labels
from onewindow_web.templating import build_environment

from .conftest import ENTERPRISE, PASSWORD, PERSON, page_queries
from .test_workday import ROLES, USERNAMES, check_route_table, send, text_of

RAW_ID = PERSON["id_number"]
MASKED_ID = "1101**********002X"


def notified(hall, staff, applicant=PERSON, item="web-permit"):
    """A case the window gave a one-time notice (window1: 王晓梅): a point not met."""
    window = staff["window"]
    case = hall.open_case(window, item, applicant)
    marks = [(m.code, p.code, ReviewOutcome.PASSED.value, "")
             for m in applicable_materials(case, item_of(case)) for p in m.review_points]
    marks[0] = (marks[0][0], marks[0][1], ReviewOutcome.FAILED.value, "缺签字")
    hall.review(window, case.number, marks)
    return hall.act(window, case.number, "notify")


def test_logging_an_inquiry_names_each_error_in_chinese_and_keeps_the_input(
        client, hall, staff, login):
    login("window1")
    typed = {"question": "", "item": "web-permit", "applicant_name": "王芳",
             "identifier": "11010519491231002Y", "contacted": "网页测试审批科 李建国",
             "answered": "on", "answer": ""}
    response = send(client, "/consultations", typed, page="/consultations")
    assert response.status_code == 422
    text = response.text
    for message in ("请填写咨询的问题", "统一社会信用代码或身份证号码校验不通过",
                    "已当场答复的，请写明答复内容"):
        assert message in text
    assert 'href="#inquiry-question"' in text and 'id="inquiry-question"' in text
    for value in ("王芳", "11010519491231002Y", "网页测试审批科 李建国"):
        assert f'value="{value}"' in text
    assert '<option value="web-permit" selected>' in text
    assert 'name="answered" value="on" checked' in text
    assert InquiryRow.select().count() == 0

    typed.update(question="食品经营许可需要哪些材料？", identifier=RAW_ID,
                 answer="已告知需带申请表和场所证明")
    response = send(client, "/consultations", typed, page="/consultations")
    assert response.status_code == 303
    match = re.fullmatch(r"/consultations\?logged=(\d+)#inquiry-\1", response.headers["location"])
    assert match, response.headers["location"]
    text = client.get(response.headers["location"]).text
    assert "咨询已登记" in text
    row = text[text.index(f'id="inquiry-{match.group(1)}"'):]
    assert "食品经营许可需要哪些材料？" in row and "已告知需带申请表和场所证明" in row
    assert "王晓梅" in row and "网页测试经营许可" in row
    assert MASKED_ID in text and RAW_ID not in text  # never the whole ID number


def test_an_unanswered_question_stays_with_who_was_asked_first(client, hall, staff, login):
    inquiry = hall.inquiries.record(staff["window"], {"question": "能否网上办理？",
                                                     "applicant_name": "王芳",
                                                     "item": "web-permit"})
    url = f"/consultations/{inquiry.id}/answer"
    login("approver1")  # the section sees the question, but it is not theirs to close
    assert "尚未答复" in client.get("/consultations").text
    response = send(client, url, {"answer": "可以"}, page="/consultations")
    assert response.status_code == 409 and "只有首问人可以登记答复" in response.text
    login("window1")
    response = send(client, url, {"answer": ""}, page="/consultations")
    assert response.status_code == 422 and "请写明答复内容" in response.text
    response = send(client, url, {"answer": "已电话告知：可以网上办理"}, page="/consultations")
    assert response.status_code == 303
    assert f"answered={inquiry.id}" in response.headers["location"]
    text = client.get(response.headers["location"]).text
    assert "答复已登记" in text and "已电话告知：可以网上办理" in text
    assert hall.inquiries.get(inquiry.id).answered


def test_a_repeat_visit_after_a_notice_is_counted_against_who_gave_it(
        client, hall, more_staff, login):
    case = notified(hall, more_staff)
    login("approver1")  # on the consultation window's rota today
    response = send(client, "/consultations",
                    {"question": "补了签字，能直接受理吗？", "item": "web-permit",
                     "applicant_name": "王芳", "identifier": RAW_ID}, page="/consultations")
    assert response.status_code == 303
    text = text_of(client.get(response.headers["location"]).text)
    assert f"再次来访：该申请人已就此事项收到过一次性告知书（办件 {case.number}）" in text
    # the supervision section reads the month: one return after a notice is counted against
    # the clerk who gave it (repeat visits, breaches, unanswered), who keeps eligibility
    login("super1")
    page = client.get("/consultations")
    assert page.status_code == 200
    tally = text_of(page.text[page.text.index('class="data-table tally-list"'):])
    assert re.search(r"王晓梅 window1 1 0 0 保留", tally), tally
    assert "违反一次性告知次数" in tally and "来访方式" in tally
    assert "否（告知后首次来访）" in tally
    assert MASKED_ID in page.text and RAW_ID not in page.text
    assert 'method="post" action="/consultations"' not in page.text  # reads, never logs
    # a new case for the same applicant and item the same day is the same visit: counted once
    again = hall.open_case(more_staff["window"], "web-permit", PERSON)
    page = client.get("/consultations").text
    assert re.search(r"王晓梅 window1 1 0 0 保留", text_of(page))
    visits = hall.inquiries.earlier_notices(again)
    assert visits.visits == 2 and [n.case_number for n in visits.notices] == [case.number]
    # a second notice on the same application is a breach: the month's eligibility is lost
    marks = [(m.code, p.code, ReviewOutcome.FAILED.value, "仍缺签字")
             for m in applicable_materials(case, item_of(case)) for p in m.review_points][:1]
    hall.review(more_staff["window"], case.number, marks)
    hall.act(more_staff["window"], case.number, "notify")
    tally = text_of(client.get("/consultations").text)
    assert re.search(r"王晓梅 window1 1 1 0 取消", tally), tally
    assert "同一申请再次出具一次性告知书" in tally


def test_section_staff_see_their_own_section(client, hall, more_staff, login):
    accounts.create_staff("approver3", "吴敏", "approver", PASSWORD, "elsewhere")
    notified(hall, more_staff)
    ours = hall.inquiries.record(more_staff["approver"], {
        "question": "经营许可的审查要点？", "applicant_name": "王芳", "item": "web-permit",
        "identifier": RAW_ID})
    assert ours.repeat_of
    theirs = hall.inquiries.record(more_staff["other_approver"], {
        "question": "别的科室的问题", "applicant_name": "李四"})
    login("approver2")
    text = client.get("/consultations").text
    assert "别的科室的问题" in text and "经营许可的审查要点？" not in text
    assert "王晓梅" not in text  # the webtest section's repeat visit is not theirs
    assert send(client, f"/consultations/{ours.id}/answer", {"answer": "x"},
                page="/consultations").status_code == 404
    login("approver3")  # the same section: its questions, whoever was asked
    text = client.get("/consultations").text
    assert "别的科室的问题" in text and "经营许可的审查要点？" not in text
    for username in ("approver1", "head1"):
        login(username)
        text = client.get("/consultations").text
        assert "经营许可的审查要点？" in text and "王晓梅" in text, username
        assert "别的科室的问题" not in text, username
    for username in ("window1", "super1"):  # the whole hall
        login(username)
        text = client.get("/consultations").text
        assert "经营许可的审查要点？" in text and "别的科室的问题" in text, username
    assert theirs.section == "elsewhere"


def test_the_month_is_chosen_and_checked(client, hall, staff, login):
    login("window1")
    this_month = hall.clock().strftime("%Y-%m")
    assert f'name="month" value="{this_month}"' in client.get("/consultations").text
    response = client.get("/consultations?month=2026-13")
    assert response.status_code == 422
    assert "请按“年-月”填写月份" in response.text and 'value="2026-13"' in response.text
    text = client.get("/consultations?month=2020-01").text
    assert "本月没有咨询登记" in text and 'href="/consultations?month=2019-12"' in text


def test_the_case_page_panel_shows_earlier_notices(hall, more_staff):
    """``cases/_visits.html`` with what ``hall.inquiries.earlier_notices`` gives the case page."""
    first = notified(hall, more_staff)
    second = hall.open_case(more_staff["window"], "web-permit", PERSON)
    env = build_environment()
    env.globals.update(labels.template_globals())
    template = env.get_template("cases/_visits.html")
    html = template.render(visits=hall.inquiries.earlier_notices(second))
    text = text_of(html)
    assert 'id="visits"' in html and f'href="/cases/{first.number}#notices"' in html
    assert "该申请人已为此事项来访 2 次" in text and "王晓梅" in text and "缺签字" in text
    assert "违反一次性告知" not in text  # one return after a notice is no breach
    assert template.render(visits=hall.inquiries.earlier_notices(first)).strip() == ""
    # a second notice on the first case: the visit breaches one-time notification
    hall.review(more_staff["window"], first.number,
                [(m.code, p.code, ReviewOutcome.FAILED.value, "仍缺签字")
                 for m in applicable_materials(first, item_of(first))
                 for p in m.review_points][:1])
    hall.act(more_staff["window"], first.number, "notify")
    text = text_of(template.render(visits=hall.inquiries.earlier_notices(second)))
    assert "其中 1 次来访违反一次性告知制" in text
    assert "违反一次性告知：同一申请再次出具一次性告知书" in text


def test_the_case_page_shows_repeat_visits(client, hall, more_staff, login):
    first = notified(hall, more_staff)
    second = hall.open_case(more_staff["window"], "web-permit", PERSON)
    login("window1")
    text = client.get(f"/cases/{second.number}").text
    assert 'id="visits"' in text and f'href="/cases/{first.number}#notices"' in text
    assert 'id="visits"' not in client.get(f"/cases/{first.number}").text


def test_the_consultation_page_costs_the_same_queries_however_long(client, hall, more_staff,
                                                                    login):
    def visit():
        case = notified(hall, more_staff, applicant=ENTERPRISE)
        hall.inquiries.record(more_staff["approver"], {
            "question": "再问一次", "applicant_name": ENTERPRISE["name"], "item": "web-permit",
            "identifier": ENTERPRISE["credit_code"]})
        hall.inquiries.record(more_staff["window"], {"question": "一般咨询",
                                                     "applicant_name": "张三"})
        return case

    for _ in range(2):
        visit()
    login("super1")
    few, response = page_queries(client, hall, "/consultations")
    assert response.text.count('<tr id="inquiry-') == 4
    for _ in range(6):
        visit()
    many, response = page_queries(client, hall, "/consultations")
    assert response.text.count('<tr id="inquiry-') == 16
    assert len(few) == len(many), (few, many)
    assert len(many) <= 12, many


# ---------------------------------------------------------------------------- who may do what
OK = "ok"


def _expect(ok: tuple[str, ...], **others: int) -> dict[str, str | int]:
    return {role: OK if role in ok else others.get(role, 403) for role in ROLES}


LOGGERS = ("window", "approver", "other_approver", "head")
MATRIX = [
    ("GET", "/consultations", None, _expect((*LOGGERS, "supervision"))),
    ("GET", "/consultations?month=2026-13", None, _expect((*LOGGERS, "supervision"))),
    ("POST", "/consultations", {"question": ""}, _expect(LOGGERS)),
    ("POST", "/consultations/{i}/answer", {"answer": ""},
     _expect(("window", "approver", "head"), other_approver=404)),
    ("POST", "/consultations/999999/answer", {"answer": "x"},
     _expect((), window=404, approver=404, other_approver=404, head=404)),
]


@pytest.mark.parametrize("role", ROLES)
def test_each_consultation_route_keeps_each_role_to_its_own_work(client, hall, more_staff,
                                                                 login, role):
    inquiry = hall.inquiries.record(more_staff["window"], {
        "question": "事项咨询", "applicant_name": "王芳", "item": "web-permit"})
    assert login(USERNAMES[role]).status_code == 303
    check_route_table(client, role, MATRIX, i=inquiry.id)
    assert InquiryRow.select().count() == 1 and not hall.inquiries.get(inquiry.id).answered
