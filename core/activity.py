"""Today's activity, counted in this process: playlists, refinements, refusals, failures.

For the operator's status page.  Counting happens in memory (no store writes on the hot
path), so the numbers are this process's since it started or since midnight UTC,
whichever is later; the page says so.  ``CountingEngine`` is the engine with the counts
kept around its three verbs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from core.engine import Engine
from core.errors import EchoTunerError, ProviderUnavailable, StoreUnavailable
from core.models import Playlist

T = TypeVar("T")
Outcome = Literal["playlists", "refinements", "refusals", "failures"]


@dataclass(frozen=True, slots=True)
class ActivityCounts:
    """One UTC day's counts; ``since`` is when counting began (midnight or process start)."""

    day: str
    since: datetime
    playlists: int = 0
    refinements: int = 0
    refusals: int = 0
    failures: int = 0


class Activity:
    """In-process counters that start again at midnight UTC."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        now = self._clock()
        self._day = _day(now)
        self._since = now
        self._counts: dict[Outcome, int] = {}

    def record(self, outcome: Outcome) -> None:
        self._roll()
        self._counts[outcome] = self._counts.get(outcome, 0) + 1

    def today(self) -> ActivityCounts:
        self._roll()
        return ActivityCounts(day=self._day, since=self._since, **self._counts)

    async def track(self, success: Outcome, work: Awaitable[T]) -> T:
        """Awaits ``work`` and counts it: ``success``, a refusal, or a failure.

        A refusal is the bot saying no to the request (not about music, over a limit,
        bad input, nothing found, not yours); a failure is ours or a provider's.  A
        cancelled request counts as neither.
        """
        try:
            result = await work
        except (ProviderUnavailable, StoreUnavailable):
            self.record("failures")
            raise
        except EchoTunerError:
            self.record("refusals")
            raise
        except Exception:
            self.record("failures")
            raise
        self.record(success)
        return result

    def _roll(self) -> None:
        now = self._clock()
        day = _day(now)
        if day != self._day:
            self._day = day
            self._since = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            self._counts = {}


def _day(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%d")


class CountingEngine(Engine):
    """The engine, counting each playlist, refinement, refusal and failure in ``activity``.

    Arguments pass through unchanged, so this follows the engine's signatures as they grow.
    """

    def __init__(self, *, activity: Activity, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activity = activity

    async def generate(self, *args: Any, **kwargs: Any) -> Playlist:
        return await self.activity.track("playlists", super().generate(*args, **kwargs))

    async def refine(self, *args: Any, **kwargs: Any) -> Playlist:
        return await self.activity.track("refinements", super().refine(*args, **kwargs))

    async def regenerate(self, *args: Any, **kwargs: Any) -> Playlist:
        return await self.activity.track("refinements", super().regenerate(*args, **kwargs))


__all__ = ["Activity", "ActivityCounts", "CountingEngine"]
