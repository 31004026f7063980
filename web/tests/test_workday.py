"""The hall's working day through the web, with JavaScript off: plain forms, POST-redirect-GET.

A clerk takes a case in, the section accepts and approves it, the issuance window hands out
the result and the seal ledger shows it. Every role is kept to its own pages, and every
refusal comes back as a page with the core's reason in Chinese, never a 500.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from onewindow.case import ReviewOutcome, State
from onewindow.lifecycle import applicable_materials, item_of
from onewindow.sandbox import start_in_thread
from onewindow.workdays import add_working_days
from onewindow_web.uploads import (
    MAX_REQUEST_BYTES,
    MAX_UPLOAD_BYTES,
    check_upload,
    sniff,
    stored_name,
)

from .conftest import CSRF_FIELD, ENTERPRISE, HERE, PERSON, page_queries

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture
def sandbox(monkeypatch) -> Iterator[str]:
    """The web tests' registry network on a localhost port, as the look-up's address."""
    server, url = start_in_thread(HERE / "data" / "sandbox")
    monkeypatch.setenv("ONEWINDOW_NETWORK_WEB_REGISTRY_URL", url + "/web-registry")
    yield url
    server.shutdown()
    server.server_close()


def token_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    match = CSRF_FIELD.search(response.text)
    assert match, f"no CSRF field on {url}"
    return match.group(1)


def send(client, url: str, data: dict | None = None, *, page: str = "/", files=None,
         headers=None):
    """POST a form as the browser would: with the token the page carried, no redirects."""
    body = {"_csrf_token": token_of(client, page), **(data or {})}
    return client.post(url, data=body, files=files, headers=headers, follow_redirects=False)


def text_of(html: str) -> str:
    """The page's text without tags, to look for sentences across inline markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _push(hall, staff, item: str = "web-filing", applicant=PERSON, until: str = "take_in"):
    """A case moved through the lifecycle by the core directly (for list and ledger tests)."""
    window = staff["window"]
    case = hall.open_case(window, item, applicant)
    marks = [(m.code, p.code, ReviewOutcome.PASSED.value, "")
             for m in applicable_materials(case, item_of(case)) for p in m.review_points]
    hall.review(window, case.number, marks)
    steps = [("take_in", window), ("accept", staff["approver"]), ("approve", staff["approver"]),
             ("issue", staff["issuance"])]
    for action, actor in steps:
        case = hall.act(actor, case.number, action)
        if action == until:
            break
    return case


