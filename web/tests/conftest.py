"""Fixtures for the web tests: a hall on a temporary SQLite file, its app, staff and a client.

The registry is the web tests' own plugin (``web_test_plugin.py``), loaded without entry
points, so these tests never depend on what a real section ships.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from onewindow import accounts
from onewindow.config import Settings
from onewindow.plugins import load_registry
from onewindow.services import Hall, open_hall
from onewindow.testing import counting_queries, settings_for_tests
from onewindow_web.app import create_app

HERE = Path(__file__).parent
PASSWORD = "correct-horse-42"
PERSON = {"kind": "person", "name": "王芳", "phone": "0412-5551234",
          "id_number": "11010519491231002X"}
ENTERPRISE = {"kind": "enterprise", "name": "鞍山市星河科技有限公司", "phone": "13904120000",
              "credit_code": "91110000600037341L", "legal_representative": "张伟"}
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _load_plugin():
    """Import web_test_plugin.py by path (pytest runs with --import-mode=importlib)."""
    name = "onewindow_web_test_plugin"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "web_test_plugin.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def web_registry():
    return load_registry([_load_plugin()], load_entry_points=False)


@pytest.fixture
def settings(tmp_path) -> Settings:
    """A temporary SQLite hall; the emptied test PostgreSQL when CI names one."""
    return settings_for_tests(tmp_path)


@pytest.fixture
def hall(settings, web_registry) -> Iterator[Hall]:
    opened = open_hall(settings, web_registry, upgrade=True)
    yield opened
    opened.db.close()


@pytest.fixture
def staff(hall):
    """One stored account per role the tests need; the password is ``PASSWORD``."""
    return {
        "window": accounts.create_staff("window1", "王晓梅", "window_staff", PASSWORD),
        "approver": accounts.create_staff("approver1", "李建国", "approver", PASSWORD,
                                          "webtest"),
        "other_approver": accounts.create_staff("approver2", "周强", "approver", PASSWORD,
                                                "elsewhere"),
        "issuance": accounts.create_staff("issuance1", "陈丽", "issuance", PASSWORD),
        "supervision": accounts.create_staff("super1", "孙敏", "supervision", PASSWORD),
    }


@pytest.fixture
def more_staff(staff):
    """The roles ``staff`` leaves out: a section head, coordination and an administrator."""
    return {**staff,
            "head": accounts.create_staff("head1", "赵科长", "section_head", PASSWORD, "webtest"),
            "coordination": accounts.create_staff("coord1", "钱协调", "coordination", PASSWORD),
            "admin": accounts.create_staff("admin1", "吴管理", "admin", PASSWORD)}


@pytest.fixture
def app(hall):
    return create_app(hall, secure_cookies=False)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def page_queries(client: TestClient, hall: Hall, url: str):
    """(the SQL statements, the response) of one GET of ``url``, which must succeed."""
    with counting_queries(hall.db) as executed:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return executed, response


def csrf_token(client: TestClient, url: str = "/login") -> str:
    """The CSRF token a page's forms carry (GET sets the cookie that goes with it)."""
    response = client.get(url)
    match = CSRF_FIELD.search(response.text)
    assert match, f"no CSRF field on {url}"
    return match.group(1)


@pytest.fixture
def login(client, staff) -> Callable[..., object]:
    """``login("window1")``: sign in through the form; returns the response (a 303)."""

    def sign_in(username: str, password: str = PASSWORD, **extra):
        token = csrf_token(client)
        response = client.post("/login", data={"username": username, "password": password,
                                               "_csrf_token": token, **extra},
                               follow_redirects=False)
        return response

    return sign_in
