"""Unclear review points from the checklist and the monthly problem list (/problems), with
JavaScript off (and the htmx swap): who may report, who sees which section, what is listed."""

from __future__ import annotations

import re

import pytest

from onewindow.storage.models import PointReportRow

from .conftest import CSRF_FIELD, ENTERPRISE, PERSON, page_queries
from .test_workday import ROLES, USERNAMES, _push, check_route_table, send, text_of

# in the review form (window) it submits that form; elsewhere (section) it names its own form
UNCLEAR_BUTTON = re.compile(
    r'<button type="submit" (?:formaction="(/cases/\d{12}/points/unclear)"|form="[^"]+") '
    r'name="point" value="application/signed"[^>]*hx-post="(/cases/\d{12}/points/unclear)"')


def _return(hall, staff, points=("application/signed", "lease/valid")):
    """A case the section returned, naming the points the window missed."""
    case = _push(hall, staff, item="web-permit", applicant=ENTERPRISE, until="take_in")
    return hall.act(staff["approver"], case.number, "return", reason="签字不符",
                    params={"points": list(points)})


def test_one_click_from_the_checklist_reaches_the_problem_list(client, hall, more_staff, login):
    case = hall.open_case(more_staff["window"], "web-permit", PERSON)
    url = f"/cases/{case.number}"
    login("window1")
    page = client.get(url).text
    # the button sits in the review form and sends it (token and unsaved marks) to the report
    match = UNCLEAR_BUTTON.search(page)
    assert match, "no unclear button beside the point"
    action, htmx_action = match.groups()
    assert action == htmx_action == f"{url}/points/unclear"
    review_form = re.search(r'<form method="post" action="[^"]+/review"[^>]*>(.*?)</form>',
                            page, re.S)
    assert review_form and CSRF_FIELD.search(review_form.group(1))
    assert match.group(0) in review_form.group(1)

    response = send(client, action, {"point": "application/signed"}, page=url)
    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?done=point_unclear#checklist"
    [report] = PointReportRow.select()
    assert (report.item_code, report.item_version, report.section) == (
        "web-permit", "2026.2", "webtest")
    assert (report.material, report.point, report.case_number, report.reported_by) == (
        "application", "signed", case.number, "window1")
    # with htmx the button becomes "reported" in place
    response = send(client, action, {"point": "lease/valid"}, page=url,
                    headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.strip().startswith('<span class="point-reported"')
    assert "已报告要点不清" in response.text and "<html" not in response.text
    assert PointReportRow.select().count() == 2

    login("coord1")  # the coordination section receives the list
    page = client.get("/problems")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "形式审查要点问题清单" in text and "网页测试审批科" in text
    assert "网页测试经营许可" in text and "2026.2" in text
    assert re.search(r"法定代表人亲笔签字 signed 1 0", text), text
    assert re.search(r"租赁期限不少于一年 valid 1 0", text), text
    assert f'href="/cases/{case.number}"' in page.text


def test_the_points_a_return_named_are_on_the_list(client, hall, more_staff, login):
    case = _return(hall, more_staff)
    login("window1")  # the window service department compiles the list
    text = text_of(client.get("/problems").text)
    assert re.search(r"法定代表人亲笔签字 signed 0 1", text), text
    assert re.search(r"经营场所使用证明 lease .*租赁期限不少于一年 valid 0 1", text), text
    assert "要点不清 0 次，退回指出 2 次" in text
    assert case.number in text


def test_bad_reports_are_refused_and_store_nothing(client, hall, more_staff, login):
    case = hall.open_case(more_staff["window"], "web-permit", PERSON)
    url = f"/cases/{case.number}"
    login("window1")
    # a point the case's item does not have: 422, naming the field (审查要点) and what is wrong
    for point, message in (("application/nope", "没有审查要点 nope"),
                           ("nope/signed", "本事项没有材料 nope"), ("", "本事项没有材料"),
                           ("application", "没有审查要点")):
        response = send(client, f"{url}/points/unclear", {"point": point}, page=url)
        assert response.status_code == 422, point
        text = text_of(response.text)
        assert "<h1" in response.text and "要点不清报告未保存" in text, point
        assert "审查要点：" in text and message in text, (point, text)
        assert f'href="{url}#checklist"' in response.text
    # with htmx the message takes the button's place, in the page's language
    response = send(client, f"{url}/points/unclear", {"point": "application/nope"}, page=url,
                    headers={"HX-Request": "true"})
    assert response.status_code == 422 and "<html" not in response.text
    assert response.text.strip().startswith('<span class="point-unclear-refused')
    assert "未能报告： 审查要点：" in text_of(response.text)
    assert "没有审查要点 nope" in response.text
    # a case they may not see is still not there
    response = send(client, "/cases/000000000000/points/unclear",
                    {"point": "application/signed"}, page=url)
    assert response.status_code == 404 and "<h1>" in response.text
    login("issuance1")  # reads the case, does not apply review points: no button, no report
    page = client.get(url).text
    assert "/points/unclear" not in page
    response = send(client, f"{url}/points/unclear", {"point": "application/signed"}, page=url)
    assert response.status_code == 403
    assert PointReportRow.select().count() == 0


def test_sections_see_their_own_list(client, hall, more_staff, login):
    _return(hall, more_staff)
    for username in ("approver1", "head1", "super1", "coord1", "window1"):
        login(username)
        text = client.get("/problems").text
        assert "法定代表人亲笔签字" in text, username
    login("approver2")  # another section: nothing of webtest's
    text = client.get("/problems").text
    assert "法定代表人亲笔签字" not in text and "网页测试审批科" not in text
    assert "本月没有被报告要点不清或被退回指出的审查要点" in text


def test_the_month_is_chosen_printable_and_checked(client, hall, more_staff, login):
    _return(hall, more_staff)
    login("coord1")
    month = hall.clock().strftime("%Y-%m")
    page = client.get(f"/problems?month={month}").text
    assert "法定代表人亲笔签字" in page and 'class="print-only' in page
    assert "/static/css/onewindow.css" in page and "<style" not in page
    assert "法定代表人亲笔签字" not in client.get("/problems?month=2020-01").text
    response = client.get("/problems?month=September")
    assert response.status_code == 422
    assert "请按“年-月”填写月份" in response.text and 'value="September"' in response.text
    css = client.get("/static/css/onewindow.css").text
    assert "/* consultation and problem list */" in css
    assert ".problem-section + .problem-section { break-before: page; }" in css


def test_the_checklist_shows_each_person_their_own_reports(client, hall, more_staff, login):
    case = hall.open_case(more_staff["window"], "web-permit", PERSON)
    hall.problems.report(more_staff["window"], case.number, "application", "signed")
    login("window1")
    page = client.get(f"/cases/{case.number}").text
    assert "已报告要点不清" in page and not UNCLEAR_BUTTON.search(page)
    # a colleague's report counts once for them: the approver may still report the point
    login("approver1")
    page = client.get(f"/cases/{case.number}").text
    assert "已报告要点不清" not in page and UNCLEAR_BUTTON.search(page)
    hall.problems.report(more_staff["approver"], case.number, "application", "signed")
    page = client.get(f"/cases/{case.number}").text
    assert "已报告要点不清" in page and not UNCLEAR_BUTTON.search(page)
    assert PointReportRow.select().count() == 2


def test_the_problem_list_costs_the_same_queries_however_long(client, hall, more_staff, login):
    def one():
        case = _return(hall, more_staff, points=("lease/valid",))
        hall.problems.report(more_staff["window"], case.number, "application", "signed")

    for _ in range(2):
        one()
    login("coord1")
    few, response = page_queries(client, hall, "/problems")
    assert len(re.findall(r'<a class="code" href="/cases/\d{12}">', response.text)) == 4
    for _ in range(6):
        one()
    many, response = page_queries(client, hall, "/problems")
    assert len(re.findall(r'<a class="code" href="/cases/\d{12}">', response.text)) == 16
    assert len(few) == len(many), (few, many)
    assert len(many) <= 8, many


# ---------------------------------------------------------------------------- who may do what
OK = "ok"


def _expect(ok: tuple[str, ...], **others: int) -> dict[str, str | int]:
    return {role: OK if role in ok else others.get(role, 403) for role in ROLES}


REPORTERS = ("window", "approver", "head")
MATRIX = [
    ("GET", "/problems", None,
     _expect(("window", "approver", "other_approver", "head", "coordination", "supervision"))),
    ("GET", "/problems?month=2026-13", None,
     _expect(("window", "approver", "other_approver", "head", "coordination", "supervision"))),
    ("POST", "/cases/{n}/points/unclear", {"point": "nope/none"},
     _expect(REPORTERS, other_approver=404)),
    ("POST", "/cases/000000000000/points/unclear", {"point": "application/signed"},
     _expect((), window=404, approver=404, head=404, other_approver=404)),
    ("POST", "/cases/{n}/points/unclear", {"point": "application/signed"},
     _expect(REPORTERS, other_approver=404)),
]


@pytest.mark.parametrize("role", ROLES)
def test_each_problem_route_keeps_each_role_to_its_own_work(client, hall, more_staff, login,
                                                            role):
    case = hall.open_case(more_staff["window"], "web-permit", PERSON)
    assert login(USERNAMES[role]).status_code == 303
    check_route_table(client, role, MATRIX, n=case.number)
    # only the one valid report by a role that applies review points was stored
    assert PointReportRow.select().count() == (1 if role in REPORTERS else 0)
