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

import math
import time
from collections.abc import Callable

from adapters.web.sliding_window import SlidingWindow


class ClientBudget:
    """At most ``limit`` uses per client in a sliding window of ``window_s`` seconds.

    ``limit`` 0 means no budget.  ``take`` counts a use and says how long to wait when
    the budget is spent (0: allowed).
    """

    def __init__(self, limit: int, window_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._window = SlidingWindow(limit, window_s, clock=clock)

    def take(self, client: str) -> int:
        """Counts one use by ``client``; 0 when allowed, else whole seconds until one is."""
        return math.ceil(self._window.attempt(client))
