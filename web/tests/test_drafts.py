"""A half-filled intake survives a reload and an expired session (draft kept server-side),
and the form checks credit codes, ID numbers and phones while the clerk types."""

from __future__ import annotations

import pytest

from .conftest import ENTERPRISE
from .test_workday import send, text_of

HTMX = {"HX-Request": "true"}
FORM = "/intake/new?item=web-permit"
HALF = {"kind": "enterprise", "name": "鞍山市星河科技有限公司", "credit_code": "91110000600037341X",
        "legal_representative": "张伟"}


def test_autosave_keeps_the_typing_and_checks_each_field(client, hall, staff, login):
    login("window1")
    page = client.get(FORM).text
    assert 'hx-post="/drafts/intake/web-permit"' in page and 'id="applicant-credit_code-live"' in page
    response = send(client, "/drafts/intake/web-permit", {**HALF, "phone": "12345"}, page=FORM,
                    headers=HTMX)
    assert response.status_code == 200
    assert "草稿已于" in response.text and "自动保存" in response.text
    # each typed field's verdict, out of band beside it; an empty field is not judged yet
    assert 'id="applicant-credit_code-live" hx-swap-oob="true">统一社会信用代码校验不通过' in response.text
    assert 'id="applicant-phone-live" hx-swap-oob="true">应为11位手机号码' in response.text
    assert "applicant-id_number-live" not in response.text
    fixed = send(client, "/drafts/intake/web-permit",
                 {**HALF, "credit_code": ENTERPRISE["credit_code"], "phone": "13904120000"},
                 page=FORM, headers=HTMX).text
    assert 'id="applicant-credit_code-live" hx-swap-oob="true">✓ 校验通过' in fixed

    # a reload brings everything back
    page = client.get(FORM).text
    assert "已恢复您于" in page
    assert f'value="{ENTERPRISE["credit_code"]}"' in page and 'value="张伟"' in page
    assert 'value="enterprise" id="kind-enterprise" checked' in page


def test_a_draft_outlives_the_session_and_goes_once_the_case_is_opened(client, hall, staff,
                                                                       login):
    login("window1")
    # without JavaScript: the "save as draft" button
    response = send(client, "/drafts/intake/web-permit", HALF, page=FORM)
    assert response.status_code == 303
    assert response.headers["location"] == f"{FORM}&draft=saved"
    client.cookies.clear()  # the session is gone (timeout, another PC)
    assert client.get(FORM, follow_redirects=False).status_code in (302, 303)
    login("window1")
    home = text_of(client.get("/").text)
    assert "未完成的接件" in home and "网页测试经营许可 · 鞍山市星河科技有限公司" in home
    page = client.get(FORM).text
    assert 'value="91110000600037341X"' in page
    # another clerk does not see it
    login("approver1")
    assert "未完成的接件" not in client.get("/").text
    login("window1")
    response = send(client, "/intake/new", {**ENTERPRISE, "item": "web-permit"}, page=FORM)
    assert response.status_code == 303
    assert hall.drafts.load("window1", "intake:web-permit") is None
    assert "未完成的接件" not in client.get("/").text


def test_a_refused_intake_is_kept_as_a_draft_and_can_be_discarded(client, hall, staff, login):
    login("window1")
    response = send(client, "/intake/new", {**HALF, "item": "web-permit", "phone": "1"},
                    page=FORM)
    assert response.status_code == 422
    assert hall.drafts.load("window1", "intake:web-permit").first("phone") == "1"
    response = send(client, "/drafts/intake/web-permit/discard", page=FORM)
    assert response.status_code == 303
    assert hall.drafts.load("window1", "intake:web-permit") is None
    assert "已恢复" not in client.get(FORM).text


@pytest.mark.parametrize("username", ["approver1", "issuance1", "super1"])
def test_only_the_window_keeps_intake_drafts(client, staff, login, username):
    login(username)
    assert send(client, "/drafts/intake/web-permit", HALF).status_code == 403
    assert send(client, "/drafts/intake/web-permit/discard").status_code == 403


def test_a_draft_for_an_unknown_item_is_refused(client, staff, login):
    login("window1")
    assert send(client, "/drafts/intake/no-such-item", HALF).status_code == 404


