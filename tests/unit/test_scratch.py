"""The chat adapters' scratch space: namespaced, expiring, single-use takes and claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.ports import Scratch
from data.scratch import StoreScratch
from data.sqlite_store import SqliteStore

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def scratch(store: SqliteStore, namespace: str, clock: list[datetime]) -> StoreScratch:
    return StoreScratch(store, namespace, clock=lambda: clock[0])


async def test_store_scratch_implements_the_port(store: SqliteStore) -> None:
    assert isinstance(StoreScratch(store, "telegram"), Scratch)


async def test_a_value_lives_until_its_ttl(store: SqliteStore) -> None:
    clock = [NOW]
    space = scratch(store, "telegram", clock)
    await space.put("button", "refine:7", timedelta(minutes=5))
    assert await space.get("button") == "refine:7"
    clock[0] = NOW + timedelta(minutes=5)
    assert await space.get("button") is None


async def test_namespaces_do_not_see_each_other(store: SqliteStore) -> None:
    clock = [NOW]
    await scratch(store, "telegram", clock).put("k", "tg", timedelta(minutes=1))
    assert await scratch(store, "discord", clock).get("k") is None


async def test_a_taken_value_is_taken_once(store: SqliteStore) -> None:
    space = scratch(store, "telegram", [NOW])
    await space.put("deep-link", "link", timedelta(minutes=10))
    assert await space.take("deep-link") == "link"
    assert await space.take("deep-link") is None


async def test_a_number_is_claimed_once(store: SqliteStore) -> None:
    space = scratch(store, "telegram", [NOW])
    assert await space.claim(42, timedelta(hours=1))
    assert not await space.claim(42, timedelta(hours=1))
