"""Back up and restore the hall's database (``onewindow backup PATH`` / ``onewindow restore PATH``).

SQLite is copied with its online backup API inside one read transaction, so the copy is one
consistent snapshot while the service keeps working (WAL: readers never block the writer).
PostgreSQL goes through ``pg_dump -Fc`` and ``pg_restore --single-transaction``.

Nothing is ever left half-done: a backup is written to a temporary file and renamed when
complete; a restore is all or nothing (SQLite: a checked temporary copy moved in by a rename, or
by one write transaction when the database file exists; PostgreSQL: one transaction), and it
refuses to overwrite a database that holds data unless told to. The audit key is not in the
database and so not in the backup: it must be kept separately.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from attrs import frozen

from .errors import OnewindowError

Progress = Callable[[str], None]

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_ARCHIVE_MAGIC = b"PGDMP"
PAGES_PER_STEP = 1024  # 4 MB at the default page size: a progress line every few milliseconds
PG_BIN_ENV = "ONEWINDOW_PG_BIN"
# Tables that exist in every migrated database and say nothing about whether it holds data.
BOOKKEEPING_TABLES = {"schema_migration"}


@frozen
class Restored:
    """What a restore did and what the audit check of the restored database found."""

    database_url: str
    audit_ok: bool
    message: str


def _quiet(progress: Progress | None) -> Progress:
    return progress or (lambda _line: None)


def _percent(progress: Progress, label: str) -> Callable[[int, int, int], None]:
    """A sqlite3 backup callback reporting each whole 10 % once."""
    shown = {-1}

    def report(_status: int, remaining: int, total: int) -> None:
        done = 100 if total == 0 else (total - remaining) * 100 // total
        step = done // 10 * 10
        if step not in shown:
            shown.add(step)
            progress(f"{label}: {step}% ({total - remaining}/{total} pages)")

    return report


def _magic(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(16)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable: the directory entry is flushed too (no-op where unsupported)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _temporary(path: Path, purpose: str) -> Path:
    return path.with_name(f".{path.name}.{purpose}-{os.getpid()}")


def _remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _open_existing(path: Path, mode: str, **kwargs) -> sqlite3.Connection:
    """Open a SQLite file that must exist (``mode`` ``ro`` or ``rw``: never create one)."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode={mode}", uri=True, **kwargs)


def _sqlite_path(url: str) -> Path:
    path = url.removeprefix("sqlite:///")
    if path == url or not path or path == ":memory:":
        raise OnewindowError(f"cannot back up or restore {url!r}: not a SQLite file")
    return Path(path)


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def _integrity(conn: sqlite3.Connection, what: str) -> None:
    result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise OnewindowError(f"{what} fails PRAGMA integrity_check: {'; '.join(result[:3])}")


def _sqlite_tables_with_rows(conn: sqlite3.Connection) -> list[str]:
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return [name for name in names if name not in BOOKKEEPING_TABLES
            and conn.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone()]


# ------------------------------------------------------------------------------ SQLite
def _sqlite_backup(url: str, target: Path, progress: Progress) -> str:
    source = _sqlite_path(url)
    if not source.is_file():
        raise OnewindowError(f"database file {source} does not exist")
    partial = _temporary(target, "partial")
    src = _open_existing(source, "rw", isolation_level=None)
    try:
        src.execute("PRAGMA busy_timeout = 5000")
        # one read transaction for the whole copy: a consistent snapshot that writers in other
        # processes do not restart (in WAL mode they keep writing meanwhile)
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=PAGES_PER_STEP, progress=_percent(progress, "backup"))
            _integrity(dst, "the backup copy")
            dst.execute("PRAGMA journal_mode = delete")  # one self-contained file
            pages = dst.execute("PRAGMA page_count").fetchone()[0]
        finally:
            dst.close()
        src.execute("COMMIT")
        _fsync(partial)
        os.replace(partial, target)
        _fsync_dir(target.parent)
    except sqlite3.DatabaseError as exc:
        _remove(partial)
        raise OnewindowError(f"backup of {source} failed: {exc}") from exc
    except BaseException:
        _remove(partial)
        raise
    finally:
        src.close()
    return f"backup of {source} written to {target}: {pages} pages, integrity ok"


def _sqlite_restore(url: str, backup: Path, force: bool, progress: Progress) -> None:
    target = _sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not force:
        _refuse_if_data(str(target), _sqlite_data(target))
    partial = _temporary(target, "restoring")
    _remove(partial)
    try:
        _copy_checked(backup, partial, progress)
        if target.exists():
            _move_in_by_transaction(partial, target, progress)
        else:
            # a stale log left beside a missing file would be replayed onto the new one
            _remove(Path(f"{target}-wal"), Path(f"{target}-shm"))
            os.replace(partial, target)
            _fsync_dir(target.parent)
    finally:
        _remove(partial, Path(f"{partial}-wal"), Path(f"{partial}-shm"))


