"""The housekeeping sweep, run in the background of every long-running bot process.

Every ``HOUSEKEEPING_INTERVAL_SECONDS`` it calls ``Engine.housekeeping``: expired
drafts, OAuth states, cache rows and claimed updates go, and so do quota
reservations that a crashed process never confirmed nor gave back.  Every process
sweeps; each step is an idempotent statement on the shared store (PostgreSQL lets
one purge run at a time and the others skip their turn), so running many side by
side is safe, and the sweep goes on as long as any one process is alive.

It is started and stopped by the runner like an adapter (``name``, ``start``,
``stop``, ``send``), after the adapters that serve people.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from core.engine import Swept
from core.replies import Reply

log = logging.getLogger(__name__)


class Housekeeper:
    """Runs ``sweep`` every ``interval_s`` seconds until stopped; failures are logged, not fatal."""

    name = "housekeeping"

    def __init__(self, sweep: Callable[[], Awaitable[Swept]], interval_s: float) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self._sweep = sweep
        self.interval_s = interval_s
        self.rounds = 0
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    async def start(self) -> None:
        """Starts the loop (the first sweep runs at once: a restart cleans up after a crash)."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="housekeeping")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def send(self, conversation: str, reply: Reply) -> None:
        """Nothing: housekeeping has no conversations."""

    async def _loop(self) -> None:
        while True:
            await self.run_once()
            await asyncio.sleep(self.interval_s)

    async def run_once(self) -> Swept | None:
        """One sweep; None when it failed (the database is down, say: the next one retries)."""
        try:
            swept = await self._sweep()
        except Exception as exc:
            # One line per outage, not one per minute.
            if not self._failing:
                log.warning("housekeeping failed (%s); retrying every %g s",
                            getattr(exc, "user_message", type(exc).__name__), self.interval_s)
            self._failing = True
            return None
        if self._failing:
            log.info("housekeeping works again")
        self._failing = False
        self.rounds += 1
        if swept.drafts:
            log.info("housekeeping: removed %d expired draft(s)", swept.drafts)
        return swept
