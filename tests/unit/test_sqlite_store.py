"""Specification of the SQLite store (data/sqlite_store.py) and its codec."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import aiosqlite
import pytest

from core.errors import DraftNotFound, StoreUnavailable
from core.models import (
    DraftVersion,
    LimitSettings,
    LinkedAccount,
    OAuthState,
    Profile,
    SongSuggestion,
    Strategy,
    Track,
)
from core.ports import Store
from data.codec import (
    CodecError,
    decode_time,
    draft_version_from_json,
    draft_version_to_json,
    encode_time,
    limit_settings_from_json,
    profile_from_json,
    track_from_dict,
    track_to_dict,
)
from data.migrate import Migration, apply_migrations, load_migrations, split_statements
from data.sqlite_store import SqliteStore

NOW = datetime(2026, 5, 9, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
DAY = "2026-05-09"

FULL_TRACK = Track(
    id="4uLU6hMCjMI75M1A2tKUQC",
    title="Never Gonna Give You Up",
    artists=("Rick Astley", "Guest"),
    album="Whenever You Need Somebody",
    duration_ms=213_573,
    explicit=True,
    popularity=77,
    genres=("dance pop", "new wave pop"),
    image_url="https://i.scdn.co/image/abc",
    energy=0.94,
    valence=0.91,
    danceability=0.73,
    tempo=113.3,
    acousticness=0.02,
    instrumentalness=0.0,
)
BARE_TRACK = Track(id="t2", title="Bare", artists=("Someone",))

STRATEGY = Strategy(
    title="Morning run",
    genres=("indie rock",),
    moods=("upbeat",),
    energy=0.8,
    valence=0.7,
    era="2000s",
    seed_artists=("Arcade Fire",),
    avoid_artists=("Nickelback",),
    songs=(SongSuggestion(title="Wake Up", artist="Arcade Fire"),),
    queries=('genre:"indie rock" year:2000-2009',),
    description="Fast guitars for a morning run",
)


def version(
    title: str = "Morning run",
    *,
    tracks: tuple[Track, ...] = (FULL_TRACK, BARE_TRACK),
    created_at: datetime = NOW,
    feedback: str | None = None,
    number: int = 1,
    strategy: Strategy = STRATEGY,
) -> DraftVersion:
    return DraftVersion(
        version=number,
        title=title,
        strategy=strategy,
        tracks=tracks,
        provider="offline",
        catalogue="demo",
        requested_count=20,
        created_at=created_at,
        feedback=feedback,
        note="only 2 tracks matched" if feedback is None else None,
    )


@pytest.fixture
async def store() -> AsyncIterator[SqliteStore]:
    async with SqliteStore(":memory:") as opened:
        yield opened


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "echotuner.db"


@pytest.fixture
async def file_store(db_path: Path) -> AsyncIterator[SqliteStore]:
    async with SqliteStore(db_path) as opened:
        yield opened


@contextlib.contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection in autocommit mode, closed afterwards."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


# --- the port ------------------------------------------------------------------------


def test_sqlite_store_implements_every_store_method_with_the_same_signature() -> None:
    assert isinstance(SqliteStore(":memory:"), Store)
    methods = [
        name for name, value in vars(Store).items() if callable(value) and not name.startswith("_")
    ]
    assert methods  # the comparison below must not be vacuous
    for name in methods:
        ours = inspect.signature(getattr(SqliteStore, name))
        theirs = inspect.signature(getattr(Store, name))
        assert ours == theirs, name
        assert inspect.iscoroutinefunction(getattr(SqliteStore, name)), name


# --- life cycle and migrations -------------------------------------------------------


async def test_memory_database_opens_and_reports_healthy(store: SqliteStore) -> None:
    status = await store.health()
    assert status.name == "database"
    assert status.ok is True


async def test_health_of_a_closed_store_is_not_ok() -> None:
    store = SqliteStore(":memory:")
    status = await store.health()
    assert (status.name, status.ok) == ("database", False)


async def test_using_a_closed_store_raises_store_unavailable() -> None:
    store = SqliteStore(":memory:")
    await store.open()
    await store.close()
    with pytest.raises(StoreUnavailable, match="not open"):
        await store.get_meta("anything")


async def test_open_and_close_are_idempotent() -> None:
    store = SqliteStore(":memory:")
    await store.open()
    await store.open()
    assert store.is_open
    await store.close()
    await store.close()
    assert not store.is_open


async def test_migrations_are_applied_once_and_recorded_in_user_version(db_path: Path) -> None:
    async with SqliteStore(db_path) as store:
        await store.set_meta_if_absent("installation", "first")
    # A second open must not re-run migration 1 (CREATE TABLE would fail) nor lose data.
    async with SqliteStore(db_path) as store:
        assert await store.get_meta("installation") == "first"
    with raw(db_path) as conn:
        (recorded,) = conn.execute("PRAGMA user_version").fetchone()
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert recorded == load_migrations()[-1].version
    assert {"meta", "drafts", "draft_versions", "quota_counters", "cache"} <= tables


async def test_migration_files_ship_as_package_resources_numbered_from_one() -> None:
    migrations = load_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert migrations[0].name == "initial"
    assert any("CREATE TABLE drafts" in s for s in migrations[0].statements())


async def test_a_failing_migration_leaves_the_database_at_the_previous_version(
    db_path: Path,
) -> None:
    migrations = (
        Migration(1, "good", "CREATE TABLE one (x INTEGER);"),
        Migration(2, "bad", "CREATE TABLE two (x INTEGER);\nINSERT INTO missing VALUES (1);"),
    )
    conn = await aiosqlite.connect(db_path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError):
            await apply_migrations(conn, migrations)
        version_rows = list(await conn.execute_fetchall("PRAGMA user_version"))
        names = {row[0] for row in await conn.execute_fetchall("SELECT name FROM sqlite_master")}
    finally:
        await conn.close()
    assert version_rows[0][0] == 1
    assert names == {"one"}  # table "two" was rolled back with the failed migration


async def test_database_from_a_newer_program_raises_store_unavailable(db_path: Path) -> None:
    with raw(db_path) as conn:
        conn.execute("PRAGMA user_version = 999")
    with pytest.raises(StoreUnavailable, match="newer"):
        await SqliteStore(db_path).open()


def test_statements_split_on_semicolons_outside_strings_comments_and_triggers() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE a (x TEXT DEFAULT 'semi;colon');
    CREATE TRIGGER t AFTER INSERT ON a BEGIN
        UPDATE a SET x = 'y'; DELETE FROM a WHERE x = 'z';
    END;
    -- trailing comment
    """
    statements = split_statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")


