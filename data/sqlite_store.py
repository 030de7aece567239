"""The SQLite implementation of ``core.ports.Store`` (aiosqlite).

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
* sqlite3 errors never leave this module raw: they become
  ``core.errors.StoreUnavailable`` with a message naming the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import aiosqlite

from core.errors import DraftNotFound, StoreUnavailable
from core.health import DependencyMonitor
from core.models import (
    DependencyStatus,
    Draft,
    DraftVersion,
    LimitSettings,
    LinkedAccount,
    OAuthState,
    Profile,
    SavedPlaylist,
)
from core.ports import Cipher
from data.codec import (
    CodecError,
    decode_time,
    encode_time,
    limit_settings_from_json,
    limit_settings_to_json,
    profile_from_json,
    profile_to_json,
    strategy_from_json,
    strategy_to_json,
    tracks_from_json,
    tracks_to_json,
)
from data.migrate import MigrationError, apply_migrations
from data.token_cipher import (
    FernetCipher,
    SealError,
    bearer_digest,
    load_or_create_key,
    seal_text,
    unseal_text,
)

__all__ = ["SqliteStore"]

_log = logging.getLogger(__name__)

_MEMORY_PATHS = frozenset({":memory:", ""})

# The draft row joined with its latest version; callers append WHERE/ORDER BY.
_DRAFT_SELECT = """
SELECT d.id, d.owner_key, d.scope, d.prompt, d.created_at AS draft_created_at,
       d.expires_at, d.refinements_used,
       v.version, v.title, v.strategy_json, v.tracks_json, v.provider, v.catalogue,
       v.requested_count, v.feedback, v.note, v.created_at AS version_created_at
FROM drafts AS d
JOIN draft_versions AS v
  ON v.draft_id = d.id
 AND v.version = (SELECT MAX(version) FROM draft_versions WHERE draft_id = d.id)
