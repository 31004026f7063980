"""PostgreSQL stopped and started under load: clear "try again" pages meanwhile, no stuck
connections, and the service back by itself afterwards.

The shared test server is never stopped: the test makes a private throwaway cluster (``initdb``
into a temporary folder, ``pg_ctl`` on a free port), runs the real ``onewindow serve`` process
against it, and stops and starts that cluster while clerks keep working. It runs in the
PostgreSQL pass of the suite; there (and whenever ``CI`` is set) missing PostgreSQL programs
fail it instead of skipping it.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter

import httpx
import pytest
from conftest import ENTERPRISE
from hall_server import Clerk, HallServer, opened_number, prepare_database
from pg_cluster import Cluster, pg_bin_dir
from playhouse.db_url import connect

from onewindow import audit
from onewindow.storage.db import open_database
from onewindow.storage.models import AuditRow, CaseRow, database_proxy
from onewindow.testing import TEST_DATABASE_ENV

CLERKS = 6
CLIENT_TIMEOUT = 20  # seconds: a request still unanswered by then is stuck
STUCK_AFTER = 10  # seconds: no answer, even "try again", may take longer while PostgreSQL is down
BUSY_TEXT = "系统繁忙，请重试"
AUDIT_KEY = "outage-audit-key"


@pytest.fixture
def cluster():
    if not os.environ.get(TEST_DATABASE_ENV, "").startswith("postgres"):
        pytest.skip("PostgreSQL-only: runs in the PostgreSQL pass (ONEWINDOW_TEST_DATABASE_URL)")
    bin_dir = pg_bin_dir()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        message = f"no PostgreSQL server programs (initdb, pg_ctl) found (looked in {bin_dir})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with Cluster(bin_dir) as pg:
        yield pg


@pytest.fixture
def enterprise_item(onewindow_registry) -> str:
    return next(code for code, item in sorted(onewindow_registry.catalogue.items.items())
                if "enterprise" in {kind.value for kind in item.applicant_kinds})


class Load:
    """Clerks taking in cases and opening them, each in a thread, until told to stop; every
    answer recorded with the phase it was sent in and how long it took."""

    def __init__(self, clerks: list[Clerk], tokens: list[str], item: str):
        self.clerks, self.tokens, self.item = clerks, tokens, item
        self.phase = "before"
        self.records: list[tuple[str, str, str, float]] = []  # phase, kind, outcome, seconds
        self.busy_pages_checked = 0
        self.acknowledged: set[str] = set()
        self.problems: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._work, args=(i,))
                         for i in range(len(clerks))]

    def _record(self, phase: str, kind: str, response: httpx.Response | None, started: float,
                ) -> None:
        elapsed = time.monotonic() - started
        outcome = "stuck" if response is None else str(response.status_code)
        if response is not None and response.status_code == 503:
            page = response.text
            if BUSY_TEXT not in page or "retry-after" not in response.headers:
                self.problems.append(f"503 without the busy page or Retry-After: {page[:200]}")
            self.busy_pages_checked += 1
        with self._lock:
            self.records.append((phase, kind, outcome, elapsed))

    def _work(self, index: int) -> None:
        clerk, token = self.clerks[index], self.tokens[index]
        last_case = ""
        n = 0
        while not self._stop.is_set():
            n += 1
            phase, started = self.phase, time.monotonic()
            values = {**ENTERPRISE, "name": f"鞍山市停库测试{index:02d}{n:04d}号有限公司"}
            try:
                response = clerk.intake(self.item, values, token)
            except httpx.TimeoutException:
                response = None
            self._record(phase, "intake", response, started)
            number = opened_number(response) if response is not None else None
            if number:
                with self._lock:
                    self.acknowledged.add(number)
            last_case = number or last_case
            if last_case:
                phase, started = self.phase, time.monotonic()
                try:
                    response = clerk.http.get(f"/cases/{last_case}")
                except httpx.TimeoutException:
                    response = None
                self._record(phase, "case page", response, started)
            time.sleep(0.02)

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=CLIENT_TIMEOUT + 5)

    def outcomes(self, phase: str) -> Counter:
        return Counter(outcome for p, _kind, outcome, _s in self.records if p == phase)

    def slowest(self, phase: str) -> float:
        return max((s for p, _k, _o, s in self.records if p == phase), default=0.0)


def _wait_for(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def _backends(url: str) -> Counter:
    """The states of the app's connections to the private cluster (this query's excluded)."""
    db = connect(url.replace("postgresql://", "postgres://", 1))
    try:
        rows = db.execute_sql("SELECT state FROM pg_stat_activity WHERE datname = "
                              "current_database() AND pid <> pg_backend_pid() AND "
                              "backend_type = 'client backend'").fetchall()
        return Counter(state for (state,) in rows)
    finally:
        db.close()


def _stored(url: str):
    """(numbers of the stored cases that have their open event, the audit verification)."""
    previous = database_proxy.obj
    db = open_database(url)
    try:
        opened = {n for (n,) in AuditRow.select(AuditRow.case_number)
                  .where(AuditRow.action == "open").tuples()}
        cases = {n for (n,) in CaseRow.select(CaseRow.number).tuples()}
        assert cases == opened, cases ^ opened  # no case without its event, nor the reverse
        return cases, audit.verify(AUDIT_KEY.encode())
    finally:
        db.close()
        if previous is not None:
            database_proxy.initialize(previous)


def test_postgresql_stopped_and_started_under_load(cluster, enterprise_item, tmp_path,
                                                   capsys):
    url = cluster.url()
    usernames = prepare_database(url, CLERKS)
    with HallServer(tmp_path, url, audit_key=AUDIT_KEY) as server:
        clerks = [Clerk(server.base, name, timeout=CLIENT_TIMEOUT).login()
                  for name in usernames]
        tokens = [clerk.token(f"/intake/new?item={enterprise_item}") for clerk in clerks]
        with Load(clerks, tokens, enterprise_item) as load:
            _wait_for(lambda: sum(load.outcomes("before").values()) >= 60, 30)
            load.phase = "stopping"
            cluster.stop()
            load.phase = "down"
            _wait_for(lambda: sum(load.outcomes("down").values()) >= 60, 30)
            health_down = httpx.get(f"{server.base}/healthz", timeout=CLIENT_TIMEOUT)
            load.phase = "starting"
            cluster.start()
            load.phase = "after"
            _wait_for(lambda: sum(load.outcomes("after").values()) >= 60, 30)
        health_after = httpx.get(f"{server.base}/healthz", timeout=CLIENT_TIMEOUT)
        backends = _backends(url)
        for clerk in clerks:
            clerk.close()
        log = server.log_tail(200)
    stored, verification = _stored(url)

    before, down, after = (load.outcomes(p) for p in ("before", "down", "after"))
    with capsys.disabled():  # the figures belong in CI's output
        print(f"\npostgresql outage: before {dict(before)}, while stopping "
              f"{dict(load.outcomes('stopping'))}, down {dict(down)} (slowest answer "
              f"{load.slowest('down'):.2f} s), while starting {dict(load.outcomes('starting'))}, "
              f"after {dict(after)}; busy pages checked {load.busy_pages_checked}; app connections "
              f"after {dict(backends)}; acknowledged {len(load.acknowledged)}, stored "
              f"{len(stored)}; {verification.message}")

    assert before["303"] > 0 and before["200"] > 0, before  # (the last may meet the stop)
    # while PostgreSQL is down: "try again" pages, quickly, never an error page or a hang
    assert down["503"] > 0 and set(down) <= {"503"}, down
    assert not load.problems, load.problems[:3]
    assert load.slowest("down") < STUCK_AFTER
    assert health_down.status_code == 503 and health_after.status_code == 200
    # never a 500 or a stuck request, in any phase (a 503 while it stops and starts is fine)
    every = Counter(o for _p, _k, o, _s in load.records)
    assert not [o for o in every if o == "stuck" or o.startswith("50") and o != "503"], every
    # back by itself: every request sent after the restart succeeds, the first ones included
    assert set(after) <= {"303", "200"} and after["303"] > 0, after
    # no connection left hanging in a transaction, and no pile of connections
    assert backends["idle in transaction"] == 0 and backends["active"] == 0, backends
    assert sum(backends.values()) <= 45, backends  # at most one per worker thread
    assert "Traceback" not in log.split("Application startup complete")[-1]
    # nothing lost, nothing half-written: every acknowledged case there with its open event
    assert load.acknowledged <= stored, load.acknowledged - stored
    assert verification.ok, verification.message


def test_a_database_server_that_never_answers_gives_busy_not_a_hang():
    """A PostgreSQL host that accepts the connection but never answers (a hung server, a
    half-open firewall) costs ``connect_timeout`` seconds, then "busy": no request hangs."""
    import socket

    from onewindow.errors import Busy
    from onewindow.storage.db import PG_CONNECT_TIMEOUT

    previous = database_proxy.obj
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"postgresql://nobody@127.0.0.1:{silent.getsockname()[1]}/hall"
        assert open_database(url).connect_params["connect_timeout"] == PG_CONNECT_TIMEOUT
        db = open_database(url + "?connect_timeout=1")
        started = time.monotonic()
        with pytest.raises(Busy):
            db.execute_sql("SELECT 1")
        waited = time.monotonic() - started
    if previous is not None:
        database_proxy.initialize(previous)
    assert 0.9 < waited < 3, waited
