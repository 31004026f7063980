"""``onewindow backup`` / ``onewindow restore`` on SQLite and PostgreSQL, run as a user runs them.

Each test runs on the suite's database (a SQLite file, or the test PostgreSQL with CI) and
restores into a second one: another SQLite file, or ``<test database>_restore`` on the same
PostgreSQL server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import peewee
import pytest
from conftest import ENTERPRISE, PERSON
from playhouse.db_url import connect
from test_lifecycle import take_in

from onewindow import audit, backup
from onewindow.testing import TEST_DATABASE_ENV

ROOT = Path(__file__).resolve().parents[1]
KEY = "test-audit-key"  # the key of the ``hall`` fixture's settings


def run(*args, home, url, key=KEY, env_extra=None):
    env = {**os.environ, "ONEWINDOW_HOME": str(home), "ONEWINDOW_AUDIT_KEY": key,
           "ONEWINDOW_SECRET_KEY": "cli-test-secret", "ONEWINDOW_DATABASE_URL": url,
           **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "onewindow.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _postgres(url: str) -> peewee.Database:
    return connect(url.replace("postgresql://", "postgres://", 1))


@pytest.fixture
def second_url(tmp_path):
    """An empty second database of the suite's kind, to restore into."""
    url = os.environ.get(TEST_DATABASE_ENV, "")
    if not url:
        return f"sqlite:///{tmp_path / 'restored' / 'onewindow.db'}"
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_restore"
    server = _postgres(urlunsplit(parts._replace(path="/postgres")))
    server.connect()  # not ``with server``: that opens a transaction, and CREATE DATABASE
    try:              # cannot run inside one
        exists = server.execute_sql("SELECT 1 FROM pg_database WHERE datname = %s",
                                    (name,)).fetchone()
        if not exists:
            server.execute_sql(f'CREATE DATABASE "{name}"')
    finally:
        server.close()
    second = urlunsplit(parts._replace(path=f"/{name}"))
    db = _postgres(second)
    with db:
        db.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
        db.execute_sql("CREATE SCHEMA public")
    return second


@pytest.fixture
def filled(hall, staff):
    """The suite's database with cases in several states; their numbers and states."""
    for applicant in (ENTERPRISE, PERSON, ENTERPRISE):
        take_in(hall, staff)
        hall.open_case(staff["window"], "sample-permit", applicant)
    case = take_in(hall, staff)
    hall.act(staff["approver"], case.number, "accept")
    hall.db.close()
    return _cases(hall.settings.database_url)


def _cases(url: str) -> dict[str, str]:
    """Number → state of every case at ``url``, read on a connection of its own (the models
    stay bound to the hall's database)."""
    db = connect(url.replace("postgresql://", "postgres://", 1))
    try:
        return dict(db.execute_sql('SELECT number, state FROM "case"').fetchall())
    finally:
        db.close()


def _suffix(url: str) -> str:
    return ".dump" if url.startswith("postgres") else ".db"


def test_backup_and_restore_into_an_empty_database_keeps_every_case(hall, filled, second_url,
                                                                    tmp_path):
    url = hall.settings.database_url
    path = tmp_path / f"hall #1?{_suffix(url)}"  # characters a file URI must escape
    made = run("backup", str(path), home=tmp_path, url=url)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("backup of ") and str(path) in made.stdout
    assert "backup: " in made.stderr  # progress lines: pages or tables copied
    assert path.is_file() and not list(tmp_path.glob(".*partial*"))

    restored = run("restore", str(path), home=tmp_path, url=second_url)
    assert restored.returncode == 0, restored.stderr
    assert "restore: " in restored.stderr
    assert restored.stdout.strip() == (
        f"restored; audit trail intact: 16 rows, {len(filled)} cases consistent")
    assert _cases(second_url) == filled and len(filled) == 7
    print(f"\nbackup/restore: {len(filled)} cases, 16 audit rows round-tripped on "
          f"{url.split(':')[0]}")


def test_restore_refuses_a_database_holding_data_unless_forced(hall, staff, filled, tmp_path):
    url = hall.settings.database_url
    path = tmp_path / f"hall{_suffix(url)}"
    assert run("backup", str(path), home=tmp_path, url=url).returncode == 0
    again = run("backup", str(path), home=tmp_path, url=url)
    assert again.returncode == 1 and "exists" in again.stderr

    hall.db.connect(reuse_if_open=True)
    spare = hall.open_case(staff["window"], "sample-permit", PERSON)  # written after the backup
    hall.db.close()
    refused = run("restore", str(path), home=tmp_path, url=url)
    assert refused.returncode == 1
    assert refused.stderr.startswith("onewindow: error: database ")
    assert "holds data" in refused.stderr and "--force" in refused.stderr
    assert spare.number in _cases(url)  # nothing was touched

    forced = run("restore", "--force", str(path), home=tmp_path, url=url)
    assert forced.returncode == 0, forced.stderr
    assert "audit trail intact" in forced.stdout
    assert _cases(url) == filled  # back to the backup: the later case is gone


