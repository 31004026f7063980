"""The real ``onewindow serve`` process on a free port, and window clerks who talk to it over
HTTP as a browser does (login form, CSRF token, intake form): for the crash and outage tests.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from pg_cluster import free_port

from onewindow import accounts
from onewindow.storage import migrate
from onewindow.storage.db import open_database

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "crash-test-password"
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')
CASE_LOCATION = re.compile(r"^/cases/(\d+)\?done=open$")


def prepare_database(url: str, clerks: int) -> list[str]:
    """Migrate the database at ``url`` and add ``clerks`` window clerks; their usernames."""
    db = open_database(url)
    try:
        migrate.upgrade(db)
        names = [f"clerk{i}" for i in range(clerks)]
        for name in names:
            accounts.create_staff(name, f"窗口{name}", "window_staff", PASSWORD)
        return names
    finally:
        db.close()


class HallServer:
    """``onewindow serve`` in its own process, with its own ONEWINDOW_HOME."""

    def __init__(self, home: Path, url: str, *, audit_key: str = "crash-audit-key"):
        self.home = home
        self.url = url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "server.log"
        self.env = {**os.environ, "ONEWINDOW_HOME": str(home), "ONEWINDOW_DATABASE_URL": url,
                    "ONEWINDOW_AUDIT_KEY": audit_key, "ONEWINDOW_SECRET_KEY": "s" * 32}
        self.env.pop("ONEWINDOW_SECURE_COOKIES", None)
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> HallServer:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "onewindow.cli", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port)], cwd=ROOT, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"onewindow serve exited with {self.process.returncode}: "
                                   f"{self.log_tail()}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"onewindow serve did not answer within {timeout} s: "
                           f"{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no goodbye, as when the power goes."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> HallServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Clerk:
    """One browser: its own cookies, signed in through the login form."""

    def __init__(self, base: str, username: str, *, timeout: float = 30):
        self.username = username
        self.http = httpx.Client(base_url=base, timeout=timeout, follow_redirects=False)

    def token(self, path: str) -> str:
        response = self.http.get(path)
        match = CSRF_FIELD.search(response.text)
        if not match:
            raise AssertionError(f"no CSRF field on {path}: {response.status_code}")
        return match.group(1)

    def login(self) -> Clerk:
        response = self.http.post("/login", data={
            "username": self.username, "password": PASSWORD, "_csrf_token": self.token("/login")})
        assert response.status_code == 303, (response.status_code, response.text[:300])
        return self

    def intake(self, item: str, values: dict[str, str], token: str) -> httpx.Response:
        return self.http.post("/intake/new", data={**values, "item": item,
                                                   "_csrf_token": token})

    def close(self) -> None:
        self.http.close()


def opened_number(response: httpx.Response) -> str | None:
    """The case number of an acknowledged intake (303 to the new case), else None."""
    if response.status_code != 303:
        return None
    match = CASE_LOCATION.match(response.headers.get("location", ""))
    return match.group(1) if match else None
