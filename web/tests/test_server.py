"""Start-up: the default hall, pending migrations, and the installed sections' real catalogue."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from onewindow.errors import PluginError
from onewindow.plugins import load_registry
from onewindow.services import open_hall
from onewindow_web import server
from onewindow_web.app import create_app


@pytest.fixture
def fresh_environment(tmp_path, monkeypatch):
    """The process environment of a hall whose database was never upgraded."""
    monkeypatch.setenv("ONEWINDOW_HOME", str(tmp_path))
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", f"sqlite:///{tmp_path}/fresh.db")
    monkeypatch.setenv("ONEWINDOW_SECRET_KEY", "x" * 32)
    monkeypatch.setenv("ONEWINDOW_AUDIT_KEY", "y" * 32)
    return tmp_path


def test_default_app_refuses_a_database_with_pending_migrations(fresh_environment):
    with pytest.raises(RuntimeError, match="needs migrations"):
        create_app()


def test_server_main_exits_with_the_reason(fresh_environment, monkeypatch, capsys):
    monkeypatch.setattr(server.uvicorn, "run", lambda *a, **k: pytest.fail("must not serve"))
    assert server.main(["--port", "8123"]) == 1
    assert "onewindow db upgrade" in capsys.readouterr().err


def test_serve_runs_uvicorn_on_the_default_hall(fresh_environment, monkeypatch):
    open_hall(upgrade=True).db.close()
    calls = {}
    monkeypatch.setattr(server.uvicorn, "run",
                        lambda app, **kwargs: calls.update(app=app, **kwargs))
    server.serve("127.0.0.1", 8123)
    assert calls["port"] == 8123 and calls["host"] == "127.0.0.1"
    assert calls["workers"] == 1  # login throttling lives in one process's memory


def test_bureau_name_is_configurable(hall, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_BUREAU_NAME", "某某市行政审批局")
    with TestClient(create_app(hall)) as client:
        text = client.get("/guide").text
    assert "某某市行政审批局" in text
    assert "鞍山市行政审批局" not in text


def test_installed_sections_render_in_the_guide(settings):
    """Every item of every installed section plugin renders (strict templates, real data)."""
    try:
        registry = load_registry()
    except PluginError as exc:  # a section's own tests report its loading faults
        pytest.skip(f"installed plugins do not load: {exc}")
    hall = open_hall(settings, registry, upgrade=True)
    try:
        with TestClient(create_app(hall)) as client:
            assert client.get("/guide").status_code == 200
            for code in registry.catalogue.sections:
                assert client.get(f"/guide/sections/{code}").status_code == 200, code
            for code, item in registry.catalogue.items.items():
                response = client.get(f"/guide/items/{code}")
                assert response.status_code == 200, code
                assert item.name in response.text
    finally:
        hall.db.close()
