"""0005: an index on audit (action, at), for the month's reads that pick events by kind and
time: repeat visits after a one-time notice, the points named by returns."""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import migrate


def upgrade(db: pw.Database, migrator) -> None:
    migrate(migrator.add_index("audit", ("action", "at"), False))
