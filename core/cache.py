"""A TTL cache in front of any music catalogue (same port in, same port out)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from core.models import AudioTarget, DependencyStatus, Track
from core.ports import MusicCatalogue

CacheKey = tuple[str, int, int, AudioTarget | None]


class CachingCatalogue:
    """Remembers search answers for ``ttl_s`` seconds, at most ``max_entries`` of them.

    Errors are never cached, so a failing search is tried again next time.
    """

    def __init__(
        self,
        inner: MusicCatalogue,
        *,
        ttl_s: float,
        max_entries: int = 5000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self._ttl = ttl_s
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[CacheKey, tuple[float, list[Track]]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    async def search(
        self, query: str, *, limit: int = 10, offset: int = 0, target: AudioTarget | None = None
    ) -> list[Track]:
        key = (query, limit, offset, target)
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            self._entries.move_to_end(key)
            self.hits += 1
            return list(entry[1])
        self.misses += 1
        tracks = await self.inner.search(query, limit=limit, offset=offset, target=target)
        self._entries[key] = (now + self._ttl, list(tracks))
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return tracks

    async def health(self) -> DependencyStatus:
        return await self.inner.health()