def _copy_checked(backup: Path, partial: Path, progress: Progress) -> None:
    """Copy the backup to ``partial`` and check both: a damaged backup stops here."""
    try:
        src = _open_existing(backup, "ro")
        dst = sqlite3.connect(partial)
        try:
            _integrity(src, f"backup {backup}")
            if "audit" not in {r[0] for r in src.execute("SELECT name FROM sqlite_master")}:
                raise OnewindowError(f"{backup} is a SQLite file but not a onewindow database")
            src.backup(dst, pages=PAGES_PER_STEP, progress=_percent(progress, "restore"))
            _integrity(dst, "the restored copy")
            dst.execute("PRAGMA journal_mode = wal")
        finally:
            src.close()
            dst.close()
    except sqlite3.DatabaseError as exc:
        raise OnewindowError(f"backup {backup} cannot be restored: {exc}") from exc
    _fsync(partial)


def _move_in_by_transaction(partial: Path, target: Path, progress: Progress) -> None:
    """Copy the checked copy over an existing database in one write transaction.

    A rename would leave the old file's WAL beside the new one (replayed onto it: corruption)
    and connections still open on the old file; the backup API writes through SQLite's own
    journal, so a crash mid-way leaves the old database as it was.
    """
    progress("restore: replacing the database in one transaction")
    src = _open_existing(partial, "ro")
    try:
        dst = sqlite3.connect(target)
        try:
            dst.execute("PRAGMA busy_timeout = 10000")
            src.backup(dst, pages=-1)  # one step: one transaction on the target
        except sqlite3.DatabaseError as exc:
            raise OnewindowError(f"could not replace {target}: {exc}") from exc
        finally:
            dst.close()
    finally:
        src.close()


