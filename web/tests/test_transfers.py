"""Dedicated-network transfer forms (专网审批事项信息转交表) through the web, JavaScript off.

The approval section fills the form (errors in Chinese beside each field, everything typed
kept), the window records it and lands on the new case, the issuance window issues it, and the
form prints on A4 with every field of the seed's table, its number and its hash. Every route
keeps each role to its own work.
"""

from __future__ import annotations

import re

import pytest
from attrs import evolve

from onewindow.case import State
from onewindow.storage.models import CaseRow, TransferRow
from onewindow_web.app import STATIC_DIR

from .conftest import ENTERPRISE, PERSON, page_queries
from .test_workday import ROLES, USERNAMES, send, text_of, token_of

RAW_ID = PERSON["id_number"]
MASKED_ID = "1101**********002X"
# Every label of the seed's form, as the print must show it.
SEED_LABELS = ("专网审批事项信息转交表", "审批事项名称", "企业申办", "单位名称", "法定代表人",
               "联系人", "联系电话", "社会信用代码", "社会组织名称", "个人申办", "申请人",
               "申请人身份证号", "备注", "审批业务科", "审批经办人签字", "大厅服务人员签字")
SEED_NOTE = "（录入信息以形式审查要点所列要件为准，由于事项申请材料差异较大，不再逐一列举）"
NUMBER = re.compile(r"ZW\d{12}")


def typed_enterprise(hall, **more) -> dict[str, str]:
    return {"form_date": hall.clock().date().isoformat(), "item": "web-permit",
            "kind": "enterprise", "name": ENTERPRISE["name"],
            "legal_representative": ENTERPRISE["legal_representative"],
            "contact_person": "刘洋", "phone": ENTERPRISE["phone"],
            "credit_code": ENTERPRISE["credit_code"], "social_organisation_name": "",
            "notes": "专网办结，许可证号 WB-2026-0815", **more}


def typed_person(hall, **more) -> dict[str, str]:
    return {"form_date": hall.clock().date().isoformat(), "item": "web-permit",
            "kind": "person", "person_name": PERSON["name"], "id_number": RAW_ID,
            "person_phone": PERSON["phone"], "notes": "", **more}


def filled(hall, staff, data=None):
    """A form filled by the core directly, for the pages that only read or record it."""
    return hall.transfers.fill(staff["approver"], data or {
        "item": "web-permit", "form_date": hall.clock().date(), **PERSON})


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="transfer-{field}-error">([^<]*)<', html)
    assert match, f"no error beside {field}"
    return match.group(1)


