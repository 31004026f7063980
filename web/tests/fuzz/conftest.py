"""The fuzz suite's report: figures the tests hand over, printed at the end of the pytest run.

Printed through ``pytest_terminal_summary``, so they show in CI's output whether or not pytest
captures the tests' own output (``-s`` or not).
"""

from __future__ import annotations

import pytest

REPORT = pytest.StashKey[list[str]]()


@pytest.fixture
def fuzz_report(pytestconfig) -> list[str]:
    """Lines for the end-of-run summary; a test appends its figures."""
    return pytestconfig.stash.setdefault(REPORT, [])


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = config.stash.get(REPORT, [])
    if lines:
        terminalreporter.section("fuzz figures")
        for line in lines:
            terminalreporter.write_line(line)
