"""Specification of what only the SQLite store has (data/sqlite_store.py), and of the codec.

The behaviour every store shares (quotas, drafts, OAuth states, caches...) is
specified once, for SQLite and PostgreSQL alike, in
tests/integration/test_store_contract.py.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import aiosqlite
import pytest
from cryptography.fernet import Fernet

from core.errors import DraftNotFound, StoreUnavailable
from core.models import (
    LimitSettings,
    OAuthState,
    SavedPlaylist,
    Track,
)
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
from data.token_cipher import FernetCipher
from tests.store_samples import DAY, FULL_TRACK, LATER, NOW, version


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


# --- life cycle and migrations -------------------------------------------------------


async def test_memory_database_opens_and_reports_healthy(store: SqliteStore) -> None:
    status = await store.health()
    assert status.name == "database"
    assert status.ok is True


async def test_saving_a_purged_draft_leaves_the_database_healthy(store: SqliteStore) -> None:
    # The draft is gone (the user's answer is DraftNotFound); the database itself is fine,
    # so /status must not report it down until the next write.
    saved = SavedPlaylist("u", 98765, "spotify", "acct", "pl", "https://example.com/pl", NOW)
    with pytest.raises(DraftNotFound):
        await store.put_saved_playlist(saved)
    assert (await store.health()).ok is True


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
    assert {"sealed_meta", "drafts", "draft_versions", "quota_counters", "cache"} <= tables


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
                await store.reserve_playlist("u", "dm", DAY, 3, NOW, LATER)
            holder.execute("ROLLBACK")
        # Once the other writer is gone the store works again.
        assert await store.reserve_playlist("u", "dm", DAY, 3, NOW, LATER) is not None


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


# --- secrets at rest (issue 15, item 8) --------------------------------------------------
# A copy of the database file alone must not give away the key that hashes user ids, the
# Telegram webhook secret, or a state that finishes someone's pending Spotify link.

USER_KEY_SECRET = "6f1d0c2e9a8b7c6d5e4f30211f0e0d0c0b0a09080706050403020100ffeeddcc"
WEBHOOK_SECRET = "tg-webhook-secret-Zq81xYw0-kLm"
OAUTH_STATE = "oauth-state-the-user-carries-7vQpR2sT"
SESSION_ID = "5d0c3f9e-rest-session-id-4b1a-9c2d"


def database_bytes(path: Path) -> bytes:
    """The database file and its WAL and shared-memory files, as they lie on disk."""
    return b"".join(
        candidate.read_bytes()
        for candidate in (path, path.with_name(path.name + "-wal"),
                          path.with_name(path.name + "-shm"))
        if candidate.exists()
    )


async def test_a_fresh_database_file_holds_no_generated_secret_nor_oauth_state(
    db_path: Path,
) -> None:
    async with SqliteStore(db_path) as store:
        assert await store.set_meta_if_absent("user_key_secret", USER_KEY_SECRET) == (
            USER_KEY_SECRET
        )
        await store.set_meta_if_absent("telegram:1:webhook_secret", WEBHOOK_SECRET)
        await store.put_oauth_state(OAuthState(OAUTH_STATE, "u", NOW, LATER, payload="v"))
        await store.cache_put("api-session", SESSION_ID, "{}", LATER)
        on_disk = database_bytes(db_path)  # while open: the WAL holds the fresh pages
        assert await store.get_meta("user_key_secret") == USER_KEY_SECRET
        assert await store.cache_get("api-session", SESSION_ID, NOW) == "{}"
    on_disk += database_bytes(db_path)
    for secret in (USER_KEY_SECRET, WEBHOOK_SECRET, OAUTH_STATE, SESSION_ID):
        assert secret.encode() not in on_disk, secret


async def test_without_a_cipher_the_key_file_beside_the_database_is_made_mode_0600(
    db_path: Path,
) -> None:
    async with SqliteStore(db_path) as store:
        await store.set_meta_if_absent("user_key_secret", USER_KEY_SECRET)
    key_file = db_path.with_name(db_path.name + ".key")
    assert key_file.is_file()
    assert key_file.stat().st_mode & 0o777 == 0o600
    # The same key opens it again: the secret survives a restart.
    async with SqliteStore(db_path) as store:
        assert await store.get_meta("user_key_secret") == USER_KEY_SECRET


async def test_a_given_cipher_is_used_and_no_key_file_is_made(db_path: Path) -> None:
    cipher = FernetCipher(Fernet.generate_key())
    async with SqliteStore(db_path, cipher=cipher) as store:
        await store.set_meta_if_absent("user_key_secret", USER_KEY_SECRET)
    assert not db_path.with_name(db_path.name + ".key").exists()
    async with SqliteStore(db_path, cipher=cipher) as store:
        assert await store.get_meta("user_key_secret") == USER_KEY_SECRET


async def test_a_secret_sealed_with_another_key_is_refused_and_never_replaced(
    db_path: Path,
) -> None:
    async with SqliteStore(db_path, cipher=FernetCipher(Fernet.generate_key())) as store:
        await store.set_meta_if_absent("user_key_secret", USER_KEY_SECRET)
    async with SqliteStore(db_path, cipher=FernetCipher(Fernet.generate_key())) as store:
        with pytest.raises(StoreUnavailable, match="cannot be decrypted"):
            await store.get_meta("user_key_secret")
        with pytest.raises(StoreUnavailable, match="cannot be decrypted"):
            await store.set_meta_if_absent("user_key_secret", "a-fresh-one")


def schema_3_database(path: Path) -> None:
    """A database as the previous release left it: migrations 1-3, secrets in plain text."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        for migration in load_migrations()[:3]:
            conn.execute("BEGIN IMMEDIATE")
            for statement in migration.statements():
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {migration.version:d}")
            conn.execute("COMMIT")
        conn.execute("INSERT INTO meta (key, value) VALUES ('user_key_secret', ?)",
                     (USER_KEY_SECRET,))
        conn.execute("INSERT INTO meta (key, value) VALUES ('telegram:1:webhook_secret', ?)",
                     (WEBHOOK_SECRET,))
        conn.execute(
            "INSERT INTO oauth_states (state, user_key, payload, created_at, expires_at) "
            "VALUES (?, 'u', 'verifier', ?, ?)",
            (OAUTH_STATE, encode_time(NOW), encode_time(LATER)),
        )
        conn.execute(
            "INSERT INTO cache (namespace, key, value, expires_at) "
            "VALUES ('api-session', ?, '{\"device\": \"k\"}', ?)",
            (SESSION_ID, encode_time(LATER)),
        )
    finally:
        conn.close()


async def test_an_upgraded_database_keeps_its_secrets_but_no_longer_in_plain_text(
    db_path: Path,
) -> None:
    schema_3_database(db_path)
    assert USER_KEY_SECRET.encode() in database_bytes(db_path)  # the test sees what it seeks
    async with SqliteStore(db_path) as store:
        # The same user-key secret: every hashed user keeps their profile and links.
        assert await store.get_meta("user_key_secret") == USER_KEY_SECRET
        assert await store.get_meta("telegram:1:webhook_secret") == WEBHOOK_SECRET
        # Pending raw states are dropped by the upgrade (a user asks for a new link).
        assert await store.consume_oauth_state(OAUTH_STATE, NOW) is None
        # A live REST session survives, now kept under its session id's digest.
        assert await store.cache_get("api-session", SESSION_ID, NOW) == '{"device": "k"}'
    on_disk = database_bytes(db_path)
    for secret in (USER_KEY_SECRET, WEBHOOK_SECRET, OAUTH_STATE, SESSION_ID):
        assert secret.encode() not in on_disk, secret
    with raw(db_path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        (version,) = conn.execute("PRAGMA user_version").fetchone()
    assert "meta" not in tables and version == load_migrations()[-1].version