# ------------------------------------------------------------------------------ the walk
def test_the_section_fills_and_the_window_records_with_javascript_off(client, hall, staff,
                                                                      login, monkeypatch):
    login("approver1")
    text = client.get("/transfers").text
    assert "专网审批事项信息转交表" in text and 'href="/transfers/new"' in text
    form_page = client.get("/transfers/new").text
    assert '<option value="web-permit">网页测试经营许可（单位、个人）</option>' in form_page
    # only the items handled end to end on a network: 网页测试备案 goes through intake
    assert 'value="web-filing"' not in form_page and "网页测试备案" not in form_page
    assert f'value="{hall.clock().date().isoformat()}"' in form_page  # today, by default
    assert "审批经办人" in form_page and "李建国" in form_page
    assert SEED_NOTE in form_page and "<script" not in form_page.split("</head>")[1]

    # ---- every bad field is named beside itself, in Chinese; everything typed stays
    bad = typed_enterprise(hall, form_date="2099-01-01", credit_code="91110000600037341X",
                           phone="12345", legal_representative="", notes="长" * 2001)
    response = send(client, "/transfers/new", bad, page="/transfers/new")
    assert response.status_code == 422
    html = response.text
    assert "不能晚于今天" in field_error(html, "form_date")
    assert "统一社会信用代码校验不通过" in field_error(html, "credit_code")
    assert "手机号码" in field_error(html, "phone")
    assert field_error(html, "legal_representative") == "请填写法定代表人"
    assert "不超过 2000 个字（现有 2001 个字）" in field_error(html, "notes")
    summary = re.findall(r'<a href="#transfer-(\w+)">', html)
    assert summary == ["form_date", "legal_representative", "phone", "credit_code", "notes"]
    for value in ("2099-01-01", "91110000600037341X", "12345", "刘洋", ENTERPRISE["name"]):
        assert f'value="{value}"' in html
    assert 'value="enterprise" id="kind-enterprise" checked' in html
    assert '<option value="web-permit" selected>' in html
    assert "长" * 2000 in html
    assert TransferRow.select().count() == 0

    # ---- a person: the ID number's checksum, the person's own fields kept
    response = send(client, "/transfers/new",
                    typed_person(hall, id_number="110105194912310021", person_phone=""),
                    page="/transfers/new")
    assert response.status_code == 422
    assert "身份证号码校验不通过" in field_error(response.text, "id_number")
    assert field_error(response.text, "person_phone") == "请填写联系电话"
    assert 'value="王芳"' in response.text and 'value="110105194912310021"' in response.text
    assert 'value="person" id="kind-person" checked' in response.text
    # an item handled on the platform, typed in by hand: refused beside the item, in Chinese
    response = send(client, "/transfers/new", typed_person(hall, item="web-filing"),
                    page="/transfers/new")
    assert response.status_code == 422
    assert field_error(response.text, "item") == (
        "网页测试备案在平台办理，不属于全流程专网审批事项，不能通过专网审批事项信息转交表录入")
    assert '<a href="#transfer-item">' in response.text
    assert 'value="王芳"' in response.text  # everything typed stays
    # an item that does not take a unit (were 网页测试备案 handled on a network)
    with monkeypatch.context() as patch:
        patch.setitem(hall.catalogue.items, "web-filing",
                      evolve(hall.catalogue.item("web-filing"), handled_on_network="网页测试备案专网"))
        response = send(client, "/transfers/new", typed_enterprise(hall, item="web-filing"),
                        page="/transfers/new")
    assert response.status_code == 422 and "网页测试备案不受理该类申请人" in response.text
    assert TransferRow.select().count() == 0

    # ---- saved: POST-redirect-GET to the form
    response = send(client, "/transfers/new", typed_person(hall), page="/transfers/new")
    assert response.status_code == 303
    match = re.fullmatch(r"/transfers/(ZW\d{12})\?done=fill", response.headers["location"])
    assert match, response.headers["location"]
    number = match.group(1)
    text = text_of(client.get(response.headers["location"]).text)
    assert f"转交表 {number} 已保存" in text and "待录入" in text
    assert "录入为办件" not in text  # the section does not record its own form
    form = hall.transfers.get(number)
    assert form.applicant.id_number == RAW_ID and form.filled_by == "approver1"
    html = client.get("/transfers").text
    assert f'href="/transfers/{number}"' in html
    assert MASKED_ID in html and RAW_ID not in html

    # ---- the window records it and lands on the new case
    client.cookies.clear()
    login("window1")
    html = client.get("/transfers").text
    waiting = html[html.index('id="transfers-waiting"'):html.index('id="transfers-recorded"')]
    assert f'href="/transfers/{number}"' in waiting and RAW_ID not in html
    view = client.get(f"/transfers/{number}").text
    assert f'action="/transfers/{number}/record"' in view and 'name="_csrf_token"' in view
    assert RAW_ID in view  # the window checks the paper against the full record
    response = send(client, f"/transfers/{number}/record", page=f"/transfers/{number}")
    assert response.status_code == 303
    location = response.headers["location"]
    case_number = re.fullmatch(r"/cases/(\d{12})\?done=record_transfer", location).group(1)
    case = hall.get_case(case_number)
    assert case.state is State.APPROVED
    assert [e.action for e in case.events] == ["open", "record_transfer"]
    assert case.events[0].data["transfer"] == number
    text = text_of(client.get(location).text)
    assert "已完成：录入专网审批结果" in text and "准予许可" in text
    assert f"录入依据 专网审批事项信息转交表 {number}" in text  # the case links its form
    assert hall.transfers.get(number).case_number == case_number
    html = client.get("/transfers").text
    recorded = html[html.index('id="transfers-recorded"'):]
    assert f'href="/cases/{case_number}"' in recorded

    # ---- a second record is refused with the reason, nothing more is written
    response = send(client, f"/transfers/{number}/record", page=f"/transfers/{number}")
    assert response.status_code == 409
    assert "不能重复录入" in response.text and case_number in response.text
    assert CaseRow.select().count() == 1

    # ---- the issuance window issues it as any other case: into the seal ledger
    client.cookies.clear()
    login("issuance1")
    response = send(client, f"/cases/{case_number}/actions/issue", page=f"/cases/{case_number}")
    assert response.status_code == 303
    assert hall.get_case(case_number).state is State.ISSUED
    (entry,) = hall.seal_ledger("webtest")
    assert entry.case_number == case_number and entry.applicant_name == PERSON["name"]


