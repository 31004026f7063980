"""Response headers, the health check, and what pages must never contain."""

from __future__ import annotations

import re

import pytest

from onewindow_web.security import derive_key

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


@pytest.mark.parametrize("url", ["/guide", "/guide/items/web-permit", "/login", "/healthz",
                                 "/static/css/onewindow.css", "/guide/items/missing", "/",
                                 "/no-such-page"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url, follow_redirects=False)
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (url, name)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_pages_have_no_inline_script_or_style(client, login):
    login("window1")
    for url in ("/", "/guide", "/guide/sections/webtest", "/guide/items/web-permit", "/login"):
        text = client.get(url).text
        for tag in re.findall(r"<script[^>]*>", text):
            assert 'src="/static/' in tag, (url, tag)
        assert "<style" not in text
        assert " style=" not in text
        assert not re.search(r"\son[a-z]+=", text), url  # no onclick= and friends


def test_private_pages_are_not_cached(client, login):
    login("window1")
    assert client.get("/").headers["cache-control"] == "no-store"


def test_healthz_answers_ok_without_login_and_leaks_nothing(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "onewindow_session" not in response.headers.get("set-cookie", "")


def test_healthz_reports_an_unreachable_database(client, hall, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database is gone: secret details")

    monkeypatch.setattr(hall.db, "execute_sql", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_no_openapi_schema_is_published(client):
    assert client.get("/schema").status_code == 404


def test_keys_are_derived_per_purpose():
    secret = b"s" * 32
    assert len(derive_key(secret, "session")) == 32
    assert derive_key(secret, "session") != derive_key(secret, "csrf")
    with pytest.raises(ValueError):
        derive_key(b"", "session")


def test_server_errors_show_a_plain_page_and_log(app, client, caplog, monkeypatch):
    from onewindow_web.routes import guide

    def explode(items, query):
        raise RuntimeError("internal detail that must not reach the browser")

    monkeypatch.setattr(guide, "filter_items", explode)
    response = client.get("/guide/sections/webtest")
    assert response.status_code == 500
    assert "系统出现错误" in response.text
    assert "internal detail" not in response.text
    assert "internal detail" in caplog.text
