"""What only the PostgreSQL store has: migrations under an advisory lock, a pool, faults.

The shared behaviour (quotas, drafts, states...) is specified once for both
backends in tests/integration/test_store_contract.py.  Everything here runs
against the real PostgreSQL server of tests/postgres_server.py.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from cryptography.fernet import Fernet

from core.errors import StoreUnavailable
from core.models import OAuthState
from data.migrate import Migration, load_migrations
from data.pg_migrate import apply_pg_migrations, load_pg_migrations
from data.postgres_store import PostgresStore
from data.token_cipher import FernetCipher
from tests.postgres_server import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
DAY = "2026-05-09"
NOW = datetime(2026, 5, 9, 12, 0, tzinfo=UTC)


async def reserve(store: PostgresStore, scope: str, limit: int) -> int | None:
    """One playlist reservation for user "u" on DAY, live for ten minutes from NOW."""
    return await store.reserve_playlist("u", scope, DAY, limit, NOW, NOW + timedelta(minutes=10))
LATEST = load_pg_migrations()[-1].version


@pytest.fixture
async def raw(postgres_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection beside the store, to look at or lock rows."""
    conn = await asyncpg.connect(postgres_dsn)
    try:
        yield conn
    finally:
        conn.terminate()  # also fine when a server restart already cut it off


async def recorded_versions(conn: asyncpg.Connection) -> list[int]:
    return [row["version"] for row in await conn.fetch("SELECT version FROM schema_migrations")]


async def wait_until_blocked(conn: asyncpg.Connection, count: int = 1) -> None:
    """Waits until ``count`` sessions of the store wait for a lock (at most 5 s)."""
    for _ in range(500):
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name = 'echotuner' AND wait_event_type = 'Lock'"
        )
        if waiting >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the store's statement never blocked on the lock")


async def hold_quota_row(conn: asyncpg.Connection) -> asyncpg.transaction.Transaction:
    """Locks the counter row of ("u", "dm", DAY) in an open transaction and returns it."""
    transaction = conn.transaction()
    await transaction.start()
    await conn.execute(
        "SELECT used FROM quota_counters WHERE user_key = 'u' AND scope = 'dm' AND day = $1 "
        "FOR UPDATE",
        DAY,
    )
    return transaction


# --- migrations ---------------------------------------------------------------------------


def test_both_dialect_folders_hold_the_same_numbered_migrations() -> None:
    sqlite = [(m.version, m.name) for m in load_migrations()]
    postgres = [(m.version, m.name) for m in load_pg_migrations()]
    assert sqlite and sqlite == postgres


async def test_open_records_every_migration_once_in_schema_migrations(
    postgres_dsn: str, raw: asyncpg.Connection
) -> None:
    async with PostgresStore(postgres_dsn) as store:
        assert store.applied_migrations == tuple(range(1, LATEST + 1))
        assert await store.schema_version() == LATEST
    async with PostgresStore(postgres_dsn) as again:
        assert again.applied_migrations == ()
    assert sorted(await recorded_versions(raw)) == list(range(1, LATEST + 1))


async def test_two_stores_opening_an_empty_database_at_once_migrate_it_once(
    postgres_dsn: str, raw: asyncpg.Connection
) -> None:
    first, second = PostgresStore(postgres_dsn), PostgresStore(postgres_dsn)
    try:
        await asyncio.gather(first.open(), second.open())
        applied = sorted([first.applied_migrations, second.applied_migrations])
        assert applied == [(), tuple(range(1, LATEST + 1))]
        assert await reserve(first, "dm", 2) is not None
    finally:
        await asyncio.gather(first.close(), second.close())
    assert sorted(await recorded_versions(raw)) == list(range(1, LATEST + 1))


async def test_a_failing_migration_leaves_the_database_at_the_previous_version(
    raw: asyncpg.Connection,
) -> None:
    migrations = (
        Migration(1, "good", "CREATE TABLE one (x INTEGER);"),
        Migration(2, "bad", "CREATE TABLE two (x INTEGER);\nINSERT INTO missing VALUES (1);"),
    )
    with pytest.raises(asyncpg.UndefinedTableError):
        await apply_pg_migrations(raw, migrations)
    assert await recorded_versions(raw) == [1]
    assert await raw.fetchval("SELECT to_regclass('two')") is None  # rolled back with it
    # The advisory lock was released: another session can take it at once.
    assert await raw.fetchval("SELECT pg_try_advisory_lock(6)") is True


async def test_database_from_a_newer_program_raises_store_unavailable(
    postgres_dsn: str, raw: asyncpg.Connection
) -> None:
    async with PostgresStore(postgres_dsn):
        pass
    await raw.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')")
    with pytest.raises(StoreUnavailable, match="newer"):
        await PostgresStore(postgres_dsn).open()


# --- cross-process promises -------------------------------------------------------------------


