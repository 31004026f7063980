"""Open the database named by a URL: SQLite (WAL, foreign keys on) or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import peewee
from playhouse.db_url import connect

from .models import database_proxy

SQLITE_PRAGMAS = {
    "journal_mode": "wal",  # readers never block the writer at the window
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
}


def open_database(url: str) -> peewee.Database:
    """Connect by URL and bind the models to it. ``sqlite:///:memory:`` works for tests."""
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        db = connect(url, pragmas=SQLITE_PRAGMAS)
    elif url.startswith(("postgresql", "postgres")):
        db = connect(url.replace("postgresql://", "postgres://", 1))
    else:
        raise ValueError(f"unsupported database URL {url!r}: use sqlite:/// or postgresql://")
    database_proxy.initialize(db)
    return db