def _sqlite_data(path: Path) -> list[str]:
    try:
        conn = _open_existing(path, "ro")
        try:
            return _sqlite_tables_with_rows(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return ["(a file that is not a readable SQLite database)"]


def _refuse_if_data(name: str, tables: list[str]) -> None:
    if tables:
        shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
        raise OnewindowError(f"database {name} holds data (tables {shown}): restore refuses to "
                             "overwrite it; add --force to replace it")


# -------------------------------------------------------------------------- PostgreSQL
def find_pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program (``pg_dump``, ``pg_restore``, ``initdb``...).

    ``ONEWINDOW_PG_BIN`` names the folder when set (and only it is searched); else ``PATH``,
    else the newest ``/usr/lib/postgresql/<version>/bin`` (Debian and Ubuntu).
    """
    folder = os.environ.get(PG_BIN_ENV)
    if folder:
        found = shutil.which(name, path=folder)
        if found:
            return found
        raise OnewindowError(f"{name} not found in {PG_BIN_ENV}={folder}")
    found = shutil.which(name)
    if found:
        return found
    for version in sorted(_installed_pg_bins(), reverse=True):
        candidate = Path(f"/usr/lib/postgresql/{version}/bin") / name
        if os.access(candidate, os.X_OK):
            return str(candidate)
    raise OnewindowError(f"{name} not found: install the PostgreSQL client programs "
                         f"(Debian: apt install postgresql-client) or set {PG_BIN_ENV}")


def _installed_pg_bins() -> list[int]:
    root = Path("/usr/lib/postgresql")
    return [int(p.name) for p in root.iterdir() if p.name.isdigit()] if root.is_dir() else []


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """(the URL without its password, the environment carrying the password): a password never
    appears on a command line, where ``ps`` would show it."""
    parts = urlsplit(url)
    env = dict(os.environ)
    netloc = parts.netloc
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    return urlunsplit(("postgresql", netloc, parts.path, parts.query, "")), env


def _run_pg(args: list[str], env: dict[str, str], progress: Progress, label: str,
            pattern: re.Pattern[str], total: int) -> None:
    """Run a pg_dump/pg_restore with ``--verbose``; relay each table it copies as progress."""
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, errors="replace")
    tail: list[str] = []
    done = 0
    assert process.stderr is not None
    for line in process.stderr:
        match = pattern.search(line)
        if match:
            done += 1
            progress(f"{label}: table {done}/{total} {match.group(1)}")
        elif "error" in line.lower() or "warning" in line.lower():
            tail.append(line.strip())
    if process.wait() != 0:
        detail = " | ".join(tail[-3:]) or f"exit status {process.returncode}"
        raise OnewindowError(f"{Path(args[0]).name} failed: {detail}")


def _pg_tables(url: str) -> tuple[int, list[str]]:
    """(how many tables the database has, the ones holding rows), on a connection of its own:
    the models' binding, which a running hall in this process uses, is left alone."""
    from playhouse.db_url import connect

    db = connect(url.replace("postgresql://", "postgres://", 1))
    try:
        names = [row[0] for row in db.execute_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
        with_rows = [name for name in names if name not in BOOKKEEPING_TABLES
                     and db.execute_sql(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone()]
        return len(names), with_rows
    finally:
        db.close()


def _pg_backup(url: str, target: Path, progress: Progress) -> str:
    pg_dump = find_pg_tool("pg_dump")
    tables, _ = _pg_tables(url)
    dsn, env = _libpq(url)
    partial = _temporary(target, "partial")
    try:
        _run_pg([pg_dump, "--format=custom", "--verbose", f"--file={partial}",
                 f"--dbname={dsn}"], env, progress, "backup",
                re.compile(r'dumping contents of table "?([^"\s]+)"?'), tables)
        _fsync(partial)
        os.replace(partial, target)
        _fsync_dir(target.parent)
    except BaseException:
        _remove(partial)
        raise
    return f"backup of {_safe(url)} written to {target}: {tables} tables (pg_dump -Fc)"


def _pg_restore(url: str, backup: Path, force: bool, progress: Progress) -> None:
    pg_restore = find_pg_tool("pg_restore")
    listing = subprocess.run([pg_restore, "--list", str(backup)], capture_output=True,
                             text=True, errors="replace")
    if listing.returncode != 0:
        raise OnewindowError(f"{backup} is not a readable pg_dump archive: "
                             f"{' '.join(listing.stderr.split())[:200]}")
    total = sum(" TABLE DATA " in line for line in listing.stdout.splitlines())
    tables, with_rows = _pg_tables(url)
    if not force:
        _refuse_if_data(_safe(url), with_rows)
    dsn, env = _libpq(url)
    args = [pg_restore, "--single-transaction", "--exit-on-error", "--no-owner",
            "--no-privileges", "--verbose", f"--dbname={dsn}"]
    if tables:  # existing tables (empty ones, or --force) are replaced in the same transaction
        args += ["--clean", "--if-exists"]
    _run_pg([*args, str(backup)], env, progress, "restore",
            re.compile(r'processing data for table "?([^"\s]+)"?'), total)


def _safe(url: str) -> str:
    """A database URL fit for a message: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


# ------------------------------------------------------------------------------ public
def backup(url: str, target: str | Path, *, overwrite: bool = False,
           progress: Progress | None = None) -> str:
    """Write a backup of the database at ``url`` to ``target``; return a one-line summary.

    The service may keep running. ``target`` appears only once the copy is complete.
    """
    target = Path(target)
    if target.exists() and not overwrite:
        raise OnewindowError(f"{target} exists: choose a new name or add --force")
    if not target.parent.is_dir():
        raise OnewindowError(f"folder {target.parent} does not exist")
    if _is_postgres(url):
        return _pg_backup(url, target, _quiet(progress))
    return _sqlite_backup(url, target, _quiet(progress))


def restore(url: str, source: str | Path, audit_key: bytes, *, force: bool = False,
            progress: Progress | None = None) -> Restored:
    """Restore the backup ``source`` into the database at ``url``, then verify its audit chain.

    Refuses (:class:`OnewindowError`, nothing changed) a database that holds data unless
    ``force``, a file that is not a backup of the right kind, and a damaged backup.
    """
    source = Path(source)
    if not source.is_file():
        raise OnewindowError(f"backup {source} does not exist")
    magic = _magic(source)
    progress = _quiet(progress)
    if _is_postgres(url):
        if not magic.startswith(PG_ARCHIVE_MAGIC):
            raise OnewindowError(f"{source} is not a pg_dump archive (a SQLite backup restores "
                                 "only into a SQLite database)")
        _pg_restore(url, source, force, progress)
    else:
        if magic != SQLITE_MAGIC:
            raise OnewindowError(f"{source} is not a SQLite backup (a pg_dump archive restores "
                                 "only into PostgreSQL)")
        _sqlite_restore(url, source, force, progress)
    return verify_restored(url, audit_key)


def verify_restored(url: str, audit_key: bytes) -> Restored:
    """Run the audit verification on the database at ``url`` (the models are bound to it for
    the check, then to what they were bound to before)."""
    from . import audit
    from .storage import migrate
    from .storage.db import open_database
    from .storage.models import database_proxy

    previous = database_proxy.obj
    db = open_database(url)
    try:
        pending = migrate.pending(db)
        if pending:
            return Restored(url, False, f"restored; its schema needs {', '.join(pending)}: run "
                            "`onewindow db upgrade`, then `onewindow audit verify`")
        result = audit.verify(audit_key)
    finally:
        db.close()
        if previous is not None:
            database_proxy.initialize(previous)
    if result.ok:
        return Restored(url, True, f"restored; {result.message}")
    return Restored(url, False, f"restored, but the audit check fails: {result.message} (is "
                    "ONEWINDOW_AUDIT_KEY the key this backup was written with?)")