# ------------------------------------------------------------------------------ the print
def test_the_print_has_every_seed_field_the_numbers_and_the_hash(client, hall, staff, login):
    form = filled(hall, staff, {**typed_enterprise(hall), "form_date": "2026-03-05"})
    login("approver1")
    url = f"/transfers/{form.number}/print"
    html = client.get(url).text
    text = text_of(html)
    for label in SEED_LABELS:
        assert label in text, label
    assert SEED_NOTE in text
    assert "2026 年 3 月 5 日" in text
    assert "鞍山市行政审批局" in text  # the bureau's header
    assert re.search(rf"转交表编号：\s*{form.number}", text)
    assert "办件编号" not in text  # not recorded yet
    assert form.content_hash in html
    short = " ".join(form.content_hash[i:i + 4] for i in range(0, 16, 4))
    assert short in html
    for value in (ENTERPRISE["name"], ENTERPRISE["credit_code"], "刘洋", "张伟",
                  ENTERPRISE["phone"], "专网办结，许可证号 WB-2026-0815", "网页测试经营许可",
                  "网页测试审批科", "李建国"):
        assert value in text, value
    # laid out like the seed: the enterprise block spans three rows, the person block two
    assert re.search(r'<th scope="rowgroup" rowspan="3"[^>]*>企业申办</th>', html)
    assert re.search(r'<th scope="rowgroup" rowspan="2"[^>]*>个人申办</th>', html)
    assert 'class="a4-form a4-document a4-transfer"' in html
    assert 'class="breadcrumb no-print"' in html and 'class="no-print print-hint"' in html
    assert "<script>" not in html and " style=" not in html  # CSP: no inline script or style
    # once recorded, the case number and the window's name are printed too
    case = hall.transfers.record(staff["window"], form.number)
    text = text_of(client.get(url).text)
    assert re.search(rf"办件编号：\s*{case.number}", text) and "平台录入：王晓梅" in text
    assert form.content_hash in client.get(url).text  # recording does not change the hash


def test_the_stylesheet_prints_the_form_on_a4():
    css = (STATIC_DIR / "css" / "onewindow.css").read_text(encoding="utf-8")
    print_rules = " ".join(re.findall(r"@media print \{(.*?)\n\}", css, flags=re.S))
    assert "@page { size: A4; }" in print_rules and ".no-print" in print_rules
    transfer = css[css.index("/* transfer forms */"):]
    assert ".transfer-table" in transfer and "@media print" in transfer


def test_a_person_prints_with_the_full_id_but_lists_mask_it(client, hall, staff, login,
                                                            more_staff):
    form = filled(hall, staff)
    for user in ("approver1", "head1", "window1", "super1"):
        client.cookies.clear()
        login(user)
        listing = client.get("/transfers").text
        assert form.number in listing and MASKED_ID in listing and RAW_ID not in listing
        assert RAW_ID in client.get(f"/transfers/{form.number}/print").text


def test_english_keeps_the_domain_words(client, hall, staff, login):
    form = filled(hall, staff)
    login("approver1")
    html = client.get(f"/transfers/{form.number}/print?lang=en").text
    assert "Dedicated-network transfer form" in html and "Signature of the hall service staff" in html
    assert "网页测试经营许可" in html and "王芳" in html


# ------------------------------------------------------------------------------ who sees what
def test_each_role_sees_its_own_list(client, hall, staff, login, more_staff):
    ours = filled(hall, staff)
    recorded = filled(hall, staff, {"item": "web-permit", "form_date": hall.clock().date(),
                                    **ENTERPRISE})
    case = hall.transfers.record(staff["window"], recorded.number)
    expected = {"approver1": {ours.number, recorded.number},
                "head1": {ours.number, recorded.number},
                "approver2": set(),  # another section's approver: nothing of ours
                "window1": {ours.number, recorded.number},
                "super1": {ours.number, recorded.number}}
    for user, numbers in expected.items():
        client.cookies.clear()
        login(user)
        html = client.get("/transfers").text
        assert set(NUMBER.findall(html)) == numbers, user
    client.cookies.clear()
    login("window1")
    html = client.get("/transfers").text
    waiting = html[html.index('id="transfers-waiting"'):html.index('id="transfers-recorded"')]
    assert ours.number in waiting and recorded.number not in waiting
    assert f'href="/cases/{case.number}"' in html[html.index('id="transfers-recorded"'):]
    assert "/transfers/new" not in html  # the window does not fill forms


def test_the_window_list_costs_the_same_queries_for_2_or_10_forms(client, hall, staff, login):
    for _ in range(2):
        filled(hall, staff)
    login("window1")
    few, response = page_queries(client, hall, "/transfers")
    assert len(set(NUMBER.findall(response.text))) == 2
    for _ in range(8):
        filled(hall, staff)
    many, response = page_queries(client, hall, "/transfers")
    assert len(set(NUMBER.findall(response.text))) == 10
    assert len(few) == len(many), (few, many)


