"""The PostgreSQL implementation of ``core.ports.Store`` (asyncpg).

The shared store for several bot processes (Discord shards spread over
processes, Telegram webhook workers, REST replicas).  It behaves exactly like
``data.sqlite_store.SqliteStore``: same return values, same errors, and the
store test suite runs against both.  The statements both databases share live
in ``data.sql_store.SqlStore``; this module keeps PostgreSQL's life cycle, its
pool and the methods whose SQL carries concurrency the PostgreSQL way.

Shape of the implementation:

* One asyncpg connection pool per store, sized by the caller (settings
  ``DB_POOL_MIN_SIZE`` / ``DB_POOL_MAX_SIZE``).  Waiting for a free connection
  is bounded by ``acquire_timeout``; past it the caller gets
  ``StoreUnavailable`` saying the database is busy, never an endless queue.
* Every cross-process promise is one statement or one transaction on the
  server, never process memory: a quota reservation is one transaction that
  first locks its counter row (an upsert) or its draft row (``FOR UPDATE``) and
  then counts, an OAuth state is consumed by one ``DELETE ... RETURNING``, a
  draft version is numbered inside a transaction that holds the draft row
  ``FOR UPDATE``, and one purge runs at a time (an advisory lock).
* Timestamps are ``timestamptz``: the server stores UTC instants, and asyncpg
  hands back aware datetimes, which we normalise to UTC.
* A server restart or a dropped connection fails the statements in flight
  with ``StoreUnavailable`` (nothing half-committed: each promise is one
  transaction) and the pool replaces broken connections on the next acquire,
  so the store serves again as soon as the server does.  Failed statements are
  never retried here: a write whose commit was lost in transit might have
  happened, and only the engine knows how to undo it (it refunds).
* asyncpg and socket errors never leave this module raw: they become
  ``core.errors.StoreUnavailable`` with a one-line message naming the host and
  database, never the password.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import asyncpg

from core.errors import DraftNotFound, StoreUnavailable
from core.models import DependencyStatus, DraftVersion
from core.ports import Cipher
from data.codec import CodecError, decode_instant, utc_instant
from data.migrate import MigrationError
from data.pg_migrate import MIGRATION_LOCK_KEY, apply_pg_migrations, pg_schema_version
from data.sql_store import (
    DRAFT_GONE,
    INSERT_VERSION_COLUMNS,
    LIVE_PLAYLIST_RESERVATIONS,
    Dialect,
    SqlStore,
    version_values,
)
from data.token_cipher import SealError, seal_text

__all__ = ["POSTGRES_SCHEMES", "PostgresStore", "describe_dsn"]

_log = logging.getLogger(__name__)

POSTGRES_SCHEMES = ("postgresql", "postgres")

POSTGRES = Dialect(
    # timestamptz: asyncpg takes and gives aware datetimes; we hand over UTC.
    encode_time=utc_instant,
    decode_time=decode_instant,
    latest_version_join="""
