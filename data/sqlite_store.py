"""The SQLite implementation of ``core.ports.Store`` (aiosqlite).

The statements both databases share live in ``data.sql_store.SqlStore``; this
module keeps SQLite's life cycle, its connection owner and the methods whose
SQL carries concurrency the SQLite way.

Shape of the implementation:

* One aiosqlite connection per store: one owner, one worker thread.
* The connection is in autocommit mode (``isolation_level=None``) so Python's
  sqlite3 module never opens transactions behind our back: a single statement
  is its own transaction, and multi-statement writes are wrapped explicitly in
  ``BEGIN IMMEDIATE ... COMMIT`` (IMMEDIATE takes the write lock up front, so a
  transaction never fails half-way on a read-to-write lock upgrade).
* aiosqlite runs statements in order on one thread but does not know about
  transactions: a statement from another coroutine could land in the middle of
  ours.  An ``asyncio.Lock`` therefore guards every use of the connection.
* Every cross-request promise (quota, single-use OAuth states, version
  numbers) is one SQL statement or one transaction, so it also holds between
  processes sharing the file.  Nothing is promised from process memory.
* Statements are written with ``$n`` placeholders (see ``data.sql_store``) and
  run as SQLite's numbered ``?n``, which bind the same positional values.
* sqlite3 errors never leave this module raw: they become
  ``core.errors.StoreUnavailable`` with a message naming the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import re
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import aiosqlite

from core.errors import DraftNotFound, StoreUnavailable
from core.health import DependencyMonitor
from core.models import DependencyStatus, DraftVersion
from core.ports import Cipher
from data.codec import CodecError, decode_time, encode_time
from data.migrate import MigrationError, apply_migrations
from data.sql_store import (
    DRAFT_GONE,
    INSERT_VERSION_COLUMNS,
    LIVE_PLAYLIST_RESERVATIONS,
    Dialect,
    SqlStore,
    version_values,
)
from data.token_cipher import (
    FernetCipher,
    bearer_digest,
    load_or_create_key,
    seal_text,
)

__all__ = ["SqliteStore"]

_log = logging.getLogger(__name__)

_MEMORY_PATHS = frozenset({":memory:", ""})

SQLITE = Dialect(
    # Fixed-width UTC text: comparing the text in SQL compares the instants.
    encode_time=encode_time,
    decode_time=decode_time,
    latest_version_join="""
FROM drafts AS d
JOIN draft_versions AS v
  ON v.draft_id = d.id
 AND v.version = (SELECT MAX(version) FROM draft_versions WHERE draft_id = d.id)
