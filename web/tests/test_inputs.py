"""No input reaches a 500: hostile bytes at the web's edge, on SQLite and on PostgreSQL.

Each test is one of the bugs a tester found (issue #8): a NUL in the login or a path, a field
longer than its column, a body that is not UTF-8, a broken multipart body, an unknown content
type, numbers typed full-width or in groups, text silently cut, bidirectional controls stored.
The rules are the core's (:mod:`onewindow.inputs`); these tests check the web passes raw text,
shows the core's verdict beside the field in Chinese, and answers 400/404/422, never 5xx.
"""

from __future__ import annotations

import re

from onewindow.storage.models import CaseRow, InquiryRow, TransferRow

from .conftest import ENTERPRISE, csrf_token
from .test_transfers import field_error, typed_enterprise
from .test_workday import send, token_of

FORM = "/intake/new?item=web-permit"
CODE = ENTERPRISE["credit_code"]  # 91110000600037341L
FULL_WIDTH = str.maketrans("0123456789L", "０１２３４５６７８９Ｌ")


def applicant_error(html: str, field: str) -> str:
    match = re.search(rf'id="applicant-{field}-error">([^<]*)<', html)
    assert match, f"no error beside {field}"
    return match.group(1)


def intake(client, **fields):
    return send(client, "/intake/new", {**ENTERPRISE, "item": "web-permit", **fields}, page=FORM)


def assert_no_case_stored():
    assert CaseRow.select().count() == 0


