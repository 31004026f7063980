"""Interface language: zh_CN by default, English on request, catalogs complete and uncompiled."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from onewindow_web import i18n

WEB = Path(__file__).resolve().parent.parent
LOCALE = WEB / "src" / "onewindow_web" / "locale"


def test_chinese_is_the_default(client):
    text = client.get("/guide").text
    assert '<html lang="zh-CN">' in text
    assert "办事指南" in text


def test_lang_query_switches_to_english_and_is_remembered(client):
    response = client.get("/guide/items/web-permit?lang=en")
    assert '<html lang="en">' in response.text
    assert "Application materials" in response.text
    assert "Review points" in response.text
    assert "网页测试经营许可" in response.text  # catalogue content stays Chinese
    assert "硬性要求" in response.text  # so do the domain's own terms
    assert "onewindow_lang=en" in response.headers["set-cookie"]
    # the cookie keeps English on the next page
    assert '<html lang="en">' in client.get("/guide").text
    # and ?lang=zh_CN switches back
    assert '<html lang="zh-CN">' in client.get("/guide?lang=zh_CN").text
    assert '<html lang="zh-CN">' in client.get("/guide").text


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client):
    text = client.get("/guide", headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert '<html lang="zh-CN">' in text
    text = client.get("/guide?lang=en", headers={"Accept-Language": "zh-CN"}).text
    assert '<html lang="en">' in text


def test_login_errors_follow_the_language(client, staff):
    from .conftest import csrf_token

    token = csrf_token(client, "/login?lang=en")
    response = client.post("/login", data={"username": "", "password": "x",
                                           "_csrf_token": token})
    assert "Please enter your username." in response.text


def test_language_switch_keeps_other_parameters(client):
    text = client.get("/guide/sections/webtest?q=备案").text
    assert 'href="/guide/sections/webtest?q=%E5%A4%87%E6%A1%88&amp;lang=en"' in text


def _template_and_code_msgids() -> set[str]:
    method_map = [("src/onewindow_web/templates/**.html", "jinja2"),
                  ("src/onewindow_web/**.py", "python")]
    options = {"src/onewindow_web/templates/**.html": {"trim_blocks": "True",
                                                       "lstrip_blocks": "True"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "translate": (2,), "N_": None}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(WEB), method_map, options, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_ui_string_is_translated_to_chinese():
    with (LOCALE / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    msgids = _template_and_code_msgids()
    assert len(msgids) > 50
    missing = sorted(m for m in msgids
                     if m not in catalog or not catalog[m].string or catalog[m].fuzzy
                     or (isinstance(catalog[m].string, tuple) and not all(catalog[m].string)))
    assert not missing, f"add to zh_CN/messages.po: {missing}"


def test_english_catalog_exists_and_no_compiled_catalogs_are_kept():
    assert (LOCALE / "en" / "LC_MESSAGES" / "messages.po").is_file()
    assert not list(LOCALE.rglob("*.mo"))
    english = i18n.load_translations("en")
    assert english.gettext("Service guide") == "Service guide"
    assert i18n.load_translations("zh_CN").gettext("Service guide") == "办事指南"


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_catalog_entry_is_still_used(locale):
    """A string the pages no longer say is dead weight for translators: remove it."""
    with (LOCALE / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    used = _template_and_code_msgids()
    unused = sorted(str(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog
                    if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in used)
    assert not unused, f"remove from {locale}/messages.po: {unused}"
