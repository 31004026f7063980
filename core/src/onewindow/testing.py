"""A pytest plugin that lets a section test its own plugin in a few lines.

Installed with the core (entry point ``pytest11``), so any test session has these fixtures::

    def test_my_section(onewindow_check_plugin):
        onewindow_check_plugin("planning")          # loads, catalogue complete, look-ups answer

    def test_intake(onewindow_hall, onewindow_actor):
        clerk = onewindow_actor("window_staff")
        case = onewindow_hall.open_case(clerk, "plan-permit", {...})

The database is a fresh SQLite file per test, or the PostgreSQL database named by
``ONEWINDOW_TEST_DATABASE_URL`` (emptied before each test). When that variable is set and the
database cannot be reached, tests fail: they never skip.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .case import Actor, Role
from .config import Settings
from .plugins import Registry, load_registry
from .services import Hall, open_hall

TEST_DATABASE_ENV = "ONEWINDOW_TEST_DATABASE_URL"


def _reset_postgres(url: str) -> None:
    import peewee
    from playhouse.db_url import connect

    db = connect(url.replace("postgresql://", "postgres://", 1))
    try:
        db.connect()
    except peewee.OperationalError as exc:
        raise RuntimeError(f"{TEST_DATABASE_ENV}={url} is set but unreachable: {exc}") from exc
    with db:
        db.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
        db.execute_sql("CREATE SCHEMA public")


def settings_for_tests(home: Path) -> Settings:
    """Settings on a fresh database: SQLite under ``home``, or the emptied test PostgreSQL."""
    url = os.environ.get(TEST_DATABASE_ENV, "")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{home / 'onewindow-test.db'}"
    return Settings(home=home, database_url=url, audit_key=b"test-audit-key",
                    secret_key=b"test-secret-key-" * 2)


@pytest.fixture
def onewindow_settings(tmp_path) -> Settings:
    return settings_for_tests(tmp_path)


@pytest.fixture(scope="session")
def onewindow_registry() -> Registry:
    """Every installed plugin, loaded through its entry point as in production."""
    return load_registry()


@pytest.fixture
def onewindow_hall(onewindow_settings, onewindow_registry) -> Iterator[Hall]:
    hall = open_hall(onewindow_settings, onewindow_registry, upgrade=True)
    yield hall
    hall.db.close()


@pytest.fixture
def onewindow_actor() -> Callable[..., Actor]:
    """``onewindow_actor(role, section=None)``: an actor without a stored account."""

    def make(role: str | Role, section: str | None = None, username: str | None = None
             ) -> Actor:
        role = Role(role)
        return Actor(username=username or f"test_{role.value}", role=role, section=section,
                     display_name=f"测试{role.value}")

    return make


def _sandbox_folder(config: pytest.Config) -> Path | None:
    root = Path(config.rootpath)
    for candidate in (root / "fixtures" / "sandbox", root.parent / "fixtures" / "sandbox",
                      root.parent.parent / "fixtures" / "sandbox"):
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def onewindow_sandbox(request) -> Iterator[str]:
    """The sandbox networks from ``fixtures/sandbox`` on a free localhost port; its base URL.

    ``ONEWINDOW_SANDBOX_URL`` is set for the session, so every look-up without its own URL
    queries the sandbox.
    """
    from .sandbox import start_in_thread

    folder = _sandbox_folder(request.config)
    if folder is None:
        pytest.fail("no fixtures/sandbox folder found above the test root")
    server, url = start_in_thread(folder)
    previous = os.environ.get("ONEWINDOW_SANDBOX_URL")
    os.environ["ONEWINDOW_SANDBOX_URL"] = url
    yield url
    server.shutdown()
    if previous is None:
        os.environ.pop("ONEWINDOW_SANDBOX_URL", None)
    else:
        os.environ["ONEWINDOW_SANDBOX_URL"] = previous


def check_plugin(registry: Registry, plugin: str) -> dict[str, int]:
    """Assert what every section plugin must satisfy; return counts for the test to report.

    The plugin is loaded (through its entry point when it is installed), supplies a section
    and items of that section, and each item's materials, deferrals and forms are complete.
    Structural rules (review points present, samples covering every field, known networks)
    are already enforced while loading; this adds what spans the whole plugin.
    """
    sections = [code for key, owner in registry.owners.items()
                if owner == plugin and key.startswith("section:")
                for code in [key.removeprefix("section:")]]
    assert sections, f"plugin {plugin!r} supplies no section (is it installed?)"
    items = [registry.catalogue.items[key.removeprefix("item:")]
             for key, owner in registry.owners.items()
             if owner == plugin and key.startswith("item:")]
    assert items, f"plugin {plugin!r} supplies no approval items"
    materials = points = 0
    for item in items:
        assert item.section in sections, f"item {item.code} names another plugin's section"
        for material in item.materials:
            materials += 1
            points += len(material.review_points)
            assert material.hard_points, (
                f"item {item.code} material {material.code} marks no hard requirement")
    return {"sections": len(sections), "items": len(items), "materials": materials,
            "review_points": points}


@pytest.fixture
def onewindow_check_plugin(onewindow_registry, onewindow_sandbox) -> Callable[[str], dict]:
    """``onewindow_check_plugin(name)``: :func:`check_plugin`, plus every look-up the plugin
    supplies answers the sandbox (found or not found, never unavailable)."""
    from .lookups import LookupStatus

    def check(plugin: str) -> dict[str, int]:
        counts = check_plugin(onewindow_registry, plugin)
        for network, lookup in onewindow_registry.lookups.items():
            if onewindow_registry.owners["network:" + network] != plugin:
                continue
            result = lookup.query({p.name: "0" for p in lookup.params}, case_number="TEST")
            assert result.status in (LookupStatus.FOUND, LookupStatus.NOT_FOUND), (
                f"look-up {network} did not answer from the sandbox: {result.message}")
        return counts

    return check