# ----------------------------------------------------------------------------- NUL bytes
def test_a_nul_in_the_login_username_is_named_not_a_500(client, staff):
    token = csrf_token(client)
    response = client.post("/login", content=f"username=a%00b&password=x&_csrf_token={token}",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert "用户名含有不能输入的字符" in response.text
    # the same username typed into the form, and one over the column's 64 characters
    for username in ("window1\x00", "window1\u202e"):
        response = client.post("/login", data={"username": username, "password": "x",
                                               "_csrf_token": token})
        assert response.status_code == 400 and "用户名含有不能输入的字符" in response.text


GET_PATHS = ("/cases/%00", "/cases/2026%00", "/cases/" + "1" * 5000, "/cases/%00/print/receipt",
             "/cases/%00/print/notice", "/cases/%00/print/commitment/lease",
             "/cases/%00/calls", "/guide/items/%00", "/guide/sections/%00")
TRANSFER_PATHS = ("/transfers/%00", "/transfers/ZW%00", "/transfers/%00/print",
                  "/transfers/" + "Z" * 300)
POST_PATHS = ("/cases/%00/review", "/cases/%00/actions/take_in", "/cases/%00/calls",
              "/cases/%00/points/unclear", "/drafts/review/%00", "/drafts/review/%00/discard",
              "/drafts/intake/%00", "/drafts/intake/%00/discard", "/transfers/%00/record",
              "/consultations/99999999999999999999/answer", "/consultations/0/answer",
              "/cases/%00/lookups/web-registry", "/cases/%00/defer")


def test_a_malformed_path_parameter_is_a_404_before_any_query(client, staff, login):
    login("window1")
    for url in GET_PATHS:
        response = client.get(url)
        assert response.status_code == 404 and "<title>" in response.text, url
    for url in POST_PATHS:
        response = send(client, url, {"reason": "x", "answer": "x", "point": "lease/signed"})
        assert response.status_code in (303, 404), (url, response.status_code)
    login("super1")
    for url in TRANSFER_PATHS:
        assert client.get(url).status_code == 404, url
    login("approver1")
    for url in ("/calls/99999999999999999999/answer", "/calls/-1/answer", "/calls/0/answer"):
        assert send(client, url).status_code == 404, url


def test_a_nul_or_bidi_control_in_an_intake_field_is_named_and_nothing_stored(client, staff,
                                                                            login):
    login("window1")
    response = intake(client, name="鞍山\x00星河", contact_person="刘\u202e洋")
    assert response.status_code == 422
    assert "不能包含控制字符（第 3 个字符 U+0000）" in applicant_error(response.text, "name")
    assert "文字方向控制符（第 2 个字符 U+202E）" in applicant_error(response.text,
                                                                "contact_person")
    assert_no_case_stored()


# ----------------------------------------------------------------------------- lengths
def test_an_over_long_legal_representative_is_reported_not_a_500(client, hall, staff, login):
    """The web allowed 200 characters, the column holds 64: PostgreSQL raised."""
    login("window1")
    response = intake(client, legal_representative="张" * 65, contact_person="刘" * 200)
    assert response.status_code == 422
    assert applicant_error(response.text, "legal_representative") == "不超过 64 个字（现有 65 个字）"
    assert applicant_error(response.text, "contact_person") == "不超过 64 个字（现有 200 个字）"
    assert "张" * 65 in response.text  # what was typed is still in the form, uncut
    # the summary at the top names the field, linked to it
    assert ('<a href="#applicant-legal_representative">法定代表人：不超过 64 个字（现有 65 个字）'
            '</a>') in response.text
    assert_no_case_stored()
    login("approver1")
    response = send(client, "/transfers/new",
                    typed_enterprise(hall, legal_representative="张" * 65), page="/transfers/new")
    assert response.status_code == 422
    assert field_error(response.text, "legal_representative") == "不超过 64 个字（现有 65 个字）"
    assert TransferRow.select().count() == 0


def test_over_long_text_is_reported_never_silently_cut(client, staff, login):
    login("window1")
    response = send(client, "/consultations", {"question": "问" * 2001, "applicant_name": "王芳"},
                    page="/consultations")
    assert response.status_code == 422
    assert "不超过 2000 个字（现有 2001 个字）" in response.text
    assert InquiryRow.select().count() == 0
    response = intake(client, name="鞍" * 201)  # the web used to cut this to 100
    assert applicant_error(response.text, "name") == "不超过 200 个字（现有 201 个字）"
    assert_no_case_stored()


# ----------------------------------------------------------------------------- numbers
def test_a_full_width_credit_code_is_accepted_and_stored_half_width(client, staff, login):
    login("window1")
    response = intake(client, credit_code=CODE.translate(FULL_WIDTH),
                      phone="１３９ ０４１２ ００００")
    assert response.status_code == 303, response.text
    row = CaseRow.get()
    assert (row.credit_code, row.phone) == (CODE, "13904120000")


def test_a_grouped_credit_code_is_accepted(client, staff, login):
    """Typed in groups it is 22 characters: it used to be cut to 18 and fail its checksum."""
    login("window1")
    response = intake(client, credit_code="9111 0000 6000 3734 1L")
    assert response.status_code == 303, response.text
    assert CaseRow.get().credit_code == CODE
    response = intake(client, credit_code=CODE + "12")
    assert applicant_error(response.text, "credit_code") == (
        "统一社会信用代码应为 18 位（现有 20 位），请核对")


def test_a_credit_code_whose_organisation_code_fails_gb11714_is_refused(client, staff, login):
    login("window1")
    response = intake(client, credit_code="91210302MA03AGYGL6")  # python-stdnum accepts it
    assert response.status_code == 422
    assert "组织机构代码" in applicant_error(response.text, "credit_code")
    assert_no_case_stored()


# ----------------------------------------------------------------------------- bodies
def _login_token(client) -> str:
    return csrf_token(client)


def test_a_form_body_that_is_not_utf8_is_a_400_with_a_chinese_page(client, staff):
    token = _login_token(client)
    for body in (b"username=a%ffb&password=x", b"username=a\xffb&password=x",
                 b"username=%e4%b8&password=x", b"user%ff=a&password=x"):
        response = client.post("/login", content=body + b"&_csrf_token=" + token.encode(),
                               headers={"content-type": "application/x-www-form-urlencoded"})
        assert response.status_code == 400, body
        assert "表单内容不是有效的 UTF-8 编码" in response.text and 'lang="zh-CN"' in response.text


def _multipart(token: str, value: bytes, *, close: bool = True) -> bytes:
    body = (b'--xx\r\nContent-Disposition: form-data; name="username"\r\n\r\n' + value
            + b'\r\n--xx\r\nContent-Disposition: form-data; name="_csrf_token"\r\n\r\n'
            + token.encode() + b"\r\n")
    return body + (b"--xx--\r\n" if close else b"")


def test_a_multipart_field_that_is_not_utf8_is_a_400(client, staff):
    token = _login_token(client)
    for body in (_multipart(token, b"a\xffb"),
                 _multipart(token, b"ab").replace(b'name="username"',
                                                  b'name="username"\r\nContent-Type: text/plain; '
                                                  b'charset=no-such-charset')):
        response = client.post("/login", content=body,
                               headers={"content-type": "multipart/form-data; boundary=xx"})
        assert response.status_code == 400, response.text
        assert "表单内容不是有效的 UTF-8 编码" in response.text


def test_a_broken_multipart_body_is_a_400(client, staff, login):
    token = _login_token(client)
    for body, content_type in (
            (_multipart(token, b"ab", close=False)[:40], "multipart/form-data; boundary=xx"),
            (b"garbage", "multipart/form-data"),  # no boundary
            (b"garbage", "multipart/form-data; boundary=xx")):
        response = client.post("/login", content=body, headers={"content-type": content_type})
        assert response.status_code == 400, (body, response.status_code)
        assert 'lang="zh-CN"' in response.text
    login("window1")  # an upload too
    response = client.post("/cases/202601010001/supplements", content=b"--xx\r\nbroken",
                           headers={"content-type": "multipart/form-data; boundary=xx",
                                    "x-csrftoken": token_of(client, "/")})
    assert response.status_code == 400
    assert "上传的表单内容不完整或格式有误" in response.text


def test_an_unknown_content_type_is_a_400(client, staff, login):
    login("window1")
    token = token_of(client, FORM)
    for content_type in ("application/json", "text/xml", "text/weird",
                         "application/octet-stream"):
        response = client.post("/intake/new", content=b'{"item": "web-permit"}',
                               headers={"content-type": content_type, "x-csrftoken": token})
        assert response.status_code == 400, content_type
        assert "不支持的提交方式" in response.text and content_type in response.text
    assert_no_case_stored()


# ----------------------------------------------------------------------------- other forms
def test_review_reasons_and_action_reasons_are_checked_by_the_core(client, hall, staff, login):
    login("window1")
    response = intake(client)
    number = CaseRow.get().number
    url = f"/cases/{number}"
    response = send(client, f"{url}/review", {"mark:application/signed": "failed",
                                              "reason:application/signed": "缺\x07签字"},
                    page=url)
    assert response.status_code == 422
    assert "不能包含控制字符（第 2 个字符 U+0007）" in response.text
    response = send(client, f"{url}/actions/withdraw", {"reason": "撤" * 2001}, page=url)
    assert response.status_code == 422 and "不超过 2000 个字" in response.text
    assert hall.get_case(number).events[-1].action == "open"
