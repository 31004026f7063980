"""The hall's day, walked in a real browser: one 食品经营许可 case from the counter to the seal.

A window clerk takes the case in over two visits (a one-time notice first, then 容缺受理), the
enterprise section's approver accepts and approves it, the clerk uploads the deferred material,
the issuance window issues the licence, and the section's seal ledger shows the use.

As in ``test_browser.py`` the server is started as a user starts it (``onewindow demo load``
then ``onewindow serve``) and Playwright drives Debian's Chromium; the sandbox dedicated
networks (``onewindow sandbox``) run beside it for the credit-registry look-up. Outside CI a
machine without Chromium skips; with ``CI`` set a missing browser is a failure. Screenshots of
each step land in ``test-artifacts/workday-*.png``.
"""

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import pii_scan
import pytest

from onewindow.testing import TEST_DATABASE_ENV
from onewindow.workdays import add_working_days

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("ONEWINDOW_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CLI = [sys.executable, "-m", "onewindow.cli"]

# The applicant: a record of fixtures/sandbox/credit-registry.json.
COMPANY = "鞍山市星河科技有限公司"
CREDIT_CODE = "91210302MA0YCE7KX9"
LEGAL_REP = "王志刚"
PHONE = "13904121234"
# The hard point the clerk finds wrong on the first visit, and the material deferred on the second.
FAILED_POINT = "application/form-version"
FAILED_REASON = "使用了原《食品经营许可管理办法》旧版申请书，请改用现行格式"
DEFERRED = "premises-proof"
DEFERRED_MAX_DAYS = 3  # the catalogue's 容缺受理 limit for 经营场所使用证明
# A small but well-formed one-page PDF (the upload checks the content, not the name).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers, so it is up
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read().decode()) from None
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered at {url}")


