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