"""

# Reservations of (:user_key, :scope, :day) still live at :now (a scalar subquery).
_LIVE_PLAYLIST_RESERVATIONS = (
    "SELECT count(*) FROM quota_reservations WHERE kind = 'playlist' "
    "AND user_key = :user_key AND scope = :scope AND day = :day AND expires_at > :now"
)

_VERSION_COLUMNS = (
    "version, title, strategy_json, tracks_json, provider, catalogue, "
    "requested_count, feedback, note, created_at AS version_created_at"
)


class SqliteStore:
    """A ``Store`` backed by one SQLite file (or ``":memory:"`` for tests).

    Call ``open()`` before use (it applies migrations) and ``close()`` at the
    end, or use the store as an async context manager.
    """

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

    async def __aenter__(self) -> SqliteStore:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

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

    async def close(self) -> None:
        """Closes the connection; safe to call twice or on a store never opened."""
        async with self._lock:
            conn, self._conn = self._conn, None
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
            async with self._session() as conn:
                await conn.execute_fetchall("SELECT 1")
        except StoreUnavailable as exc:
            return DependencyStatus(name="database", ok=False, detail=exc.user_message)
        if self.monitor.down:  # reads work, but the last write failed
            return await self.monitor.status()
        return DependencyStatus(name="database", ok=True, detail=f"SQLite {sqlite3.sqlite_version}")

    async def get_meta(self, key: str) -> str | None:
        """A stored (generated) secret, or None.  Values are sealed with the token key."""
        async with self._session() as conn:
            rows = await _fetch(conn, "SELECT value FROM sealed_meta WHERE key = ?", (key,))
            return self._unseal(rows[0]["value"]) if rows else None

    async def set_meta_if_absent(self, key: str, value: str) -> str:
        """Stores ``value`` (sealed) unless the key exists; returns the value in force."""
        sealed = seal_text(self._require_cipher(), value)
        async with self._session() as conn:
            # Another process may insert between the two statements; the read-back
            # then returns its value, which is exactly "the value in force".
            await conn.execute(
                "INSERT OR IGNORE INTO sealed_meta (key, value) VALUES (?, ?)", (key, sealed)
            )
            rows = await _fetch(conn, "SELECT value FROM sealed_meta WHERE key = ?", (key,))
            return self._unseal(rows[0]["value"])

    def _require_cipher(self) -> Cipher:
        if self._cipher is None:
            raise StoreUnavailable(f"The database ({self._display_name}) is not open.")
        return self._cipher

    def _unseal(self, blob: bytes) -> str:
        try:
            return unseal_text(self._require_cipher(), blob)
        except SealError as exc:
            raise self._unavailable(exc) from exc

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
        params = {
            "user_key": user_key, "scope": scope, "day": day, "limit": limit,
            "now": encode_time(now), "expires": encode_time(expires_at),
        }
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                "INSERT INTO quota_reservations (kind, user_key, scope, day, created_at, expires_at) "
                "SELECT 'playlist', :user_key, :scope, :day, :now, :expires "
                "WHERE :limit IS NULL OR "
                "  COALESCE((SELECT used FROM quota_counters "
                "            WHERE user_key = :user_key AND scope = :scope AND day = :day), 0) "
                f"  + ({_LIVE_PLAYLIST_RESERVATIONS}) < :limit "
                "RETURNING id",
                params,
            )
        return int(rows[0]["id"]) if rows else None

    async def reserve_refinement(
        self, draft_id: int, limit: int | None, now: datetime, expires_at: datetime
    ) -> int | None:
        """Atomically reserves one refinement of a draft if under ``limit`` (None: unlimited).

        None also when the draft does not exist.
        """
        if limit is not None and limit <= 0:
            return None
        params = {"draft_id": draft_id, "limit": limit, "now": encode_time(now),
                  "expires": encode_time(expires_at)}
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                "INSERT INTO quota_reservations (kind, draft_id, created_at, expires_at) "
                "SELECT 'refinement', d.id, :now, :expires FROM drafts AS d "
                "WHERE d.id = :draft_id AND (:limit IS NULL OR d.refinements_used + "
                "  (SELECT count(*) FROM quota_reservations AS r WHERE r.kind = 'refinement' "
                "   AND r.draft_id = d.id AND r.expires_at > :now) < :limit) "
                "RETURNING id",
                params,
            )
        return int(rows[0]["id"]) if rows else None

    async def confirm_reservation(self, reservation_id: int) -> bool:
        """Counts a reservation as used and removes it, in one transaction.

        False when it is gone (swept after expiring, or cancelled): nothing is counted.
        """
        async with self._transaction() as conn:
            rows = await _fetch(
                conn,
                "DELETE FROM quota_reservations WHERE id = ? "
                "RETURNING kind, user_key, scope, day, draft_id",
                (reservation_id,),
            )
            if not rows:
                return False
            row = rows[0]
            if row["kind"] == "playlist":
                await conn.execute(
                    "INSERT INTO quota_counters (user_key, scope, day, used) VALUES (?, ?, ?, 1) "
                    "ON CONFLICT (user_key, scope, day) DO UPDATE SET used = used + 1",
                    (row["user_key"], row["scope"], row["day"]),
                )
            else:
                await conn.execute(
                    "UPDATE drafts SET refinements_used = refinements_used + 1 WHERE id = ?",
                    (row["draft_id"],),
                )
            return True

    async def cancel_reservation(self, reservation_id: int) -> None:
        """Gives a reservation back; unknown ids are ignored."""
        async with self._session() as conn:
            await conn.execute("DELETE FROM quota_reservations WHERE id = ?", (reservation_id,))

    async def expire_reservations(self, now: datetime) -> int:
        """Deletes reservations expired at ``now``; returns how many."""
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                "DELETE FROM quota_reservations WHERE expires_at <= ? RETURNING id",
                (encode_time(now),),
            )
        return len(rows)

    async def playlists_used(self, user_key: str, scope: str, day: str, now: datetime) -> int:
        """Confirmed playlists of (user, scope, day) plus reservations live at ``now``."""
        params = {"user_key": user_key, "scope": scope, "day": day, "now": encode_time(now)}
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                "SELECT COALESCE((SELECT used FROM quota_counters "
                "  WHERE user_key = :user_key AND scope = :scope AND day = :day), 0) "
                f"  + ({_LIVE_PLAYLIST_RESERVATIONS}) AS used",
                params,
            )
        return int(rows[0]["used"])

    # --- chat updates -----------------------------------------------------------------

    async def claim_update(self, source: str, update_id: int, expires_at: datetime) -> bool:
        """Claims an update for this process; False when some process already has."""
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                "INSERT INTO claimed_updates (source, update_id, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (source, update_id) DO NOTHING RETURNING 1",
                (source, update_id, encode_time(expires_at)),
            )
        return bool(rows)

    # --- limit settings per scope ---------------------------------------------------

    async def get_limit_settings(self, scope: str) -> LimitSettings | None:
        """The limits an admin set for ``scope``, or None when never set."""
        async with self._session() as conn:
            rows = await _fetch(
                conn, "SELECT settings_json FROM limit_settings WHERE scope = ?", (scope,)
            )
            return limit_settings_from_json(rows[0]["settings_json"]) if rows else None

    async def set_limit_settings(self, scope: str, settings: LimitSettings) -> None:
        """Replaces the limits of ``scope``."""
        async with self._session() as conn:
            await conn.execute(
                "INSERT INTO limit_settings (scope, settings_json, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (scope) DO UPDATE SET "
                "settings_json = excluded.settings_json, updated_at = excluded.updated_at",
                (scope, limit_settings_to_json(settings), _now_text()),
            )

    # --- profiles -------------------------------------------------------------------

    async def get_profile(self, user_key: str) -> Profile | None:
        """The stored taste profile, or None when the user never saved one."""
        async with self._session() as conn:
            rows = await _fetch(
                conn, "SELECT profile_json FROM profiles WHERE user_key = ?", (user_key,)
            )
            return profile_from_json(rows[0]["profile_json"]) if rows else None

    async def save_profile(self, user_key: str, profile: Profile) -> None:
        """Replaces the user's profile."""
        async with self._session() as conn:
            await conn.execute(
                "INSERT INTO profiles (user_key, profile_json, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_key) DO UPDATE SET "
                "profile_json = excluded.profile_json, updated_at = excluded.updated_at",
                (user_key, profile_to_json(profile), _now_text()),
            )

    # --- drafts ---------------------------------------------------------------------

    async def create_draft(
        self,
        owner_key: str,
        scope: str,
        prompt: str,
        first: DraftVersion,
        expires_at: datetime,
    ) -> int:
        """Stores a draft and its version 1 in one transaction; returns the draft id.

        The draft's ``created_at`` is ``first.created_at``; ``first.version`` is
        ignored (the first version is always 1).
        """
        created = encode_time(first.created_at)
        expires = encode_time(expires_at)
        version_values = _version_values(first)
        async with self._transaction() as conn:
            rows = await _fetch(
                conn,
                "INSERT INTO drafts (owner_key, scope, prompt, created_at, expires_at, "
                "refinements_used) VALUES (?, ?, ?, ?, ?, 0) RETURNING id",
                (owner_key, scope, prompt, created, expires),
            )
            draft_id = int(rows[0]["id"])
            await conn.execute(
                "INSERT INTO draft_versions (draft_id, version, title, strategy_json, "
                "tracks_json, provider, catalogue, requested_count, feedback, note, created_at) "
                "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (draft_id, *version_values),
            )
        return draft_id

    async def add_draft_version(
        self, draft_id: int, version: DraftVersion, expires_at: datetime
    ) -> int:
        """Appends the next version (max + 1, ``version.version`` is ignored), sets the
        draft's expiry to ``expires_at`` and returns the new version number.

        Raises ``DraftNotFound`` when the draft does not exist (it may have been purged).
        """
        expires = encode_time(expires_at)
        version_values = _version_values(version)
        async with self._transaction() as conn:
            touched = await _fetch(
                conn, "UPDATE drafts SET expires_at = ? WHERE id = ? RETURNING id", (expires, draft_id)
            )
            if not touched:
                raise DraftNotFound("That playlist no longer exists; please make a new one.")
            # Numbered inside the write transaction, so two refinements can never
            # both become version n (the primary key would refuse it anyway).
            rows = await _fetch(
                conn,
                "INSERT INTO draft_versions (draft_id, version, title, strategy_json, "
                "tracks_json, provider, catalogue, requested_count, feedback, note, created_at) "
                "SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                "FROM draft_versions WHERE draft_id = ? "
                "RETURNING version",
                (draft_id, *version_values, draft_id),
            )
            return int(rows[0]["version"])

    async def get_draft(self, draft_id: int, now: datetime) -> Draft | None:
        """The draft with its latest version, or None when missing or expired."""
        now_text = encode_time(now)
        async with self._session() as conn:
            rows = await _fetch(
                conn, _DRAFT_SELECT + "WHERE d.id = ? AND d.expires_at > ?", (draft_id, now_text)
            )
            return _draft_from_row(rows[0]) if rows else None

    async def get_draft_version(self, draft_id: int, version: int) -> DraftVersion | None:
        """One specific version of a draft, or None when there is no such version."""
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                f"SELECT {_VERSION_COLUMNS} FROM draft_versions "
                "WHERE draft_id = ? AND version = ?",
                (draft_id, version),
            )
            return _version_from_row(rows[0]) if rows else None

    async def latest_draft(self, owner_key: str, scope: str, now: datetime) -> Draft | None:
        """The owner's most recently created live draft in ``scope``, or None."""
        now_text = encode_time(now)
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                _DRAFT_SELECT
                + "WHERE d.owner_key = ? AND d.scope = ? AND d.expires_at > ? "
                "ORDER BY d.created_at DESC, d.id DESC LIMIT 1",
                (owner_key, scope, now_text),
            )
            return _draft_from_row(rows[0]) if rows else None

    async def purge_expired(self, now: datetime) -> int:
        """Deletes expired drafts (their versions cascade), OAuth states, cache rows and
        claimed updates.  Returns how many drafts were removed.
        """
        now_text = encode_time(now)
        async with self._transaction() as conn:
            drafts = await _fetch(
                conn, "DELETE FROM drafts WHERE expires_at <= ? RETURNING id", (now_text,)
            )
            await conn.execute("DELETE FROM oauth_states WHERE expires_at <= ?", (now_text,))
            await conn.execute("DELETE FROM cache WHERE expires_at <= ?", (now_text,))
            await conn.execute("DELETE FROM claimed_updates WHERE expires_at <= ?", (now_text,))
        return len(drafts)

    # --- OAuth states and linked accounts ---------------------------------------------

    async def put_oauth_state(self, state: OAuthState) -> None:
        """Records a pending link.  A state value that already exists is refused.

        Only the state's SHA-256 digest is stored; the state itself stays with the user.
        """
        async with self._session() as conn:
            await conn.execute(
                "INSERT INTO oauth_states (state_digest, user_key, payload, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    bearer_digest(state.state),
                    state.user_key,
                    state.payload,
                    encode_time(state.created_at),
                    encode_time(state.expires_at),
                ),
            )

    async def consume_oauth_state(self, state: str, now: datetime) -> OAuthState | None:
        """Deletes and returns a live state in one statement; None if unknown/expired/used."""
        now_text = encode_time(now)
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                "DELETE FROM oauth_states WHERE state_digest = ? AND expires_at > ? "
                "RETURNING user_key, payload, created_at, expires_at",
                (bearer_digest(state), now_text),
            )
            if not rows:
                return None
            row = rows[0]
            return OAuthState(
                state=state,  # the value the caller brought, whose digest matched
                user_key=row["user_key"],
                payload=row["payload"],
                created_at=decode_time(row["created_at"]),
                expires_at=decode_time(row["expires_at"]),
            )

    async def save_linked_account(self, account: LinkedAccount) -> None:
        """Links (or re-links) a user's account with ``account.provider``."""
        async with self._session() as conn:
            await conn.execute(
                "INSERT INTO linked_accounts (user_key, provider, account_id, display_name, "
                "token_blob, linked_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (user_key, provider) DO UPDATE SET "
                "account_id = excluded.account_id, display_name = excluded.display_name, "
                "token_blob = excluded.token_blob, linked_at = excluded.linked_at",
                (
                    account.user_key,
                    account.provider,
                    account.account_id,
                    account.display_name,
                    bytes(account.token_blob),
                    encode_time(account.linked_at),
                ),
            )

    async def get_linked_account(self, user_key: str, provider: str) -> LinkedAccount | None:
        """The user's linked account with ``provider``, or None."""
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                "SELECT user_key, provider, account_id, display_name, token_blob, linked_at "
                "FROM linked_accounts WHERE user_key = ? AND provider = ?",
                (user_key, provider),
            )
            if not rows:
                return None
            row = rows[0]
            return LinkedAccount(
                user_key=row["user_key"],
                provider=row["provider"],
                account_id=row["account_id"],
                display_name=row["display_name"],
                token_blob=bytes(row["token_blob"]),
                linked_at=decode_time(row["linked_at"]),
            )

    async def delete_linked_account(self, user_key: str, provider: str) -> bool:
        """Unlinks; returns whether there was a link to remove."""
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                "DELETE FROM linked_accounts WHERE user_key = ? AND provider = ? RETURNING 1",
                (user_key, provider),
            )
        return bool(rows)

    # --- caches -----------------------------------------------------------------------

    async def cache_get(self, namespace: str, key: str, now: datetime) -> str | None:
        """A live cached value, or None when missing or expired.

        Keys are stored as SHA-256 digests: some are bearer values (REST session ids,
        Telegram button keys) that are only ever looked up, never listed.
        """
        now_text = encode_time(now)
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                "SELECT value FROM cache WHERE namespace = ? AND key = ? AND expires_at > ?",
                (namespace, bearer_digest(key), now_text),
            )
        return str(rows[0]["value"]) if rows else None

    async def cache_take(self, namespace: str, key: str, now: datetime) -> str | None:
        """A live cached value, deleted as it is read: exactly one caller gets it."""
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                "DELETE FROM cache WHERE namespace = ? AND key = ? AND expires_at > ? "
                "RETURNING value",
                (namespace, bearer_digest(key), encode_time(now)),
            )
        return str(rows[0]["value"]) if rows else None

    async def cache_put(self, namespace: str, key: str, value: str, expires_at: datetime) -> None:
        """Stores or replaces a cached value until ``expires_at`` (under the key's digest)."""
        async with self._session() as conn:
            await conn.execute(
                "INSERT INTO cache (namespace, key, value, expires_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (namespace, key) DO UPDATE SET "
                "value = excluded.value, expires_at = excluded.expires_at",
                (namespace, bearer_digest(key), value, encode_time(expires_at)),
            )

    # --- per-scope apps and saved playlists -------------------------------------------

    async def set_scope_app(self, scope_key: str, provider: str, blob: bytes) -> None:
        """Stores (or replaces) a scope's app credentials, already encrypted."""
        async with self._session() as conn:
            await conn.execute(
                "INSERT INTO scope_apps (scope_key, provider, app_blob, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (scope_key, provider) DO UPDATE SET "
                "app_blob = excluded.app_blob, updated_at = excluded.updated_at",
                (scope_key, provider, bytes(blob), _now_text()),
            )

    async def get_scope_app(self, scope_key: str, provider: str) -> bytes | None:
        """The encrypted app credentials of a scope, or None."""
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                "SELECT app_blob FROM scope_apps WHERE scope_key = ? AND provider = ?",
                (scope_key, provider),
            )
        return bytes(rows[0]["app_blob"]) if rows else None

    async def delete_scope_app(self, scope_key: str, provider: str) -> bool:
        """Forgets a scope's app; returns whether there was one."""
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                "DELETE FROM scope_apps WHERE scope_key = ? AND provider = ? RETURNING 1",
                (scope_key, provider),
            )
        return bool(rows)

    async def get_saved_playlist(
        self, user_key: str, draft_id: int, provider: str
    ) -> SavedPlaylist | None:
        """Where the user saved this draft with ``provider``, or None."""
        async with self._session() as conn:
            rows = await _fetch(
                conn,
                "SELECT user_key, draft_id, provider, account_id, playlist_id, url, saved_at "
                "FROM saved_playlists WHERE user_key = ? AND draft_id = ? AND provider = ?",
                (user_key, draft_id, provider),
            )
            if not rows:
                return None
            row = rows[0]
            return SavedPlaylist(
                user_key=row["user_key"],
                draft_id=int(row["draft_id"]),
                provider=row["provider"],
                account_id=row["account_id"],
                playlist_id=row["playlist_id"],
                url=row["url"],
                saved_at=decode_time(row["saved_at"]),
            )

    async def put_saved_playlist(self, saved: SavedPlaylist) -> None:
        """Records (or replaces) where a draft was saved.

        Raises ``DraftNotFound`` when the draft has been purged meanwhile.
        """
        try:
            async with self._session() as conn:
                await conn.execute(
                    "INSERT INTO saved_playlists (user_key, draft_id, provider, account_id, "
                    "playlist_id, url, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (user_key, draft_id, provider) DO UPDATE SET "
                    "account_id = excluded.account_id, playlist_id = excluded.playlist_id, "
                    "url = excluded.url, saved_at = excluded.saved_at",
                    (
                        saved.user_key,
                        saved.draft_id,
                        saved.provider,
                        saved.account_id,
                        saved.playlist_id,
                        saved.url,
                        encode_time(saved.saved_at),
                    ),
                )
        except StoreUnavailable as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise DraftNotFound("That playlist no longer exists; please make a new one.") from None
            raise

    # --- internals --------------------------------------------------------------------

    @property
    def _is_memory(self) -> bool:
        return self._path in _MEMORY_PATHS

    @property
    def _display_name(self) -> str:
        return "in memory" if self._is_memory else f"file {self._path!r}"

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[aiosqlite.Connection]:
        """Exclusive use of the connection for single statements (each autocommits)."""
        async with self._lock:
            conn = self._require_open()
            try:
                yield conn
            except (sqlite3.Error, CodecError) as exc:
                raise self._unavailable(exc) from exc

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Exclusive use of the connection inside ``BEGIN IMMEDIATE ... COMMIT``.

        Any exception (including cancellation) rolls back before it propagates.
        """
        async with self._lock:
            conn = self._require_open()
            try:
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    await conn.execute("COMMIT")
                    # A transaction stored something (a draft, a confirmed charge): writable
                    # again.  Single statements only report failures: a delete that works on
                    # a full disk does not make the disk usable.
                    self.monitor.succeeded()
                except BaseException:
                    # Also covers a failed COMMIT; "no transaction is active" is fine.
                    with contextlib.suppress(sqlite3.Error):
                        await conn.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, CodecError) as exc:
                raise self._unavailable(exc) from exc

    def _require_open(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StoreUnavailable(f"The database ({self._display_name}) is not open.")
        return self._conn

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
        exists = await _fetch(
            conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        )
        if not exists:
            await conn.execute("ROLLBACK")
            return 0
        rows = await _fetch(conn, "SELECT key, value FROM meta")
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


async def _fetch(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[sqlite3.Row]:
    """Runs one statement and reads all its rows (which also ends the statement).

    Draining matters for ``RETURNING`` in autocommit mode: the implicit
    transaction only commits once the statement has finished.
    """
    return list(await conn.execute_fetchall(sql, params))


def _now_text() -> str:
    # Only for updated_at audit columns; every promise uses the caller's clock.
    return encode_time(datetime.now(UTC))


def _version_values(version: DraftVersion) -> tuple[Any, ...]:
    """The draft_versions columns after (draft_id, version), in insert order."""
    return (
        version.title,
        strategy_to_json(version.strategy),
        tracks_to_json(version.tracks),
        version.provider,
        version.catalogue,
        version.requested_count,
        version.feedback,
        version.note,
        encode_time(version.created_at),
    )


def _version_from_row(row: sqlite3.Row) -> DraftVersion:
    return DraftVersion(
        version=int(row["version"]),
        title=row["title"],
        strategy=strategy_from_json(row["strategy_json"]),
        tracks=tracks_from_json(row["tracks_json"]),
        provider=row["provider"],
        catalogue=row["catalogue"],
        requested_count=int(row["requested_count"]),
        created_at=decode_time(row["version_created_at"]),
        feedback=row["feedback"],
        note=row["note"],
    )


def _draft_from_row(row: sqlite3.Row) -> Draft:
    return Draft(
        id=int(row["id"]),
        owner_key=row["owner_key"],
        scope=row["scope"],
        prompt=row["prompt"],
        created_at=decode_time(row["draft_created_at"]),
        expires_at=decode_time(row["expires_at"]),
        refinements_used=int(row["refinements_used"]),
        latest=_version_from_row(row),
    )
