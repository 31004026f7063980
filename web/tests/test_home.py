"""The staff home page: who is signed in, and the work list their role sees."""

from __future__ import annotations

import re

from onewindow.case import ReviewOutcome
from onewindow.lifecycle import applicable_materials, item_of

from .conftest import ENTERPRISE, PERSON, page_queries


def _take_in(hall, window, case):
    """Pass every review point and take the case in (state taken_in)."""
    item = item_of(case)
    marks = [(m.code, p.code, ReviewOutcome.PASSED.value, "")
             for m in applicable_materials(case, item) for p in m.review_points]
    hall.review(window, case.number, marks)
    return hall.act(window, case.number, "take_in")


def test_home_shows_name_role_and_masked_id_of_a_person(client, hall, staff, login):
    case = hall.open_case(staff["window"], "web-permit", PERSON)
    login("window1")
    text = client.get("/").text
    assert "王晓梅" in text and "大厅服务人员" in text
    assert case.number in text
    assert "网页测试经营许可" in text
    assert "王芳" in text
    assert "1101**********002X" in text
    assert "11010519491231002X" not in text  # never the raw ID number
    assert "咨询/接件中" in text
    assert "未开始计时" in text


def test_enterprise_applicant_shows_its_credit_code(client, hall, staff, login):
    hall.open_case(staff["window"], "web-permit", ENTERPRISE)
    login("window1")
    assert "91110000600037341L" in client.get("/").text


def test_empty_work_list_shows_a_friendly_empty_state(client, staff, login):
    login("issuance1")
    text = client.get("/").text
    assert "统一发证窗口" in text
    assert "目前没有等待您处理的办件" in text
    assert "<table" not in text


def test_approver_sees_only_own_sections_cases_after_intake(client, hall, staff, login):
    at_window = hall.open_case(staff["window"], "web-permit", PERSON)
    taken_in = _take_in(hall, staff["window"],
                        hall.open_case(staff["window"], "web-permit", ENTERPRISE))
    accepted = _take_in(hall, staff["window"],
                        hall.open_case(staff["window"], "web-filing", PERSON))
    accepted = hall.act(staff["approver"], accepted.number, "accept")
    login("approver1")
    text = client.get("/").text
    assert "网页测试审批科" in text  # the approver's section
    assert taken_in.number in text and "已接件" in text
    assert accepted.number in text and "已受理" in text
    assert at_window.number not in text
    due = hall.deadline(accepted).due
    assert due.isoformat() in text


def test_approver_of_another_section_sees_nothing(client, hall, staff, login):
    _take_in(hall, staff["window"], hall.open_case(staff["window"], "web-permit", PERSON))
    login("approver2")
    assert "目前没有等待您处理的办件" in client.get("/").text


def test_supervision_sees_all_recent_cases(client, hall, staff, login):
    first = hall.open_case(staff["window"], "web-permit", PERSON)
    second = _take_in(hall, staff["window"],
                      hall.open_case(staff["window"], "web-permit", ENTERPRISE))
    login("super1")
    text = client.get("/").text
    assert first.number in text and second.number in text
    assert "全大厅近期办件" in text


def test_home_query_count_does_not_grow_with_the_number_of_cases(client, hall, staff, login):
    for _ in range(3):
        hall.open_case(staff["window"], "web-permit", PERSON)
    login("window1")
    few, response = page_queries(client, hall, "/")
    assert len(re.findall(r'<td class="code"><a href="/cases/\d{12}">\d{12}</a></td>', response.text)) == 3
    for _ in range(27):
        hall.open_case(staff["window"], "web-permit", PERSON)
    many, response = page_queries(client, hall, "/")
    assert len(re.findall(r'<td class="code"><a href="/cases/\d{12}">\d{12}</a></td>', response.text)) == 30
    assert len(few) == len(many), (few, many)
    assert len(many) <= 10, many
