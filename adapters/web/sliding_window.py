"""One sliding-window counter per client, for the web side's in-process limits.

The OAuth callback's attempt limit and the REST API's per-address budgets both count
uses per key (a client address) over a window.  Kept in this process: with several
replicas each holds its own counts, so the limits slow abuse down rather than promise
an exact figure (the per-device quota, which is exact, lives in the store).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    """At most ``limit`` uses per key in a sliding window of ``window_s`` seconds.

    ``limit`` 0 means no limit.  ``attempt`` checks and counts at once; ``wait`` only
    checks and ``record`` only counts, for callers that count failures alone.  At most
    ``max_keys`` keys are remembered: idle ones are forgotten first, then the oldest half
    (they get a fresh window, the lesser harm than growing without bound).
    """

    def __init__(self, limit: int, window_s: float, *, max_keys: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._max_keys = max_keys
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def attempt(self, key: str) -> float:
        """Counts one use; returns 0 when allowed, else seconds until the next one is."""
        wait = self.wait(key)
        if not wait:
            self.record(key)
        return wait

    def wait(self, key: str) -> float:
        """0 when ``key`` may go now, else seconds until it may (at least 1; counts nothing)."""
        if self.limit <= 0:
            return 0.0
        now = self._clock()
        times = self._seen.get(key)
        if times is None:
            return 0.0
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if len(times) >= self.limit:
            return max(1.0, times[0] + self.window_s - now)
        return 0.0

    def record(self, key: str) -> None:
        """Counts one use of ``key``."""
        if self.limit <= 0:
            return
        now = self._clock()
        times = self._seen.get(key)
        if times is None:
            if len(self._seen) >= self._max_keys:
                self._forget(now)
            times = self._seen[key] = deque()
        times.append(now)

    def _forget(self, now: float) -> None:
        for key in [k for k, t in self._seen.items() if not t or t[-1] <= now - self.window_s]:
            del self._seen[key]
        if len(self._seen) >= self._max_keys:
            oldest = sorted(self._seen, key=lambda k: self._seen[k][-1])[: self._max_keys // 2]
            for key in oldest:
                del self._seen[key]


__all__ = ["SlidingWindow"]