async def test_two_hundred_reservations_across_two_pools_grant_exactly_the_limit(
    postgres_dsn: str,
) -> None:
    async with (
        PostgresStore(postgres_dsn, max_size=10) as first,
        PostgresStore(postgres_dsn, max_size=10) as second,
    ):
        results = await asyncio.gather(
            *(
                reserve((first, second)[i % 2], "guild:1", 50)
                for i in range(200)
            )
        )
        assert sum(r is not None for r in results) == 50
        assert await first.playlists_used("u", "guild:1", DAY, NOW) == 50


# --- faults -----------------------------------------------------------------------------------


async def test_after_a_server_restart_the_store_serves_again_and_in_flight_work_is_not_charged(
    postgres_dsn: str, postgres_server: PostgresServer, raw: asyncpg.Connection
) -> None:
    async with PostgresStore(postgres_dsn, max_size=3) as store:
        assert await reserve(store, "dm", 5) is not None
        await hold_quota_row(raw)
        in_flight = asyncio.create_task(reserve(store, "dm", 5))
        await wait_until_blocked(raw)

        await asyncio.to_thread(postgres_server.restart)

        with pytest.raises(StoreUnavailable, match="lost the connection") as caught:
            await in_flight
        assert "\n" not in caught.value.user_message
        # The very next requests are served on fresh connections...
        assert (await store.health()).ok
        assert await store.playlists_used("u", "dm", DAY, NOW) == 1  # ...and nothing was charged
        assert await reserve(store, "dm", 5) is not None
        assert await store.playlists_used("u", "dm", DAY, NOW) == 2


async def test_an_exhausted_pool_waits_within_the_bound_then_says_busy(
    postgres_dsn: str, raw: asyncpg.Connection
) -> None:
    async with PostgresStore(postgres_dsn, max_size=1, acquire_timeout=0.3) as store:
        assert await reserve(store, "dm", 5) is not None
        holder = await hold_quota_row(raw)
        occupying = asyncio.create_task(reserve(store, "dm", 5))
        await wait_until_blocked(raw)

        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="busy") as caught:
            await store.get_meta("anything")
        waited = time.monotonic() - started

        assert 0.25 <= waited < 2.0
        assert "try again" in caught.value.user_message
        await holder.rollback()
        assert await occupying is not None  # the request holding the connection went through
        assert await store.playlists_used("u", "dm", DAY, NOW) == 2


async def test_a_cancelled_request_charges_nothing_and_frees_its_connection(
    postgres_dsn: str, raw: asyncpg.Connection
) -> None:
    async with PostgresStore(postgres_dsn, max_size=1, acquire_timeout=2) as store:
        assert await reserve(store, "dm", 5) is not None
        holder = await hold_quota_row(raw)
        request = asyncio.create_task(reserve(store, "dm", 5))
        await wait_until_blocked(raw)
        request.cancel()
        with pytest.raises(asyncio.CancelledError):
            await request
        await holder.rollback()
        assert await store.playlists_used("u", "dm", DAY, NOW) == 1
        assert await reserve(store, "dm", 5) is not None


async def test_a_wrong_password_gives_one_line_naming_host_and_database_but_not_the_password(
    postgres_server: PostgresServer, postgres_dsn: str
) -> None:
    database = postgres_dsn.rsplit("/", 1)[1]
    wrong = postgres_server.dsn(database, password="Wr0ng-Secret-42")
    with pytest.raises(StoreUnavailable) as caught:
        await PostgresStore(wrong).open()
    message = caught.value.user_message
    assert "\n" not in message
    assert "Wr0ng-Secret-42" not in message and "Wr0ng-Secret-42" not in str(caught.value)
    assert f"'{database}'" in message and f"127.0.0.1:{postgres_server.port}" in message
    assert "password" in message


async def test_an_unreachable_server_gives_one_line_saying_so() -> None:
    with pytest.raises(StoreUnavailable) as caught:
        await PostgresStore("postgresql://bot:s3cret-pw@127.0.0.1:1/echotuner").open()
    message = caught.value.user_message
    assert "cannot be reached" in message and "127.0.0.1:1" in message
    assert "s3cret-pw" not in message and "\n" not in message


async def test_an_unknown_database_is_named_in_the_error(postgres_server: PostgresServer) -> None:
    with pytest.raises(StoreUnavailable, match=r"'no_such_db'.*does not exist"):
        await PostgresStore(postgres_server.dsn("no_such_db")).open()


async def test_a_store_that_failed_to_open_can_open_later(
    postgres_server: PostgresServer, postgres_dsn: str
) -> None:
    database = postgres_dsn.rsplit("/", 1)[1]
    with pytest.raises(StoreUnavailable):
        await PostgresStore(postgres_server.dsn(database, password="nope")).open()
    store = PostgresStore(postgres_dsn)
    await store.open()
    try:
        assert (await store.health()).ok
    finally:
        await store.close()


