"""The writers of ``test_concurrency.py``: run in spawned processes, several threads each.

Importable by name (``tests`` is on the path, and a spawned process inherits the parent's
``sys.path``), so ``multiprocessing`` can hand :func:`run_process` to a fresh interpreter.
Each writer counts what the hall acknowledged, refused as a conflict or reported as busy; any
other exception is an error, returned with its traceback.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

import sample_plugin

from onewindow.case import Actor, Role
from onewindow.config import Settings
from onewindow.errors import Busy, Conflict
from onewindow.plugins import load_registry
from onewindow.services import Hall, open_hall

ITEM = "sample-permit"
SECTION = "sample"
APPLICANT = {"kind": "enterprise", "name": "鞍山市星河科技有限公司", "phone": "13904120000",
             "credit_code": "91110000600037341L", "legal_representative": "张伟"}
ALL_PASS = [("application", "signed", "passed", ""), ("application", "sealed", "passed", ""),
            ("application", "neat", "passed", ""), ("lease", "valid", "passed", ""),
            ("id-copy", "valid", "passed", "")]
RETURN_POINTS = ["application/signed"]


def clerk(writer: int) -> Actor:
    return Actor(f"clerk{writer:02d}", Role.WINDOW_STAFF, display_name=f"窗口{writer:02d}")


def approver(writer: int) -> Actor:
    return Actor(f"approver{writer:02d}", Role.APPROVER, SECTION,
                 display_name=approver_name(writer))


def approver_name(writer: int) -> str:
    return f"审批员{writer:02d}"


def decision(writer: int) -> str:
    """Even writers accept, odd ones return: two different actions race on a shared case."""
    return "accept" if writer % 2 == 0 else "return"


def decide(hall: Hall, actor: Actor, number: str, action: str):
    if action == "return":
        return hall.act(actor, number, "return", reason="申请表未签字",
                        params={"points": RETURN_POINTS})
    return hall.act(actor, number, action)


class Tally:
    """What one writer saw; plain lists so it pickles back to the parent."""

    def __init__(self, writer: int):
        self.writer = writer
        self.acknowledged: list[tuple[str, str, str]] = []  # (case, action, username)
        self.conflicts: list[tuple[str, str, str]] = []  # (case, action, reason)
        self.busy: list[tuple[str, str]] = []
        self.errors: list[str] = []

    def attempt(self, number: str, action: str, actor: Actor, step: Callable[[], object]):
        try:
            result = step()
        except Conflict as exc:
            self.conflicts.append((number, action, exc.reason))
        except Busy:
            self.busy.append((number, action))
        except Exception:  # anything else is what this test exists to catch
            self.errors.append(f"writer {self.writer} {action} {number}:\n"
                               f"{traceback.format_exc()}")
        else:
            self.acknowledged.append((getattr(result, "number", number), action,
                                      actor.username))
            return result
        return None


def write(hall: Hall, writer: int, own_cases: int, shared: list[str],
          barrier) -> dict:
    """Intake, review, take in and decide ``own_cases`` cases, then race on ``shared``."""
    tally = Tally(writer)
    window, section = clerk(writer), approver(writer)
    try:
        for _ in range(own_cases):
            case = tally.attempt("(new)", "open", window,
                                 lambda: hall.open_case(window, ITEM, APPLICANT))
            if case is None:
                continue
            n = case.number
            if tally.attempt(n, "review", window,
                             lambda n=n: hall.review(window, n, ALL_PASS)) is None:
                continue
            if tally.attempt(n, "take_in", window,
                             lambda n=n: hall.act(window, n, "take_in")) is None:
                continue
            action = decision(writer)
            tally.attempt(n, action, section,
                          lambda n=n, a=action: decide(hall, section, n, a))
        barrier.wait(timeout=120)  # every writer of every process starts the race together
        for n in shared:
            action = decision(writer)
            tally.attempt(n, action, section,
                          lambda n=n, a=action: decide(hall, section, n, a))
    finally:
        if not hall.db.is_closed():
            hall.db.close()
    return vars(tally)


def run_process(settings: Settings, writers: list[int], own_cases: int, shared: list[str],
                barrier, results) -> None:
    """One OS process: open the hall (already migrated) and run ``writers`` in threads."""
    registry = load_registry([sample_plugin], load_entry_points=False)
    hall = open_hall(settings, registry)
    out: list[dict] = []

    def one(writer: int) -> None:
        try:
            out.append(write(hall, writer, own_cases, shared, barrier))
        except Exception:
            out.append({"writer": writer, "acknowledged": [], "conflicts": [], "busy": [],
                        "errors": [traceback.format_exc()]})

    threads = [threading.Thread(target=one, args=(w,)) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for tally in out:
        results.put(tally)