@pytest.fixture(scope="module")
def sandbox():
    port = _free_port()
    process = subprocess.Popen([*CLI, "sandbox", "--port", str(port), "--fixtures",
                                str(ROOT / "fixtures" / "sandbox")], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/", process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory, sandbox, pytestconfig):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (CI installs it)")
    home = tmp_path_factory.mktemp("browser-workday")
    env = {**os.environ, "ONEWINDOW_HOME": str(home), "ONEWINDOW_SECURE_COOKIES": "0",
           "ONEWINDOW_SANDBOX_URL": sandbox}
    if os.environ.get(TEST_DATABASE_ENV):
        from onewindow.testing import settings_for_tests

        env["ONEWINDOW_DATABASE_URL"] = settings_for_tests(home).database_url
    subprocess.run([*CLI, "demo", "load"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    port = _free_port()
    process = subprocess.Popen([*CLI, "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/healthz", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        pii_scan.scan_output(pytestconfig, "onewindow serve", process.stdout.read())


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors = []  # script errors, and any asset (CSS, htmx, fragment) that failed to load
    opened.on("pageerror", lambda e: errors.append(str(e)))
    opened.on("response", lambda r: errors.append(f"{r.status} {r.url}")
              if r.status >= 400 and r.request.resource_type != "document" else None)
    yield opened
    context.close()
    assert not errors, f"browser errors: {errors}"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"workday-{name}.png"), full_page=True)


def sign_in(page, server, username, password):
    page.goto(server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(server + "/")


def sign_out(page, server):
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login**")


def body(page) -> str:
    return page.inner_text("body")


def state_label(page) -> str:
    return page.locator("#case-top .state").inner_text().strip()


def act(page, label, number):
    """Press a lifecycle button in the 操作 panel and come back to the case page."""
    page.locator("#actions").get_by_role("button", name=label, exact=True).click()
    page.wait_for_url(re.compile(rf"/cases/{number}\?done="))
    assert page.locator(".error-summary").count() == 0, body(page)
    assert page.locator("p.notice[role=status]").inner_text() == f"已完成：{label}。"


def mark_checklist(page, failed: dict[str, str]):
    """Mark every point: optional materials 不适用, the ``failed`` ones 不通过 with their
    reason, all the others 通过. Read from the form itself, point by point."""
    form = page.locator("form.review-form")
    marked = 0
    for material in form.locator("li.material").all():
        optional = material.locator(".badge-optional").count() > 0
        for fieldset in material.locator("fieldset.marks").all():
            name = fieldset.locator("input[type=radio]").first.get_attribute("name")
            key = name.removeprefix("mark:")
            outcome = "failed" if key in failed else "not_applicable" if optional else "passed"
            fieldset.locator(f"input[value={outcome}]").check()
            if key in failed:
                form.locator(f'input[name="reason:{key}"]').fill(failed[key])
            marked += 1
    assert marked > 0
    form.get_by_role("button", name="保存审查结果").click()
    page.wait_for_url(re.compile(r"/cases/[^/?]+\?done=review#checklist"))
    assert page.locator(".error-summary").count() == 0, body(page)
    return marked


def test_a_food_business_licence_goes_from_the_counter_to_the_seal(page, server):
    # ---- morning: the window clerk finds the item by its pinyin initials
    sign_in(page, server, "window1", "demo-window1")
    assert "王晓梅" in body(page) and "大厅服务人员" in body(page)
    page.get_by_role("link", name="接件", exact=True).first.click()
    page.wait_for_url(server + "/intake")
    page.fill("#intake-search", "spjy")
    results = page.locator("#intake-results")
    # every item is listed before the search; htmx swaps in the matches and pushes the URL
    results.get_by_role("link", name="有限责任公司设立登记").wait_for(state="detached")
    page.wait_for_url("**/intake?q=spjy")
    assert "spjy" in results.locator(".result-count").inner_text()
    item_link = results.get_by_role("link", name="食品经营许可", exact=True)
    shot(page, "01-intake-search")
    item_link.click()
    page.wait_for_url("**/intake/new?item=ent-food-business-licence")
    assert "食品经营许可" in page.inner_text("h1")

    # ---- the enterprise applicant, as on its business licence
    page.check("#kind-enterprise")
    page.fill("#applicant-name", COMPANY)
    page.fill("#applicant-credit_code", CREDIT_CODE)
    page.fill("#applicant-legal_representative", LEGAL_REP)
    page.fill("#applicant-phone", PHONE)
    shot(page, "02-intake-applicant")
    page.get_by_role("button", name="创建办件").click()
    page.wait_for_url(re.compile(r"/cases/[^/?]+\?done=open"))
    number = re.search(r"/cases/([^/?]+)", page.url).group(1)
    assert state_label(page) == "咨询/接件中"
    summary = page.locator(".case-summary").inner_text()
    assert COMPANY in summary and CREDIT_CODE in summary and LEGAL_REP in summary
    assert "单位" in summary and PHONE in summary

    # ---- 国家企业信用信息公示系统 (the sandbox credit registry), over htmx
    lookup = page.locator("article#network-credit-registry")
    assert "国家企业信用信息公示系统" in lookup.locator("h3").inner_text()
    assert "尚未查询" in lookup.inner_text()
    lookup.locator("input[name=credit_code]").fill(CREDIT_CODE)
    lookup.get_by_role("button", name="查询").click()
    found = page.locator("article#network-credit-registry .lookup-found")
    found.wait_for()
    assert found.inner_text() == "查询到记录"
    records = page.locator("article#network-credit-registry .lookup-records").inner_text()
    assert COMPANY in records and LEGAL_REP in records and "存续" in records
    assert page.url.endswith(f"/cases/{number}?done=open")  # swapped in place, no reload
    shot(page, "03-case-lookup")

    # ---- first visit: one hard point fails, so a one-time notice
    marked = mark_checklist(page, {FAILED_POINT: FAILED_REASON})
    failed = page.locator(f'input[name="mark:{FAILED_POINT}"][value=failed]')
    assert failed.is_checked()
    assert page.locator("input[type=radio][value=passed]:checked").count() == marked - 1 - \
        page.locator("input[type=radio][value=not_applicable]:checked").count()
    deficiencies = page.locator("#deficiencies").inner_text()
    assert "存在的问题" in deficiencies and FAILED_REASON in deficiencies
    assert "阻止接件" in deficiencies
    shot(page, "04-review-one-point-fails")
    act(page, "出具一次性告知书", number)
    assert state_label(page) == "已一次性告知"
    notice = page.locator("#notices").inner_text()
    assert "一次性告知书" in notice and "《食品经营许可申请书》" in notice
    assert FAILED_REASON in notice
    shot(page, "05-one-time-notice")

    # ---- second visit: the application is redone; the premises proof comes later (容缺受理)
    page.goto(server + "/")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/cases/{number}")
    form = page.locator("form.review-form")
    form.locator(f'input[name="mark:{FAILED_POINT}"][value=passed]').check()
    form.locator(f'input[name="reason:{FAILED_POINT}"]').fill("")
    form.get_by_role("button", name="保存审查结果").click()
    page.wait_for_url(re.compile(rf"/cases/{number}\?done=review"))
    assert page.locator(".error-summary").count() == 0, body(page)
    assert page.locator("#deficiencies").count() == 0  # nothing wrong any more

    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    due = add_working_days(today, DEFERRED_MAX_DAYS)
    defer = page.locator(f"form#defer-{DEFERRED}")
    assert "经营场所使用证明" in defer.inner_text() and "容缺受理" in defer.inner_text()
    assert f"最多容缺 {DEFERRED_MAX_DAYS} 个工作日" in defer.inner_text()
    defer.locator("input[name=due_date]").fill(due.isoformat())
    defer.locator("input[name=commitment_signed]").check()
    defer.get_by_role("button", name="容缺此材料").click()
    page.wait_for_url(re.compile(rf"/cases/{number}\?done=defer"))
    assert page.locator(".error-summary").count() == 0, body(page)
    deferrals = page.locator("#deferrals table").inner_text()
    assert "经营场所使用证明" in deferrals and "容缺受理" in deferrals
    assert due.isoformat() in deferrals and "已签署" in deferrals and "待补正" in deferrals
    shot(page, "06-deferred")
    act(page, "接件", number)
    assert state_label(page) == "已接件"
    sign_out(page, server)

    # ---- the enterprise section's approver accepts from the work list
    sign_in(page, server, "approver_ent", "demo-approver")
    row = page.locator("table.work-list tr", has=page.get_by_role("link", name=number))
    assert COMPANY in row.inner_text() and "已接件" in row.inner_text()
    shot(page, "07-approver-work-list")
    row.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/cases/{number}")
    assert "查询到记录" in page.locator("#lookups").inner_text()  # the window's look-up travels
    act(page, "受理", number)
    assert state_label(page) == "已受理"
    assert page.locator("#actions").get_by_role("button", name="准予许可", exact=True).count() == 1
    shot(page, "08-accepted")
    sign_out(page, server)

    # ---- the clerk uploads the premises proof the applicant brought
    sign_in(page, server, "window1", "demo-window1")
    # the accepted case owes a deferred material: the window's home lists it under 待补正材料
    assert "待补正材料" in body(page)
    page.get_by_role("link", name=number).first.click()
    page.wait_for_url(re.compile(rf"/cases/{number}"))
    upload = page.locator(f"form#supply-{DEFERRED}")
    assert "经营场所使用证明" in upload.inner_text()
    upload.locator("input[type=file]").set_input_files(
        {"name": "premises-lease.pdf", "mimeType": "application/pdf", "buffer": PDF})
    upload.get_by_role("button", name="上传").click()
    page.wait_for_url(re.compile(rf"/cases/{number}\?done=supply"))
    assert page.locator(".error-summary").count() == 0, body(page)
    supplements = page.locator("#supplements table").inner_text()
    assert "经营场所使用证明" in supplements and "premises-lease.pdf" in supplements
    assert "待补正" not in page.locator("#deferrals table").inner_text()
    shot(page, "09-supplied")
    sign_out(page, server)

    # ---- the approver approves
    sign_in(page, server, "approver_ent", "demo-approver")
    page.goto(f"{server}/cases/{number}")
    act(page, "准予许可", number)
    assert state_label(page) == "准予许可"
    shot(page, "10-approved")
    sign_out(page, server)

    # ---- the issuance window issues the licence
    sign_in(page, server, "issuance1", "demo-issuance")
    row = page.locator("table.work-list tr", has=page.get_by_role("link", name=number))
    assert "准予许可" in row.inner_text()
    row.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/cases/{number}")
    act(page, "发证", number)
    assert state_label(page) == "已发证"
    assert page.locator("#actions").get_by_role("button", name="办结", exact=True).count() == 1
    shot(page, "11-issued")
    sign_out(page, server)

    # ---- the section's seal ledger records the use
    sign_in(page, server, "approver_ent", "demo-approver")
    page.goto(server + "/seal-ledger")
    assert "企业登记科" in page.inner_text("h1")
    entry = page.locator("table.ledger tr", has=page.get_by_role("link", name=number))
    assert entry.count() == 1
    assert "食品经营许可" in entry.inner_text() and COMPANY in entry.inner_text()
    shot(page, "12-seal-ledger")


def _second_page(browser):
    """Another member of staff at another PC: a browser context of its own."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors = []
    opened.on("pageerror", lambda e: errors.append(str(e)))
    opened.on("response", lambda r: errors.append(f"{r.status} {r.url}")
              if r.status >= 400 and r.request.resource_type != "document" else None)
    return context, opened, errors


def test_drafts_joint_review_and_a_transfer_form(page, browser, server):
    # ---- the clerk starts an intake: each field is checked while typing, and autosaved
    sign_in(page, server, "window1", "demo-window1")
    page.goto(server + "/intake/new?item=ent-food-business-licence")
    page.check("#kind-enterprise")
    page.fill("#applicant-name", COMPANY)
    page.fill("#applicant-credit_code", CREDIT_CODE[:-1] + "0")  # a wrong check digit
    live = page.locator("#applicant-credit_code-live")
    live.filter(has_text="校验不通过").wait_for()
    page.fill("#applicant-credit_code", CREDIT_CODE)
    live.filter(has_text="校验通过").wait_for()
    page.fill("#applicant-legal_representative", LEGAL_REP)
    page.locator("#draft-status").filter(has_text="自动保存").wait_for()
    shot(page, "13-intake-live-check")
    # ---- a reload (or a timeout and a new sign-in) brings the half-filled form back
    page.wait_for_timeout(900)  # the last keystroke's autosave
    page.reload()
    assert "已恢复" in body(page)
    assert page.input_value("#applicant-credit_code") == CREDIT_CODE
    assert page.input_value("#applicant-legal_representative") == LEGAL_REP
    page.fill("#applicant-phone", PHONE)
    page.get_by_role("button", name="创建办件").click()
    page.wait_for_url(re.compile(r"/cases/[^/?]+\?done=open"))
    number = re.search(r"/cases/([^/?]+)", page.url).group(1)

    # ---- checklist marks ticked but not saved survive a reload too
    first = page.locator("form.review-form fieldset.marks").first
    first.locator("input[value=passed]").check()
    page.locator("#review-draft-status").filter(has_text="暂存").wait_for()
    page.reload()
    assert "已恢复您尚未保存的审查结果" in body(page)
    assert page.locator("form.review-form fieldset.marks").first.locator(
        "input[value=passed]").is_checked()

    # ---- a point the window cannot judge: call the section to a joint review
    calls = page.locator("#calls")
    calls.locator("select[name=point]").select_option(index=1)
    calls.locator("textarea[name=note]").fill("场所面积计算口径不清")
    calls.get_by_role("button", name="呼叫审批人员到窗口").click()
    page.wait_for_url(re.compile(rf"/cases/{number}\?done=joint_review_call"))
    assert "已等待" in page.locator("#calls").inner_text()

    # ---- at the same moment, at another PC, the approver's screen shows the call
    context, approver, errors = _second_page(browser)
    try:
        sign_in(approver, server, "approver_ent", "demo-approver")
        approver.goto(server + "/seal-ledger")  # any page: the banner follows them
        banner = approver.locator("#call-alert .call-alert")
        banner.wait_for(timeout=20_000)
        assert number in banner.inner_text() and "等待响应" in banner.inner_text()
        shot(approver, "14-approver-called")
        banner.get_by_role("button", name="响应：马上到窗口").first.click()
        approver.wait_for_url(re.compile(rf"/cases/{number}\?done=joint_review_answer"))
        assert "已响应，用时" in approver.locator("#calls").inner_text()
    finally:
        context.close()
    assert not errors, errors
    # the clerk's panel follows the call by itself (htmx polling) and shows who answered
    page.locator("#calls .call-answered").wait_for(timeout=15_000)
    assert "已响应，用时" in page.locator("#calls").inner_text()
    shot(page, "15-call-answered")
    sign_out(page, server)

    # ---- an approval given on the section's own network comes back on a transfer form
    sign_in(page, server, "approver_ent", "demo-approver")
    page.goto(server + "/transfers")
    page.get_by_role("link", name="填写转交表").click()
    page.wait_for_url("**/transfers/new")
    page.select_option("#transfer-item", "ent-llc-change")
    page.check("#kind-enterprise")
    page.fill("#transfer-name", COMPANY)
    page.fill("#transfer-legal_representative", LEGAL_REP)
    page.fill("#transfer-phone", PHONE)
    page.fill("#transfer-credit_code", CREDIT_CODE)
    page.fill("#transfer-notes", "已在企业登记全程电子化平台办结")
    page.get_by_role("button", name="保存转交表").click()
    page.wait_for_url(re.compile(r"/transfers/ZW\d{12}"))
    form_number = re.search(r"/transfers/(ZW\d{12})", page.url).group(1)
    page.get_by_role("link", name="打印转交表（A4）").click()
    page.wait_for_url(f"**/transfers/{form_number}/print")
    printed = body(page)
    for label in ("专网审批事项信息转交表", "审批事项名称", "单位名称", "法定代表人", "联系人",
                  "社会信用代码", "社会组织名称", "申请人身份证号", "备注", "审批业务科",
                  "审批经办人签字", "大厅服务人员签字"):
        assert label in printed, label
    shot(page, "16-transfer-form-print")
    sign_out(page, server)

    sign_in(page, server, "window1", "demo-window1")
    page.goto(f"{server}/transfers/{form_number}")
    page.get_by_role("button", name="录入为办件").click()
    page.wait_for_url(re.compile(r"/cases/[^/?]+\?done=record_transfer"))
    assert state_label(page) == "准予许可"
    assert form_number in page.locator(".case-summary").inner_text()
    shot(page, "17-transfer-recorded")


def test_consultation_log_and_the_monthly_problem_list(page, server):
    # ---- at the consultation window: a question logged under first-inquiry responsibility
    sign_in(page, server, "window1", "demo-window1")
    page.get_by_role("link", name="咨询辅导", exact=True).click()
    page.wait_for_url("**/consultations")
    page.fill("#inquiry-question", "食品经营许可的经营场所可以是住宅吗？")
    page.select_option("#inquiry-item", "ent-food-business-licence")
    page.fill("#inquiry-applicant_name", COMPANY)
    page.fill("#inquiry-identifier", CREDIT_CODE)
    page.check("#inquiry-answered")
    page.fill("#inquiry-answer", "不可以，须为非住宅场所，已一次性告知所需材料")
    page.get_by_role("button", name="登记咨询", exact=True).click()
    page.wait_for_url(re.compile(r"/consultations"))
    assert page.locator(".error-summary").count() == 0, body(page)
    assert "食品经营许可的经营场所可以是住宅吗" in body(page)
    shot(page, "18-consultation-log")

    # ---- from a checklist: one click reports a review point as unclear (htmx, in place)
    page.goto(server + "/intake/new?item=ent-food-business-licence")
    page.check("#kind-enterprise")
    page.fill("#applicant-name", COMPANY)
    page.fill("#applicant-credit_code", CREDIT_CODE)
    page.fill("#applicant-legal_representative", LEGAL_REP)
    page.fill("#applicant-phone", PHONE)
    page.get_by_role("button", name="创建办件").click()
    page.wait_for_url(re.compile(r"/cases/[^/?]+\?done=open"))
    page.locator("button.point-unclear").first.click()
    page.locator(".point-reported").first.wait_for()
    assert page.locator(".point-reported").first.inner_text() == "已报告要点不清"
    sign_out(page, server)

    # ---- the coordination section reads the month's problem list
    sign_in(page, server, "coord1", "demo-coord")
    page.get_by_role("link", name="要点问题清单", exact=True).click()
    page.wait_for_url("**/problems")
    listing = page.locator("#section-enterprise")
    assert "食品经营许可" in listing.inner_text()
    shot(page, "19-problem-list")