def test_restore_with_another_audit_key_reports_the_broken_chain(hall, filled, second_url,
                                                                 tmp_path):
    url = hall.settings.database_url
    path = tmp_path / f"hall{_suffix(url)}"
    assert run("backup", str(path), home=tmp_path, url=url).returncode == 0
    result = run("restore", str(path), home=tmp_path, url=second_url, key="another-key")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("onewindow: error: restored, but the audit check fails: "
                           "audit row seq 1")
    assert "ONEWINDOW_AUDIT_KEY" in last
    assert _cases(second_url) == filled  # the data is there; the report says it cannot be trusted


def test_a_damaged_backup_changes_nothing(hall, staff, filled, tmp_path):
    url = hall.settings.database_url
    path = tmp_path / f"hall{_suffix(url)}"
    assert run("backup", str(path), home=tmp_path, url=url).returncode == 0
    data = path.read_bytes()
    damaged = tmp_path / f"damaged{_suffix(url)}"
    damaged.write_bytes(data[: len(data) * 2 // 3])
    hall.db.connect(reuse_if_open=True)
    later = hall.open_case(staff["window"], "sample-permit", PERSON)
    hall.db.close()

    result = run("restore", "--force", str(damaged), home=tmp_path, url=url)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("onewindow: error: ")
    assert _cases(url) == {**filled, later.number: "consultation"}  # not half-restored
    assert not [p for p in tmp_path.rglob(".*") if "restoring" in p.name]
    hall.db.connect(reuse_if_open=True)
    assert audit.verify(KEY.encode()).ok


def test_backup_while_cases_are_written_is_one_consistent_snapshot(hall, staff, second_url,
                                                                   tmp_path):
    """The service keeps writing during the copy; the copy verifies as a whole."""
    take_in(hall, staff)
    stop = threading.Event()
    written = []

    def writer():
        while not stop.is_set():
            written.append(hall.open_case(staff["window"], "sample-permit", ENTERPRISE).number)
        hall.db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        lines = []
        path = tmp_path / f"online{_suffix(hall.settings.database_url)}"
        summary = backup.backup(hall.settings.database_url, path, progress=lines.append)
    finally:
        stop.set()
        thread.join()
    assert summary.startswith("backup of ") and lines
    restored = backup.restore(second_url, path, KEY.encode())
    assert restored.audit_ok, restored.message
    copied = _cases(second_url)
    assert 20 < len(copied) <= len(written) + 1
    print(f"\nonline backup: {len(copied) - 1} of {len(written)} cases written during the "
          "copy are in it, audit chain intact")


def test_missing_or_mismatched_tools_and_files_are_one_clear_line(tmp_path):
    pg = "postgresql://nobody@127.0.0.1:1/nowhere"
    sqlite = f"sqlite:///{tmp_path / 'x.db'}"
    missing = run("backup", str(tmp_path / "b.dump"), home=tmp_path, url=pg,
                  env_extra={"ONEWINDOW_PG_BIN": str(tmp_path)})
    assert missing.returncode == 1
    assert missing.stderr == f"onewindow: error: pg_dump not found in ONEWINDOW_PG_BIN={tmp_path}\n"

    unreachable = run("audit", "verify", home=tmp_path, url=pg)
    assert unreachable.returncode == 1 and unreachable.stderr.count("\n") == 1
    assert unreachable.stderr.startswith("onewindow: error: 系统繁忙，请重试: ")
    assert '"127.0.0.1", port 1' in unreachable.stderr  # the cause, too

    sqlite_backup = tmp_path / "sqlite-backup.db"
    sqlite_backup.write_bytes(backup.SQLITE_MAGIC + bytes(100))
    into_pg = run("restore", str(sqlite_backup), home=tmp_path, url=pg)
    assert into_pg.returncode == 1 and "not a pg_dump archive" in into_pg.stderr
    archive = tmp_path / "archive.dump"
    archive.write_bytes(backup.PG_ARCHIVE_MAGIC + bytes(100))
    into_sqlite = run("restore", str(archive), home=tmp_path, url=sqlite)
    assert into_sqlite.returncode == 1 and "not a SQLite backup" in into_sqlite.stderr
    nothing = run("restore", str(tmp_path / "absent.db"), home=tmp_path, url=sqlite)
    assert nothing.stderr.endswith("does not exist\n") and nothing.stderr.count("\n") == 1
    assert not (tmp_path / "x.db").exists()
