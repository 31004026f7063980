"""Writers wait, they don't fail: many writers at once on the configured database.

Runs on SQLite (a file) and, in CI, on PostgreSQL. The only failures a writer may see are a
:class:`Conflict` (someone acted on the case first, with who and what) or :class:`Busy` (try
again); every step the hall acknowledged is in the database afterwards and the audit chain
verifies. Timings are not asserted here: see ``benchmarks/sqlite_settings.py``.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections import Counter

import concurrency_workload as work
import peewee
import pytest
from conftest import ENTERPRISE

from onewindow import accounts, audit
from onewindow.errors import Busy, Conflict, TransitionRefused
from onewindow.storage import repo
from onewindow.storage.models import CaseRow

PROCESSES = 4
THREADS_PER_PROCESS = 4  # 16 writers
OWN_CASES = 3  # each writer: open, review, take in, accept or return, three times
SHARED_CASES = 6  # then all 16 race to decide each of these


def _taken_in(hall, actor, applicant=ENTERPRISE):
    case = hall.open_case(actor, work.ITEM, applicant)
    hall.review(actor, case.number, work.ALL_PASS)
    return hall.act(actor, case.number, "take_in")


def _approvers(count: int) -> None:
    for writer in range(count):
        accounts.create_staff(f"approver{writer:02d}", work.approver_name(writer), "approver",
                              "correct-horse-42", work.SECTION)


def test_sixteen_writers_in_four_processes_lose_nothing(hall, onewindow_settings, capsys):
    writers = PROCESSES * THREADS_PER_PROCESS
    _approvers(writers)
    shared = [_taken_in(hall, work.clerk(99)).number for _ in range(SHARED_CASES)]
    hall.db.close()  # the children open their own connections

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(writers)
    results = context.Queue()
    processes = [context.Process(target=work.run_process, args=(
        onewindow_settings, list(range(p * THREADS_PER_PROCESS, (p + 1) * THREADS_PER_PROCESS)),
        OWN_CASES, shared, barrier, results)) for p in range(PROCESSES)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    tallies = []
    try:
        while len(tallies) < writers:
            tallies.append(results.get(timeout=150))
    except queue.Empty:
        pytest.fail(f"only {len(tallies)} of {writers} writers reported")
    finally:
        for process in processes:
            process.join(timeout=30)
    seconds = time.perf_counter() - started
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]

    errors = [e for t in tallies for e in t["errors"]]
    acknowledged = [a for t in tallies for a in t["acknowledged"]]
    conflicts = [c for t in tallies for c in t["conflicts"]]
    busy = [b for t in tallies for b in t["busy"]]
    attempted = writers * OWN_CASES * 4 + writers * SHARED_CASES

    # every acknowledged step is in the database, by the one who did it
    rows = list(CaseRow.select().where(CaseRow.number.in_(
        sorted({number for number, _, _ in acknowledged}))))
    stored = {(e.case_number, e.action, e.actor)
              for case in repo.load_cases(rows) for e in case.events}
    present = sum(1 for step in acknowledged if step in stored)
    verification = audit.verify(onewindow_settings.audit_key)
    with capsys.disabled():
        print(f"\nconcurrency on {hall.db.__class__.__name__}: writers={writers} "
              f"processes={PROCESSES} operations={attempted} acknowledged={len(acknowledged)} "
              f"conflicts={len(conflicts)} busy={len(busy)} errors={len(errors)} "
              f"present={present} audit_rows={verification.rows} seconds={seconds:.1f}")

    assert not errors, errors[0]
    # writers queue for the lock: "busy" needs a 15-second wait, so it stays rare even on a
    # loaded machine (with a deferred BEGIN a quarter of these steps failed at once)
    assert len(busy) <= attempted // 20, busy[:5]
    assert len(acknowledged) + len(conflicts) + len(busy) <= attempted
    assert present == len(acknowledged)
    assert verification.ok, verification.message
    # a writer's own case is decided by it alone: nothing but busy may stop it
    own = Counter(action for _, action, _ in acknowledged)
    assert own["open"] + sum(1 for _, a in busy if a == "open") == writers * OWN_CASES
    # each shared case: exactly one decision; everyone else was told who was first
    for number in shared:
        case = hall.get_case(number)
        decided = [e for e in case.events if e.action in ("accept", "return")]
        assert len(decided) == 1, (number, [e.action for e in decided])
        winner = decided[0]
        label = "受理" if winner.action == "accept" else "退回"
        lost = [reason for n, _, reason in conflicts if n == number]
        tried_again = sum(1 for n, _ in busy if n == number)
        assert len(lost) + tried_again == writers - 1
        expected = f"该办件已由 {accounts.display_name(winner.actor)} {label}"
        assert all(reason.startswith(expected) for reason in lost), (expected, lost[:2])


def _race(action_of, actors):
    """Run ``action_of(actor)`` for each actor in its own thread, all released at once."""
    barrier = threading.Barrier(len(actors))
    outcomes: list = [None] * len(actors)

    def run(index, actor):
        barrier.wait(timeout=30)
        try:
            outcomes[index] = action_of(actor)
        except Exception as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("second", ["accept", "return"])
def test_two_approvers_deciding_one_case_at_once_one_wins(hall, staff, second):
    _approvers(2)
    number = _taken_in(hall, staff["window"]).number
    first, other = work.approver(0), work.approver(1)

    def decide(actor):
        action = "accept" if actor is first else second
        return work.decide(hall, actor, number, action)

    outcomes = _race(decide, [first, other])
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict), outcomes
    assert isinstance(refused[0], TransitionRefused)  # the web's 409
    winner = next(o for o in outcomes if not isinstance(o, Exception))
    decided = winner.events[-1]
    label = "受理" if decided.action == "accept" else "退回"
    assert refused[0].reason.startswith(
        f"该办件已由 {work.approver_name(0 if decided.actor == 'approver00' else 1)} {label}")
    assert [e.action for e in hall.get_case(number).events].count(decided.action) == 1


def test_refused_decision_names_who_moved_the_case_on(hall, staff):
    _approvers(2)
    number = _taken_in(hall, staff["window"]).number
    work.decide(hall, work.approver(0), number, "accept")
    with pytest.raises(Conflict) as lost:
        work.decide(hall, work.approver(1), number, "return")
    assert lost.value.reason == "该办件已由 审批员00 受理，不能再退回"
    # a refusal that is not a lost race keeps its own reason
    with pytest.raises(TransitionRefused) as info:
        hall.act(staff["issuance"], number, "issue")
    assert not isinstance(info.value, Conflict)


def test_a_second_writer_waits_for_the_first_instead_of_failing(hall, staff):
    """The first writer holds its transaction open; the second (read, then write) waits for
    it and then succeeds. Without an IMMEDIATE begin, SQLite refuses the second writer's
    upgrade from reading to writing at once ("database is locked")."""
    waiting = _taken_in(hall, staff["window"]).number
    other = hall.open_case(staff["window"], work.ITEM, ENTERPRISE).number
    holding = threading.Event()
    finished: dict[str, float] = {}

    def first():
        with hall.db.atomic():
            hall.review(staff["window"], other, work.ALL_PASS)
            holding.set()
            time.sleep(0.5)
        finished["first"] = time.monotonic()

    def second():
        holding.wait(timeout=10)
        case = hall.act(staff["approver"], waiting, "accept")
        finished["second"] = time.monotonic()
        return case

    outcomes = _race(lambda f: f(), [first, second])
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert outcomes[1].state.value == "accepted"
    assert finished["second"] >= finished["first"]


def _short_wait(hall) -> None:
    """This thread's connection gives up waiting for a lock after 0.2 s."""
    if isinstance(hall.db, peewee.SqliteDatabase):
        hall.db.execute_sql("PRAGMA busy_timeout = 200")
    else:
        hall.db.execute_sql("SET lock_timeout = '200ms'")


