"""The dialect-neutral half of the SQL stores, written once.

``SqlStore`` implements every ``core.ports.Store`` method whose SQL is the same on
SQLite and PostgreSQL: single-statement reads and writes, upserts, and the
promises that are one ``DELETE ... RETURNING`` or ``INSERT ... ON CONFLICT DO
NOTHING`` (consuming an OAuth state, taking a cache value, claiming an update),
which both engines make atomic on their own.

A dialect subclass (``data.sqlite_store.SqliteStore``,
``data.postgres_store.PostgresStore``) keeps:

* its life cycle: ``open``/``close``/``health``, migrations, pooling or the
  single-connection owner;
* ``_session()`` (one autocommitting statement at a time) and ``_transaction()``
  (several statements, rolled back on any exception), each yielding an
  ``Executor``, and its own error mapping (``_unavailable``);
* the methods whose SQL carries concurrency and genuinely differs: quota
  reservations and their confirmation, the reservation sweep, draft version
  numbering and the purge.

SQL here is written with PostgreSQL's numbered placeholders (``$1``, ``$2``; a
number may repeat).  asyncpg takes them as they are; the SQLite executor rewrites
them to SQLite's numbered form (``?1``), which binds the same way (so no statement
may hold ``$`` and a digit inside a string literal).  Values are always bound,
never formatted into the text.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, ClassVar, Protocol, Self

from core.errors import DraftNotFound, StoreUnavailable
from core.models import (
    Draft,
    DraftVersion,
    LimitSettings,
    LinkedAccount,
    OAuthState,
    Profile,
    SavedPlaylist,
)
from core.ports import Cipher
from data.blend_store import BlendRows
from data.codec import (
    limit_settings_from_json,
    limit_settings_to_json,
    profile_from_json,
    profile_to_json,
    strategy_from_json,
    strategy_to_json,
    tracks_from_json,
    tracks_to_json,
)
from data.token_cipher import SealError, bearer_digest, seal_text, unseal_text

__all__ = [
    "DRAFT_GONE",
    "INSERT_VERSION_COLUMNS",
    "LIVE_PLAYLIST_RESERVATIONS",
    "Dialect",
    "Executor",
    "Row",
    "SqlStore",
    "draft_from_row",
    "version_from_row",
    "version_values",
]

DRAFT_GONE = "That playlist no longer exists; please make a new one."

# The columns of a draft row joined with its latest version (``d`` and ``v``); each
# dialect says how ``v`` is joined (``Dialect.latest_version_join``).
_DRAFT_COLUMNS = """
SELECT d.id, d.owner_key, d.scope, d.prompt, d.created_at AS draft_created_at,
       d.expires_at, d.refinements_used,
       v.version, v.title, v.strategy_json, v.tracks_json, v.provider, v.catalogue,
       v.requested_count, v.feedback, v.note, v.created_at AS version_created_at
"""

_VERSION_COLUMNS = (
    "version, title, strategy_json, tracks_json, provider, catalogue, "
    "requested_count, feedback, note, created_at AS version_created_at"
)

# draft_versions columns in ``version_values`` order, after (draft_id, version).
INSERT_VERSION_COLUMNS = (
    "draft_id, version, title, strategy_json, tracks_json, provider, catalogue, "
    "requested_count, feedback, note, created_at"
)

# Reservations of ($1 user_key, $2 scope, $3 day) still live at $4 (a scalar subquery).
LIVE_PLAYLIST_RESERVATIONS = (
    "SELECT count(*) FROM quota_reservations WHERE kind = 'playlist' "
    "AND user_key = $1 AND scope = $2 AND day = $3 AND expires_at > $4"
)


class Row(Protocol):
    """A result row, read by column name (``sqlite3.Row``, ``asyncpg.Record``)."""

    def __getitem__(self, key: str, /) -> Any: ...


class Executor(Protocol):
    """One connection's statements, in ``$n`` placeholder style (asyncpg's own API)."""

    async def fetch(self, sql: str, *params: Any) -> Sequence[Row]:
        """Every row of the statement's result."""
        ...

    async def fetchrow(self, sql: str, *params: Any) -> Row | None:
        """The first row of the result, or None."""
        ...

    async def fetchval(self, sql: str, *params: Any) -> Any:
        """The first column of the first row, or None when there is no row."""
        ...

    async def execute(self, sql: str, *params: Any) -> Any:
        """Runs a statement whose rows, if any, are not needed."""
        ...


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one database holds what the neutral SQL reads and writes."""

    encode_time: Callable[[datetime], Any]
    """An aware datetime as the value bound for a timestamp column (naive: ValueError)."""
    decode_time: Callable[[Any], datetime]
    """A timestamp column's value back as an aware UTC datetime (else ``CodecError``)."""
    latest_version_join: str
    """``FROM drafts AS d`` joined with its latest version as ``v``."""
    missing_parent: tuple[type[Exception], ...]
    """What the driver raises when a row's foreign key points at a deleted row."""