# --- python -m bot migrate ------------------------------------------------------------------------


def run_migrate(
    env: dict[str, str], cwd: Path, command: str = "migrate"
) -> subprocess.Popen[str]:
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environ.update({"PYTHONPATH": str(ROOT), **env})
    return subprocess.Popen(
        [sys.executable, "-m", "bot", command],
        cwd=cwd, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=60)
    return process.returncode, stdout, stderr


async def test_two_migrate_processes_at_once_migrate_once(
    postgres_dsn: str, raw: asyncpg.Connection, tmp_path: Path
) -> None:
    processes = [run_migrate({"DATABASE_URL": postgres_dsn}, tmp_path) for _ in range(2)]
    results = [await asyncio.to_thread(finish, p) for p in processes]
    assert [code for code, _, _ in results] == [0, 0], results
    outputs = sorted(out for _, out, _ in results)
    assert all(f"schema version {LATEST}" in out for out in outputs)
    assert sum("already up to date" in out for out in outputs) == 1
    assert sum("applied migration" in out for out in outputs) == 1
    assert sorted(await recorded_versions(raw)) == list(range(1, LATEST + 1))
    # No SQLite file appeared: it started nothing else.
    assert await asyncio.to_thread(lambda: list(tmp_path.iterdir())) == []


async def test_migrate_with_a_wrong_password_prints_one_line_and_no_traceback(
    postgres_server: PostgresServer, postgres_dsn: str, tmp_path: Path
) -> None:
    database = postgres_dsn.rsplit("/", 1)[1]
    wrong = postgres_server.dsn(database, password="Sup3r-Secret-Pw")
    code, stdout, stderr = await asyncio.to_thread(
        finish, run_migrate({"DATABASE_URL": wrong}, tmp_path)
    )
    assert code == 1 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "Traceback" not in stderr and "Sup3r-Secret-Pw" not in stderr
    assert "password" in stderr and database in stderr


def test_migrate_on_sqlite_creates_the_file_and_reports_the_version(tmp_path: Path) -> None:
    code, stdout, stderr = finish(run_migrate({"DATABASE_FILENAME": "bot.db"}, tmp_path))
    assert code == 0, stderr
    assert (tmp_path / "bot.db").is_file()
    assert f"schema version {load_migrations()[-1].version}" in stdout
    again = finish(run_migrate({"DATABASE_FILENAME": "bot.db"}, tmp_path))
    assert again[0] == 0 and "already up to date" in again[1]


# --- secrets at rest (issue 15, item 8) --------------------------------------------------

USER_KEY_SECRET = "6f1d0c2e9a8b7c6d5e4f30211f0e0d0c0b0a09080706050403020100ffeeddcc"
OAUTH_STATE = "oauth-state-the-user-carries-7vQpR2sT"
SESSION_ID = "5d0c3f9e-rest-session-id-4b1a-9c2d"


async def schema_3_database(conn: asyncpg.Connection) -> None:
    """A database as the previous release left it: migrations 1-3, secrets in plain text."""
    await apply_pg_migrations(conn, load_pg_migrations()[:3])
    await conn.execute("INSERT INTO meta (key, value) VALUES ('user_key_secret', $1)",
                       USER_KEY_SECRET)
    await conn.execute(
        "INSERT INTO oauth_states (state, user_key, payload, created_at, expires_at) "
        "VALUES ($1, 'u', 'verifier', $2, $3)", OAUTH_STATE, NOW, NOW + timedelta(minutes=10),
    )
    await conn.execute(
        "INSERT INTO cache (namespace, key, value, expires_at) "
        "VALUES ('api-session', $1, '{}', $2)", SESSION_ID, NOW + timedelta(hours=1),
    )


async def text_of_every_row(conn: asyncpg.Connection) -> str:
    """Every value in every table of ours, as text (bytea as its raw bytes)."""
    tables = await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    )
    texts = []
    for table in tables:
        ident = '"' + table["tablename"].replace('"', '""') + '"'
        for row in await conn.fetch(f"SELECT * FROM {ident}"):
            texts += [value.decode("latin-1") if isinstance(value, bytes) else str(value)
                      for value in row.values()]
    return "\n".join(texts)