# ---------------------------------------------------------------------------- the walk
def test_a_whole_working_day_with_javascript_off(client, hall, staff, login, sandbox):
    # ---- the intake window: find the item by pinyin initials
    login("window1")
    response = client.get("/intake?q=jyxk")
    assert response.status_code == 200
    assert "网页测试经营许可" in response.text
    assert 'href="/intake/new?item=web-permit"' in response.text
    assert "网页测试备案" not in response.text
    assert "网页测试备案" in client.get("/intake?q=wycsba").text

    # ---- the applicant form: a wrong credit code is named, nothing typed is lost
    typed = {**ENTERPRISE, "item": "web-permit", "credit_code": "91110000600037341X",
             "contact_person": "刘洋"}
    response = send(client, "/intake/new", typed, page="/intake/new?item=web-permit")
    assert response.status_code == 422
    assert "统一社会信用代码校验不通过" in response.text
    assert 'href="#applicant-credit_code"' in response.text
    for value in ("91110000600037341X", "刘洋", "鞍山市星河科技有限公司", "张伟", "13904120000"):
        assert f'value="{value}"' in response.text
    assert 'value="enterprise" id="kind-enterprise" checked' in response.text

    response = send(client, "/intake/new", {**typed, "credit_code": ENTERPRISE["credit_code"]},
                    page="/intake/new?item=web-permit")
    assert response.status_code == 303
    match = re.fullmatch(r"/cases/(\d{12})\?done=open", response.headers["location"])
    assert match, response.headers["location"]
    number = match.group(1)
    case_url = f"/cases/{number}"
    text = client.get(response.headers["location"]).text
    assert "已完成：新建办件" in text
    assert "网页测试经营许可" in text and "2026.2" in text
    assert "91110000600037341L" in text and "咨询/接件中" in text
    assert "法定代表人亲笔签字" in text and "总公司公章" in text
    assert "请先查询测试登记专网" in text  # the automatic check waits for the look-up

    # ---- the review: a failed point without a reason is named, the other marks are kept
    marks = {"mark:application/signed": "failed", "reason:application/signed": "",
             "mark:application/neat": "passed", "mark:id-copy/valid": "not_applicable"}
    response = send(client, f"{case_url}/review", marks, page=case_url)
    assert response.status_code == 422
    assert "请写明不通过的原因" in response.text
    assert 'name="mark:application/neat" value="passed" checked' in response.text
    assert 'name="mark:id-copy/valid" value="not_applicable" checked' in response.text
    assert hall.get_case(number).reviews == ()

    marks["reason:application/signed"] = "申请表缺法定代表人签字"
    response = send(client, f"{case_url}/review", marks, page=case_url)
    assert response.status_code == 303
    assert response.headers["location"] == f"{case_url}?done=review#checklist"
    case = hall.get_case(number)
    assert case.review("application", "signed").outcome is ReviewOutcome.FAILED

    # ---- taking in is refused while a hard point fails: the core's reason, on the page
    response = send(client, f"{case_url}/actions/take_in", page=case_url)
    assert response.status_code == 409
    assert "尚有未通过或未审查的硬性要求" in response.text
    assert "申请表缺法定代表人签字" in response.text

    # ---- the one-time notice lists everything at once, with its hash
    response = send(client, f"{case_url}/actions/notify", page=case_url)
    assert response.status_code == 303
    case = hall.get_case(number)
    assert case.state is State.NOTIFIED
    notice = case.events[-1]
    text = client.get(case_url).text
    assert "一次性告知书" in text
    assert notice.data["notice_hash"] in text
    for line in notice.data["deficiencies"]:
        assert line in text
    assert "经营场所使用证明：租赁期限不少于一年——未审查" in text

    # ---- the applicant comes back with the signature: re-review
    response = send(client, f"{case_url}/review",
                    {"mark:application/signed": "passed", "reason:application/signed": "",
                     "mark:application/neat": "passed", "mark:id-copy/valid": "not_applicable"},
                    page=case_url)
    assert response.status_code == 303
    assert hall.get_case(number).review("application", "signed").outcome is ReviewOutcome.PASSED

    # ---- deferring the lease: the commitment letter is required, the date typed is kept
    due = add_working_days(hall.clock().date(), 3).isoformat()
    response = send(client, f"{case_url}/defer", {"material": "lease", "due_date": due},
                    page=case_url)
    assert response.status_code == 409
    assert "经营场所使用证明容缺须由申请人签署告知承诺书" in response.text
    assert f'name="due_date" value="{due}"' in response.text
    response = send(client, f"{case_url}/defer", {"material": "lease", "due_date": "tomorrow"},
                    page=case_url)
    assert response.status_code == 422 and "请按“年-月-日”填写日期" in response.text
    response = send(client, f"{case_url}/defer",
                    {"material": "lease", "due_date": due, "commitment_signed": "on"},
                    page=case_url)
    assert response.status_code == 303
    assert hall.get_case(number).deferral("lease").commitment_signed

    # ---- the dedicated network: the answer is kept and the automatic check speaks
    response = send(client, f"{case_url}/lookups/web-registry",
                    {"credit_code": ENTERPRISE["credit_code"]}, page=case_url)
    assert response.status_code == 303
    record = hall.get_case(number).lookups[-1]
    assert record.status == "found"
    text = client.get(case_url).text
    assert "测试登记专网查询到记录" in text
    assert record.answer_hash[:12] in text
    assert "法定代表人与登记信息一致" in text
    # with htmx only the look-up panel comes back
    response = send(client, f"{case_url}/lookups/web-registry",
                    {"credit_code": ENTERPRISE["credit_code"]}, page=case_url,
                    headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="panel" id="lookups"')
    assert "<html" not in response.text
    assert len(hall.get_case(number).lookups) == 2

    # ---- take in
    response = send(client, f"{case_url}/actions/take_in", page=case_url)
    assert response.status_code == 303
    assert hall.get_case(number).state is State.TAKEN_IN

    # ---- an approver of another section: the case does not exist for them
    login("approver2")
    assert client.get(case_url).status_code == 404
    response = send(client, f"{case_url}/actions/accept", page="/")
    assert response.status_code == 404
    assert hall.get_case(number).state is State.TAKEN_IN

    # ---- the section's approver accepts from the work list
    login("approver1")
    assert f'href="{case_url}"' in client.get("/").text
    text = client.get(case_url).text
    assert "/actions/accept" in text and "/actions/return" in text
    assert "/actions/take_in" not in text and f'action="/cases/{number}/review"' not in text
    response = send(client, f"{case_url}/actions/accept", page=case_url)
    assert response.status_code == 303
    assert hall.get_case(number).state is State.ACCEPTED
    # approving now is refused: the lease deferred at acceptance is not in yet
    response = send(client, f"{case_url}/actions/approve", page=case_url)
    assert response.status_code == 409
    assert "容缺受理的材料尚未补齐：lease" in response.text

    # ---- the clerk uploads the supplement; an executable renamed .pdf is refused
    login("window1")
    response = send(client, f"{case_url}/supplements", {"material": "lease"}, page=case_url,
                    files={"file": ("lease.pdf", EXE, "application/pdf")})
    assert response.status_code == 422
    assert "只能上传 PDF、JPEG 或 PNG 文件" in response.text
    assert hall.get_case(number).supplements == ()
    response = send(client, f"{case_url}/supplements", {"material": "lease"}, page=case_url,
                    files={"file": ("租赁合同.pdf", PDF, "application/pdf")})
    assert response.status_code == 303
    supplement = hall.get_case(number).supplements[0]
    text = client.get(case_url).text
    assert supplement.filename in text and supplement.sha256[:16] in text

    # ---- the approver approves
    login("approver1")
    response = send(client, f"{case_url}/actions/approve", page=case_url)
    assert response.status_code == 303
    assert hall.get_case(number).state is State.APPROVED

    # ---- the issuance window issues, then may close
    login("issuance1")
    assert f'href="{case_url}"' in client.get("/").text
    text = client.get(case_url).text
    assert "/actions/issue" in text and "/actions/close" not in text
    response = send(client, f"{case_url}/actions/issue", page=case_url)
    assert response.status_code == 303
    text = client.get(response.headers["location"]).text
    assert "已完成：发证" in text and "/actions/close" in text
    assert hall.get_case(number).state is State.ISSUED

    # ---- the seal ledger shows the issuance
    login("approver1")
    text = client.get("/seal-ledger").text
    assert f'<a href="{case_url}">{number}</a>' in text
    login("super1")
    assert client.get("/seal-ledger").status_code == 200
    assert number in client.get("/seal-ledger?section=webtest").text

    # ---- the history names every step, who and in which role
    text = client.get(case_url).text
    history = text[text.index('id="history"'):]
    for label in ("新建办件", "形式审查", "出具一次性告知书", "容缺", "专网查询", "接件", "受理",
                  "补正材料上传", "准予许可", "发证", "大厅服务人员", "审批人员", "统一发证窗口"):
        assert label in history, label


def test_refused_actions_keep_the_reason_typed_and_name_the_field(client, hall, staff, login):
    case = _push(hall, staff, item="web-permit", applicant=ENTERPRISE, until="take_in")
    url = f"/cases/{case.number}"
    login("approver1")
    response = send(client, f"{url}/actions/return", {"reason": "材料与事实不符"}, page=url)
    assert response.status_code == 422
    assert "请选择窗口遗漏的审查要点" in response.text
    assert ">材料与事实不符</textarea>" in response.text
    response = send(client, f"{url}/actions/return", {"points": "application/signed"}, page=url)
    assert response.status_code == 422
    assert "请写明理由" in response.text
    assert 'value="application/signed" checked' in response.text
    response = send(client, f"{url}/actions/return",
                    {"points": ["application/signed", "lease/valid"], "reason": "签字不符"},
                    page=url)
    assert response.status_code == 303
    case = hall.get_case(case.number)
    assert case.state is State.RETURNED
    text = client.get(url).text
    assert "经营场所使用证明：租赁期限不少于一年" in text  # the return names the points
    # nothing is left to do: no forms but sign-out
    assert "/actions/" not in text


def test_request_supplement_needs_materials_and_a_date(client, hall, staff, login):
    case = _push(hall, staff, until="accept")
    url = f"/cases/{case.number}"
    login("approver1")
    response = send(client, f"{url}/actions/request_supplement",
                    {"reason": "备案表需补盖章", "due_date": "2026-13-40"}, page=url)
    assert response.status_code == 422
    text = response.text
    assert "请选择需要补正的材料" in text and "请按“年-月-日”填写日期" in text
    assert 'value="2026-13-40"' in text
    due = add_working_days(hall.clock().date(), 2).isoformat()
    response = send(client, f"{url}/actions/request_supplement",
                    {"reason": "备案表需补盖章", "due_date": due, "materials": "form"}, page=url)
    assert response.status_code == 303
    assert hall.get_case(case.number).state is State.SUSPENDED


def test_upload_limits(client, hall, staff, login):
    case = _push(hall, staff, item="web-permit", applicant=ENTERPRISE, until="accept")
    case = hall.act(staff["approver"], case.number, "request_supplement", reason="补租赁合同",
                    params={"materials": ["lease"],
                            "due_date": hall.clock().date() + dt.timedelta(days=3)})
    url = f"/cases/{case.number}"
    login("window1")
    response = send(client, f"{url}/supplements", {"material": "lease"}, page=url)
    assert response.status_code == 422 and "请选择要上传的文件" in response.text
    big = b"%PDF-" + b"0" * MAX_UPLOAD_BYTES
    response = send(client, f"{url}/supplements", {"material": "lease"}, page=url,
                    files={"file": ("big.pdf", big, "application/pdf")})
    assert response.status_code == 422
    assert "文件超过 10 MB" in response.text
    huge = b"%PDF-" + b"0" * MAX_REQUEST_BYTES  # over the request limit: refused unread
    response = send(client, f"{url}/supplements", {"material": "lease"}, page=url,
                    files={"file": ("huge.pdf", huge, "application/pdf")})
    assert response.status_code == 413
    assert "上传的文件太大" in response.text
    assert hall.get_case(case.number).supplements == ()
    # a PNG named .pdf is kept as a .png: its content decides
    response = send(client, f"{url}/supplements", {"material": "lease"}, page=url,
                    files={"file": ("scan.pdf", PNG, "application/pdf")})
    assert response.status_code == 303
    case = hall.get_case(case.number)
    assert case.supplements[0].filename == "scan.pdf.png"
    assert case.state is State.ACCEPTED  # the only requested material is in


def test_sniffing_reads_the_bytes_not_the_name():
    assert sniff(PDF) == ("application/pdf", ".pdf")
    assert sniff(b"\xff\xd8\xff\xe0" + b"\x00" * 8) == ("image/jpeg", ".jpg")
    assert sniff(PNG) == ("image/png", ".png")
    assert sniff(EXE) is None
    assert sniff(b"") is None
    assert stored_name("C:\\scans\\合同.PDF", "application/pdf") == "合同.PDF"
    assert stored_name("photo.jpeg", "image/jpeg") == "photo.jpeg"
    assert stored_name("../../etc/passwd", "image/png") == "passwd.png"
    with pytest.raises(ValueError):
        check_upload("a.pdf", EXE)
    with pytest.raises(ValueError):
        check_upload("a.pdf", b"")


def test_intake_search_swaps_only_the_results_for_htmx(client, staff, login):
    login("window1")
    response = client.get("/intake?q=wycs", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="intake-results"')
    assert "网页测试经营许可" in response.text and "网页测试备案" in response.text
    assert "HX-Request" in response.headers["vary"]
    full = client.get("/intake?q=wycs").text
    assert "<html" in full and 'hx-get="/intake"' in full


def test_case_page_in_english_keeps_domain_terms(client, hall, staff, login):
    case = hall.open_case(staff["window"], "web-permit", PERSON)
    login("window1")
    text = client.get(f"/cases/{case.number}?lang=en").text
    assert "Formal review checklist" in text and "硬性要求" in text and "咨询/接件中" in text
    assert "1101**********002X" in text
    assert "11010519491231002X" not in text  # never the raw ID number


# ---------------------------------------------------------------------------- who may do what
ROLES = ("window", "approver", "other_approver", "head", "issuance", "supervision",
         "coordination", "admin")
USERNAMES = {"window": "window1", "approver": "approver1", "other_approver": "approver2",
             "head": "head1", "issuance": "issuance1", "supervision": "super1",
             "coordination": "coord1", "admin": "admin1"}
OK, REFUSED = "ok", "refused"


def _only(*allowed: str, elsewhere: int = 403) -> dict[str, str | int]:
    """Expected outcome per role: OK for ``allowed``, 403 for the rest (404 for the other
    section's approver where the case must not be revealed)."""
    return {role: OK if role in allowed else (elsewhere if role == "other_approver" else 403)
            for role in ROLES}


EVERYONE_ON_THE_CASE = {**{role: OK for role in ROLES}, "other_approver": 404}
# (method, path, form, expected per role); {n} is a case still at the window.
MATRIX = [
    ("GET", "/intake", None, _only("window")),
    ("GET", "/intake?q=jyxk", None, _only("window")),
    ("GET", "/intake/new?item=web-permit", None, _only("window")),
    ("POST", "/intake/new", {"item": "web-permit"}, _only("window")),
    ("GET", "/cases/{n}", None, EVERYONE_ON_THE_CASE),
    ("GET", "/cases/000000000000", None, {role: 404 for role in ROLES}),
    ("POST", "/cases/{n}/review", {}, _only("window")),
    ("POST", "/cases/{n}/defer", {"material": "lease"}, _only("window")),
    ("POST", "/cases/{n}/lookups/web-registry", {},
     _only("window", "approver", "head", elsewhere=404)),
    ("POST", "/cases/{n}/supplements", {"material": "lease"}, _only("window")),
    ("POST", "/cases/{n}/actions/take_in", {}, _only("window")),
    ("POST", "/cases/{n}/actions/withdraw", {}, _only("window")),
    ("POST", "/cases/{n}/actions/accept", {}, _only("approver", "head", elsewhere=404)),
    ("POST", "/cases/{n}/actions/return", {}, _only("approver", "head", elsewhere=404)),
    ("POST", "/cases/{n}/actions/approve", {}, _only("approver", "head", elsewhere=404)),
    ("POST", "/cases/{n}/actions/deny", {}, _only("approver", "head", elsewhere=404)),
    ("POST", "/cases/{n}/actions/request_supplement", {},
     _only("approver", "head", elsewhere=404)),
    ("POST", "/cases/{n}/actions/issue", {}, _only("issuance")),
    ("POST", "/cases/{n}/actions/close", {}, _only("issuance")),
    ("POST", "/cases/{n}/actions/halt", {}, _only("supervision", "head")),
    ("POST", "/cases/{n}/actions/resume", {}, _only("head")),
    ("POST", "/cases/{n}/actions/review", {}, {role: 404 for role in ROLES}),
    ("POST", "/cases/{n}/actions/no-such-action", {}, {role: 404 for role in ROLES}),
    ("GET", "/seal-ledger", None, _only("approver", "other_approver", "head", "supervision")),
    ("GET", "/seal-ledger?section=webtest", None, _only("approver", "head", "supervision")),
]


def check_route_table(client, role: str, table, **fields) -> None:
    """Send every (method, path, form, expected per role) of ``table`` as ``role``; paths are
    formatted with ``fields``. Refusals must be Chinese pages (403/404), never a 500; "ok" is
    any answer a permitted user may get (200, a redirect, or a 409/422 naming what is wrong).
    """
    wrong = []
    for method, path, form, expected in table:
        url = path.format(**fields)
        if method == "GET":
            response = client.get(url, follow_redirects=False)
        else:
            response = send(client, url, form)
        status = response.status_code
        assert status < 500, (url, status)
        outcome = OK if status in (200, 303, 409, 422) else status
        if outcome != expected[role]:
            wrong.append(f"{method} {url}: {status}, expected {expected[role]}")
        if status in (403, 404):
            assert "<h1>" in response.text  # a Chinese error page, not a bare status
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_every_new_route_keeps_each_role_to_its_own_work(client, hall, more_staff, login, role):
    case = hall.open_case(more_staff["window"], "web-permit", PERSON)
    assert login(USERNAMES[role]).status_code == 303
    check_route_table(client, role, MATRIX, n=case.number)
    # none of the refused or invalid requests changed the case
    assert hall.get_case(case.number).events == case.events


# ---------------------------------------------------------------------------- query counts
CASE_LINK = re.compile(r'<a href="/cases/(\d{12})">\1</a>')


@pytest.mark.parametrize(("username", "url", "until"), [
    ("approver1", "/", "take_in"),
    ("issuance1", "/", "approve"),
    ("approver1", "/seal-ledger", "issue"),
    ("super1", "/seal-ledger?section=webtest", "issue"),
])
def test_list_pages_query_count_does_not_grow_with_the_cases(client, hall, staff, login,
                                                             username, url, until):
    for _ in range(2):
        _push(hall, staff, until=until)
    login(username)
    few, response = page_queries(client, hall, url)
    assert len(CASE_LINK.findall(response.text)) == 2
    for _ in range(8):
        _push(hall, staff, until=until)
    many, response = page_queries(client, hall, url)
    assert len(CASE_LINK.findall(response.text)) == 10
    assert len(few) == len(many), (few, many)
    assert len(many) <= 10, many


def test_a_section_head_reads_only_their_own_sections_ledger(client, more_staff, login):
    assert login("head1").status_code == 303
    assert client.get("/seal-ledger").status_code == 200
    assert client.get("/seal-ledger?section=webtest").status_code == 200
    assert client.get("/seal-ledger?section=elsewhere").status_code == 403
    assert login("super1").status_code == 303
    assert client.get("/seal-ledger?section=webtest").status_code == 200
