"""0002: staff.session_generation, bumped on logout and deactivation to end every session."""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import migrate


def upgrade(db: pw.Database, migrator) -> None:
    migrate(migrator.add_column("staff", "session_generation", pw.IntegerField(default=0)))