def test_a_writer_kept_waiting_too_long_gets_busy_and_can_try_again(hall, staff):
    number = _taken_in(hall, staff["window"]).number
    holding, release = threading.Event(), threading.Event()

    def first():
        with hall.db.atomic():  # on PostgreSQL the audit head row is what the second waits on
            hall.review(staff["window"], hall.open_case(staff["window"], work.ITEM,
                                                        ENTERPRISE).number, work.ALL_PASS)
            holding.set()
            release.wait(timeout=10)

    def second():
        _short_wait(hall)
        holding.wait(timeout=10)
        try:
            with pytest.raises(Busy, match="系统繁忙，请重试"):
                hall.act(staff["approver"], number, "accept")
            assert not hall.db.in_transaction()
        finally:
            release.set()
        time.sleep(0.1)
        return hall.act(staff["approver"], number, "accept")  # the same step, again: it works

    outcomes = _race(lambda f: f(), [first, second])
    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    assert outcomes[1].state.value == "accepted"
    assert audit.verify(hall.settings.audit_key).ok


def test_a_dropped_postgres_connection_is_busy_then_recovers(hall, staff):
    """PostgreSQL only: the server ends this connection (as on a restart or failover)."""
    if not isinstance(hall.db, peewee.PostgresqlDatabase):
        pytest.skip("a dropped server connection is PostgreSQL's (SQLite has none)")
    import psycopg2

    number = _taken_in(hall, staff["window"]).number

    def kill_my_connection():
        pid = hall.db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        with psycopg2.connect(**hall.db.connect_params, dbname=hall.db.database) as other:
            other.autocommit = True
            other.cursor().execute("SELECT pg_terminate_backend(%s)", (pid,))
        time.sleep(0.2)

    kill_my_connection()  # while idle: the next read or write reconnects by itself
    assert hall.get_case(number).number == number
    kill_my_connection()
    assert hall.act(staff["approver"], number, "accept").state.value == "accepted"
    kill_my_connection()  # inside a transaction: nothing was stored, try again
    with pytest.raises(Busy), hall.db.atomic():
        hall.db.execute_sql("SELECT 1")
        kill_my_connection()
        hall.db.execute_sql("SELECT 1")
    assert not hall.db.in_transaction()
    assert hall.act(staff["approver"], number, "approve").state.value == "approved"
    assert audit.verify(hall.settings.audit_key).ok