OK = "ok"


def _only(*allowed: str, other_approver: int | str = 403) -> dict[str, int | str]:
    return {role: OK if role in allowed else 403 for role in ROLES} | (
        {"other_approver": other_approver} if "other_approver" not in allowed else {})


VIEWERS = _only("window", "approver", "head", "supervision", other_approver=404)
# (method, path, form, expected per role: OK means 200 for a page or 303 for a POST);
# {n} is a form of the webtest section waiting to be recorded.
MATRIX = [
    ("GET", "/transfers", None, _only("window", "approver", "other_approver", "head",
                                      "supervision")),
    ("GET", "/transfers/new", None, _only("approver", "other_approver", "head")),
    ("GET", "/transfers/new?item=web-permit", None, _only("approver", "other_approver", "head")),
    ("POST", "/transfers/new", "valid", _only("approver", "head", other_approver=422)),
    ("POST", "/transfers/new", {}, _only(other_approver=422) | {"approver": 422, "head": 422}),
    ("GET", "/transfers/{n}", None, VIEWERS),
    ("GET", "/transfers/{n}/print", None, VIEWERS),
    ("GET", "/transfers/ZW209901010001", None, _only(other_approver=403) | {
        role: 404 for role in ("window", "approver", "other_approver", "head", "supervision")}),
    ("GET", "/transfers/ZW209901010001/print", None, _only(other_approver=403) | {
        role: 404 for role in ("window", "approver", "other_approver", "head", "supervision")}),
    ("POST", "/transfers/ZW209901010001/record", {}, _only(other_approver=403) | {"window": 404}),
    ("POST", "/transfers/{n}/record", {}, _only("window")),  # last: it records the form
]


@pytest.mark.parametrize("role", ROLES)
def test_every_transfer_route_keeps_each_role_to_its_own_work(client, hall, more_staff, login,
                                                              role):
    form = filled(hall, more_staff)
    assert login(USERNAMES[role]).status_code == 303
    wrong = []
    for method, path, data, expected in MATRIX:
        url = path.format(n=form.number)
        if method == "GET":
            response = client.get(url, follow_redirects=False)
        else:
            if data == "valid":
                data = typed_enterprise(hall)
            response = send(client, url, data)
        status = response.status_code
        assert status < 500, (url, status)
        outcome = OK if status in ((200,) if method == "GET" else (303,)) else status
        if outcome != expected[role]:
            wrong.append(f"{method} {url}: {status}, expected {expected[role]}")
        if status in (403, 404, 422):
            assert "<h1>" in response.text  # a Chinese page, not a bare status
    assert not wrong, "\n".join(wrong)
    stored = hall.transfers.get(form.number)
    assert stored.recorded is (role == "window")  # only the window recorded it
    assert CaseRow.select().count() == (1 if role == "window" else 0)


def test_a_post_without_the_csrf_token_is_refused(client, hall, staff, login):
    form = filled(hall, staff)
    login("window1")
    token_of(client, "/transfers")  # the page carries a token, but the post does not send it
    response = client.post(f"/transfers/{form.number}/record", data={},
                           follow_redirects=False)
    assert response.status_code == 403
    assert not hall.transfers.get(form.number).recorded


# ------------------------------------------------------------------------------ which items
def test_recording_an_item_no_longer_handled_on_a_network_is_refused(client, hall, staff, login,
                                                                    monkeypatch):
    form = filled(hall, staff)
    monkeypatch.setitem(hall.catalogue.items, "web-permit",  # the catalogue changed since
                        evolve(hall.catalogue.item("web-permit"), handled_on_network=""))
    login("window1")
    response = send(client, f"/transfers/{form.number}/record", page=f"/transfers/{form.number}")
    assert response.status_code == 422
    assert "网页测试经营许可在事项目录中已改为在平台办理" in response.text
    assert "请审批业务科核实" in response.text
    assert CaseRow.select().count() == 0 and not hall.transfers.get(form.number).recorded


def test_a_section_without_such_items_is_told_so(client, hall, staff, login, monkeypatch):
    monkeypatch.setitem(hall.catalogue.items, "web-permit",
                        evolve(hall.catalogue.item("web-permit"), handled_on_network=""))
    login("approver1")
    html = client.get("/transfers/new").text
    assert "本科室没有可通过业务专网开展全流程网上审批的事项" in html
    assert 'name="item"' not in html
