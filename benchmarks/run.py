"""Measure the hall's hot paths on SQLite (or ONEWINDOW_BENCH_DATABASE_URL).

What a window clerk waits for: opening and taking in a case, a queue page listing cases, the
draft autosave while typing; and what coordination waits for: the month's problem list.
Run with ``make bench``; results print as a Markdown table to paste into
``benchmarks/results/``. Timings are measured here, never asserted in tests.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from onewindow.case import Actor, LookupRecord, Role
from onewindow.config import Settings
from onewindow.lifecycle import applicable_materials, item_of
from onewindow.plugins import load_registry
from onewindow.services import hall_now, open_hall
from onewindow.testing import settings_for_tests

APPLICANT = {"kind": "enterprise", "name": "鞍山市星河科技有限公司", "phone": "13904121234",
             "credit_code": "91210302MA0YCE7KX9", "legal_representative": "王志刚"}
CLERK = Actor("bench_window", Role.WINDOW_STAFF)
APPROVER = Actor("bench_approver", Role.APPROVER, "enterprise")


def intake(hall) -> str:
    case = hall.open_case(CLERK, "ent-llc-change", APPLICANT)
    item = item_of(case)
    marks = [(m.code, p.code, "passed" if m.required else "not_applicable", "")
             for m in applicable_materials(case, item) for p in m.review_points]
    hall.review(CLERK, case.number, marks)
    hall.act(CLERK, case.number, "take_in")
    return case.number


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def row(name: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    return f"| {name} | {len(samples)} | {statistics.median(samples):.1f} | {p95:.1f} |"


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="onewindow-bench-"))
    url = os.environ.get("ONEWINDOW_BENCH_DATABASE_URL")
    if url:
        os.environ["ONEWINDOW_TEST_DATABASE_URL"] = url
        settings = settings_for_tests(home)
    else:
        settings = Settings(home, f"sqlite:///{home / 'bench.db'}", b"k", b"s" * 32)
    hall = open_hall(settings, load_registry(), upgrade=True)
    print(f"database: {settings.database_url.split('@')[-1]}")
    print("| operation | runs | median ms | p95 ms |\n|---|---|---|---|")
    print(row("open + review + take in one case", timed(lambda: intake(hall), 50)))
    for size in (100, 1000):
        while len(hall.list_cases(limit=size)) < size:
            intake(hall)
        print(row(f"queue page of {size} cases", timed(lambda s=size: hall.queue(limit=s),
                                                       20)))
    number = intake(hall)
    record = LookupRecord("credit-registry", {}, "found", "", "0" * 64, {}, "bench", hall_now())
    print(row("record a look-up on a case (audit append)",
              timed(lambda: hall.act(APPROVER, number, "lookup", params={"record": record}),
                    50)))
    # the intake form's autosave runs at every pause in the typing
    typed = [(k, str(v)) for k, v in APPLICANT.items()] + [("kind", "enterprise")]
    print(row("autosave an intake draft", timed(
        lambda: hall.drafts.save(CLERK.username, "intake:ent-llc-change", typed), 50)))
    print(row("case page's earlier notices (repeat visits)",
              timed(lambda: hall.inquiries.earlier_notices(hall.get_case(number)), 50)))
    # the monthly problem list over every case of the month, with a report on each
    point = item_of(hall.get_case(number)).materials[0]
    for case in hall.list_cases(limit=1000):
        hall.problems.report(CLERK, case.number, point.code, point.review_points[0].code)
    month = hall_now().date().replace(day=1)
    print(row("problem list of a month (1000 reports)",
              timed(lambda: hall.problems.month(month), 10)))


if __name__ == "__main__":
    main()
