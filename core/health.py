"""A dependency's health as its real requests see it.

A probe (``SELECT 1``, a model list, ``getMe``) says whether a dependency answers at all;
the requests that matter can still fail while it does (the disk is full, every answer is
a 500, the accounts service is down while the API is up).  ``DependencyMonitor`` records
the outcome of real requests: down after a failed one, up after one succeeds.  While it
is down, an optional probe is tried now and then, so a dependency nobody is using comes
back up by itself (a failure stays news for ``probe_every_s`` first); the next real failure
sets it down again.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from core.models import DependencyStatus

Probe = Callable[[], Awaitable[object]]


class DependencyMonitor:
    """Down since the last failed request, until a request (or a probe) succeeds."""

    def __init__(
        self,
        name: str,
        *,
        probe: Probe | None = None,
        probe_every_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._probe = probe
        self._probe_every_s = probe_every_s
        self._clock = clock
        self._error = ""
        self._failed_at = 0.0
        self._probed_at = -probe_every_s
        self.failures = 0  # every failure counted, for figures and tests

    @property
    def down(self) -> bool:
        return bool(self._error)

    @property
    def last_error(self) -> str:
        return self._error

    def succeeded(self) -> None:
        """A real request worked: the dependency is up."""
        self._error = ""

    def failed(self, detail: str) -> None:
        """A real request failed (``detail`` is for operators: no secrets, no user data)."""
        self._error = detail or "failed"
        self._failed_at = self._clock()
        self.failures += 1

    async def status(self, up_detail: str = "", probe: Probe | None = None) -> DependencyStatus:
        """Up, or down with the last failure; while down, probes at most every few seconds.

        ``probe`` replaces the monitor's own for this call.
        """
        probe = probe or self._probe
        if self._error and probe is not None:
            now = self._clock()
            # A failure is news for a while: probe only some time after it (and after the
            # last probe), so a probe that works while real requests fail cannot hide them.
            if now - max(self._probed_at, self._failed_at) >= self._probe_every_s:
                self._probed_at = now
                try:
                    await probe()
                except Exception:  # the probe failing is the expected answer while down
                    pass
                else:
                    self.succeeded()
        if self._error:
            ago = max(0, round(self._clock() - self._failed_at))
            return DependencyStatus(self.name, False, f"last request failed {ago} s ago: {self._error}")
        return DependencyStatus(self.name, True, up_detail)


__all__ = ["DependencyMonitor", "Probe"]