""",
    missing_parent=(sqlite3.IntegrityError,),
)


class SqliteStore(SqlStore):
    """A ``Store`` backed by one SQLite file (or ``":memory:"`` for tests).

    Call ``open()`` before use (it applies migrations) and ``close()`` at the
    end, or use the store as an async context manager.
    """

    _dialect = SQLITE

    def __init__(
        self, path: str | os.PathLike[str], *, busy_timeout_ms: int = 5000,
        cipher: Cipher | None = None,
    ) -> None:
        """``busy_timeout_ms`` is how long a statement waits for another writer's lock.

        ``cipher`` seals the generated secrets kept in the database (``set_meta_if_absent``);
        without one, ``open()`` uses the key file beside the database (``<path>.key``,
        mode 0600, made on first use), so a copy of the file alone does not reveal them.
        """
        if busy_timeout_ms < 0:
            raise ValueError("busy_timeout_ms must not be negative")
        self._path = os.fspath(path)
        self._busy_timeout_ms = int(busy_timeout_ms)
        self._cipher = cipher
        self._conn: aiosqlite.Connection | None = None
        self._statements: _Statements | None = None  # the connection in $n style
        self._lock = asyncio.Lock()
        # Writes can fail while reads work (locked, full, read-only): health hears of it here.
        self.monitor = DependencyMonitor("database")

    # --- life cycle -----------------------------------------------------------------

    @property
    def path(self) -> str:
        """The database file as configured."""
        return self._path

    @property
    def is_open(self) -> bool:
        """Whether ``open()`` succeeded and ``close()`` has not been called since."""
        return self._conn is not None

    @property
    def cipher(self) -> Cipher | None:
        """The token key's cipher (given, or from the key file once open); None before."""
        return self._cipher

    async def open(self) -> None:
        """Connects, checks the file is a database, sets pragmas, applies migrations.

        Opening an already open store does nothing.  On failure the connection
        is closed again and ``StoreUnavailable`` is raised; nothing has been
        written to a file that turned out not to be a database, because the
        file is read before any pragma or migration writes to it.
        """
        async with self._lock:
            if self._conn is not None:
                return
            proxy = aiosqlite.connect(
                self._path,
                isolation_level=None,  # autocommit: we issue BEGIN/COMMIT ourselves
                timeout=self._busy_timeout_ms / 1000,
            )
            try:
                conn = await proxy
            except BaseException as exc:
                await _wait_for_worker_exit(proxy)
                if isinstance(exc, sqlite3.Error):
                    raise self._unavailable(exc) from exc
                raise
            try:
                conn.row_factory = sqlite3.Row
                # Same value as timeout= above, stated where the other pragmas are.
                await conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms:d}")
                # Reads page 1: a text file or a corrupt header fails here, untouched.
                await conn.execute_fetchall("SELECT count(*) FROM sqlite_master")
                await conn.execute("PRAGMA foreign_keys = ON")  # per connection, off by default
                if not self._is_memory:
                    # WAL: readers do not block the writer, and other processes can share it.
                    await conn.execute_fetchall("PRAGMA journal_mode = WAL")
                    # NORMAL is durable across application crashes in WAL mode and much faster.
                    await conn.execute("PRAGMA synchronous = NORMAL")
                if self._cipher is None:
                    # Only now: a file that turned out not to be a database gets no key file.
                    key = await asyncio.to_thread(load_or_create_key, self._path)
                    self._cipher = FernetCipher(key)
                # Migration 4 digests the keys of existing cache rows with it.
                await conn.create_function(
                    "echotuner_sha256_hex", 1, bearer_digest, deterministic=True
                )
                applied = await apply_migrations(conn)
                moved = await _seal_plain_meta(conn, self._cipher)
                if (moved or 4 in applied) and not self._is_memory:
                    await _compact(conn)
            except BaseException as exc:
                with contextlib.suppress(Exception):
                    await conn.close()
                if isinstance(exc, sqlite3.Error | MigrationError | OSError | ValueError):
                    raise self._unavailable(exc) from exc
                raise
            if applied:
                _log.info("database %s migrated to schema version %d", self._path, applied[-1])
            self._conn = conn
            self._statements = _Statements(conn)

    async def close(self) -> None:
        """Closes the connection; safe to call twice or on a store never opened."""
        async with self._lock:
            conn, self._conn = self._conn, None
            self._statements = None
            if conn is None:
                return
            try:
                await conn.close()
            except sqlite3.Error as exc:
                # Shutdown must go on (other adapters still need stopping); the data is
                # committed already, only the final WAL checkpoint may be missing.
                _log.warning("closing database %s failed: %s", self._path, exc)


    async def health(self) -> DependencyStatus:
        """``SELECT 1`` on the connection; never raises."""
        if self._conn is None:
            return DependencyStatus(name="database", ok=False, detail="not open")
        try:
            async with self._session() as db:
                await db.fetch("SELECT 1")
        except StoreUnavailable as exc:
            return DependencyStatus(name="database", ok=False, detail=exc.user_message)
        if self.monitor.down:  # reads work, but the last write failed
            return await self.monitor.status()
        return DependencyStatus(name="database", ok=True, detail=f"SQLite {sqlite3.sqlite_version}")

    def _require_cipher(self) -> Cipher:
        if self._cipher is None:
            raise StoreUnavailable(f"The database ({self._display_name}) is not open.")
        return self._cipher

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

        One ``INSERT ... SELECT ... WHERE`` statement: SQLite takes the write lock
        before the statement reads anything, so the count it checks cannot change
        under it, whichever connection or process writes next.
        """
        if limit is not None and limit <= 0:
            return None
        moment, expires = encode_time(now), encode_time(expires_at)
        async with self._session() as db:
            # $1-$4 are LIVE_PLAYLIST_RESERVATIONS' (user_key, scope, day, now).
            reservation = await db.fetchval(
                "INSERT INTO quota_reservations (kind, user_key, scope, day, created_at, expires_at) "
                "SELECT 'playlist', $1, $2, $3, $4, $5 "
                "WHERE $6 IS NULL OR "
                "  COALESCE((SELECT used FROM quota_counters "
                "            WHERE user_key = $1 AND scope = $2 AND day = $3), 0) "
                f"  + ({LIVE_PLAYLIST_RESERVATIONS}) < $6 "
                "RETURNING id",
                user_key, scope, day, moment, expires, limit,
            )
        return None if reservation is None else int(reservation)

    async def reserve_refinement(
        self, draft_id: int, limit: int | None, now: datetime, expires_at: datetime
    ) -> int | None:
        """Atomically reserves one refinement of a draft if under ``limit`` (None: unlimited).

        None also when the draft does not exist.
        """
        if limit is not None and limit <= 0:
            return None
        moment, expires = encode_time(now), encode_time(expires_at)
        async with self._session() as db:
            reservation = await db.fetchval(
                "INSERT INTO quota_reservations (kind, draft_id, created_at, expires_at) "
                "SELECT 'refinement', d.id, $2, $3 FROM drafts AS d "
                "WHERE d.id = $1 AND ($4 IS NULL OR d.refinements_used + "
                "  (SELECT count(*) FROM quota_reservations AS r WHERE r.kind = 'refinement' "
                "   AND r.draft_id = d.id AND r.expires_at > $2) < $4) "
                "RETURNING id",
                draft_id, moment, expires, limit,
            )
        return None if reservation is None else int(reservation)

    async def confirm_reservation(self, reservation_id: int) -> bool:
        """Counts a reservation as used and removes it, in one transaction.

        False when it is gone (swept after expiring, or cancelled): nothing is counted.
        """
        async with self._transaction() as db:
            row = await db.fetchrow(
                "DELETE FROM quota_reservations WHERE id = $1 "
                "RETURNING kind, user_key, scope, day, draft_id",
                reservation_id,
            )
            if row is None:
                return False
            if row["kind"] == "playlist":
                await db.execute(
                    "INSERT INTO quota_counters (user_key, scope, day, used) VALUES ($1, $2, $3, 1) "
                    "ON CONFLICT (user_key, scope, day) DO UPDATE SET used = used + 1",
                    row["user_key"], row["scope"], row["day"],
                )
            else:
                await db.execute(
                    "UPDATE drafts SET refinements_used = refinements_used + 1 WHERE id = $1",
                    row["draft_id"],
                )
            return True

    async def expire_reservations(self, now: datetime) -> int:
        """Deletes reservations expired at ``now``; returns how many."""
        moment = encode_time(now)
        async with self._session() as db:
            removed = await db.fetch(
                "DELETE FROM quota_reservations WHERE expires_at <= $1 RETURNING id", moment
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
        expires = encode_time(expires_at)
        values = version_values(version, encode_time)
        async with self._transaction() as db:
            touched = await db.fetchval(
                "UPDATE drafts SET expires_at = $2 WHERE id = $1 RETURNING id", draft_id, expires
            )
            if touched is None:
                raise DraftNotFound(DRAFT_GONE)
            # Numbered inside the write transaction (BEGIN IMMEDIATE holds the write
            # lock), so two refinements can never both become version n (the primary
            # key would refuse it anyway).
            number = await db.fetchval(
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
        """
        moment = encode_time(now)
        async with self._transaction() as db:
            drafts = await db.fetch("DELETE FROM drafts WHERE expires_at <= $1 RETURNING id", moment)
            await db.execute("DELETE FROM oauth_states WHERE expires_at <= $1", moment)
            await db.execute("DELETE FROM cache WHERE expires_at <= $1", moment)
            await db.execute("DELETE FROM claimed_updates WHERE expires_at <= $1", moment)
        return len(drafts)

    # --- internals --------------------------------------------------------------------

    @property
    def _is_memory(self) -> bool:
        return self._path in _MEMORY_PATHS

    @property
    def _display_name(self) -> str:
        return "in memory" if self._is_memory else f"file {self._path!r}"

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[_Statements]:
        """Exclusive use of the connection for single statements (each autocommits)."""
        async with self._lock:
            db = self._require_open()
            try:
                yield db
            except (sqlite3.Error, CodecError) as exc:
                raise self._unavailable(exc) from exc

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[_Statements]:
        """Exclusive use of the connection inside ``BEGIN IMMEDIATE ... COMMIT``.

        Any exception (including cancellation) rolls back before it propagates.
        """
        async with self._lock:
            db = self._require_open()
            try:
                await db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                    await db.execute("COMMIT")
                    # A transaction stored something (a draft, a confirmed charge): writable
                    # again.  Single statements only report failures: a delete that works on
                    # a full disk does not make the disk usable.
                    self.monitor.succeeded()
                except BaseException:
                    # Also covers a failed COMMIT; "no transaction is active" is fine.
                    with contextlib.suppress(sqlite3.Error):
                        await db.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, CodecError) as exc:
                raise self._unavailable(exc) from exc

    def _require_open(self) -> _Statements:
        if self._statements is None:
            raise StoreUnavailable(f"The database ({self._display_name}) is not open.")
        return self._statements

    def _unavailable(self, exc: BaseException) -> StoreUnavailable:
        """A user-facing StoreUnavailable naming the file; the cause goes to the log."""
        text = str(exc).lower()
        if isinstance(exc, CodecError):
            reason = "contains data this version of EchoTuner cannot read"
        elif isinstance(exc, ValueError):  # SealError, or a bad key file
            reason = f"cannot be used: {exc}"
        elif isinstance(exc, MigrationError):
            reason = f"cannot be used: {exc}"
        elif "not a database" in text or "malformed" in text or "encrypted" in text:
            reason = "is not an EchoTuner database (it is corrupt or another kind of file)"
        elif "unable to open" in text or isinstance(exc, OSError):
            reason = (
                "cannot be opened; check that its folder exists and that the bot may read "
                "and write there"
            )
        elif "locked" in text or "busy" in text:
            reason = "is locked by another program; try again in a moment"
        elif "readonly" in text or "read-only" in text:
            reason = "is read-only; the bot needs to write to it"
        elif "disk" in text:  # "disk I/O error", "database or disk is full"
            reason = "cannot be written (disk full or failing)"
        else:
            reason = "reported an error"
        _log.warning("database %s: %s: %s", self._path, type(exc).__name__, exc)
        self.monitor.failed(reason)
        return StoreUnavailable(f"The database ({self._display_name}) {reason}.")


