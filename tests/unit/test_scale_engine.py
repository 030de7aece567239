"""The engine's reservations: charged on delivery, given back on failure, expired after a crash."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from core.engine import Engine, EngineConfig, Swept, utc_day
from core.errors import NotAboutMusic, QuotaExceeded, RefinementLimitReached
from core.identity import UserKeys
from core.models import LimitSettings, UserRef
from core.validation import LexicalValidator
from data.sqlite_store import SqliteStore
from tests.fakes.catalogue import FakeCatalogue
from tests.fakes.model import ScriptedModel
from tests.unit.test_engine import JAZZ, jazz_catalogue

ALICE = UserRef("console", "alice", "console")
START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TTL = timedelta(minutes=10)


class Observer:
    """Records what the engine reports (the metrics' view)."""

    def __init__(self) -> None:
        self.finished: list[tuple[str, str, float]] = []
        self.refused: list[str] = []

    def playlist_finished(self, verb: str, outcome: str, seconds: float) -> None:
        self.finished.append((verb, outcome, seconds))

    def limit_refused(self, kind: str) -> None:
        self.refused.append(kind)


def engine_for(store: SqliteStore, clock: list[datetime], *, catalogue: FakeCatalogue | None = None,
               limits: LimitSettings | None = None, observer: Observer | None = None) -> Engine:
    return Engine(
        store=store, model=ScriptedModel(JAZZ), catalogue=catalogue or jazz_catalogue(),
        validator=LexicalValidator(), keys=UserKeys(b"k" * 32),
        config=EngineConfig(defaults=limits or LimitSettings(max_playlists_per_day=2),
                            reservation_ttl=TTL),
        clock=lambda: clock[0], observer=observer,
    )


async def orphan_reservation(engine: Engine, now: datetime) -> int:
    """What a process killed mid-generation leaves: a reservation nobody confirms or cancels."""
    key, scope = engine.keys.key(ALICE), engine.keys.scope_key(ALICE.scope)
    reservation = await engine.store.reserve_playlist(key, scope, utc_day(now), 2, now, now + TTL)
    assert reservation is not None
    return reservation


async def searching(catalogue: FakeCatalogue) -> None:
    """Until a search is in flight (at most 5 s)."""
    for _ in range(500):
        if catalogue.in_flight:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the engine never searched")


async def used(engine: Engine) -> int:
    return (await engine.limits_status(ALICE)).playlists_used_today


async def test_a_delivered_playlist_is_charged_and_leaves_no_reservation(store: SqliteStore) -> None:
    clock = [START]
    engine = engine_for(store, clock)
    await engine.generate(ALICE, "calm jazz for studying", 5)
    assert await used(engine) == 1
    assert await store.expire_reservations(START + timedelta(days=1)) == 0  # it was confirmed


async def test_a_crashed_requests_reservation_holds_its_slot_until_it_expires(
    store: SqliteStore,
) -> None:
    clock = [START]
    engine = engine_for(store, clock)
    await engine.generate(ALICE, "calm jazz for studying", 5)
    await orphan_reservation(engine, START)
    with pytest.raises(QuotaExceeded):  # 1 delivered + 1 in flight (it might still finish)
        await engine.generate(ALICE, "more calm jazz", 5)

    clock[0] = START + TTL
    assert await used(engine) == 1  # expired: counts no more, even before a sweep
    assert await engine.housekeeping() == Swept(drafts=0, reservations=1)
    await engine.generate(ALICE, "more calm jazz", 5)
    assert await used(engine) == 2


async def test_a_failed_generation_gives_its_reservation_back_at_once(store: SqliteStore) -> None:
    clock = [START]
    engine = engine_for(store, clock)
    with pytest.raises(NotAboutMusic):
        await engine.generate(ALICE, "what is the capital of France", 5)
    assert await used(engine) == 0
    assert await store.expire_reservations(START + timedelta(days=1)) == 0


async def test_a_cancelled_generation_gives_its_reservation_back(store: SqliteStore) -> None:
    clock = [START]
    catalogue = jazz_catalogue()
    catalogue.latency = 5.0
    engine = engine_for(store, clock, catalogue=catalogue)
    task = asyncio.create_task(engine.generate(ALICE, "calm jazz for studying", 5))
    await searching(catalogue)
    assert await used(engine) == 1  # reserved while it works
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await used(engine) == 0


async def test_a_playlist_outliving_its_reservation_is_delivered_uncounted(
    store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    clock = [START]
    catalogue = jazz_catalogue()
    catalogue.latency = 0.05
    engine = engine_for(store, clock, catalogue=catalogue)
    task = asyncio.create_task(engine.generate(ALICE, "calm jazz for studying", 5))
    await searching(catalogue)
    # Another process's sweep runs after the reservation expired, while this one still works.
    assert await store.expire_reservations(START + TTL) == 1
    with caplog.at_level(logging.WARNING):
        playlist = await task
    assert len(playlist.tracks) == 5
    assert await used(engine) == 0  # never more than the limit: the lapsed one is not charged
    assert "RESERVATION_TTL_SECONDS" in caplog.text


async def test_refinements_are_charged_on_delivery_and_refused_at_the_limit(
    store: SqliteStore,
) -> None:
    clock = [START]
    observer = Observer()
    engine = engine_for(store, clock, limits=LimitSettings(max_refinements_per_playlist=1),
                        observer=observer)
    playlist = await engine.generate(ALICE, "calm jazz for studying", 5)
    refined = await engine.refine(ALICE, "calmer", playlist.draft_id)
    assert refined.refinements_used == 1
    with pytest.raises(RefinementLimitReached):
        await engine.regenerate(ALICE, playlist.draft_id)
    draft = await store.get_draft(playlist.draft_id, START)
    assert draft is not None and draft.refinements_used == 1
    assert observer.refused == ["refinement"]
    assert [(verb, outcome) for verb, outcome, _ in observer.finished] == [
        ("generate", "ok"), ("refine", "ok"), ("regenerate", "refinement_limit")]


async def test_the_observer_hears_each_outcome_and_its_duration(store: SqliteStore) -> None:
    clock = [START]
    observer = Observer()
    engine = engine_for(store, clock, limits=LimitSettings(max_playlists_per_day=1),
                        observer=observer)
    await engine.generate(ALICE, "calm jazz for studying", 5)
    with pytest.raises(QuotaExceeded):
        await engine.generate(ALICE, "calm jazz for studying", 5)
    assert [(v, o) for v, o, _ in observer.finished] == [
        ("generate", "ok"), ("generate", "quota_exceeded")]
    assert all(seconds >= 0 for _, _, seconds in observer.finished)
    assert observer.refused == ["playlist"]


async def test_health_times_each_check(store: SqliteStore) -> None:
    health = await engine_for(store, [START]).health()
    database = next(d for d in health.dependencies if d.name == "database")
    assert database.ok and database.latency_ms is not None and database.latency_ms >= 0