async def test_file_database_is_in_wal_mode(file_store: SqliteStore, db_path: Path) -> None:
    with raw(db_path) as conn:
        (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"


# --- errors at the boundary ----------------------------------------------------------


def folder_contents(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` with its bytes (sync: keeps blocking I/O out of async tests)."""
    return {path.name: path.read_bytes() for path in folder.iterdir()}


@pytest.fixture
def text_file(db_path: Path) -> Path:
    db_path.write_text("these are my shopping notes, not a database\n" * 20)
    return db_path


async def test_non_database_file_raises_store_unavailable(text_file: Path) -> None:
    before = folder_contents(text_file.parent)
    with pytest.raises(StoreUnavailable) as caught:
        await SqliteStore(text_file).open()
    assert str(text_file) in caught.value.user_message
    assert "not an EchoTuner database" in caught.value.user_message
    assert "sqlite3" not in caught.value.user_message
    # Nothing was written: same bytes, and no WAL, shm or journal file beside it.
    assert folder_contents(text_file.parent) == before


async def test_missing_directory_raises_store_unavailable_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "echotuner.db"
    with pytest.raises(StoreUnavailable) as caught:
        await SqliteStore(path).open()
    assert str(path) in caught.value.user_message
    assert "folder exists" in caught.value.user_message
    assert not path.parent.exists()


async def test_path_that_is_a_directory_raises_store_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="cannot be opened"):
        await SqliteStore(tmp_path).open()


@pytest.fixture
def unreadable_db(db_path: Path) -> Iterator[Path]:
    with raw(db_path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    db_path.chmod(0)
    yield db_path
    db_path.chmod(0o600)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file"
)
async def test_unreadable_file_raises_store_unavailable(unreadable_db: Path) -> None:
    with pytest.raises(StoreUnavailable) as caught:
        await SqliteStore(unreadable_db).open()
    assert str(unreadable_db) in caught.value.user_message


async def test_locked_database_raises_store_unavailable_on_open(db_path: Path) -> None:
    with raw(db_path) as holder:
        holder.execute("CREATE TABLE other_program (x INTEGER)")
        holder.execute("BEGIN EXCLUSIVE")  # rollback-journal mode: blocks even readers
        with pytest.raises(StoreUnavailable) as caught:
            await SqliteStore(db_path, busy_timeout_ms=50).open()
        holder.execute("ROLLBACK")
    assert "locked" in caught.value.user_message
    assert str(db_path) in caught.value.user_message


async def test_write_blocked_by_another_writer_raises_store_unavailable(db_path: Path) -> None:
    async with SqliteStore(db_path, busy_timeout_ms=50) as store:
        with raw(db_path) as holder:
            holder.execute("BEGIN IMMEDIATE")
            with pytest.raises(StoreUnavailable, match="locked"):
                await store.reserve_playlist("u", "dm", DAY, 3)
            holder.execute("ROLLBACK")
        # Once the other writer is gone the store works again.
        assert await store.reserve_playlist("u", "dm", DAY, 3) is True


async def test_corrupt_stored_json_raises_store_unavailable(
    file_store: SqliteStore, db_path: Path
) -> None:
    with raw(db_path) as conn:
        conn.execute(
            "INSERT INTO profiles (user_key, profile_json, updated_at) VALUES ('u', '{oops', 'x')"
        )
    with pytest.raises(StoreUnavailable, match="cannot read"):
        await file_store.get_profile("u")


async def test_naive_datetimes_are_refused(store: SqliteStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.cache_get("ns", "k", datetime(2026, 5, 9, 12, 0))


# --- meta ------------------------------------------------------------------------------


async def test_set_meta_if_absent_keeps_the_first_value(store: SqliteStore) -> None:
    assert await store.set_meta_if_absent("hmac_salt", "first") == "first"
    assert await store.set_meta_if_absent("hmac_salt", "second") == "first"
    assert await store.get_meta("hmac_salt") == "first"


async def test_unknown_meta_key_is_none(store: SqliteStore) -> None:
    assert await store.get_meta("nothing") is None


# --- playlist quota ----------------------------------------------------------------------


async def test_reservations_are_granted_up_to_the_limit_then_refused(store: SqliteStore) -> None:
    results = [await store.reserve_playlist("u", "guild:1", DAY, 2) for _ in range(3)]
    assert results == [True, True, False]
    assert await store.playlists_used("u", "guild:1", DAY) == 2


async def test_two_hundred_concurrent_reservations_grant_exactly_the_limit(
    file_store: SqliteStore,
) -> None:
    results = await asyncio.gather(
        *(file_store.reserve_playlist("u", "guild:1", DAY, 3) for _ in range(200))
    )
    assert results.count(True) == 3
    assert await file_store.playlists_used("u", "guild:1", DAY) == 3


async def test_two_hundred_concurrent_reservations_over_two_connections_grant_exactly_the_limit(
    db_path: Path,
) -> None:
    # Two stores on one file behave like two processes: the promise lives in SQL.
    async with SqliteStore(db_path) as first, SqliteStore(db_path) as second:
        results = await asyncio.gather(
            *(
                (first if i % 2 else second).reserve_playlist("u", "guild:1", DAY, 3)
                for i in range(200)
            )
        )
        assert results.count(True) == 3
        assert await second.playlists_used("u", "guild:1", DAY) == 3


@pytest.mark.parametrize("limit", [0, -1])
async def test_a_limit_of_zero_or_less_grants_nothing_and_counts_nothing(
    store: SqliteStore, limit: int
) -> None:
    assert await store.reserve_playlist("u", "dm", DAY, limit) is False
    assert await store.playlists_used("u", "dm", DAY) == 0


async def test_unlimited_reservations_are_granted_and_still_counted(store: SqliteStore) -> None:
    results = [await store.reserve_playlist("u", "dm", DAY, None) for _ in range(25)]
    assert all(results)
    assert await store.playlists_used("u", "dm", DAY) == 25


async def test_refund_frees_a_slot(store: SqliteStore) -> None:
    assert await store.reserve_playlist("u", "dm", DAY, 1) is True
    await store.refund_playlist("u", "dm", DAY)
    assert await store.reserve_playlist("u", "dm", DAY, 1) is True


async def test_refund_never_goes_below_zero(store: SqliteStore) -> None:
    await store.refund_playlist("u", "dm", DAY)  # no counter yet
    assert await store.reserve_playlist("u", "dm", DAY, 5) is True
    await store.refund_playlist("u", "dm", DAY)
    await store.refund_playlist("u", "dm", DAY)
    assert await store.playlists_used("u", "dm", DAY) == 0


async def test_counters_are_separate_per_user_scope_and_day(store: SqliteStore) -> None:
    assert await store.reserve_playlist("u", "guild:1", DAY, 1) is True
    assert await store.reserve_playlist("u", "guild:2", DAY, 1) is True
    assert await store.reserve_playlist("v", "guild:1", DAY, 1) is True
    assert await store.reserve_playlist("u", "guild:1", "2026-05-10", 1) is True
    assert await store.reserve_playlist("u", "guild:1", DAY, 1) is False


async def test_unknown_counter_reads_as_zero(store: SqliteStore) -> None:
    assert await store.playlists_used("nobody", "dm", DAY) == 0


# --- refinement quota ----------------------------------------------------------------------


async def test_refinement_reservations_stop_at_the_limit(store: SqliteStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    results = [await store.reserve_refinement(draft_id, 2) for _ in range(3)]
    assert results == [True, True, False]
    draft = await store.get_draft(draft_id, NOW)
    assert draft is not None and draft.refinements_used == 2


async def test_concurrent_refinement_reservations_grant_exactly_the_limit(
    store: SqliteStore,
) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    results = await asyncio.gather(*(store.reserve_refinement(draft_id, 3) for _ in range(50)))
    assert results.count(True) == 3


async def test_unlimited_refinements_are_granted_and_counted(store: SqliteStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    assert all([await store.reserve_refinement(draft_id, None) for _ in range(5)])
    draft = await store.get_draft(draft_id, NOW)
    assert draft is not None and draft.refinements_used == 5


async def test_refinement_with_zero_limit_is_refused(store: SqliteStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    assert await store.reserve_refinement(draft_id, 0) is False


async def test_refinement_of_unknown_draft_is_refused(store: SqliteStore) -> None:
    assert await store.reserve_refinement(12345, None) is False


async def test_refinement_refund_never_goes_below_zero(store: SqliteStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    assert await store.reserve_refinement(draft_id, 1) is True
    await store.refund_refinement(draft_id)
    await store.refund_refinement(draft_id)
    draft = await store.get_draft(draft_id, NOW)
    assert draft is not None and draft.refinements_used == 0
    assert await store.reserve_refinement(draft_id, 1) is True


# --- limit settings and profiles ---------------------------------------------------------------


async def test_limit_settings_are_stored_per_scope_and_replaced(store: SqliteStore) -> None:
    strict = LimitSettings(playlist_limit_enabled=False, max_playlists_per_day=2, max_songs=15)
    await store.set_limit_settings("guild:1", LimitSettings())
    await store.set_limit_settings("guild:1", strict)
    assert await store.get_limit_settings("guild:1") == strict
    assert await store.get_limit_settings("guild:2") is None


async def test_profile_round_trips_with_tuples(store: SqliteStore) -> None:
    profile = Profile(
        favourite_genres=("jazz", "soul"),
        favourite_artists=("Nina Simone",),
        disliked_artists=("Kenny G",),
        energy=0.3,
        discovery="deep",
        explicit_ok=False,
    )
    await store.save_profile("u", Profile())
    await store.save_profile("u", profile)
    assert await store.get_profile("u") == profile


async def test_missing_profile_is_none(store: SqliteStore) -> None:
    assert await store.get_profile("nobody") is None


# --- drafts --------------------------------------------------------------------------------


async def test_created_draft_round_trips_with_version_one(store: SqliteStore) -> None:
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
    assert draft.refinements_used == 0
    assert draft.latest == version(number=1)
    assert isinstance(draft.latest.tracks[0].artists, tuple)


async def test_added_versions_are_numbered_by_the_store(store: SqliteStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    second = await store.add_draft_version(draft_id, version("Calmer", number=99), LATER)
    third = await store.add_draft_version(draft_id, version("Calmest", number=1), LATER)
    assert (second, third) == (2, 3)
    draft = await store.get_draft(draft_id, NOW)
    assert draft is not None and draft.latest.version == 3 and draft.latest.title == "Calmest"


async def test_concurrent_added_versions_get_distinct_consecutive_numbers(
    store: SqliteStore,
) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    numbers = await asyncio.gather(
        *(store.add_draft_version(draft_id, version(f"v{i}"), LATER) for i in range(20))
    )
    assert sorted(numbers) == list(range(2, 22))


async def test_adding_a_version_sets_the_new_expiry(store: SqliteStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    much_later = NOW + timedelta(days=2)
    await store.add_draft_version(draft_id, version("Again"), much_later)
    draft = await store.get_draft(draft_id, LATER + timedelta(minutes=1))
    assert draft is not None and draft.expires_at == much_later


async def test_adding_a_version_to_an_unknown_draft_raises_draft_not_found(
    store: SqliteStore,
) -> None:
    with pytest.raises(DraftNotFound):
        await store.add_draft_version(4242, version(), LATER)
    assert await store.get_draft_version(4242, 1) is None


async def test_get_draft_version_returns_that_version(store: SqliteStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version("First"), LATER)
    await store.add_draft_version(draft_id, version("Second", feedback="calmer"), LATER)
    first = await store.get_draft_version(draft_id, 1)
    second = await store.get_draft_version(draft_id, 2)
    assert first is not None and first.title == "First" and first.feedback is None
    assert second is not None and second.title == "Second" and second.feedback == "calmer"
    assert await store.get_draft_version(draft_id, 3) is None


async def test_expired_draft_is_not_returned(store: SqliteStore) -> None:
    draft_id = await store.create_draft("u", "dm", "rainy day", version(), LATER)
    assert await store.get_draft(draft_id, LATER) is None
    assert await store.latest_draft("u", "dm", LATER) is None


async def test_unknown_draft_is_none(store: SqliteStore) -> None:
    assert await store.get_draft(999, NOW) is None


async def test_latest_draft_is_the_newest_live_one_for_that_owner_and_scope(
    store: SqliteStore,
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


async def test_create_draft_is_all_or_nothing(store: SqliteStore) -> None:
    broken = version(title=None)  # type: ignore[arg-type]  # NOT NULL fails on the 2nd insert
    with pytest.raises(StoreUnavailable):
        await store.create_draft("u", "dm", "rainy day", broken, LATER)
    assert await store.latest_draft("u", "dm", NOW) is None
    # The store is still usable: the failed transaction was rolled back.
    assert await store.create_draft("u", "dm", "rainy day", version(), LATER) > 0


async def test_purge_removes_expired_drafts_with_their_versions_states_and_cache_rows(
    file_store: SqliteStore, db_path: Path
) -> None:
    gone = await file_store.create_draft("u", "dm", "old", version(), NOW + timedelta(minutes=1))
    await file_store.add_draft_version(gone, version("v2"), NOW + timedelta(minutes=1))
    kept = await file_store.create_draft("u", "dm", "new", version(), LATER)
    await file_store.put_oauth_state(OAuthState("s-old", "u", NOW, NOW + timedelta(minutes=1)))
    await file_store.put_oauth_state(OAuthState("s-new", "u", NOW, LATER))
    await file_store.cache_put("emb", "old", "1", NOW + timedelta(minutes=1))
    await file_store.cache_put("emb", "new", "2", LATER)

    removed = await file_store.purge_expired(NOW + timedelta(minutes=2))

    assert removed == 1
    with raw(db_path) as conn:
        orphans = conn.execute(
            "SELECT count(*) FROM draft_versions WHERE draft_id = ?", (gone,)
        ).fetchone()[0]
        states = [row[0] for row in conn.execute("SELECT state FROM oauth_states")]
        keys = [row[0] for row in conn.execute("SELECT key FROM cache")]
    assert orphans == 0  # versions went with their draft (foreign keys are on)
    assert states == ["s-new"] and keys == ["new"]
    assert await file_store.get_draft(kept, NOW) is not None


async def test_strategy_with_nothing_to_search_still_round_trips(store: SqliteStore) -> None:
    # parse_strategy rejects such a strategy from a model, but one the engine built
    # itself must come back exactly as stored.
    bare = Strategy(title="Seeds only", seed_artists=("Björk",), energy=0.5)
    draft_id = await store.create_draft("u", "dm", "p", version(strategy=bare), LATER)
    draft = await store.get_draft(draft_id, NOW)
    assert draft is not None and draft.latest.strategy == bare


# --- OAuth states and linked accounts ---------------------------------------------------------


async def test_oauth_state_is_single_use(store: SqliteStore) -> None:
    state = OAuthState("abc", "u", NOW, NOW + timedelta(minutes=10), payload="verifier")
    await store.put_oauth_state(state)
    assert await store.consume_oauth_state("abc", NOW) == state
    assert await store.consume_oauth_state("abc", NOW) is None


async def test_expired_oauth_state_is_not_consumed(store: SqliteStore) -> None:
    await store.put_oauth_state(OAuthState("abc", "u", NOW, NOW + timedelta(minutes=10)))
    assert await store.consume_oauth_state("abc", NOW + timedelta(minutes=10)) is None


async def test_unknown_oauth_state_is_none(store: SqliteStore) -> None:
    assert await store.consume_oauth_state("never-issued", NOW) is None


async def test_concurrent_consumes_over_two_connections_succeed_once(db_path: Path) -> None:
    async with SqliteStore(db_path) as first, SqliteStore(db_path) as second:
        await first.put_oauth_state(OAuthState("abc", "u", NOW, LATER))
        results = await asyncio.gather(
            *((first if i % 2 else second).consume_oauth_state("abc", NOW) for i in range(20))
        )
    assert sum(result is not None for result in results) == 1


async def test_linked_account_round_trips_and_relinking_replaces_it(store: SqliteStore) -> None:
    old = LinkedAccount("u", "spotify", "acc1", "Old Name", b"\x00old\xff", NOW)
    new = LinkedAccount("u", "spotify", "acc2", "New Name", b"\x00new\xff", LATER)
    await store.save_linked_account(old)
    await store.save_linked_account(new)
    assert await store.get_linked_account("u", "spotify") == new
    assert await store.get_linked_account("u", "tidal") is None


async def test_delete_linked_account_reports_whether_one_existed(store: SqliteStore) -> None:
    await store.save_linked_account(LinkedAccount("u", "spotify", "a", "A", b"t", NOW))
    assert await store.delete_linked_account("u", "spotify") is True
    assert await store.delete_linked_account("u", "spotify") is False
    assert await store.get_linked_account("u", "spotify") is None


# --- cache ---------------------------------------------------------------------------------


async def test_cache_returns_only_live_values(store: SqliteStore) -> None:
    await store.cache_put("emb", "k", "[0.1]", LATER)
    assert await store.cache_get("emb", "k", NOW) == "[0.1]"
    assert await store.cache_get("emb", "k", LATER) is None
    assert await store.cache_get("other", "k", NOW) is None


async def test_cache_put_replaces_value_and_expiry(store: SqliteStore) -> None:
    await store.cache_put("emb", "k", "old", NOW + timedelta(minutes=1))
    await store.cache_put("emb", "k", "new", LATER)
    assert await store.cache_get("emb", "k", NOW + timedelta(minutes=30)) == "new"


# --- codec ---------------------------------------------------------------------------------


def test_timestamps_are_fixed_width_utc_text_and_come_back_aware() -> None:
    paris = timezone(timedelta(hours=2))
    moment = datetime(2026, 5, 9, 14, 0, tzinfo=paris)
    text = encode_time(moment)
    assert text == "2026-05-09T12:00:00.000000Z"
    assert len(encode_time(datetime(2026, 5, 9, 12, 0, 0, 123, tzinfo=UTC))) == len(text)
    back = decode_time(text)
    assert back == moment and back.tzinfo is UTC


def test_track_codec_round_trips_every_field() -> None:
    data = track_to_dict(FULL_TRACK)
    assert set(data) == set(Track.__slots__)
    assert track_from_dict(data) == FULL_TRACK
    assert track_from_dict({"id": "x", "title": "T", "artists": ["A"]}) == Track("x", "T", ("A",))


def test_draft_version_json_round_trips() -> None:
    original = version(feedback="more drums")
    assert draft_version_from_json(draft_version_to_json(original)) == original


def test_profile_with_unknown_discovery_is_refused() -> None:
    with pytest.raises(CodecError):
        profile_from_json('{"discovery": "whatever"}')


def test_limit_settings_missing_keys_take_defaults() -> None:
    assert limit_settings_from_json('{"max_songs": 12}') == LimitSettings(max_songs=12)