def test_unsaved_checklist_marks_come_back_after_a_reload(client, hall, staff, login):
    case = hall.open_case(staff["window"], "web-permit", ENTERPRISE)
    url = f"/cases/{case.number}"
    login("window1")
    ticked = {"mark:application/signed": "failed", "reason:application/signed": "缺签字",
              "mark:application/neat": "passed", "item": "ignored", "_other": "x"}
    response = send(client, f"/drafts/review/{case.number}", ticked, page=url, headers=HTMX)
    assert response.status_code == 200 and "暂存" in response.text
    saved = hall.drafts.load("window1", f"review:{case.number}")
    assert set(saved.fields) == {"mark:application/signed", "reason:application/signed",
                                 "mark:application/neat"}
    assert hall.get_case(case.number).reviews == ()  # nothing is recorded yet
    page = client.get(url).text
    assert "已恢复您尚未保存的审查结果" in page
    assert 'name="mark:application/signed" value="failed" checked' in page
    assert 'value="缺签字"' in page
    assert "Nothing was saved" not in page and "error-summary" not in page
    # saving the review records the marks and drops the draft
    response = send(client, f"{url}/review", {k: v for k, v in ticked.items()
                                             if k.startswith(("mark:", "reason:"))}, page=url)
    assert response.status_code == 303
    assert hall.drafts.load("window1", f"review:{case.number}") is None
    assert "已恢复您尚未保存的审查结果" not in client.get(url).text


def test_a_checklist_draft_can_be_discarded_and_is_the_windows_own(client, hall, staff, login):
    case = hall.open_case(staff["window"], "web-permit", ENTERPRISE)
    url = f"/cases/{case.number}"
    login("window1")
    send(client, f"/drafts/review/{case.number}", {"mark:application/neat": "passed"}, page=url)
    assert send(client, f"/drafts/review/{case.number}/discard", page=url).status_code == 303
    assert hall.drafts.load("window1", f"review:{case.number}") is None
    assert send(client, "/drafts/review/000000000000", {}, page=url).status_code == 404
    login("approver1")
    assert send(client, f"/drafts/review/{case.number}", {}).status_code == 403


def test_a_full_draft_box_never_hides_the_clerks_work(client, hall, staff, login):
    from onewindow.drafts import MAX_DRAFTS_PER_OWNER

    for n in range(MAX_DRAFTS_PER_OWNER):
        hall.drafts.save("window1", f"intake:item{n}", [("name", "x")])
    login("window1")
    response = send(client, "/drafts/intake/web-permit", HALF, page=FORM, headers=HTMX)
    assert response.status_code == 200 and "草稿未能保存：未完成的草稿已达50份" in response.text
    response = send(client, "/drafts/intake/web-permit", HALF, page=FORM)
    assert response.headers["location"] == f"{FORM}&draft=failed"
    assert "请先完成或删除一些未完成的接件" in client.get(response.headers["location"]).text
    # a refused intake still shows its field errors
    response = send(client, "/intake/new", {**HALF, "item": "web-permit", "phone": "1"},
                    page=FORM)
    assert response.status_code == 422 and "应为11位手机号码" in response.text


def test_moving_the_case_on_drops_the_unsaved_marks(client, hall, staff, login):
    case = hall.open_case(staff["window"], "web-permit", ENTERPRISE)
    url = f"/cases/{case.number}"
    login("window1")
    send(client, f"/drafts/review/{case.number}", {"mark:application/neat": "passed"}, page=url)
    response = send(client, f"{url}/actions/withdraw", {"reason": "申请人撤回"}, page=url)
    assert response.status_code == 303
    assert hall.drafts.load("window1", f"review:{case.number}") is None


def test_reporting_a_point_unclear_without_javascript_keeps_the_unsaved_marks(
        client, hall, staff, login):
    case = hall.open_case(staff["window"], "web-permit", ENTERPRISE)
    url = f"/cases/{case.number}"
    login("window1")
    page = client.get(url).text
    # in the review form: the button sends the form (marks included) to the report
    assert f'formaction="/cases/{case.number}/points/unclear"' in page
    response = send(client, f"{url}/points/unclear",
                    {"point": "application/neat", "mark:application/signed": "passed"},
                    page=url)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "已恢复您尚未保存的审查结果" in page
    assert 'name="mark:application/signed" value="passed" checked' in page
    assert hall.problems.reported_points(case.number, "window1") == {"application/neat"}
    login("approver1")  # no review form for the section: the button has a form of its own
    assert 'class="point-unclear-form"' in client.get(url).text
