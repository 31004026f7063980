"""Joint review (共同形式审查) through the web, JavaScript off and with htmx polling."""

from __future__ import annotations

import re

import pytest

from .conftest import PERSON
from .test_workday import ROLES, USERNAMES, _only, check_route_table, send, text_of

HTMX = {"HX-Request": "true"}


@pytest.fixture
def case(hall, staff):
    return hall.open_case(staff["window"], "web-permit", PERSON)


def _call_id(hall, number: str) -> int:
    return hall.calls.for_case(number)[-1].id


def test_the_window_calls_the_section_and_the_approver_answers(client, hall, staff, login,
                                                                case):
    url = f"/cases/{case.number}"
    login("window1")
    page = client.get(url).text
    assert "呼叫审批人员到窗口" in page and f'action="/cases/{case.number}/calls"' in page
    response = send(client, f"{url}/calls", {"point": "lease/valid", "note": "租期起算日不清"},
                    page=url)
    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?done=joint_review_call#calls"
    page = text_of(client.get(response.headers["location"]).text)
    assert "已完成：呼叫审批人员共同形式审查" in page
    assert "王晓梅 呼叫审批人员：经营场所使用证明 / 租赁期限不少于一年" in page
    assert "已等待" in page and "呼叫审批人员到窗口" not in page  # one open call at a time
    # the clerk's panel follows the call (htmx poll) until it is answered
    panel = client.get(f"{url}/calls", headers=HTMX).text
    assert 'hx-trigger="every 5s"' in panel and "<html" not in panel
    assert client.get(f"{url}/calls", follow_redirects=False).status_code == 303

    # ---- the section sees the call on every page (htmx) and on its home page (no JS)
    login("approver1")
    alert = client.get("/calls/alert", headers=HTMX).text
    assert "窗口正在呼叫本科室：1 个共同形式审查等待响应" in alert and case.number in alert
    assert "<html" not in alert
    assert 'hx-get="/calls/alert"' in client.get("/seal-ledger").text
    home = client.get("/").text
    assert "窗口正在呼叫本科室" in home and f"/calls/{_call_id(hall, case.number)}/answer" in home
    login("approver2")  # another section hears nothing
    assert case.number not in client.get("/calls/alert", headers=HTMX).text
    response = send(client, f"/calls/{_call_id(hall, case.number)}/answer")
    assert response.status_code == 404
    assert hall.calls.waiting() != []

    login("approver1")
    response = send(client, f"/calls/{_call_id(hall, case.number)}/answer")
    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?done=joint_review_answer#calls"
    page = text_of(client.get(response.headers["location"]).text)
    assert "李建国 已响应，用时" in page  # display names, not login names
    assert case.number not in client.get("/calls/alert", headers=HTMX).text
    calls_page = text_of(client.get("/calls").text)
    assert "平均响应用时" in calls_page and "李建国" in calls_page

    login("window1")
    page = text_of(client.get(url).text)
    assert "李建国 已响应，用时" in page and "呼叫审批人员到窗口" in page
    history = [e.action for e in hall.get_case(case.number).events]
    assert history == ["open", "joint_review_call", "joint_review_answer"]


def test_a_bad_call_is_named_and_nothing_is_stored(client, hall, staff, login, case):
    url = f"/cases/{case.number}"
    login("window1")
    response = send(client, f"{url}/calls", {"point": "lease/nope", "note": "看不清"}, page=url)
    assert response.status_code == 422
    assert "没有审查要点 nope" in response.text
    assert "看不清</textarea>" in response.text  # what was typed is still there
    response = send(client, f"{url}/calls", {"note": "长" * 501}, page=url)
    assert response.status_code == 422
    assert "不超过 500 个字（现有 501 个字）" in response.text
    assert hall.calls.for_case(case.number) == []


def test_the_calls_list_is_the_sections_own_for_its_staff(client, hall, staff, login, case):
    made = hall.calls.call(staff["window"], case.number)
    login("approver2")
    assert case.number not in client.get("/calls").text
    assert case.number not in client.get("/calls?section=webtest").text  # no choosing
    login("super1")
    assert case.number in client.get("/calls?section=webtest").text
    assert case.number not in client.get("/calls?section=elsewhere").text
    assert client.get("/calls?section=nope").status_code == 404
    assert made.answered_at is None


CALL_MATRIX = [
    ("GET", "/calls", None, _only("window", "approver", "other_approver", "head",
                                  "coordination", "supervision")),
    ("GET", "/calls/alert", None, _only("approver", "other_approver", "head")),
    ("POST", "/cases/{n}/calls", {"note": "x"}, _only("window")),
    ("POST", "/calls/{c}/answer", {}, _only("approver", "head", elsewhere=404)),
    ("POST", "/calls/999999/answer", {}, _only(elsewhere=404) | {
        "approver": 404, "head": 404}),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_call_route_keeps_each_role_to_its_own_work(client, hall, more_staff, login,
                                                          role):
    case = hall.open_case(more_staff["window"], "web-permit", PERSON)
    other = hall.open_case(more_staff["window"], "web-permit", PERSON)
    call = hall.calls.call(more_staff["window"], other.number)
    assert login(USERNAMES[role]).status_code == 303
    check_route_table(client, role, CALL_MATRIX, n=case.number, c=call.id)


def test_durations_read_naturally(client, hall, staff, login, case, monkeypatch):
    made = hall.calls.call(staff["window"], case.number)
    start = made.called_at
    import datetime as dt
    monkeypatch.setattr(hall, "clock", lambda: start + dt.timedelta(hours=1, minutes=5))
    login("approver1")
    assert "已等待1小时5分" in text_of(client.get("/").text)
    assert re.search(r"waiting for 1 h 5 min", text_of(client.get("/?lang=en").text))


def test_a_colleague_who_answers_second_is_not_told_they_answered(client, hall, more_staff,
                                                                   login, case):
    made = hall.calls.call(more_staff["window"], case.number)
    hall.calls.answer(more_staff["approver"], made.id)
    login("head1")
    response = send(client, f"/calls/{made.id}/answer")
    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{case.number}#calls"  # no "done"
    page = text_of(client.get(response.headers["location"]).text)
    assert "李建国 已响应" in page and "已完成" not in page


def test_a_lapsed_call_leaves_the_banner_and_says_why(client, hall, staff, login, case):
    hall.calls.call(staff["window"], case.number)
    hall.act(staff["window"], case.number, "withdraw", reason="申请人撤回")
    login("approver1")
    assert case.number not in client.get("/calls/alert", headers=HTMX).text
    assert "未响应：办件已离开接件窗口" in text_of(client.get(f"/cases/{case.number}").text)
    assert 'hx-trigger="every 5s"' not in client.get(f"/cases/{case.number}").text
