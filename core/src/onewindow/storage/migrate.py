"""Apply numbered migrations (``onewindow db upgrade``) on SQLite or PostgreSQL.

peewee's playhouse.migrate supplies the schema operations; this module only finds the
numbered modules, runs the ones not yet applied in order, and records each.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import re

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SchemaMigrator, SqliteMigrator

from . import migrations

_NAME = re.compile(r"^m(\d{4})_\w+$")


class AppliedMigration(pw.Model):
    number = pw.IntegerField(primary_key=True)
    name = pw.CharField(max_length=100)
    applied_at = pw.DateTimeField()

    class Meta:
        table_name = "schema_migration"


def available() -> list[tuple[int, str]]:
    """(number, module name) of every migration shipped, in order."""
    found = []
    for info in pkgutil.iter_modules(migrations.__path__):
        match = _NAME.match(info.name)
        if match:
            found.append((int(match.group(1)), info.name))
    numbers = [n for n, _ in found]
    if len(numbers) != len(set(numbers)):
        raise RuntimeError("two migrations share a number")
    return sorted(found)


def _migrator(db: pw.Database) -> SchemaMigrator:
    if isinstance(db, pw.PostgresqlDatabase):
        return PostgresqlMigrator(db)
    if isinstance(db, pw.SqliteDatabase):
        return SqliteMigrator(db)
    return SchemaMigrator.from_database(db)


def applied(db: pw.Database) -> set[int]:
    with db.bind_ctx([AppliedMigration]):
        if not AppliedMigration.table_exists():
            return set()
        return {row.number for row in AppliedMigration.select()}


def upgrade(db: pw.Database) -> list[str]:
    """Apply what is missing; return the names applied (empty when already current)."""
    done = []
    with db.bind_ctx([AppliedMigration]):
        db.create_tables([AppliedMigration], safe=True)
        current = applied(db)
        for number, name in available():
            if number in current:
                continue
            module = importlib.import_module(f"{migrations.__name__}.{name}")
            with db.atomic():
                module.upgrade(db, _migrator(db))
                AppliedMigration.create(number=number, name=name,
                                        applied_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
            done.append(name)
    return done


def pending(db: pw.Database) -> list[str]:
    current = applied(db)
    return [name for number, name in available() if number not in current]
