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

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from .case import Actor, Role
from .config import Settings
from .plugins import Registry, load_registry
from .services import Hall, open_hall

TEST_DATABASE_ENV = "ONEWINDOW_TEST_DATABASE_URL"


def _reset_postgres(url: str, *, keep_schema: bool) -> None:
    """Empty the test PostgreSQL database.

    Re-creating the schema and running every migration costs ~0.2 s a test; when the schema
    is already at the newest migration and ``keep_schema`` is set, its rows are truncated
    instead (~10 ms). Tests that need a database without tables pass ``keep_schema=False``.
    """
    import peewee
    from playhouse.db_url import connect

    from .storage import migrate

    db = connect(url.replace("postgresql://", "postgres://", 1))
    try:
        db.connect()
    except peewee.OperationalError as exc:
        raise RuntimeError(f"{TEST_DATABASE_ENV}={url} is set but unreachable: {exc}") from exc
    with db:
        tables = [t for t in db.get_tables() if t != migrate.AppliedMigration._meta.table_name]
        if keep_schema and tables and not migrate.pending(db):
            quoted = ", ".join(f'"{t}"' for t in tables)
            db.execute_sql(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
            return
        db.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
        db.execute_sql("CREATE SCHEMA public")


class QueryLog(list):
    """The SQL statements run inside :func:`counting_queries`, in order."""


@contextlib.contextmanager
def counting_queries(db) -> Iterator[QueryLog]:
    """Record every statement ``db`` runs in the block: for tests that a page or a list costs
    the same number of queries however long it is::

        with counting_queries(hall.db) as few:
            hall.queue(limit=10)
    """
    log = QueryLog()
    original = db.execute_sql

    def counting(sql, *args, **kwargs):
        log.append(sql)
        return original(sql, *args, **kwargs)

    db.execute_sql = counting
    try:
        yield log
    finally:
        del db.execute_sql


def settings_for_tests(home: Path, *, keep_schema: bool = True) -> Settings:
    """Settings on an empty database: a new SQLite file under ``home``, or the test PostgreSQL
    with no rows left (with no tables at all when ``keep_schema`` is False)."""
    url = os.environ.get(TEST_DATABASE_ENV, "")
    if url:
        _reset_postgres(url, keep_schema=keep_schema)
    else:
        url = f"sqlite:///{home / 'onewindow-test.db'}"
    return Settings(home=home, database_url=url, audit_key=b"test-audit-key",
                    secret_key=b"test-secret-key-" * 2)


def pytest_configure(config: pytest.Config) -> None:
    """Staff passwords are hashed with argon2's cheapest parameters in tests: the defaults
    cost ~0.15 s a hash, and most web tests create five accounts and sign in."""
    from argon2 import PasswordHasher

    from .accounts import use_password_hasher

    use_password_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    _hypothesis_profile()


def _hypothesis_profile() -> None:
    """On CI (``CI`` set) property tests draw the same examples every run, so a red run can be
    repeated and a green one is not luck; locally they keep exploring new examples."""
    try:
        from hypothesis import settings
    except ImportError:  # a section testing its plugin without hypothesis
        return
    settings.register_profile("onewindow-ci", derandomize=True, print_blob=True)
    if os.environ.get("CI"):
        settings.load_profile("onewindow-ci")


@pytest.fixture
def onewindow_settings(tmp_path) -> Settings:
    """Settings on an empty database (its schema may already be migrated)."""
    return settings_for_tests(tmp_path)


@pytest.fixture
def onewindow_unmigrated_settings(tmp_path) -> Settings:
    """Settings on a database without any table: for tests of migrations and start-up."""
    return settings_for_tests(tmp_path, keep_schema=False)


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


_CODE_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")
_ID_SHAPE = re.compile(r"^[1-8]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]$")


def check_catalogue_text(text: str, *, not_codes: Iterable[str] = ()) -> int:
    """What loading cannot see in a catalogue file; returns how many codes were checked.

    Every form field spells exactly name, requirement, note and sample, none empty; every
    18-character token is a valid resident ID number (python-stdnum ``cn.ric``) or unified
    social credit code (``cn.uscc``, and the embedded organisation code's own GB 11714 check
    character, positions 9-17), unless listed in ``not_codes`` (a permit number that merely
    looks like one).
    """
    import tomllib

    from stdnum.cn import ric, uscc

    from .inputs import credit_code_problem

    raw = tomllib.loads(text)
    for item in raw.get("items", []):
        for form in item.get("forms", []):
            for field in form.get("fields", []):
                assert set(field) == {"name", "requirement", "note", "sample"}, (
                    f"item {item.get('code')} form {form.get('code')}: field {field}")
                assert all(str(v).strip() for v in field.values()), (
                    f"item {item.get('code')} form {form.get('code')}: empty part in {field}")
    checked = 0
    skip = set(not_codes)
    for token in set(_CODE_TOKEN.findall(text)) - skip:
        if _ID_SHAPE.match(token):
            assert ric.is_valid(token), f"{token} fails its checksum (python-stdnum)"
        else:
            assert uscc.is_valid(token), f"{token} fails its checksum (python-stdnum)"
            assert not credit_code_problem(token), (
                f"{token}: the organisation code (positions 9-17) fails its GB 11714 check "
                "character; make one with onewindow.inputs.with_check_chars")
        checked += 1
    return checked


def check_sandbox_answers(registry: Registry, plugin: str, folder: Path) -> int:
    """Each network the plugin supplies finds its first sandbox record and not a made-up one.

    Returns the number of networks checked.
    """
    import json

    from .lookups import LookupStatus

    checked = 0
    for network, lookup in registry.lookups.items():
        if registry.owners["network:" + network] != plugin:
            continue
        path = folder / f"{network}.json"
        assert path.is_file(), f"network {network} has no sandbox file {path}"
        record = json.loads(path.read_text(encoding="utf-8"))["records"][0]
        query = {p.name: str(record[p.name]) for p in lookup.params}
        found = lookup.query(query, case_number="TEST")
        assert found.status is LookupStatus.FOUND, f"{network}: {found.message}"
        assert dict(found.record) == record
        missing = lookup.query({p.name: "NO-SUCH-RECORD" for p in lookup.params},
                               case_number="TEST")
        assert missing.status is LookupStatus.NOT_FOUND, f"{network}: {missing.message}"
        checked += 1
    return checked


@pytest.fixture
def onewindow_check_plugin(onewindow_registry, onewindow_sandbox, request
                           ) -> Callable[..., dict]:
    """``onewindow_check_plugin(name, not_codes=())``: everything every section must satisfy.

    :func:`check_plugin` (loaded, a section, complete items), :func:`check_catalogue_text` on
    the plugin's ``catalogue.toml`` when it ships one, and :func:`check_sandbox_answers` for
    each network it supplies. Returns the counts.
    """
    from importlib.resources import files

    def check(plugin: str, not_codes: Iterable[str] = ()) -> dict[str, int]:
        counts = check_plugin(onewindow_registry, plugin)
        module = onewindow_registry.pm.get_plugin(plugin)
        resource = files(module.__name__) / "catalogue.toml" if module else None
        if resource is not None and resource.is_file():
            counts["codes"] = check_catalogue_text(resource.read_text(encoding="utf-8"),
                                                   not_codes=not_codes)
        counts["networks"] = check_sandbox_answers(onewindow_registry, plugin,
                                                   _sandbox_folder(request.config))
        return counts

    return check
