"""Open the database named by a URL: SQLite (WAL, foreign keys on) or PostgreSQL.

Writers wait, they don't fail
-----------------------------
Every write transaction on SQLite begins ``BEGIN IMMEDIATE``: it takes the write lock before
its first read, so a second writer *waits* (up to ``busy_timeout``) instead of failing. A
deferred ``BEGIN`` would read first and ask for the lock later; SQLite refuses that upgrade at
once with "database is locked" when another writer committed in between, whatever the busy
timeout. ``db.atomic()`` everywhere in core therefore needs no lock type of its own; a nested
``atomic()`` stays a savepoint. On PostgreSQL ``SELECT … FOR UPDATE`` does the same job.

When the wait runs out, when PostgreSQL cannot be reached or drops the connection, or when it
gives up a transaction (serialization failure, deadlock), every statement raises one error,
:class:`onewindow.errors.Busy` ("系统繁忙，请重试"): nothing was stored and the step may be
tried again. A lost connection is discarded, so the next statement of that thread connects
afresh (the service comes back by itself when PostgreSQL does).

SQLite settings, chosen by measurement (``benchmarks/sqlite_settings.py``, sixteen writers;
results and reasons in ``benchmarks/results/2026-12-04-sqlite-settings.md``):

- ``synchronous = FULL``: in WAL mode every commit fsyncs the log, so an acknowledged write
  survives a power cut or an OS crash, not only a killed process. ``NORMAL`` syncs only at a
  checkpoint: the last commits before a power cut may vanish after the clerk saw them saved.
  Measured cost: a step's median from ~7 to ~11 ms, ~110 to ~70-90 write transactions a
  second, still far above a hall's peak of a few a second.
- ``wal_autocheckpoint = 1000`` pages (SQLite's default, ~4 MB of log): 4000 did not raise
  throughput beyond noise and lets the log grow four times larger.
- ``busy_timeout = 15000`` ms: SQLite's busy handler retries rather than queueing writers
  fairly, so with sixteen writers on a loaded 2-core machine one step waited up to ~5 s for the
  lock; 5 s would have been at the edge, 15 s leaves three times that before "系统繁忙".
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import peewee
from playhouse.db_url import parse

from ..errors import Busy
from .models import database_proxy

BUSY_TIMEOUT_MS = 15000
PG_CONNECT_TIMEOUT = 5  # seconds
# order matters: the busy timeout is in force before switching to WAL (which takes a lock)
SQLITE_PRAGMAS = (
    ("busy_timeout", BUSY_TIMEOUT_MS),
    ("journal_mode", "wal"),  # readers never block the writer at the window
    ("synchronous", "full"),  # an acknowledged write survives power loss (see above)
    ("wal_autocheckpoint", 1000),
    ("foreign_keys", 1),
)

_BUSY, _LOST = "busy", "lost"
# PostgreSQL SQLSTATEs: the step may simply be tried again (nothing was stored) ...
_PG_RETRY = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available
# ... and those after which the connection is gone (class 08, shutdown, too many connections)
_PG_LOST_PREFIXES = ("08", "57P", "53300")


def _driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception, which peewee wraps as its first argument."""
    if exc.args and isinstance(exc.args[0], BaseException):
        return exc.args[0]
    return exc.__cause__ or exc.__context__ or exc


def classify(exc: BaseException) -> str | None:
    """``"busy"`` (try again, the connection is fine), ``"lost"`` (try again on a new
    connection) or None (a real error, for the caller)."""
    if not isinstance(exc, (peewee.OperationalError, peewee.InterfaceError)):
        return None
    orig = _driver_error(exc)
    if isinstance(orig, sqlite3.Error):
        code = (getattr(orig, "sqlite_errorcode", 0) or 0) & 0xFF
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(orig):
            return _BUSY
        return None
    if not type(orig).__module__.startswith("psycopg"):
        return None
    code = getattr(orig, "pgcode", None) or getattr(orig, "sqlstate", None)
    if code in _PG_RETRY:
        return _BUSY
    if code is None or code.startswith(_PG_LOST_PREFIXES):
        # no SQLSTATE: the driver lost the server (refused, reset, closed)
        if type(orig).__name__ in ("OperationalError", "InterfaceError") or code:
            return _LOST
    return None


class _WaitOrBusy:
    """Turns lock timeouts and lost connections into :class:`Busy` and discards a dead
    connection once no transaction is open on it, so the next statement reconnects."""

    def _busy(self, exc: BaseException) -> None:
        kind = classify(exc)
        if kind is None:
            return
        if kind == _LOST and not self.in_transaction():
            self._discard()
        raise Busy(str(exc)) from exc

    def _discard(self) -> None:
        conn = self._state.conn
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
        self._state.reset()

    def connect(self, reuse_if_open=False):
        try:
            return super().connect(reuse_if_open)
        except (peewee.OperationalError, peewee.InterfaceError) as exc:
            if classify(exc) is not None:
                self._state.reset()
                raise Busy(str(exc)) from exc
            raise

    def _guarded(self, call, *args, again_if_lost: bool = False, **kwargs):
        """``call`` with the driver's lock and connection errors as :class:`Busy`.

        ``again_if_lost``: a statement that wrote nothing (a read, a BEGIN) on a connection the
        server closed while it sat idle is tried once more on a new connection."""
        try:
            return call(*args, **kwargs)
        except (peewee.OperationalError, peewee.InterfaceError) as exc:
            if again_if_lost and classify(exc) == _LOST and not self.in_transaction():
                self._discard()
                return self._guarded(call, *args, **kwargs)
            self._busy(exc)
            raise

    def execute_sql(self, sql, params=None):
        return self._guarded(super().execute_sql, sql, params,
                             again_if_lost=sql.lstrip()[:6].upper() == "SELECT")

    def begin(self, *args, **kwargs):
        return self._guarded(super().begin, *args, again_if_lost=True, **kwargs)

    def commit(self):
        return self._guarded(super().commit)

    def rollback(self):
        return self._guarded(super().rollback)


class HallSqliteDatabase(_WaitOrBusy, peewee.SqliteDatabase):
    """SQLite whose every transaction begins IMMEDIATE (see the module's docstring)."""

    def __init__(self, database, **kwargs):
        kwargs.setdefault("lock_type", "IMMEDIATE")
        kwargs.setdefault("pragmas", SQLITE_PRAGMAS)
        kwargs.setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
        super().__init__(database, **kwargs)


class HallPostgresqlDatabase(_WaitOrBusy, peewee.PostgresqlDatabase):
    """PostgreSQL whose lost connections and retryable failures raise :class:`Busy`."""


def open_database(url: str) -> peewee.Database:
    """Connect by URL and bind the models to it. ``sqlite:///:memory:`` works for tests."""
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        db = HallSqliteDatabase(**parse(url))
    elif url.startswith(("postgresql", "postgres")):
        params = parse(url.replace("postgresql://", "postgres://", 1))
        # an unreachable server answers "busy" after this long instead of holding the request
        # for the operating system's TCP timeout (minutes); ``?connect_timeout=N`` overrides
        params.setdefault("connect_timeout", PG_CONNECT_TIMEOUT)
        # a writer queued behind another's row lock waits as long as on SQLite, then gets
        # "busy" (SQLSTATE 55P03) instead of holding the request for as long as the other runs
        params.setdefault("options", f"-c lock_timeout={BUSY_TIMEOUT_MS}")
        db = HallPostgresqlDatabase(**params)
    else:
        raise ValueError(f"unsupported database URL {url!r}: use sqlite:/// or postgresql://")
    database_proxy.initialize(db)
    return db
