"""Login throttling: after 5 failed passwords for one username in 15 minutes, 15 minutes' lock.

Kept in memory, per process: enough to stop password guessing at a hall's scale, and a
restart (which an attacker cannot cause from the login form) forgets it. The lock is per
username, not per address, because a hall's clerks share a few NATed addresses.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
LOCK_SECONDS = 15 * 60
MAX_TRACKED = 10_000  # bounds memory when someone sprays random usernames


class LoginThrottle:
    """Counts failures per username; thread-safe (handlers run in a thread pool)."""

    def __init__(self, *, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS,
                 lock: float = LOCK_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.max_failures = max_failures
        self.window = window
        self.lock_seconds = lock
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._mutex = threading.Lock()

    @staticmethod
    def _key(username: str) -> str:
        return username.strip()

    def locked_for(self, username: str) -> int:
        """Whole minutes (rounded up) until ``username`` may try again; 0 when not locked."""
        key = self._key(username)
        now = self.clock()
        with self._mutex:
            until = self._locked_until.get(key)
            if until is None:
                return 0
            if until <= now:
                del self._locked_until[key]
                return 0
            return max(1, math.ceil((until - now) / 60))

    def failed(self, username: str) -> int:
        """Record a failure; return the minutes of lock it caused (0 when none yet)."""
        key = self._key(username)
        now = self.clock()
        with self._mutex:
            if len(self._failures) >= MAX_TRACKED:
                self._prune(now)
            recent = self._failures.setdefault(key, deque())
            recent.append(now)
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if len(recent) >= self.max_failures:
                self._locked_until[key] = now + self.lock_seconds
                del self._failures[key]
                return math.ceil(self.lock_seconds / 60)
            return 0

    def succeeded(self, username: str) -> None:
        """A correct password clears the count."""
        with self._mutex:
            self._failures.pop(self._key(username), None)

    def _prune(self, now: float) -> None:
        for key in [k for k, q in self._failures.items() if not q or q[-1] <= now - self.window]:
            del self._failures[key]
        for key in [k for k, until in self._locked_until.items() if until <= now]:
            del self._locked_until[key]
        if len(self._failures) >= MAX_TRACKED:  # still full of fresh entries: drop the oldest
            oldest = sorted(self._failures, key=lambda k: self._failures[k][-1])
            for key in oldest[: len(oldest) // 2]:
                del self._failures[key]
