"""The ``Scratch`` port over the store's cache table: one namespace per chat adapter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from core.ports import Store


class StoreScratch:
    """Implements ``core.ports.Scratch`` in ``namespace`` of the store's cache."""

    def __init__(
        self, store: Store, namespace: str, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._store = store
        self._namespace = namespace
        self._clock = clock or (lambda: datetime.now(UTC))

    async def put(self, key: str, value: str, ttl: timedelta) -> None:
        await self._store.cache_put(self._namespace, key, value, self._clock() + ttl)

    async def get(self, key: str) -> str | None:
        return await self._store.cache_get(self._namespace, key, self._clock())

    async def take(self, key: str) -> str | None:
        return await self._store.cache_take(self._namespace, key, self._clock())

    async def claim(self, number: int, ttl: timedelta) -> bool:
        # The update-claim table: one INSERT ... ON CONFLICT DO NOTHING, so one process wins.
        return await self._store.claim_update(self._namespace, number, self._clock() + ttl)
