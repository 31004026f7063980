"""A real browser walks the hall: Playwright driving Debian's Chromium against the real server.

The server is started as a user starts it (``onewindow demo load`` then ``onewindow serve``)
on a free port. Outside CI a machine without Chromium skips these tests; with ``CI`` set a
missing browser is a failure. Screenshots land in ``test-artifacts/`` for a person to look at.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pii_scan
import pytest

from onewindow.testing import TEST_DATABASE_ENV

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("ONEWINDOW_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, pytestconfig):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (CI installs it)")
    home = tmp_path_factory.mktemp("browser-hall")
    env = {**os.environ, "ONEWINDOW_HOME": str(home), "ONEWINDOW_SECURE_COOKIES": "0"}
    if os.environ.get(TEST_DATABASE_ENV):
        from onewindow.testing import settings_for_tests

        env["ONEWINDOW_DATABASE_URL"] = settings_for_tests(home).database_url
    cli = [sys.executable, "-m", "onewindow.cli"]
    subprocess.run([*cli, "demo", "load"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    port = _free_port()
    process = subprocess.Popen([*cli, "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read().decode()) from None
            time.sleep(0.1)
    yield base
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
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_window_clerk_logs_in_and_sees_the_work_list(page, server):
    page.goto(server + "/")
    assert "/login" in page.url
    page.fill("input[name=username]", "window1")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator("text=用户名或密码不正确").count() >= 1
    page.fill("input[name=username]", "window1")
    page.fill("input[name=password]", "demo-window1")
    page.click("button[type=submit]")
    page.wait_for_url(server + "/")
    body = page.inner_text("body")
    assert "王晓梅" in body and "大厅服务人员" in body
    assert "李振华" in body and "2103**********0313" in body  # the person's ID is masked
    assert "210302198503150313" not in page.content()
    shot(page, "home-window-staff")


def test_catalogue_browser_sections_items_materials(page, server):
    page.goto(server + "/guide")
    page.click("text=企业登记科")
    page.wait_for_selector("text=有限责任公司变更登记")
    shot(page, "guide-section")
    page.fill("input[type=search]", "注销")
    # htmx swaps in the filtered list (the page's CSP forbids eval, so wait on a locator)
    page.get_by_role("link", name="有限责任公司变更登记").wait_for(state="detached")
    assert "有限责任公司注销登记" in page.inner_text("body")
    page.click("text=有限责任公司注销登记（简易注销）")
    body = page.inner_text("body")
    assert "硬性要求" in body and "形式审查要点" in body
    assert "国家企业信用信息公示系统" in body
    shot(page, "guide-item")


def test_approver_sees_own_section_queue_and_logs_out(page, server):
    page.goto(server + "/login")
    page.fill("input[name=username]", "approver_ent")
    page.fill("input[name=password]", "demo-approver")
    page.click("button[type=submit]")
    page.wait_for_url(server + "/")
    body = page.inner_text("body")
    assert "鞍山市瑞丰机械制造有限公司" in body and "李振华" not in body
    shot(page, "home-approver")
    page.click("text=退出")
    page.wait_for_url("**/login**")
    page.goto(server + "/")
    assert "/login" in page.url


def test_guide_lists_eleven_sections_and_prints_a_form_sample_on_a4(page, server):
    page.goto(server + "/guide")
    body = page.inner_text("body")
    for name in ("企业登记科", "投资项目审批科", "规划审批科", "建设工程审批科", "环境保护审批科",
                 "安全质量审批科", "交通运输审批科", "农业水利审批科", "社会事务审批科",
                 "医药器械审批科", "卫生计生审批科"):
        assert name in body
    shot(page, "guide-index")
    page.click("text=交通运输审批科")
    page.get_by_role("link", name="道路货物运输经营许可").first.click()
    page.wait_for_url("**/guide/items/tra-freight-licence")
    page.get_by_role("link", name="打印填写范本").first.click()
    assert "填写范本" in page.inner_text("h1")
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()  # only the form is printed
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    (ARTIFACTS / "form-sample.pdf").write_bytes(pdf)
    shot(page, "form-sample-print")
