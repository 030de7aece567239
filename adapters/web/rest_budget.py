"""Per-client-address budgets of the REST API: how much one address may ask for in a day.

A device's quota is per device id, and device ids cost nothing to invent (or, with device
credentials, little: one registration each).  This budget counts per client address (the
TCP peer, or what a trusted proxy says is behind it), so rotating ids from one address
gets no more than the budget.  It is checked before any work or write.

Kept in this process: with several REST replicas each one holds its own budget, so an
address may get up to replicas x budget in a day.  That is the documented promise; the
quota per device, which *is* shared through the store, stays exact.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

_MAX_TRACKED = 50_000  # addresses remembered at once; idle ones are forgotten first


class ClientBudget:
    """At most ``limit`` uses per client in a sliding window of ``window_s`` seconds.

    ``limit`` 0 means no budget.  ``take`` counts a use and says how long to wait when
    the budget is spent (0: allowed).
    """

    def __init__(self, limit: int, window_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._uses: dict[str, deque[float]] = {}

    def take(self, client: str) -> int:
        """Counts one use by ``client``; 0 when allowed, else whole seconds until one is."""
        if self.limit <= 0:
            return 0
        now = self._clock()
        uses = self._uses.get(client)
        if uses is None:
            if len(self._uses) >= _MAX_TRACKED:
                self._forget_idle(now)
            uses = self._uses[client] = deque()
        while uses and uses[0] <= now - self.window_s:
            uses.popleft()
        if len(uses) >= self.limit:
            return max(1, int(uses[0] + self.window_s - now + 0.999))
        uses.append(now)
        return 0

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, v in self._uses.items() if not v or v[-1] <= now - self.window_s]
        for key in idle:
            del self._uses[key]
        if len(self._uses) >= _MAX_TRACKED:
            # Every tracked address is active: forget the oldest half rather than grow
            # without bound (they get a fresh budget, which is the lesser harm).
            oldest = sorted(self._uses, key=lambda k: self._uses[k][-1])[: _MAX_TRACKED // 2]
            for key in oldest:
                del self._uses[key]