async def _wait_for_worker_exit(proxy: aiosqlite.Connection) -> None:
    """Waits (briefly) for the worker thread of a connection that failed to connect.

    When connecting fails, aiosqlite queues its thread's shutdown but does not
    wait for it; if the event loop closes first, the thread dies with "Event
    loop is closed" (an unhandled thread exception).  Letting it finish here
    keeps a failed ``open()`` free of side effects.
    """
    thread = getattr(proxy, "_thread", None)
    if not isinstance(thread, threading.Thread):
        return
    for _ in range(1000):  # at most about a second; normally one or two rounds
        if not thread.is_alive():
            return
        await asyncio.sleep(0.001)


async def _seal_plain_meta(conn: aiosqlite.Connection, cipher: Cipher) -> int:
    """Moves the plain ``meta`` rows of schema 1-3 into ``sealed_meta``; drops ``meta``.

    Idempotent and in one transaction: a crash leaves either the plain table (moved on
    the next open) or none.  A sealed row already there wins (another process moved the
    same value first).  Returns how many plain rows there were.
    """
    await conn.execute("BEGIN IMMEDIATE")
    try:
        exists = list(await conn.execute_fetchall(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ))
        if not exists:
            await conn.execute("ROLLBACK")
            return 0
        rows = list(await conn.execute_fetchall("SELECT key, value FROM meta"))
        for row in rows:
            await conn.execute(
                "INSERT OR IGNORE INTO sealed_meta (key, value) VALUES (?, ?)",
                (row["key"], seal_text(cipher, str(row["value"]))),
            )
        await conn.execute("DROP TABLE meta")
        await conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            await conn.execute("ROLLBACK")
        raise
    if rows:
        _log.info("sealed %d generated secret(s) that were kept in plain text", len(rows))
    return len(rows)


