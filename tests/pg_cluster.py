"""A private, throwaway PostgreSQL cluster on a free port, for tests that stop and start it.

The shared test server is never stopped (other suites run on it); this cluster lives in a
temporary folder and is removed afterwards. ``initdb`` refuses to run as root, so as root the
programs run as the ``postgres`` user (``runuser``), in a folder that user owns.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from onewindow.backup import find_pg_tool
from onewindow.errors import OnewindowError


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pg_bin_dir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``, or None when PostgreSQL is not installed."""
    try:
        return Path(find_pg_tool("pg_ctl")).resolve().parent
    except OnewindowError:
        return None


class Cluster:
    """``with Cluster(bin_dir) as pg: ... pg.stop() ... pg.start()``; ``pg.url(db)``."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="onewindow-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): "
                               f"{result.stderr.strip() or result.stdout.strip()}")
        return result

    def __enter__(self) -> Cluster:
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        self.start()
        return self

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=60")
        self._run("pg_ctl", "start", "-w", "-t", "30", "-D", str(self.data), "-l",
                  str(self.log), "-o", options)

    def stop(self) -> None:
        """A fast shutdown: open sessions are ended, as when a hall's database is restarted."""
        self._run("pg_ctl", "stop", "-w", "-t", "30", "-m", "fast", "-D", str(self.data))

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def __exit__(self, *exc) -> None:
        try:
            self._run("pg_ctl", "stop", "-w", "-t", "30", "-m", "immediate", "-D",
                      str(self.data))
        except (RuntimeError, subprocess.TimeoutExpired):
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)
