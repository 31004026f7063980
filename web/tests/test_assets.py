"""htmx from our own static files (never a CDN), and pages that work without it."""

from __future__ import annotations

import importlib.util
import logging
import re
from pathlib import Path

from litestar.testing import TestClient

from onewindow_web import app as app_module

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "fetch_htmx.py"


def _fetch_script():
    spec = importlib.util.spec_from_file_location("fetch_htmx", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_css_is_served_with_a_cjk_font_stack(client):
    response = client.get("/static/css/onewindow.css")
    assert response.status_code == 200
    assert "text/css" in response.headers["content-type"]
    for font in ('"Noto Sans CJK SC"', '"WenQuanYi Micro Hei"', '"Microsoft YaHei"'):
        assert font in response.text
    assert "@media print" in response.text


def test_app_starts_and_pages_work_without_htmx(hall, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(app_module, "HTMX_PATH", tmp_path / "vendor" / "htmx.min.js")
    with caplog.at_level(logging.WARNING, logger="onewindow_web.app"):
        app = app_module.create_app(hall)
    assert "htmx is missing" in caplog.text
    with TestClient(app) as client:
        text = client.get("/guide/sections/webtest").text
    assert "<script" not in text
    assert 'action="/guide/sections/webtest"' in text  # the search still works as a form


def test_pages_load_htmx_from_own_static_files(hall, tmp_path, monkeypatch):
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / "htmx.min.js").write_text("/* htmx */")
    (vendor / "htmx.version").write_text("9.9.9\n")
    monkeypatch.setattr(app_module, "HTMX_PATH", vendor / "htmx.min.js")
    with TestClient(app_module.create_app(hall)) as client:
        text = client.get("/guide").text
    scripts = re.findall(r'<script src="([^"]+)"', text)
    assert len(scripts) == 1
    assert scripts[0].startswith("/static/vendor/htmx.min.js?v=")
    assert "9.9.9" in scripts[0]
    assert "htmx-config" in text and '"allowEval": false' in text


def test_fetch_script_is_idempotent_when_the_pinned_version_is_present(tmp_path, monkeypatch):
    fetch = _fetch_script()
    (tmp_path / "htmx.min.js").write_text("/* htmx */")
    (tmp_path / "htmx.version").write_text(fetch.HTMX_VERSION + "\n")
    monkeypatch.setattr(fetch.shutil, "which", lambda name: None)  # npm must not be needed
    assert "already present" in fetch.fetch(tmp_path)


def test_fetch_script_refetches_another_version(tmp_path, monkeypatch):
    fetch = _fetch_script()
    (tmp_path / "htmx.min.js").write_text("/* old */")
    (tmp_path / "htmx.version").write_text("1.9.0\n")
    assert not fetch.is_current(tmp_path)
    monkeypatch.setattr(fetch.shutil, "which", lambda name: None)
    try:
        fetch.fetch(tmp_path)
    except SystemExit as exc:
        assert "npm is not installed" in str(exc)
    else:
        raise AssertionError("an outdated htmx was kept")


def test_fetch_script_pins_an_exact_version():
    fetch = _fetch_script()
    assert re.fullmatch(r"\d+\.\d+\.\d+", fetch.HTMX_VERSION)
    assert fetch.HTMX_INTEGRITY.startswith("sha512-")