def version_values(version: DraftVersion, write_time: Callable[[datetime], Any]) -> tuple[Any, ...]:
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
        write_time(version.created_at),
    )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def version_from_row(row: Row, read_time: Callable[[Any], datetime]) -> DraftVersion:
    """A draft version from a row with ``_VERSION_COLUMNS``."""
    return DraftVersion(
        version=int(row["version"]),
        title=str(row["title"]),
        strategy=strategy_from_json(row["strategy_json"]),
        tracks=tracks_from_json(row["tracks_json"]),
        provider=str(row["provider"]),
        catalogue=str(row["catalogue"]),
        requested_count=int(row["requested_count"]),
        created_at=read_time(row["version_created_at"]),
        feedback=_opt_str(row["feedback"]),
        note=_opt_str(row["note"]),
    )


def draft_from_row(row: Row, read_time: Callable[[Any], datetime]) -> Draft:
    """A draft with its latest version from a row of the draft select."""
    return Draft(
        id=int(row["id"]),
        owner_key=str(row["owner_key"]),
        scope=str(row["scope"]),
        prompt=str(row["prompt"]),
        created_at=read_time(row["draft_created_at"]),
        expires_at=read_time(row["expires_at"]),
        refinements_used=int(row["refinements_used"]),
        latest=version_from_row(row, read_time),
    )


