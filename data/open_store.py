"""Choosing the store: PostgreSQL when ``DATABASE_URL`` is set, else SQLite.

``data`` does not import ``bot``: the factory takes anything with the few
settings it reads (``bot.settings.Settings`` fits), described by
``StoreSettings``.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from data.migrate import load_migrations
from data.sqlite_store import SqliteStore
from data.token_cipher import FernetCipher

if TYPE_CHECKING:  # asyncpg is imported only when PostgreSQL is configured
    from data.postgres_store import PostgresStore

__all__ = ["MigrationReport", "StoreSettings", "make_store", "migrate_store"]

# Bounds each statement on PostgreSQL; far above any query the bot makes, so it
# only fires when the server hangs.
COMMAND_TIMEOUT_S = 30.0


class StoreSettings(Protocol):
    """The settings ``make_store`` reads (a subset of ``bot.settings.Settings``)."""

    @property
    def database_url(self) -> str: ...

    @property
    def database_filename(self) -> str: ...

    @property
    def db_pool_min_size(self) -> int: ...

    @property
    def db_pool_max_size(self) -> int: ...

    @property
    def db_acquire_timeout(self) -> float: ...

    @property
    def database_busy_timeout(self) -> float: ...

    @property
    def token_encryption_key(self) -> str: ...


def make_store(settings: StoreSettings) -> SqliteStore | PostgresStore:
    """An unopened store: ``PostgresStore`` for a ``DATABASE_URL``, else ``SqliteStore``.

    Generated secrets in the database are sealed with the token key: TOKEN_ENCRYPTION_KEY
    when set, else (SQLite) the key file beside the database.  PostgreSQL has no such
    file, and its processes may run on several hosts, so there the key must be set.
    """
    cipher = FernetCipher(settings.token_encryption_key) if settings.token_encryption_key else None
    if settings.database_url:
        from data.postgres_store import PostgresStore

        return PostgresStore(
            settings.database_url,
            min_size=settings.db_pool_min_size,
            max_size=settings.db_pool_max_size,
            command_timeout=COMMAND_TIMEOUT_S,
            acquire_timeout=settings.db_acquire_timeout,
            # Connecting is part of acquiring a connection, so the same bound applies.
            connect_timeout=max(settings.db_acquire_timeout, 1.0),
            cipher=cipher,
        )
    return SqliteStore(settings.database_filename,
                       busy_timeout_ms=round(settings.database_busy_timeout * 1000),
                       cipher=cipher)


@dataclass(frozen=True, slots=True)
class MigrationReport:
    """What ``migrate_store`` did: where, the schema version now, and what it applied.

    ``where`` names the backend and the database (never a password).
    """

    where: str
    version: int
    applied: tuple[int, ...]

    def describe(self) -> str:
        """One line for the operator."""
        if self.applied:
            done = "applied migration" + ("s " if len(self.applied) > 1 else " ")
            done += ", ".join(str(v) for v in self.applied)
        else:
            done = "already up to date"
        return f"{self.where}: schema version {self.version} ({done})."


async def migrate_store(settings: StoreSettings) -> MigrationReport:
    """Applies pending migrations on the configured backend and closes it again.

    Opening a store migrates it, so this is open + close; it starts nothing
    else.  Raises ``core.errors.StoreUnavailable`` with a one-line reason.
    """
    store = make_store(settings)
    if not isinstance(store, SqliteStore):
        async with store:
            version = await store.schema_version()
        return MigrationReport(store.where, version, store.applied_migrations)
    before = await asyncio.to_thread(_sqlite_user_version, store.path)
    async with store:
        pass
    version = load_migrations()[-1].version  # open() refuses any other version
    where = f"SQLite file {store.path!r}"
    return MigrationReport(where, version, tuple(range(before + 1, version + 1)))


def _sqlite_user_version(path: str) -> int:
    """The schema version of an existing SQLite file, 0 when there is none yet.

    Read-only and forgiving: a file that is not a database is left for
    ``open()`` to report properly.
    """
    if path in {"", ":memory:"} or not os.path.isfile(path):
        return 0
    try:
        conn = sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0
