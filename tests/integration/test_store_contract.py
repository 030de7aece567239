"""The store's specification, run against every backend: SQLite and a real PostgreSQL.

Each test gets an empty, migrated store of each kind (``store``), or the
``backend`` to open more stores on the same database (which is how several bot
processes share one database).  Behaviour that only one backend has (SQLite's
file errors and WAL, PostgreSQL's pool and advisory lock) is specified in
tests/unit/test_sqlite_store.py and tests/integration/test_postgres_store.py.
"""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from cryptography.fernet import Fernet

from core.errors import DraftNotFound, StoreUnavailable
from core.models import (
    LimitSettings,
    LinkedAccount,
    OAuthState,
    Profile,
    SavedPlaylist,
    Strategy,
)
from core.ports import Store
from data.postgres_store import PostgresStore
from data.sqlite_store import SqliteStore
from data.token_cipher import FernetCipher, bearer_digest
from tests.store_samples import DAY, LATER, NOW, version

AnyStore = SqliteStore | PostgresStore

# --- the two backends -----------------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    """One database and how to reach it: new stores on it, and raw SQL beside the store."""

    name: str
    make: Callable[[], AnyStore]
    execute: Callable[[str], Awaitable[None]]


def sqlite_backend(path: Path) -> Backend:
    def run(sql: str) -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute(sql)
        finally:
            conn.close()

    async def execute(sql: str) -> None:
        await asyncio.to_thread(run, sql)

    return Backend("sqlite", lambda: SqliteStore(path), execute)


def postgres_backend(dsn: str) -> Backend:
    async def execute(sql: str) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    # Every process on one PostgreSQL shares TOKEN_ENCRYPTION_KEY; here, every store.
    cipher = FernetCipher(Fernet.generate_key())
    return Backend("postgres", lambda: PostgresStore(dsn, max_size=4, cipher=cipher), execute)


# ``backend`` and ``store`` (an empty database of each kind) are in this folder's conftest,
# shared with the blend store's specs.


# --- the port ------------------------------------------------------------------------


@pytest.mark.parametrize("implementation", [SqliteStore, PostgresStore])
def test_store_implements_every_store_method_with_the_same_signature(
    implementation: type[AnyStore],
) -> None:
    methods = [
        name for name, value in vars(Store).items() if callable(value) and not name.startswith("_")
    ]
    assert methods  # the comparison below must not be vacuous
    for name in methods:
        ours = inspect.signature(getattr(implementation, name))
        theirs = inspect.signature(getattr(Store, name))
        assert ours == theirs, name
        assert inspect.iscoroutinefunction(getattr(implementation, name)), name


def test_both_stores_satisfy_the_runtime_protocol() -> None:
    assert isinstance(SqliteStore(":memory:"), Store)
    assert isinstance(PostgresStore("postgresql://u@127.0.0.1:1/db"), Store)


# --- life cycle --------------------------------------------------------------------------


async def test_open_store_reports_healthy(store: AnyStore) -> None:
    status = await store.health()
    assert (status.name, status.ok) == ("database", True)
    assert status.detail.startswith(("SQLite", "PostgreSQL"))


async def test_health_of_a_store_never_opened_is_not_ok(backend: Backend) -> None:
    status = await backend.make().health()
    assert (status.name, status.ok) == ("database", False)


async def test_using_a_closed_store_raises_store_unavailable(backend: Backend) -> None:
    store = backend.make()
    await store.open()
    await store.close()
    with pytest.raises(StoreUnavailable, match="not open"):
        await store.get_meta("anything")


async def test_open_and_close_are_idempotent(backend: Backend) -> None:
    store = backend.make()
    await store.open()
    await store.open()
    assert store.is_open
    await store.close()
    await store.close()
    assert not store.is_open


async def test_reopening_keeps_the_data_and_does_not_migrate_again(backend: Backend) -> None:
    async with backend.make() as first:
        await first.set_meta_if_absent("installation", "first")
    # A second open must not re-run migration 1 (CREATE TABLE would fail) nor lose data.
    async with backend.make() as second:
        assert await second.get_meta("installation") == "first"


