"""Settings from the environment, so one code base serves a laptop demo and a hall's servers.

| variable | meaning | default |
|---|---|---|
| ONEWINDOW_HOME | folder for the SQLite file, keys and uploaded supplements | ./var |
| ONEWINDOW_DATABASE_URL | ``sqlite:///path`` or ``postgresql://user@host:5432/db`` | sqlite:///$ONEWINDOW_HOME/onewindow.db |
| ONEWINDOW_AUDIT_KEY | HMAC key of the audit trail (keep it off the database server) | generated into $ONEWINDOW_HOME/audit.key |
| ONEWINDOW_SECRET_KEY | signs web sessions and CSRF tokens | generated into $ONEWINDOW_HOME/secret.key |
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from attrs import frozen


@frozen
class Settings:
    home: Path
    database_url: str
    audit_key: bytes
    secret_key: bytes

    @property
    def upload_dir(self) -> Path:
        return self.home / "uploads"


def _key(env: Mapping[str, str], name: str, path: Path) -> bytes:
    """A key from the environment, else from a file created once with owner-only access."""
    if env.get(name):
        return env[name].encode("utf-8")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    home = Path(env.get("ONEWINDOW_HOME") or "var").resolve()
    database_url = env.get("ONEWINDOW_DATABASE_URL") or f"sqlite:///{home / 'onewindow.db'}"
    return Settings(
        home=home,
        database_url=database_url,
        audit_key=_key(env, "ONEWINDOW_AUDIT_KEY", home / "audit.key"),
        secret_key=_key(env, "ONEWINDOW_SECRET_KEY", home / "secret.key"),
    )