async def test_an_upgraded_postgresql_keeps_its_user_key_secret_sealed_not_in_plain_text(
    postgres_schema_dsn: str,
) -> None:
    raw = await asyncpg.connect(postgres_schema_dsn)
    try:
        await schema_3_database(raw)
        assert USER_KEY_SECRET in await text_of_every_row(raw)  # it sees what it seeks
        cipher = FernetCipher(Fernet.generate_key())
        async with PostgresStore(postgres_schema_dsn, cipher=cipher) as store:
            assert store.applied_migrations == tuple(range(4, LATEST + 1))
            assert await store.get_meta("user_key_secret") == USER_KEY_SECRET
            # Pending raw states are dropped by the upgrade (a user asks for a new link).
            assert await store.consume_oauth_state(OAUTH_STATE, NOW) is None
            # A live REST session survives, now kept under its session id's digest.
            assert await store.cache_get("api-session", SESSION_ID, NOW) == "{}"
        assert await raw.fetchval("SELECT to_regclass('meta')") is None
        stored = await text_of_every_row(raw)
        for secret in (USER_KEY_SECRET, OAUTH_STATE, SESSION_ID):
            assert secret not in stored, secret
        [sealed] = await raw.fetch("SELECT value FROM sealed_meta")
        assert cipher.decrypt(sealed["value"]) == USER_KEY_SECRET.encode()
    finally:
        await raw.close()


async def test_without_a_token_key_plain_secrets_stay_until_a_process_with_one_opens(
    postgres_schema_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    raw = await asyncpg.connect(postgres_schema_dsn)
    try:
        await schema_3_database(raw)
        async with PostgresStore(postgres_schema_dsn) as store:
            with pytest.raises(StoreUnavailable, match="TOKEN_ENCRYPTION_KEY"):
                await store.get_meta("user_key_secret")
        assert "set TOKEN_ENCRYPTION_KEY" in caplog.text
        async with PostgresStore(
            postgres_schema_dsn, cipher=FernetCipher(Fernet.generate_key())
        ) as store:
            assert await store.get_meta("user_key_secret") == USER_KEY_SECRET
        assert await raw.fetchval("SELECT to_regclass('meta')") is None
    finally:
        await raw.close()


async def test_without_a_token_key_no_secret_is_generated_and_the_error_says_what_to_set(
    postgres_schema_dsn: str,
) -> None:
    async with PostgresStore(postgres_schema_dsn) as store:
        with pytest.raises(StoreUnavailable, match="TOKEN_ENCRYPTION_KEY") as refused:
            await store.set_meta_if_absent("user_key_secret", USER_KEY_SECRET)
    assert "SECRET_KEY" in refused.value.user_message


async def test_a_fresh_postgresql_holds_no_generated_secret_nor_oauth_state_in_plain_text(
    postgres_schema_dsn: str,
) -> None:
    async with PostgresStore(
        postgres_schema_dsn, cipher=FernetCipher(Fernet.generate_key())
    ) as store:
        await store.set_meta_if_absent("user_key_secret", USER_KEY_SECRET)
        await store.put_oauth_state(OAuthState(OAUTH_STATE, "u", NOW, NOW + timedelta(hours=1)))
        await store.cache_put("api-session", SESSION_ID, "{}", NOW + timedelta(hours=1))
    raw = await asyncpg.connect(postgres_schema_dsn)
    try:
        stored = await text_of_every_row(raw)
    finally:
        await raw.close()
    for secret in (USER_KEY_SECRET, OAUTH_STATE, SESSION_ID):
        assert secret not in stored, secret


async def test_the_bot_on_postgresql_without_any_key_says_in_one_line_what_to_set(
    postgres_dsn: str, tmp_path: Path
) -> None:
    # No SECRET_KEY and no TOKEN_ENCRYPTION_KEY: it would have to keep a secret in plain text.
    environ = {"DATABASE_URL": postgres_dsn, "SECRET_KEY": "", "TOKEN_ENCRYPTION_KEY": "",
               "AI_PROVIDERS": "offline", "LOG_LEVEL": "WARNING"}
    code, _stdout, stderr = await asyncio.to_thread(
        finish, run_migrate(environ, tmp_path, command="status")
    )
    assert code != 0 and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "TOKEN_ENCRYPTION_KEY" in stderr and "SECRET_KEY" in stderr


async def test_spotify_linking_on_postgresql_without_a_token_key_says_in_one_line_what_to_set(
    postgres_dsn: str, tmp_path: Path
) -> None:
    # A key file beside DATABASE_FILENAME would be one host's key: other processes could
    # not decrypt the tokens it encrypted.  So none is made; the operator is told instead.
    environ = {"DATABASE_URL": postgres_dsn, "SECRET_KEY": "s" * 32, "TOKEN_ENCRYPTION_KEY": "",
               "SPOTIFY_CLIENT_ID": "client-id", "SPOTIFY_CLIENT_SECRET": "client-secret",
               "CATALOGUE": "demo", "AI_PROVIDERS": "offline", "LOG_LEVEL": "WARNING"}
    code, _stdout, stderr = await asyncio.to_thread(
        finish, run_migrate(environ, tmp_path, command="status")
    )
    assert code != 0 and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "TOKEN_ENCRYPTION_KEY" in stderr
    assert await asyncio.to_thread(lambda: list(tmp_path.iterdir())) == []  # no key file
