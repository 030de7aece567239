"""The engine on PostgreSQL, as several bot processes share it: two engines, two pools, one database.

The offline planner and the bundled demo catalogue stand in for the model and
Spotify (they are the shipped defaults); everything the engines share goes
through PostgreSQL only.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters.ai.offline import OfflineStrategyProvider
from core.engine import Engine, EngineConfig
from core.errors import QuotaExceeded
from core.identity import UserKeys
from core.models import LimitSettings, Playlist, UserRef
from core.validation import LexicalValidator
from data.catalogue.demo import DemoCatalogue
from data.postgres_store import PostgresStore

ALICE = UserRef("discord", "alice", "guild:1")
KEYS = UserKeys(b"shared-secret-of-every-process!!")


def engine_on(store: PostgresStore, catalogue: DemoCatalogue) -> Engine:
    return Engine(
        store=store,
        model=OfflineStrategyProvider(),
        catalogue=catalogue,
        validator=LexicalValidator(),
        keys=KEYS,
        config=EngineConfig(defaults=LimitSettings(max_playlists_per_day=5)),
    )


@pytest.fixture
async def two_processes(postgres_dsn: str) -> AsyncIterator[tuple[Engine, Engine]]:
    catalogue = DemoCatalogue()  # read-only data; sharing it saves loading it twice
    async with PostgresStore(postgres_dsn) as first, PostgresStore(postgres_dsn) as second:
        yield engine_on(first, catalogue), engine_on(second, catalogue)


async def test_forty_concurrent_generates_across_two_engines_deliver_exactly_the_daily_limit(
    two_processes: tuple[Engine, Engine],
) -> None:
    async def attempt(i: int) -> Playlist | QuotaExceeded:
        try:
            return await two_processes[i % 2].generate(ALICE, "upbeat indie rock for running", 10)
        except QuotaExceeded as refused:
            return refused

    outcomes = await asyncio.gather(*(attempt(i) for i in range(40)))
    delivered = [o for o in outcomes if isinstance(o, Playlist)]
    assert len(delivered) == 5
    assert sum(isinstance(o, QuotaExceeded) for o in outcomes) == 35
    assert len({p.draft_id for p in delivered}) == 5
    for engine in two_processes:
        assert (await engine.limits_status(ALICE)).playlists_used_today == 5


async def test_a_playlist_generated_through_one_engine_is_refined_through_the_other(
    two_processes: tuple[Engine, Engine],
) -> None:
    first, second = two_processes
    made = await first.generate(ALICE, "relaxing jazz for studying", 10)
    refined = await second.refine(ALICE, "more piano", made.draft_id)
    assert (refined.draft_id, refined.version) == (made.draft_id, 2)
    status = await first.limits_status(ALICE)
    assert status.latest_draft_id == made.draft_id and status.refinements_used == 1
