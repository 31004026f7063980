"""Measure SQLite's durability and locking settings under many writers at once.

For each candidate (``synchronous``, ``wal_autocheckpoint``, ``busy_timeout``) a fresh database
file takes WRITERS writers (PROCESSES spawned processes, threads in each, as a web server's
workers and their thread pools would) that each open, review, take in and accept CASES cases:
four write transactions a case, every one ``BEGIN IMMEDIATE`` as in production. Printed per
candidate: write transactions per second, the median / p99 / longest time one step took
(mostly waiting for the lock), and how many steps gave up with "busy".

Run: ``.venv/bin/python benchmarks/sqlite_settings.py`` (about a minute on 2 cores); paste the
table into ``benchmarks/results/``. The file lives in the system's temporary folder: run it on
the disk the hall will use, since fsync costs are the disk's.
"""

from __future__ import annotations

import multiprocessing
import statistics
import tempfile
import threading
import time
from pathlib import Path

from onewindow.case import Actor, Role
from onewindow.config import Settings
from onewindow.errors import Busy
from onewindow.lifecycle import applicable_materials, item_of
from onewindow.plugins import load_registry
from onewindow.storage import db as storage_db

APPLICANT = {"kind": "enterprise", "name": "鞍山市星河科技有限公司", "phone": "13904121234",
             "credit_code": "91210302MA0YCE7KX9", "legal_representative": "王志刚"}
CLERK = Actor("bench_window", Role.WINDOW_STAFF)
APPROVER = Actor("bench_approver", Role.APPROVER, "enterprise")
PROCESSES, THREADS, CASES = 2, 8, 6  # 16 writers, 96 cases, 384 write transactions

CANDIDATES = [  # (synchronous, wal_autocheckpoint, busy_timeout ms)
    ("normal", 1000, 5000),
    ("full", 1000, 5000),
    ("full", 4000, 5000),
    ("full", 1000, 15000),
    ("extra", 1000, 15000),
]


def pragmas(synchronous: str, checkpoint: int, timeout: int) -> tuple:
    return (("busy_timeout", timeout), ("journal_mode", "wal"), ("synchronous", synchronous),
            ("wal_autocheckpoint", checkpoint), ("foreign_keys", 1))


def writer(hall, results: list) -> None:
    for _ in range(CASES):
        steps = []
        try:
            start = time.perf_counter()
            case = hall.open_case(CLERK, "ent-llc-change", APPLICANT)
            steps.append(time.perf_counter() - start)
            marks = [(m.code, p.code, "passed" if m.required else "not_applicable", "")
                     for m in applicable_materials(case, item_of(case))
                     for p in m.review_points]
            for step, args in ((hall.review, (CLERK, case.number, marks)),
                               (hall.act, (CLERK, case.number, "take_in")),
                               (hall.act, (APPROVER, case.number, "accept"))):
                start = time.perf_counter()
                step(*args)
                steps.append(time.perf_counter() - start)
        except Busy:
            results.append(("busy", 0.0))
        results.extend(("ok", s) for s in steps)
    hall.db.close()


def run_process(settings: Settings, candidate: tuple, out) -> None:
    from onewindow.services import open_hall

    storage_db.SQLITE_PRAGMAS = pragmas(*candidate)  # before the threads connect
    hall = open_hall(settings, load_registry())
    hall.db.close()
    results: list = []
    threads = [threading.Thread(target=writer, args=(hall, results)) for _ in range(THREADS)]
    first = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put((first, time.time(), results))


def measure(candidate: tuple) -> str:
    from onewindow.services import open_hall

    home = Path(tempfile.mkdtemp(prefix="onewindow-sqlite-bench-"))
    settings = Settings(home, f"sqlite:///{home / 'bench.db'}", b"k", b"s" * 32)
    open_hall(settings, load_registry(), upgrade=True).db.close()
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    processes = [context.Process(target=run_process, args=(settings, candidate, out))
                 for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    # from the first writer's start to the last one's end, without the processes' start-up
    reports = [out.get(timeout=600) for _ in processes]
    elapsed = max(r[1] for r in reports) - min(r[0] for r in reports)
    results = [r for report in reports for r in report[2]]
    for process in processes:
        process.join()
    steps = sorted(s * 1000 for kind, s in results if kind == "ok")
    busy = sum(1 for kind, _ in results if kind == "busy")
    p99 = steps[max(0, int(len(steps) * 0.99) - 1)]
    synchronous, checkpoint, timeout = candidate
    return (f"| {synchronous} | {checkpoint} | {timeout} | {len(steps)} | "
            f"{len(steps) / elapsed:.0f} | {statistics.median(steps):.1f} | {p99:.1f} | "
            f"{steps[-1]:.1f} | {busy} |")


def main() -> None:
    print(f"{PROCESSES * THREADS} writers ({PROCESSES} processes x {THREADS} threads), "
          f"{CASES} cases each, 4 write transactions a case, BEGIN IMMEDIATE\n")
    print("| synchronous | wal_autocheckpoint | busy_timeout ms | steps | steps/s | median ms | p99 ms | max ms | busy |\n|---|---|---|---|---|---|---|---|---|")
    for candidate in CANDIDATES:
        print(measure(candidate), flush=True)


if __name__ == "__main__":
    main()