async def test_corrupt_stored_json_raises_store_unavailable(
    store: AnyStore, backend: Backend
) -> None:
    await backend.execute(
        "INSERT INTO profiles (user_key, profile_json, updated_at) "
        "VALUES ('u', '{oops', CURRENT_TIMESTAMP)"
    )
    with pytest.raises(StoreUnavailable, match="cannot read"):
        await store.get_profile("u")


async def test_naive_datetimes_are_refused(store: AnyStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.cache_get("ns", "k", datetime(2026, 5, 9, 12, 0))


# --- meta ------------------------------------------------------------------------------


async def test_set_meta_if_absent_keeps_the_first_value(store: AnyStore) -> None:
    assert await store.set_meta_if_absent("hmac_salt", "first") == "first"
    assert await store.set_meta_if_absent("hmac_salt", "second") == "first"
    assert await store.get_meta("hmac_salt") == "first"


async def test_concurrent_set_meta_if_absent_over_two_stores_agree_on_one_value(
    backend: Backend,
) -> None:
    async with backend.make() as first, backend.make() as second:
        values = await asyncio.gather(
            *((first if i % 2 else second).set_meta_if_absent("secret", f"v{i}") for i in range(20))
        )
    assert len(set(values)) == 1


async def test_unknown_meta_key_is_none(store: AnyStore) -> None:
    assert await store.get_meta("nothing") is None


# --- playlist quota ----------------------------------------------------------------------
# A reservation is a row that counts until it expires; confirm_reservation turns it into
# a counted use, cancel_reservation gives it back.  EXPIRES is when a reservation made
# at NOW lapses.

EXPIRES = NOW + timedelta(minutes=10)


async def reserve(store: AnyStore, limit: int | None, *, user: str = "u", scope: str = "guild:1",
                  day: str = DAY, now: datetime = NOW) -> int | None:
    return await store.reserve_playlist(user, scope, day, limit, now, now + timedelta(minutes=10))


async def used(store: AnyStore, *, user: str = "u", scope: str = "guild:1",
               now: datetime = NOW) -> int:
    return await store.playlists_used(user, scope, DAY, now)


async def test_reservations_are_granted_up_to_the_limit_then_refused(store: AnyStore) -> None:
    results = [await reserve(store, 2) for _ in range(3)]
    assert [r is not None for r in results] == [True, True, False]
    assert await used(store) == 2


async def test_reservation_ids_are_distinct(store: AnyStore) -> None:
    ids = [await reserve(store, None) for _ in range(5)]
    assert None not in ids and len(set(ids)) == 5


async def test_two_hundred_concurrent_reservations_grant_exactly_the_limit(
    store: AnyStore,
) -> None:
    results = await asyncio.gather(*(reserve(store, 3) for _ in range(200)))
    assert sum(r is not None for r in results) == 3
    assert await used(store) == 3


async def test_two_hundred_concurrent_reservations_over_two_stores_grant_exactly_the_limit(
    backend: Backend,
) -> None:
    # Two stores on one database behave like two processes: the promise lives in SQL.
    async with backend.make() as first, backend.make() as second:
        results = await asyncio.gather(
            *(reserve(first if i % 2 else second, 37) for i in range(200))
        )
        assert sum(r is not None for r in results) == 37
        assert await used(second) == 37


async def test_concurrent_reservations_and_confirmations_never_overshoot(backend: Backend) -> None:
    async with backend.make() as first, backend.make() as second:

        async def request(i: int) -> bool:
            store = first if i % 2 else second
            reservation = await reserve(store, 10)
            if reservation is None:
                return False
            if i % 3 == 0:
                await store.cancel_reservation(reservation)  # this one failed: given back
                return False
            return await store.confirm_reservation(reservation)

        # Rounds until one grants nothing, so later rounds meet confirmed uses as well as
        # pending ones; a third of the granted requests fail and give their slot back.
        for _ in range(20):
            confirmed = await asyncio.gather(*(request(i) for i in range(60)))
            assert await used(first) <= 10
            if await used(second) == 10 and not any(confirmed):
                break
        assert await used(first) == 10
        assert await first.expire_reservations(NOW + timedelta(days=1)) == 0  # none left over


@pytest.mark.parametrize("limit", [0, -1])
async def test_a_limit_of_zero_or_less_grants_nothing_and_counts_nothing(
    store: AnyStore, limit: int
) -> None:
    assert await reserve(store, limit) is None
    assert await used(store) == 0


async def test_unlimited_reservations_are_granted_and_still_counted(store: AnyStore) -> None:
    results = [await reserve(store, None) for _ in range(25)]
    assert all(r is not None for r in results)
    assert await used(store) == 25


async def test_a_confirmed_reservation_stays_counted_after_it_would_have_expired(
    store: AnyStore,
) -> None:
    reservation = await reserve(store, 1)
    assert reservation is not None and await store.confirm_reservation(reservation) is True
    much_later = NOW + timedelta(hours=2)
    assert await used(store, now=much_later) == 1
    assert await reserve(store, 1, now=much_later) is None


async def test_confirming_twice_counts_once(store: AnyStore) -> None:
    reservation = await reserve(store, 5)
    assert reservation is not None
    assert await store.confirm_reservation(reservation) is True
    assert await store.confirm_reservation(reservation) is False
    assert await used(store) == 1


async def test_a_cancelled_reservation_frees_its_slot_and_cannot_be_confirmed(
    store: AnyStore,
) -> None:
    reservation = await reserve(store, 1)
    assert reservation is not None
    await store.cancel_reservation(reservation)
    await store.cancel_reservation(reservation)  # twice, or an unknown id: nothing happens
    assert await store.confirm_reservation(reservation) is False
    assert await used(store) == 0
    assert await reserve(store, 1) is not None


async def test_an_unconfirmed_reservation_stops_counting_when_it_expires(store: AnyStore) -> None:
    # What a process killed mid-generation leaves behind: a row, never confirmed.
    assert await reserve(store, 1) is not None
    assert await reserve(store, 1, now=EXPIRES - timedelta(seconds=1)) is None
    assert await used(store, now=EXPIRES) == 0
    assert await reserve(store, 1, now=EXPIRES) is not None


async def test_the_sweep_removes_expired_reservations_only(store: AnyStore) -> None:
    crashed = await reserve(store, None)
    live = await reserve(store, None, now=NOW + timedelta(minutes=5))
    assert crashed is not None and live is not None
    assert await store.expire_reservations(EXPIRES) == 1
    assert await store.expire_reservations(EXPIRES) == 0
    assert await store.confirm_reservation(crashed) is False  # swept: nothing is counted
    assert await store.confirm_reservation(live) is True
    assert await used(store, now=EXPIRES) == 1


async def test_a_reservation_swept_by_another_store_is_not_counted_by_the_first(
    backend: Backend,
) -> None:
    async with backend.make() as crashed_process, backend.make() as survivor:
        reservation = await reserve(crashed_process, 5)
        assert reservation is not None
        assert await survivor.expire_reservations(EXPIRES) == 1
        assert await crashed_process.confirm_reservation(reservation) is False
        assert await used(survivor, now=NOW) == 0


async def test_counters_are_separate_per_user_scope_and_day(store: AnyStore) -> None:
    assert await reserve(store, 1) is not None
    assert await reserve(store, 1, scope="guild:2") is not None
    assert await reserve(store, 1, user="v") is not None
    assert await reserve(store, 1, day="2026-05-10") is not None
    assert await reserve(store, 1) is None


async def test_unknown_counter_reads_as_zero(store: AnyStore) -> None:
    assert await used(store, user="nobody", scope="dm") == 0


# --- refinement quota ----------------------------------------------------------------------


async def reserve_refinement(store: AnyStore, draft_id: int, limit: int | None,
                             now: datetime = NOW) -> int | None:
    return await store.reserve_refinement(draft_id, limit, now, now + timedelta(minutes=10))


async def test_refinement_reservations_stop_at_the_limit(store: AnyStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    results = [await reserve_refinement(store, draft_id, 2) for _ in range(3)]
    assert [r is not None for r in results] == [True, True, False]
    for reservation in results[:2]:
        assert reservation is not None and await store.confirm_reservation(reservation)
    draft = await store.get_draft(draft_id, NOW)
    assert draft is not None and draft.refinements_used == 2


async def test_concurrent_refinement_reservations_over_two_stores_grant_exactly_the_limit(
    backend: Backend,
) -> None:
    async with backend.make() as first, backend.make() as second:
        draft_id = await first.create_draft("u", "dm", "rainy day", version(), LATER)
        results = await asyncio.gather(
            *(reserve_refinement(first if i % 2 else second, draft_id, 3) for i in range(50))
        )
    assert sum(r is not None for r in results) == 3


async def test_pending_refinements_are_not_yet_counted_on_the_draft(store: AnyStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    assert all([await reserve_refinement(store, draft_id, None) is not None for _ in range(5)])
    draft = await store.get_draft(draft_id, NOW)
    assert draft is not None and draft.refinements_used == 0


async def test_refinement_with_zero_limit_is_refused(store: AnyStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    assert await reserve_refinement(store, draft_id, 0) is None


async def test_refinement_of_unknown_draft_is_refused(store: AnyStore) -> None:
    assert await reserve_refinement(store, 12345, None) is None


async def test_a_cancelled_refinement_frees_its_slot(store: AnyStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    reservation = await reserve_refinement(store, draft_id, 1)
    assert reservation is not None
    await store.cancel_reservation(reservation)
    draft = await store.get_draft(draft_id, NOW)
    assert draft is not None and draft.refinements_used == 0
    assert await reserve_refinement(store, draft_id, 1) is not None


async def test_an_expired_refinement_reservation_stops_counting(store: AnyStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), NOW + timedelta(days=1))
    assert await reserve_refinement(store, draft_id, 1) is not None
    assert await reserve_refinement(store, draft_id, 1) is None
    assert await reserve_refinement(store, draft_id, 1, now=EXPIRES) is not None


async def test_a_purged_draft_takes_its_refinement_reservations_with_it(store: AnyStore) -> None:
    draft_id = await store.create_draft("u", "dm", "p", version(), NOW + timedelta(minutes=1))
    reservation = await reserve_refinement(store, draft_id, None)
    assert reservation is not None
    assert await store.purge_expired(NOW + timedelta(minutes=2)) == 1
    assert await store.confirm_reservation(reservation) is False


# --- claimed chat updates --------------------------------------------------------------------


async def test_an_update_is_claimed_once(store: AnyStore) -> None:
    assert await store.claim_update("telegram:1", 500, LATER) is True
    assert await store.claim_update("telegram:1", 500, LATER) is False
    assert await store.claim_update("telegram:2", 500, LATER) is True  # another bot's numbering
    assert await store.claim_update("telegram:1", 501, LATER) is True


async def test_concurrent_claims_over_two_stores_succeed_once(backend: Backend) -> None:
    # Telegram redelivering to two webhook workers at once.
    async with backend.make() as first, backend.make() as second:
        results = await asyncio.gather(
            *((first if i % 2 else second).claim_update("telegram:1", 42, LATER) for i in range(20))
        )
    assert results.count(True) == 1


async def test_expired_claims_are_purged(store: AnyStore) -> None:
    await store.claim_update("telegram:1", 7, NOW + timedelta(minutes=1))
    await store.purge_expired(NOW + timedelta(minutes=2))
    assert await store.claim_update("telegram:1", 7, LATER) is True


# --- limit settings and profiles ---------------------------------------------------------------


async def test_limit_settings_are_stored_per_scope_and_replaced(store: AnyStore) -> None:
    strict = LimitSettings(playlist_limit_enabled=False, max_playlists_per_day=2, max_songs=15)
    await store.set_limit_settings("guild:1", LimitSettings())
    await store.set_limit_settings("guild:1", strict)
    assert await store.get_limit_settings("guild:1") == strict
    assert await store.get_limit_settings("guild:2") is None


async def test_limit_settings_written_by_one_store_are_read_fresh_by_another(
    backend: Backend,
) -> None:
    async with backend.make() as admin_side, backend.make() as other_process:
        assert await other_process.get_limit_settings("guild:1") is None
        await admin_side.set_limit_settings("guild:1", LimitSettings(max_playlists_per_day=1))
        seen = await other_process.get_limit_settings("guild:1")
    assert seen is not None and seen.max_playlists_per_day == 1


async def test_profile_round_trips_with_tuples(store: AnyStore) -> None:
    profile = Profile(
        favourite_genres=("jazz", "soul"),
        favourite_artists=("Nina Simone",),
        disliked_artists=("Kenny G",),
        energy=0.3,
        discovery="deep",
        explicit_ok=False,
        language="es",
    )
    await store.save_profile("u", Profile())
    await store.save_profile("u", profile)
    assert await store.get_profile("u") == profile


async def test_missing_profile_is_none(store: AnyStore) -> None:
    assert await store.get_profile("nobody") is None


# --- drafts --------------------------------------------------------------------------------


async def test_created_draft_round_trips_with_version_one(store: AnyStore) -> None:
    first = version(number=7)  # the store numbers versions itself
    draft_id = await store.create_draft("owner", "guild:1", "rainy day", first, LATER)
    draft = await store.get_draft(draft_id, NOW)
    assert draft is not None
    assert (draft.id, draft.owner_key, draft.scope, draft.prompt) == (
        draft_id,
        "owner",
        "guild:1",
        "rainy day",
    )
    assert draft.created_at == NOW and draft.expires_at == LATER
    assert draft.created_at.tzinfo is UTC and draft.latest.created_at.tzinfo is UTC
    assert draft.refinements_used == 0
    assert draft.latest == version(number=1)
    assert isinstance(draft.latest.tracks[0].artists, tuple)


async def test_timestamps_keep_microseconds_and_come_back_in_utc(store: AnyStore) -> None:
    from datetime import timezone

    paris = timezone(timedelta(hours=2))
    moment = datetime(2026, 5, 9, 14, 0, 0, 123456, tzinfo=paris)
    draft_id = await store.create_draft("u", "dm", "p", version(created_at=moment), LATER)
    draft = await store.get_draft(draft_id, NOW)
    assert draft is not None and draft.created_at == moment
    assert draft.created_at.tzinfo is UTC and draft.created_at.hour == 12


async def test_draft_ids_are_distinct_and_increasing(store: AnyStore) -> None:
    ids = [await store.create_draft("u", "dm", f"p{i}", version(), LATER) for i in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3


async def test_added_versions_are_numbered_by_the_store(store: AnyStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    second = await store.add_draft_version(draft_id, version("Calmer", number=99), LATER)
    third = await store.add_draft_version(draft_id, version("Calmest", number=1), LATER)
    assert (second, third) == (2, 3)
    draft = await store.get_draft(draft_id, NOW)
    assert draft is not None and draft.latest.version == 3 and draft.latest.title == "Calmest"


async def test_concurrent_added_versions_over_two_stores_get_distinct_consecutive_numbers(
    backend: Backend,
) -> None:
    async with backend.make() as first, backend.make() as second:
        draft_id = await first.create_draft("u", "dm", "rainy day", version(), LATER)
        numbers = await asyncio.gather(
            *(
                (first if i % 2 else second).add_draft_version(draft_id, version(f"v{i}"), LATER)
                for i in range(20)
            )
        )
    assert sorted(numbers) == list(range(2, 22))


async def test_adding_a_version_sets_the_new_expiry(store: AnyStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    much_later = NOW + timedelta(days=2)
    await store.add_draft_version(draft_id, version("Again"), much_later)
    draft = await store.get_draft(draft_id, LATER + timedelta(minutes=1))
    assert draft is not None and draft.expires_at == much_later


async def test_adding_a_version_to_an_unknown_draft_raises_draft_not_found(
    store: AnyStore,
) -> None:
    with pytest.raises(DraftNotFound):
        await store.add_draft_version(4242, version(), LATER)
    assert await store.get_draft_version(4242, 1) is None


async def test_get_draft_version_returns_that_version(store: AnyStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version("First"), LATER)
    await store.add_draft_version(draft_id, version("Second", feedback="calmer"), LATER)
    first = await store.get_draft_version(draft_id, 1)
    second = await store.get_draft_version(draft_id, 2)
    assert first is not None and first.title == "First" and first.feedback is None
    assert second is not None and second.title == "Second" and second.feedback == "calmer"
    assert await store.get_draft_version(draft_id, 3) is None


async def test_expired_draft_is_not_returned(store: AnyStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    assert await store.get_draft(draft_id, LATER) is None
    assert await store.latest_draft("u", "dm", LATER) is None


async def test_unknown_draft_is_none(store: AnyStore) -> None:
    assert await store.get_draft(999, NOW) is None


async def test_latest_draft_is_the_newest_live_one_for_that_owner_and_scope(
    store: AnyStore,
) -> None:
    older = await store.create_draft("u", "dm", "old", version(created_at=NOW), LATER)
    newer = await store.create_draft(
        "u", "dm", "new", version(created_at=NOW + timedelta(minutes=5)), LATER
    )
    await store.create_draft("u", "guild:1", "elsewhere", version(created_at=NOW), LATER)
    await store.create_draft("v", "dm", "someone else", version(created_at=NOW), LATER)
    await store.add_draft_version(older, version("refined later"), LATER)  # does not reorder
    latest = await store.latest_draft("u", "dm", NOW)
    assert latest is not None and latest.id == newer and latest.prompt == "new"


async def test_a_draft_made_by_one_store_is_refined_through_another(backend: Backend) -> None:
    async with backend.make() as first, backend.make() as second:
        draft_id = await first.create_draft("u", "dm", "rainy day", version("One"), LATER)
        reservation = await reserve_refinement(second, draft_id, 3)
        assert reservation is not None
        assert await second.add_draft_version(draft_id, version("Two"), LATER) == 2
        assert await second.confirm_reservation(reservation) is True
        draft = await first.get_draft(draft_id, NOW)
    assert draft is not None and draft.latest.title == "Two" and draft.refinements_used == 1


async def test_create_draft_is_all_or_nothing(store: AnyStore) -> None:
    broken = version(title=None)  # type: ignore[arg-type]  # NOT NULL fails on the 2nd insert
    with pytest.raises(StoreUnavailable):
        await store.create_draft("u", "dm", "rainy day", broken, LATER)
    assert await store.latest_draft("u", "dm", NOW) is None
    # The store is still usable: the failed transaction was rolled back.
    assert await store.create_draft("u", "dm", "rainy day", version(), LATER) > 0


async def test_purge_removes_expired_drafts_with_their_versions_states_and_cache_rows(
    store: AnyStore,
) -> None:
    soon = NOW + timedelta(minutes=1)
    gone = await store.create_draft("u", "dm", "old", version(), soon)
    await store.add_draft_version(gone, version("v2"), soon)
    kept = await store.create_draft("u", "dm", "new", version(), LATER)
    await store.put_oauth_state(OAuthState("s-old", "u", NOW, soon))
    await store.put_oauth_state(OAuthState("s-new", "u", NOW, LATER))
    await store.cache_put("emb", "old", "1", soon)
    await store.cache_put("emb", "new", "2", LATER)

    removed = await store.purge_expired(NOW + timedelta(minutes=2))

    assert removed == 1
    # Versions went with their draft (get_draft_version ignores expiry, so this sees orphans).
    assert await store.get_draft_version(gone, 1) is None
    assert await store.get_draft_version(gone, 2) is None
    # Asked "as of NOW", the expired rows would still be live had they not been deleted.
    assert await store.consume_oauth_state("s-old", NOW) is None
    assert await store.cache_get("emb", "old", NOW) is None
    assert await store.consume_oauth_state("s-new", NOW) is not None
    assert await store.cache_get("emb", "new", NOW) == "2"
    assert await store.get_draft(kept, NOW) is not None


async def test_strategy_with_nothing_to_search_still_round_trips(store: AnyStore) -> None:
    # parse_strategy rejects such a strategy from a model, but one the engine built
    # itself must come back exactly as stored.
    bare = Strategy(title="Seeds only", seed_artists=("Björk",), energy=0.5)
    draft_id = await store.create_draft("u", "dm", "p", version(strategy=bare), LATER)
    draft = await store.get_draft(draft_id, NOW)
    assert draft is not None and draft.latest.strategy == bare


# --- OAuth states and linked accounts ---------------------------------------------------------


async def test_oauth_state_is_single_use(store: AnyStore) -> None:
    state = OAuthState("abc", "u", NOW, NOW + timedelta(minutes=10), payload="verifier")
    await store.put_oauth_state(state)
    assert await store.consume_oauth_state("abc", NOW) == state
    assert await store.consume_oauth_state("abc", NOW) is None


async def test_an_oauth_state_is_stored_as_its_sha256_digest(
    store: AnyStore, backend: Backend
) -> None:
    state = "raw-state-the-user-carries-in-the-link"
    await store.put_oauth_state(OAuthState(state, "u", NOW, LATER))
    # The row is found by the digest alone (deleting it makes the state unusable)...
    await backend.execute(
        f"DELETE FROM oauth_states WHERE state_digest = '{bearer_digest(state)}'"
    )
    assert await store.consume_oauth_state(state, NOW) is None


async def test_a_cache_key_is_stored_as_its_sha256_digest(
    store: AnyStore, backend: Backend
) -> None:
    await store.cache_put("api-session", "session-id", "{}", LATER)
    await backend.execute(
        f"DELETE FROM cache WHERE namespace = 'api-session' "
        f"AND key = '{bearer_digest('session-id')}'"
    )
    assert await store.cache_get("api-session", "session-id", NOW) is None


async def test_a_consumed_oauth_state_returns_the_value_brought_not_the_digest(
    store: AnyStore,
) -> None:
    state = OAuthState("raw-state", "u", NOW, LATER, payload="verifier")
    await store.put_oauth_state(state)
    consumed = await store.consume_oauth_state("raw-state", NOW)
    assert consumed == state and consumed.state == "raw-state"


async def test_a_repeated_oauth_state_value_is_refused(store: AnyStore) -> None:
    await store.put_oauth_state(OAuthState("abc", "u", NOW, LATER))
    with pytest.raises(StoreUnavailable):
        await store.put_oauth_state(OAuthState("abc", "v", NOW, LATER))
    consumed = await store.consume_oauth_state("abc", NOW)
    assert consumed is not None and consumed.user_key == "u"


async def test_expired_oauth_state_is_not_consumed(store: AnyStore) -> None:
    await store.put_oauth_state(OAuthState("abc", "u", NOW, NOW + timedelta(minutes=10)))
    assert await store.consume_oauth_state("abc", NOW + timedelta(minutes=10)) is None


async def test_unknown_oauth_state_is_none(store: AnyStore) -> None:
    assert await store.consume_oauth_state("never-issued", NOW) is None


async def test_concurrent_consumes_over_two_stores_succeed_once(backend: Backend) -> None:
    async with backend.make() as first, backend.make() as second:
        await first.put_oauth_state(OAuthState("abc", "u", NOW, LATER))
        results = await asyncio.gather(
            *((first if i % 2 else second).consume_oauth_state("abc", NOW) for i in range(20))
        )
    assert sum(result is not None for result in results) == 1


async def test_linked_account_round_trips_and_relinking_replaces_it(store: AnyStore) -> None:
    old = LinkedAccount("u", "spotify", "acc1", "Old Name", b"\x00old\xff", NOW)
    new = LinkedAccount("u", "spotify", "acc2", "New Name", b"\x00new\xff", LATER)
    await store.save_linked_account(old)
    await store.save_linked_account(new)
    assert await store.get_linked_account("u", "spotify") == new
    assert await store.get_linked_account("u", "tidal") is None


async def test_delete_linked_account_reports_whether_one_existed(store: AnyStore) -> None:
    await store.save_linked_account(LinkedAccount("u", "spotify", "a", "A", b"t", NOW))
    assert await store.delete_linked_account("u", "spotify") is True
    assert await store.delete_linked_account("u", "spotify") is False
    assert await store.get_linked_account("u", "spotify") is None


# --- cache ---------------------------------------------------------------------------------


async def test_cache_returns_only_live_values(store: AnyStore) -> None:
    await store.cache_put("emb", "k", "[0.1]", LATER)
    assert await store.cache_get("emb", "k", NOW) == "[0.1]"
    assert await store.cache_get("emb", "k", LATER) is None
    assert await store.cache_get("other", "k", NOW) is None


async def test_cache_put_replaces_value_and_expiry(store: AnyStore) -> None:
    await store.cache_put("emb", "k", "old", NOW + timedelta(minutes=1))
    await store.cache_put("emb", "k", "new", LATER)
    assert await store.cache_get("emb", "k", NOW + timedelta(minutes=30)) == "new"


# --- per-scope music apps and saved playlists -------------------------------------------------


async def test_scope_app_round_trips_is_replaced_and_deleted(store: AnyStore) -> None:
    assert await store.get_scope_app("guild:1", "spotify") is None
    await store.set_scope_app("guild:1", "spotify", b"\x00first\xff")
    await store.set_scope_app("guild:1", "spotify", b"\x00second\xff")
    assert await store.get_scope_app("guild:1", "spotify") == b"\x00second\xff"
    assert await store.get_scope_app("guild:2", "spotify") is None
    assert await store.delete_scope_app("guild:1", "spotify") is True
    assert await store.delete_scope_app("guild:1", "spotify") is False
    assert await store.get_scope_app("guild:1", "spotify") is None


def saved(draft_id: int, playlist_id: str = "pl1", saved_at: datetime = NOW) -> SavedPlaylist:
    return SavedPlaylist(
        user_key="u",
        draft_id=draft_id,
        provider="spotify",
        account_id="acc",
        playlist_id=playlist_id,
        url=f"https://open.spotify.com/playlist/{playlist_id}",
        saved_at=saved_at,
    )


async def test_saved_playlist_round_trips_and_saving_again_replaces_it(store: AnyStore) -> None:
    draft_id = await store.create_draft("u", "dm", "p", version(), LATER)
    assert await store.get_saved_playlist("u", draft_id, "spotify") is None
    await store.put_saved_playlist(saved(draft_id))
    await store.put_saved_playlist(saved(draft_id, "pl2", LATER))
    found = await store.get_saved_playlist("u", draft_id, "spotify")
    assert found == saved(draft_id, "pl2", LATER)
    assert found is not None and found.saved_at.tzinfo is UTC
    assert await store.get_saved_playlist("v", draft_id, "spotify") is None


async def test_saving_a_purged_draft_raises_draft_not_found(store: AnyStore) -> None:
    with pytest.raises(DraftNotFound):
        await store.put_saved_playlist(saved(98765))


async def test_saved_playlists_go_with_their_draft(store: AnyStore) -> None:
    draft_id = await store.create_draft("u", "dm", "p", version(), NOW + timedelta(minutes=1))
    await store.put_saved_playlist(saved(draft_id))
    assert await store.purge_expired(NOW + timedelta(minutes=2)) == 1
    assert await store.get_saved_playlist("u", draft_id, "spotify") is None


async def test_a_taken_cache_value_is_gone_for_the_next_caller(store: AnyStore) -> None:
    await store.cache_put("deep-link", "payload", "value", LATER)
    assert await store.cache_take("deep-link", "payload", NOW) == "value"
    assert await store.cache_take("deep-link", "payload", NOW) is None
    assert await store.cache_get("deep-link", "payload", NOW) is None


async def test_an_expired_cache_value_cannot_be_taken(store: AnyStore) -> None:
    await store.cache_put("deep-link", "payload", "value", NOW)
    assert await store.cache_take("deep-link", "payload", NOW) is None


async def test_of_many_concurrent_takers_exactly_one_gets_the_value(store: AnyStore) -> None:
    await store.cache_put("deep-link", "payload", "value", LATER)
    taken = await asyncio.gather(*(store.cache_take("deep-link", "payload", NOW) for _ in range(20)))
    assert taken.count("value") == 1