FROM drafts AS d
CROSS JOIN LATERAL (
    SELECT * FROM draft_versions WHERE draft_id = d.id ORDER BY version DESC LIMIT 1
) AS v
""",
    missing_parent=(asyncpg.ForeignKeyViolationError,),
)

# The purge's advisory lock (any fixed number nothing else uses; MIGRATION_LOCK_KEY + 1).
PURGE_LOCK_KEY = 0x6563686F74756E66

# SQLSTATE classes that mean "the connection or the server went away".
_CONNECTION_LOST_STATES = ("08", "57P01", "57P02", "57P03")


class _Busy(Exception):
    """No pool connection became free within the acquire timeout (internal)."""


def describe_dsn(dsn: str) -> str:
    """Where a DSN points, for messages: database, host:port and user, never the password."""
    try:
        parts = urlsplit(dsn)
    except ValueError:
        return "PostgreSQL (DATABASE_URL is malformed)"
    query = parse_qs(parts.query)
    hosts = parts.netloc.rpartition("@")[2] or ",".join(query.get("host", [])) or "localhost"
    if "," not in hosts and not hosts.endswith("]") and ":" not in hosts.rpartition("]")[2]:
        hosts += ":" + (query.get("port", ["5432"])[0])
    user = unquote(parts.username) if parts.username else ",".join(query.get("user", []))
    database = unquote(parts.path.lstrip("/")) or ",".join(query.get("dbname", [])) or user
    described = f"PostgreSQL database '{database or 'postgres'}' on {hosts}"
    return f"{described} as user '{user}'" if user else described


def _dsn_secrets(dsn: str) -> list[str]:
    """The password in a DSN (as written and decoded), to scrub from log lines."""
    found: list[str] = []
    with contextlib.suppress(ValueError):
        parts = urlsplit(dsn)
        userinfo = parts.netloc.rpartition("@")[0]
        if ":" in userinfo:
            raw = userinfo.partition(":")[2]
            found += [raw, unquote(raw)]
        found += parse_qs(parts.query).get("password", [])
    return sorted({s for s in found if s}, key=len, reverse=True)




class PostgresStore(SqlStore):
    """A ``Store`` backed by a PostgreSQL server, shared by any number of processes.

    Call ``open()`` before use (it connects and applies migrations under an
    advisory lock) and ``close()`` at the end, or use the store as an async
    context manager.
    """

    _dialect = POSTGRES

    def __init__(
        self,
        dsn: str,
        *,
        min_size: int = 1,
        max_size: int = 10,
        command_timeout: float = 30.0,
        acquire_timeout: float = 10.0,
        connect_timeout: float = 10.0,
        cipher: Cipher | None = None,
    ) -> None:
        """``dsn`` is a ``postgresql://user:password@host:port/database`` URL.

        ``min_size``/``max_size`` bound the pool; ``acquire_timeout`` is how long a
        request waits for a free connection before "busy"; ``command_timeout``
        bounds each statement; ``connect_timeout`` bounds opening a connection.
        ``cipher`` (from TOKEN_ENCRYPTION_KEY, shared by every process) seals the
        generated secrets kept in the database; there is no file to keep a key in
        beside a server, so without one ``set_meta_if_absent`` refuses to store any.
        """
        if urlsplit(dsn).scheme not in POSTGRES_SCHEMES:
            raise ValueError("dsn must start with postgresql:// or postgres://")
        if max_size < 1 or not 0 <= min_size <= max_size:
            raise ValueError("pool sizes must satisfy 0 <= min_size <= max_size and max_size >= 1")
        if min(command_timeout, acquire_timeout, connect_timeout) <= 0:
            raise ValueError("timeouts must be positive")
        self._dsn = dsn
        self._where = describe_dsn(dsn)
        self._secrets = _dsn_secrets(dsn)
        self._min_size = min_size
        self._max_size = max_size
        self._command_timeout = float(command_timeout)
        self._acquire_timeout = float(acquire_timeout)
        self._connect_timeout = float(connect_timeout)
        self._cipher = cipher
        self._pool: Any = None  # asyncpg.Pool once open
        self._applied: tuple[int, ...] = ()
        self._open_lock = asyncio.Lock()

    # --- life cycle -----------------------------------------------------------------

    @property
    def where(self) -> str:
        """The database, host and user this store talks to (no password)."""
        return self._where

    @property
    def applied_migrations(self) -> tuple[int, ...]:
        """The migration versions the last ``open()`` of this store applied itself."""
        return self._applied

    @property
    def cipher(self) -> Cipher | None:
        """The token key's cipher (TOKEN_ENCRYPTION_KEY), or None when none was given."""
        return self._cipher

    @property
    def is_open(self) -> bool:
        """Whether ``open()`` succeeded and ``close()`` has not been called since."""
        return self._pool is not None


    async def open(self) -> None:
        """Creates the pool and applies migrations; a no-op when already open.

        On failure nothing stays connected and ``StoreUnavailable`` is raised
        with a one-line reason (wrong password, unknown database, unreachable
        host, schema from a newer program...).
        """
        async with self._open_lock:
            if self._pool is not None:
                return
            try:
                pool = await asyncpg.create_pool(
                    self._dsn,
                    min_size=self._min_size,
                    max_size=self._max_size,
                    command_timeout=self._command_timeout,
                    timeout=self._connect_timeout,
                    # Shows up in pg_stat_activity, so operators can tell our sessions apart.
                    server_settings={"application_name": "echotuner"},
                )
            except Exception as exc:
                raise self._unavailable(exc, at_open=True) from exc
            try:
                async with pool.acquire(timeout=self._acquire_timeout) as conn:
                    applied = await apply_pg_migrations(conn)
                    await self._seal_plain_meta(conn)
            except BaseException as exc:
                await _close_pool(pool)
                if isinstance(exc, Exception):
                    raise self._unavailable(exc, at_open=True) from exc
                raise
            if applied:
                _log.info("%s migrated to schema version %d", self._where, applied[-1])
            self._applied = tuple(applied)
            self._pool = pool

    async def close(self) -> None:
        """Closes the pool (waiting briefly for requests in flight); safe to call twice."""
        async with self._open_lock:
            pool, self._pool = self._pool, None
            if pool is not None:
                await _close_pool(pool)

    async def schema_version(self) -> int:
        """The newest migration recorded in the database."""
        async with self._session() as conn:
            return await pg_schema_version(conn)

    async def health(self) -> DependencyStatus:
        """One round trip (``SHOW server_version``); never raises."""
        if self._pool is None:
            return DependencyStatus(name="database", ok=False, detail="not open")
        try:
            async with self._session() as conn:
                version = await conn.fetchval("SHOW server_version")
        except StoreUnavailable as exc:
            return DependencyStatus(name="database", ok=False, detail=exc.user_message)
        return DependencyStatus(
            name="database", ok=True, detail=f"PostgreSQL {str(version).split()[0]}"
        )

    def _require_cipher(self) -> Cipher:
        if self._cipher is None:
            raise StoreUnavailable(
                f"The database ({self._where}) keeps generated secrets only encrypted, and "
                "TOKEN_ENCRYPTION_KEY is not set: set it (the same in every process), or set "
                "SECRET_KEY (and TELEGRAM_WEBHOOK_SECRET for a webhook) so none is generated."
            )
        return self._cipher


    async def _seal_plain_meta(self, conn: Any) -> None:
        """Moves the plain ``meta`` rows of schema 1-3 into ``sealed_meta``; drops ``meta``.

        Under the migration lock, in one transaction, so processes starting together move
        them once.  Without a key the plain rows stay (with a warning) until a process
        with TOKEN_ENCRYPTION_KEY opens the database; an empty ``meta`` is dropped anyway.
        """
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
            if not await conn.fetchval("SELECT to_regclass('meta') IS NOT NULL"):
                return
            rows = await conn.fetch("SELECT key, value FROM meta")
            cipher = self._cipher
            if rows and cipher is None:
                _log.warning(
                    "%s keeps %d generated secret(s) in plain text from an older version; "
                    "set TOKEN_ENCRYPTION_KEY so they are encrypted", self._where, len(rows)
                )
                return
            if cipher is not None:
                for row in rows:
                    await conn.execute(
                        "INSERT INTO sealed_meta (key, value) VALUES ($1, $2) "
                        "ON CONFLICT (key) DO NOTHING",
                        str(row["key"]), seal_text(cipher, str(row["value"])),
                    )
            await conn.execute("DROP TABLE meta")
        if rows:
            _log.info("%s: sealed %d generated secret(s) kept in plain text", self._where,
                      len(rows))

    # --- quotas ---------------------------------------------------------------------

    async def reserve_playlist(
        self,
        user_key: str,
        scope: str,
        day: str,
        limit: int | None,
        now: datetime,
        expires_at: datetime,
    ) -> int | None:
        """Atomically reserves one playlist for (user, scope, UTC day) if under ``limit``.

        One transaction: an upsert locks the counter row, so reservations for the
        same counter from any number of processes queue up there; each then counts
        (in a fresh READ COMMITTED snapshot, taken after the lock) the confirmed
        uses plus the live reservations committed by those before it.
        """
        if limit is not None and limit <= 0:
            return None
        moment, expires = utc_instant(now), utc_instant(expires_at)
        async with self._transaction() as conn:
            if limit is not None:
                used = await conn.fetchval(
                    "INSERT INTO quota_counters AS q (user_key, scope, day, used) "
                    "VALUES ($1, $2, $3, 0) "
                    "ON CONFLICT (user_key, scope, day) DO UPDATE SET used = q.used "
                    "RETURNING q.used",
                    user_key,
                    scope,
                    day,
                )
                pending = await conn.fetchval(
                    LIVE_PLAYLIST_RESERVATIONS,
                    user_key,
                    scope,
                    day,
                    moment,
                )
                if int(used) + int(pending) >= limit:
                    return None
            reservation = await conn.fetchval(
                "INSERT INTO quota_reservations (kind, user_key, scope, day, created_at, expires_at) "
                "VALUES ('playlist', $1, $2, $3, $4, $5) RETURNING id",
                user_key,
                scope,
                day,
                moment,
                expires,
            )
        return int(reservation)

    async def reserve_refinement(
        self, draft_id: int, limit: int | None, now: datetime, expires_at: datetime
    ) -> int | None:
        """Atomically reserves one refinement of a draft if under ``limit`` (None: unlimited).

        None also when the draft does not exist.  The draft row's lock serialises
        reservations of one draft across processes, as the counter row does above.
        """
        if limit is not None and limit <= 0:
            return None
        moment, expires = utc_instant(now), utc_instant(expires_at)
        async with self._transaction() as conn:
            used = await conn.fetchval(
                "SELECT refinements_used FROM drafts WHERE id = $1 FOR UPDATE", draft_id
            )
            if used is None:
                return None
            if limit is not None:
                pending = await conn.fetchval(
                    "SELECT count(*) FROM quota_reservations WHERE kind = 'refinement' "
                    "AND draft_id = $1 AND expires_at > $2",
                    draft_id,
                    moment,
                )
                if int(used) + int(pending) >= limit:
                    return None
            reservation = await conn.fetchval(
                "INSERT INTO quota_reservations (kind, draft_id, created_at, expires_at) "
                "VALUES ('refinement', $1, $2, $3) RETURNING id",
                draft_id,
                moment,
                expires,
            )
        return int(reservation)

    async def confirm_reservation(self, reservation_id: int) -> bool:
        """Counts a reservation as used and removes it, in one transaction.

        False when it is gone (swept after expiring, or cancelled): nothing is counted.
        Locks are taken in the order every other path takes them (a draft row before
        its reservation rows, as the purge's cascade does; a reservation row before
        its counter row), so a confirmation cannot deadlock with them.
        """
        async with self._transaction() as conn:
            draft_id = await conn.fetchval(
                "SELECT draft_id FROM quota_reservations WHERE id = $1", reservation_id
            )
            if draft_id is not None:
                await conn.execute("SELECT id FROM drafts WHERE id = $1 FOR UPDATE", draft_id)
            row = await conn.fetchrow(
                "DELETE FROM quota_reservations WHERE id = $1 "
                "RETURNING kind, user_key, scope, day, draft_id",
                reservation_id,
            )
            if row is None:
                return False
            if row["kind"] == "playlist":
                await conn.execute(
                    "INSERT INTO quota_counters AS q (user_key, scope, day, used) "
                    "VALUES ($1, $2, $3, 1) "
                    "ON CONFLICT (user_key, scope, day) DO UPDATE SET used = q.used + 1",
                    row["user_key"],
                    row["scope"],
                    row["day"],
                )
            else:
                await conn.execute(
                    "UPDATE drafts SET refinements_used = refinements_used + 1 WHERE id = $1",
                    row["draft_id"],
                )
            return True


    async def expire_reservations(self, now: datetime) -> int:
        """Deletes reservations expired at ``now``; returns how many.

        Rows another session holds (a confirmation in progress) are skipped, not
        waited for: the next sweep gets them if they are still there.
        """
        moment = utc_instant(now)
        async with self._session() as conn:
            removed = await conn.fetch(
                "DELETE FROM quota_reservations WHERE id IN ("
                "  SELECT id FROM quota_reservations WHERE expires_at <= $1 "
                "  FOR UPDATE SKIP LOCKED) RETURNING id",
                moment,
            )
        return len(removed)

    # --- drafts ---------------------------------------------------------------------

    async def add_draft_version(
        self, draft_id: int, version: DraftVersion, expires_at: datetime
    ) -> int:
        """Appends the next version (max + 1, ``version.version`` is ignored), sets the
        draft's expiry to ``expires_at`` and returns the new version number.

        Raises ``DraftNotFound`` when the draft does not exist (it may have been purged).
        """
        expires = utc_instant(expires_at)
        values = version_values(version, utc_instant)
        async with self._transaction() as conn:
            # The row lock serialises versions of one draft across every process: a
            # second refinement waits here until the first commits, then its
            # MAX(version) (a new snapshot per statement) sees the first one's row.
            locked = await conn.fetchval("SELECT id FROM drafts WHERE id = $1 FOR UPDATE", draft_id)
            if locked is None:
                raise DraftNotFound(DRAFT_GONE)
            await conn.execute("UPDATE drafts SET expires_at = $2 WHERE id = $1", draft_id, expires)
            number = await conn.fetchval(
                f"INSERT INTO draft_versions ({INSERT_VERSION_COLUMNS}) "
                "SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10 "
                "FROM draft_versions WHERE draft_id = $1 "
                "RETURNING version",
                draft_id,
                *values,
            )
            return int(number)

    async def purge_expired(self, now: datetime) -> int:
        """Deletes expired drafts (their versions cascade), OAuth states, cache rows and
        claimed updates.  Returns how many drafts were removed.

        Every process sweeps; a transaction-level advisory lock lets one sweep run at
        a time (two DELETEs over the same rows in different orders could deadlock),
        and a process that finds it taken skips this round (returns 0).
        """
        moment = utc_instant(now)
        async with self._transaction() as conn:
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", PURGE_LOCK_KEY):
                return 0
            drafts = await conn.fetch(
                "DELETE FROM drafts WHERE expires_at <= $1 RETURNING id", moment
            )
            await conn.execute("DELETE FROM oauth_states WHERE expires_at <= $1", moment)
            await conn.execute("DELETE FROM cache WHERE expires_at <= $1", moment)
            await conn.execute("DELETE FROM claimed_updates WHERE expires_at <= $1", moment)
        return len(drafts)

    # --- internals --------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[Any]:
        """A pool connection for single statements (each autocommits).

        Waits at most ``acquire_timeout`` for a free connection.  Database and
        network errors inside the block become ``StoreUnavailable``; other
        exceptions (``DraftNotFound``, cancellation) pass through unchanged.
        """
        pool = self._pool
        if pool is None:
            raise StoreUnavailable(f"The database ({self._where}) is not open.")
        try:
            try:
                conn = await pool.acquire(timeout=self._acquire_timeout)
            except TimeoutError as exc:
                raise _Busy from exc
        except Exception as exc:
            raise self._unavailable(exc) from exc
        try:
            yield conn
        except Exception as exc:
            if isinstance(exc, StoreUnavailable | DraftNotFound):
                raise
            if isinstance(exc, _DATABASE_ERRORS):
                raise self._unavailable(exc) from exc
            raise
        finally:
            try:
                await pool.release(conn)
            except Exception as exc:
                # The pool has already dropped the broken connection; what the block
                # did is committed or rolled back, so the caller's answer stands.
                _log.debug("%s: releasing a connection failed: %s", self._where, self._scrub(exc))

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Any]:
        """A pool connection inside ``BEGIN ... COMMIT`` (READ COMMITTED).

        Any exception, cancellation included, rolls back before it propagates.
        """
        async with self._session() as conn, conn.transaction():
            yield conn

    def _scrub(self, exc: BaseException) -> str:
        text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def _unavailable(self, exc: BaseException, *, at_open: bool = False) -> StoreUnavailable:
        """A one-line StoreUnavailable naming the database; the cause goes to the log.

        At ``open()`` the caller reports the message (at start-up, as the one line
        the operator sees), so the cause is only logged at debug level then.
        """
        sqlstate = str(getattr(exc, "sqlstate", "") or "")
        if isinstance(exc, _Busy):
            reason = (
                f"is busy: all {self._max_size} connections stayed in use for "
                f"{self._acquire_timeout:g} s; try again in a moment"
            )
        elif isinstance(exc, CodecError):
            reason = "contains data this version of EchoTuner cannot read"
        elif isinstance(exc, MigrationError | SealError):
            reason = f"cannot be used: {exc}"
        elif isinstance(exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError):
            reason = "refused the login: check the user name and password in DATABASE_URL"
        elif isinstance(exc, asyncpg.InvalidCatalogNameError):
            reason = "does not exist on that server; create it first (createdb)"
        elif isinstance(exc, asyncpg.InsufficientPrivilegeError):
            reason = "refused access: the user lacks a privilege it needs (it should own the database)"
        elif isinstance(exc, asyncpg.TooManyConnectionsError):
            reason = "has no free connection slots (too many connections); try again in a moment"
        elif isinstance(exc, asyncpg.DeadlockDetectedError | asyncpg.LockNotAvailableError):
            reason = "is busy; try again in a moment"
        elif sqlstate.startswith(_CONNECTION_LOST_STATES) or isinstance(
            exc, asyncpg.ConnectionDoesNotExistError
        ) or (isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc)):
            reason = "lost the connection (the server restarted or went away); try again in a moment"
        elif isinstance(exc, TimeoutError):
            reason = "did not answer in time" + (
                "; check the host and port in DATABASE_URL" if at_open else "; try again in a moment"
            )
        elif isinstance(exc, OSError):
            reason = (
                "cannot be reached: check the host and port in DATABASE_URL and that "
                "PostgreSQL is running"
            )
        elif at_open and isinstance(exc, ValueError):
            reason = "cannot be used: DATABASE_URL is not a valid PostgreSQL URL"
        else:
            reason = "reported an error"
        _log.log(logging.DEBUG if at_open else logging.WARNING, "%s: %s", self._where, self._scrub(exc))
        return StoreUnavailable(f"The database ({self._where}) {reason}.")


# What a statement may raise that means "the database failed", as opposed to a bug.
_DATABASE_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
    TimeoutError,
    CodecError,
)


async def _close_pool(pool: Any, grace_s: float = 10.0) -> None:
    """Closes a pool gracefully, or terminates it when that takes too long or fails."""
    try:
        await asyncio.wait_for(pool.close(), grace_s)
    except (Exception, asyncio.CancelledError) as exc:
        pool.terminate()
        if isinstance(exc, asyncio.CancelledError):
            raise
        _log.warning("closing the database pool did not finish cleanly: %s", type(exc).__name__)