async def _compact(conn: aiosqlite.Connection) -> None:
    """Rewrites the file so deleted plain values leave no trace in free pages or the WAL.

    Run once, after the upgrade that stopped storing raw secrets and OAuth states.
    VACUUM needs no other connection in a transaction; if one is, the pages are
    overwritten later anyway, so a busy database only gets a warning.
    """
    try:
        await conn.execute("VACUUM")
        await conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError as exc:
        _log.warning("could not compact the database after the upgrade: %s", exc)


class _Statements:
    """The store's aiosqlite connection spoken to as ``data.sql_store.Executor``.

    Every statement that returns rows is drained (``execute_fetchall``): in
    autocommit mode a ``RETURNING`` statement's implicit transaction only commits
    once the statement has finished.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(_numbered(sql), params))

    async def fetchrow(self, sql: str, *params: Any) -> sqlite3.Row | None:
        rows = await self.fetch(sql, *params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, *params: Any) -> Any:
        row = await self.fetchrow(sql, *params)
        return None if row is None else row[0]

    async def execute(self, sql: str, *params: Any) -> None:
        await self._conn.execute(_numbered(sql), params)


_PLACEHOLDER = re.compile(r"\$(\d+)")


@functools.lru_cache(maxsize=256)
def _numbered(sql: str) -> str:
    """``$n`` placeholders as SQLite's ``?n`` (the statements are constants: cached)."""
    return _PLACEHOLDER.sub(r"?\1", sql)
