"""Storage: migrations, SQLite settings, atomic writes, and list queries that do not grow."""

import logging

import peewee
import pytest
from conftest import ENTERPRISE
from test_lifecycle import take_in

from onewindow import audit
from onewindow.errors import TransitionRefused
from onewindow.storage import migrate
from onewindow.storage.db import open_database
from onewindow.storage.models import AuditRow, CaseRow, ReviewRow


def test_migrations_are_numbered_applied_once_and_recorded(hall):
    assert migrate.pending(hall.db) == []
    assert migrate.upgrade(hall.db) == []  # second run: nothing to do
    assert migrate.applied(hall.db) == {n for n, _ in migrate.available()}
    assert [n for n, _ in migrate.available()][0] == 1


def test_open_hall_refuses_a_database_with_pending_migrations(onewindow_unmigrated_settings,
                                                              sample_registry):
    from onewindow.services import open_hall

    with pytest.raises(RuntimeError, match="onewindow db upgrade"):
        open_hall(onewindow_unmigrated_settings, sample_registry)


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    migrate.upgrade(db)
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(peewee.IntegrityError):
        ReviewRow.create(case=999, material="m", point="p", outcome="passed")
    db.close()


def test_unsupported_url_is_refused():
    with pytest.raises(ValueError, match="unsupported database URL"):
        open_database("mysql://root@localhost/test")


def test_a_failing_write_leaves_nothing_half_written(hall, staff, monkeypatch):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    rows_before = AuditRow.select().count()

    def broken_append(key, event):
        raise OSError("disk full")

    monkeypatch.setattr(audit, "append", broken_append)
    with pytest.raises(OSError):
        hall.review(staff["window"], case.number, [("lease", "valid", "passed", "")])
    monkeypatch.undo()
    assert hall.get_case(case.number).reviews == ()
    assert AuditRow.select().count() == rows_before
    assert audit.verify(hall.settings.audit_key).ok


def test_refused_action_writes_nothing(hall, staff):
    case = take_in(hall, staff)
    count = AuditRow.select().count()
    with pytest.raises(TransitionRefused):
        hall.act(staff["issuance"], case.number, "issue")
    assert AuditRow.select().count() == count
    assert CaseRow.get(CaseRow.number == case.number).state == "taken_in"


def test_case_numbers_are_daily_and_unique(hall, staff, clock):
    first = hall.open_case(staff["window"], "sample-permit", ENTERPRISE).number
    second = hall.open_case(staff["window"], "sample-permit", ENTERPRISE).number
    clock.advance(days=1)
    third = hall.open_case(staff["window"], "sample-permit", ENTERPRISE).number
    assert (first, second, third) == ("202609280001", "202609280002", "202609290001")


class QueryCounter(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        self.count += 1


def count_queries(function):
    logger = logging.getLogger("peewee")
    counter = QueryCounter()
    old_level = logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        result = function()
    finally:
        logger.removeHandler(counter)
        logger.setLevel(old_level)
    return counter.count, result


def test_listing_cases_costs_the_same_queries_for_3_or_30(hall, staff):
    for _ in range(3):
        take_in(hall, staff)
    few, cases = count_queries(lambda: hall.list_cases())
    assert len(cases) == 3
    for _ in range(27):
        take_in(hall, staff)
    many, cases = count_queries(lambda: hall.list_cases())
    assert len(cases) == 30 and all(c.events for c in cases)
    assert few == many


def test_a_second_hall_on_another_database_is_refused(hall, tmp_path):
    from onewindow.services import Hall

    other = peewee.SqliteDatabase(str(tmp_path / "other.db"))
    with pytest.raises(RuntimeError, match="one Hall per process"):
        Hall(hall.registry, other, hall.settings)


def test_staff_changes_are_chained_into_the_audit_trail(hall):
    from onewindow import accounts

    key = hall.settings.audit_key
    accounts.create_staff("clerk9", "新同事", "window_staff", "long-enough-pw", audit_key=key,
                          by="admin")
    accounts.deactivate("clerk9", audit_key=key, by="admin")
    rows = list(AuditRow.select().where(AuditRow.case_number.is_null()).order_by(AuditRow.seq))
    assert [(r.action, r.actor) for r in rows] == [("staff_create", "admin"),
                                                   ("staff_deactivate", "admin")]
    assert '"username":"clerk9"' in rows[0].data
    assert audit.verify(key).ok
    assert accounts.get_actor("clerk9") is None


def test_upgrading_an_old_database_keeps_its_rows_and_matches_the_models(tmp_path):
    import importlib

    from onewindow.storage.models import ALL_ROWS

    db = open_database(f"sqlite:///{tmp_path / 'old.db'}")
    first = importlib.import_module("onewindow.storage.migrations.m0001_initial")
    with db.bind_ctx([migrate.AppliedMigration]):
        db.create_tables([migrate.AppliedMigration])
        first.upgrade(db, None)
        migrate.AppliedMigration.create(number=1, name="m0001_initial", applied_at="2026-11-01")
    db.execute_sql("INSERT INTO staff (username, display_name, role, password_hash, active) "
                   "VALUES ('old1', '老同事', 'window_staff', 'x', 1)")
    assert migrate.upgrade(db) == ["m0002_staff_session_generation", "m0003_seal_ledger",
                                   "m0004_working_day", "m0005_audit_action_index"]
    assert db.execute_sql("SELECT username, session_generation FROM staff").fetchall() == [
        ("old1", 0)]
    for model in ALL_ROWS:
        stored = {c.name for c in db.get_columns(model._meta.table_name)}
        assert stored == {f.column_name for f in model._meta.sorted_fields}, model
    db.close()


def test_a_lock_wait_is_bounded_on_either_database(hall):
    """A writer queued behind another waits at most the busy timeout, then gets Busy (503)."""
    from onewindow.storage.db import BUSY_TIMEOUT_MS

    if isinstance(hall.db, peewee.PostgresqlDatabase):
        assert hall.db.execute_sql("SHOW lock_timeout").fetchone()[0] == (
            f"{BUSY_TIMEOUT_MS // 1000}s")
    else:
        assert hall.db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