class SqlStore(BlendRows, ABC):
    """The ``Store`` methods both SQL databases run with the same statements.

    Decoding happens inside the session, so a row this version cannot read
    becomes the dialect's ``StoreUnavailable`` like any database error.
    """

    _dialect: ClassVar[Dialect]

    # --- what each dialect provides -----------------------------------------------

    @abstractmethod
    async def open(self) -> None:
        """Connects and migrates; a no-op when already open."""

    @abstractmethod
    async def close(self) -> None:
        """Disconnects; safe to call twice."""

    @abstractmethod
    def _session(self) -> AbstractAsyncContextManager[Executor]:
        """A connection for single statements, each its own transaction."""

    @abstractmethod
    def _transaction(self) -> AbstractAsyncContextManager[Executor]:
        """A connection inside one transaction, rolled back on any exception."""

    @abstractmethod
    def _require_cipher(self) -> Cipher:
        """The token key's cipher, or ``StoreUnavailable`` saying why there is none."""

    @abstractmethod
    def _unavailable(self, exc: BaseException) -> StoreUnavailable:
        """The user-facing ``StoreUnavailable`` for a failure; logs the cause."""

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # --- helpers ----------------------------------------------------------------------

    def _time(self, moment: datetime) -> Any:
        return self._dialect.encode_time(moment)

    def _audit_now(self) -> Any:
        # Only for updated_at audit columns; every promise uses the caller's clock.
        return self._dialect.encode_time(datetime.now(UTC))

    def _read_time(self, value: Any) -> datetime:
        return self._dialect.decode_time(value)

    def _unseal(self, cipher: Cipher, blob: bytes) -> str:
        try:
            return unseal_text(cipher, blob)
        except SealError as exc:
            raise self._unavailable(exc) from exc

    @property
    def _draft_select(self) -> str:
        return _DRAFT_COLUMNS + self._dialect.latest_version_join

    # --- generated secrets ------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        """A stored (generated) secret, or None.  Values are sealed with the token key."""
        async with self._session() as db:  # "not open" before "no key"
            cipher = self._require_cipher()
            value = await db.fetchval("SELECT value FROM sealed_meta WHERE key = $1", key)
        return None if value is None else self._unseal(cipher, value)

    async def set_meta_if_absent(self, key: str, value: str) -> str:
        """Stores ``value`` (sealed) unless the key exists; returns the value in force."""
        async with self._session() as db:  # "not open" before "no key"
            cipher = self._require_cipher()
            # Two autocommitted statements on purpose: the read-back also sees a row
            # another process committed in between (on PostgreSQL it takes a fresh
            # snapshot; one CTE would share one snapshot and could see neither row).
            await db.execute(
                "INSERT INTO sealed_meta (key, value) VALUES ($1, $2) "
                "ON CONFLICT (key) DO NOTHING",
                key,
                seal_text(cipher, value),
            )
            stored = await db.fetchval("SELECT value FROM sealed_meta WHERE key = $1", key)
        return self._unseal(cipher, stored)

    # --- quotas (reserving and confirming are the dialects') ---------------------------

    async def cancel_reservation(self, reservation_id: int) -> None:
        """Gives a reservation back; unknown ids are ignored."""
        async with self._session() as db:
            await db.execute("DELETE FROM quota_reservations WHERE id = $1", reservation_id)

    async def playlists_used(self, user_key: str, scope: str, day: str, now: datetime) -> int:
        """Confirmed playlists of (user, scope, day) plus reservations live at ``now``."""
        moment = self._time(now)
        async with self._session() as db:
            used = await db.fetchval(
                "SELECT COALESCE((SELECT used FROM quota_counters "
                "  WHERE user_key = $1 AND scope = $2 AND day = $3), 0) "
                f"+ ({LIVE_PLAYLIST_RESERVATIONS}) AS used",
                user_key, scope, day, moment,
            )
        return int(used)

    # --- chat updates -----------------------------------------------------------------

    async def claim_update(self, source: str, update_id: int, expires_at: datetime) -> bool:
        """Claims an update for this process; False when some process already has.

        One ``INSERT ... ON CONFLICT DO NOTHING``: the primary key lets one insert win.
        """
        expires = self._time(expires_at)
        async with self._session() as db:
            claimed = await db.fetchval(
                "INSERT INTO claimed_updates (source, update_id, expires_at) VALUES ($1, $2, $3) "
                "ON CONFLICT (source, update_id) DO NOTHING RETURNING 1",
                source, update_id, expires,
            )
        return claimed is not None

    # --- limit settings per scope ---------------------------------------------------

    async def get_limit_settings(self, scope: str) -> LimitSettings | None:
        """The limits an admin set for ``scope``, or None when never set."""
        async with self._session() as db:
            text = await db.fetchval("SELECT settings_json FROM limit_settings WHERE scope = $1", scope)
            return None if text is None else limit_settings_from_json(text)

    async def set_limit_settings(self, scope: str, settings: LimitSettings) -> None:
        """Replaces the limits of ``scope``."""
        async with self._session() as db:
            await db.execute(
                "INSERT INTO limit_settings (scope, settings_json, updated_at) VALUES ($1, $2, $3) "
                "ON CONFLICT (scope) DO UPDATE SET "
                "settings_json = excluded.settings_json, updated_at = excluded.updated_at",
                scope, limit_settings_to_json(settings), self._audit_now(),
            )

    # --- profiles -------------------------------------------------------------------

    async def get_profile(self, user_key: str) -> Profile | None:
        """The stored taste profile, or None when the user never saved one."""
        async with self._session() as db:
            text = await db.fetchval("SELECT profile_json FROM profiles WHERE user_key = $1", user_key)
            return None if text is None else profile_from_json(text)

    async def save_profile(self, user_key: str, profile: Profile) -> None:
        """Replaces the user's profile."""
        async with self._session() as db:
            await db.execute(
                "INSERT INTO profiles (user_key, profile_json, updated_at) VALUES ($1, $2, $3) "
                "ON CONFLICT (user_key) DO UPDATE SET "
                "profile_json = excluded.profile_json, updated_at = excluded.updated_at",
                user_key, profile_to_json(profile), self._audit_now(),
            )

    # --- drafts (numbering later versions and purging are the dialects') -------------

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
        created = self._time(first.created_at)
        expires = self._time(expires_at)
        values = version_values(first, self._time)
        async with self._transaction() as db:
            draft_id = await db.fetchval(
                "INSERT INTO drafts (owner_key, scope, prompt, created_at, expires_at, "
                "refinements_used) VALUES ($1, $2, $3, $4, $5, 0) RETURNING id",
                owner_key, scope, prompt, created, expires,
            )
            await db.execute(
                f"INSERT INTO draft_versions ({INSERT_VERSION_COLUMNS}) "
                "VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                draft_id, *values,
            )
        return int(draft_id)

    async def get_draft(self, draft_id: int, now: datetime) -> Draft | None:
        """The draft with its latest version, or None when missing or expired."""
        moment = self._time(now)
        async with self._session() as db:
            row = await db.fetchrow(
                self._draft_select + "WHERE d.id = $1 AND d.expires_at > $2", draft_id, moment
            )
            return None if row is None else draft_from_row(row, self._read_time)

    async def get_draft_version(self, draft_id: int, version: int) -> DraftVersion | None:
        """One specific version of a draft, or None when there is no such version."""
        async with self._session() as db:
            row = await db.fetchrow(
                f"SELECT {_VERSION_COLUMNS} FROM draft_versions "
                "WHERE draft_id = $1 AND version = $2",
                draft_id, version,
            )
            return None if row is None else version_from_row(row, self._read_time)

    async def latest_draft(self, owner_key: str, scope: str, now: datetime) -> Draft | None:
        """The owner's most recently created live draft in ``scope``, or None."""
        moment = self._time(now)
        async with self._session() as db:
            row = await db.fetchrow(
                self._draft_select
                + "WHERE d.owner_key = $1 AND d.scope = $2 AND d.expires_at > $3 "
                "ORDER BY d.created_at DESC, d.id DESC LIMIT 1",
                owner_key, scope, moment,
            )
            return None if row is None else draft_from_row(row, self._read_time)

    # --- OAuth states and linked accounts ---------------------------------------------

    async def put_oauth_state(self, state: OAuthState) -> None:
        """Records a pending link.  A state value that already exists is refused.

        Only the state's SHA-256 digest is stored; the state itself stays with the user.
        """
        created = self._time(state.created_at)
        expires = self._time(state.expires_at)
        async with self._session() as db:
            await db.execute(
                "INSERT INTO oauth_states (state_digest, user_key, payload, created_at, "
                "expires_at) VALUES ($1, $2, $3, $4, $5)",
                bearer_digest(state.state), state.user_key, state.payload, created, expires,
            )

    async def consume_oauth_state(self, state: str, now: datetime) -> OAuthState | None:
        """Deletes and returns a live state in one statement; None if unknown/expired/used.

        One ``DELETE ... RETURNING``: of two callers with the same state, one gets the row.
        """
        moment = self._time(now)
        async with self._session() as db:
            row = await db.fetchrow(
                "DELETE FROM oauth_states WHERE state_digest = $1 AND expires_at > $2 "
                "RETURNING user_key, payload, created_at, expires_at",
                bearer_digest(state), moment,
            )
            if row is None:
                return None
            return OAuthState(
                state=state,  # the value the caller brought, whose digest matched
                user_key=str(row["user_key"]),
                payload=str(row["payload"]),
                created_at=self._read_time(row["created_at"]),
                expires_at=self._read_time(row["expires_at"]),
            )

    async def save_linked_account(self, account: LinkedAccount) -> None:
        """Links (or re-links) a user's account with ``account.provider``."""
        linked = self._time(account.linked_at)
        async with self._session() as db:
            await db.execute(
                "INSERT INTO linked_accounts (user_key, provider, account_id, display_name, "
                "token_blob, linked_at) VALUES ($1, $2, $3, $4, $5, $6) "
                "ON CONFLICT (user_key, provider) DO UPDATE SET "
                "account_id = excluded.account_id, display_name = excluded.display_name, "
                "token_blob = excluded.token_blob, linked_at = excluded.linked_at",
                account.user_key, account.provider, account.account_id, account.display_name,
                bytes(account.token_blob), linked,
            )

    async def get_linked_account(self, user_key: str, provider: str) -> LinkedAccount | None:
        """The user's linked account with ``provider``, or None."""
        async with self._session() as db:
            row = await db.fetchrow(
                "SELECT user_key, provider, account_id, display_name, token_blob, linked_at "
                "FROM linked_accounts WHERE user_key = $1 AND provider = $2",
                user_key, provider,
            )
            if row is None:
                return None
            return LinkedAccount(
                user_key=str(row["user_key"]),
                provider=str(row["provider"]),
                account_id=str(row["account_id"]),
                display_name=str(row["display_name"]),
                token_blob=bytes(row["token_blob"]),
                linked_at=self._read_time(row["linked_at"]),
            )

    async def delete_linked_account(self, user_key: str, provider: str) -> bool:
        """Unlinks; returns whether there was a link to remove."""
        async with self._session() as db:
            found = await db.fetchval(
                "DELETE FROM linked_accounts WHERE user_key = $1 AND provider = $2 RETURNING 1",
                user_key, provider,
            )
        return found is not None

    # --- caches -----------------------------------------------------------------------

    async def cache_get(self, namespace: str, key: str, now: datetime) -> str | None:
        """A live cached value, or None when missing or expired.

        Keys are stored as SHA-256 digests: some are bearer values (REST session ids,
        Telegram button keys) that are only ever looked up, never listed.
        """
        moment = self._time(now)
        async with self._session() as db:
            value = await db.fetchval(
                "SELECT value FROM cache WHERE namespace = $1 AND key = $2 AND expires_at > $3",
                namespace, bearer_digest(key), moment,
            )
        return None if value is None else str(value)

    async def cache_take(self, namespace: str, key: str, now: datetime) -> str | None:
        """A live cached value, deleted as it is read: exactly one caller gets it.

        One ``DELETE ... RETURNING``, which both databases run atomically.
        """
        moment = self._time(now)
        async with self._session() as db:
            value = await db.fetchval(
                "DELETE FROM cache WHERE namespace = $1 AND key = $2 AND expires_at > $3 "
                "RETURNING value",
                namespace, bearer_digest(key), moment,
            )
        return None if value is None else str(value)

    async def cache_put(self, namespace: str, key: str, value: str, expires_at: datetime) -> None:
        """Stores or replaces a cached value until ``expires_at`` (under the key's digest)."""
        expires = self._time(expires_at)
        async with self._session() as db:
            await db.execute(
                "INSERT INTO cache (namespace, key, value, expires_at) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (namespace, key) DO UPDATE SET "
                "value = excluded.value, expires_at = excluded.expires_at",
                namespace, bearer_digest(key), value, expires,
            )

    # --- per-scope apps and saved playlists -------------------------------------------

    async def set_scope_app(self, scope_key: str, provider: str, blob: bytes) -> None:
        """Stores (or replaces) a scope's app credentials, already encrypted."""
        async with self._session() as db:
            await db.execute(
                "INSERT INTO scope_apps (scope_key, provider, app_blob, updated_at) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT (scope_key, provider) DO UPDATE SET "
                "app_blob = excluded.app_blob, updated_at = excluded.updated_at",
                scope_key, provider, bytes(blob), self._audit_now(),
            )

    async def get_scope_app(self, scope_key: str, provider: str) -> bytes | None:
        """The encrypted app credentials of a scope, or None."""
        async with self._session() as db:
            value = await db.fetchval(
                "SELECT app_blob FROM scope_apps WHERE scope_key = $1 AND provider = $2",
                scope_key, provider,
            )
        return None if value is None else bytes(value)

    async def delete_scope_app(self, scope_key: str, provider: str) -> bool:
        """Forgets a scope's app; returns whether there was one."""
        async with self._session() as db:
            found = await db.fetchval(
                "DELETE FROM scope_apps WHERE scope_key = $1 AND provider = $2 RETURNING 1",
                scope_key, provider,
            )
        return found is not None

    async def get_saved_playlist(
        self, user_key: str, draft_id: int, provider: str
    ) -> SavedPlaylist | None:
        """Where the user saved this draft with ``provider``, or None."""
        async with self._session() as db:
            row = await db.fetchrow(
                "SELECT user_key, draft_id, provider, account_id, playlist_id, url, saved_at "
                "FROM saved_playlists WHERE user_key = $1 AND draft_id = $2 AND provider = $3",
                user_key, draft_id, provider,
            )
            if row is None:
                return None
            return SavedPlaylist(
                user_key=str(row["user_key"]),
                draft_id=int(row["draft_id"]),
                provider=str(row["provider"]),
                account_id=str(row["account_id"]),
                playlist_id=str(row["playlist_id"]),
                url=str(row["url"]),
                saved_at=self._read_time(row["saved_at"]),
            )

    async def put_saved_playlist(self, saved: SavedPlaylist) -> None:
        """Records (or replaces) where a draft was saved.

        Raises ``DraftNotFound`` when the draft has been purged meanwhile.
        """
        saved_at = self._time(saved.saved_at)
        async with self._session() as db:
            try:
                await db.execute(
                    "INSERT INTO saved_playlists (user_key, draft_id, provider, account_id, "
                    "playlist_id, url, saved_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                    "ON CONFLICT (user_key, draft_id, provider) DO UPDATE SET "
                    "account_id = excluded.account_id, playlist_id = excluded.playlist_id, "
                    "url = excluded.url, saved_at = excluded.saved_at",
                    saved.user_key, saved.draft_id, saved.provider, saved.account_id,
                    saved.playlist_id, saved.url, saved_at,
                )
            except self._dialect.missing_parent:
                raise DraftNotFound(DRAFT_GONE) from None
