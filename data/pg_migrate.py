"""Numbered SQL migrations for PostgreSQL, tracked in a ``schema_migrations`` table.

The PostgreSQL files live in ``data/migrations/postgres/NNNN_name.sql`` and
mirror the SQLite files in ``data/migrations/`` number for number and name for
name (a test keeps the two folders in step).  They are read with the same
loader as the SQLite ones, ``data.migrate.load_migrations``, so they work from
an installed wheel too.

Several bot processes may start at once against one database.  The whole run
therefore happens under a session-level advisory lock: the first process
migrates, the others wait for the lock, then find nothing left to do.  Each
migration runs in its own transaction together with its ``schema_migrations``
row, so a failing migration leaves the database exactly as it was.
"""

from __future__ import annotations

import contextlib
from typing import Any

from data.migrate import Migration, MigrationError, load_migrations

__all__ = [
    "MIGRATION_LOCK_KEY",
    "apply_pg_migrations",
    "load_pg_migrations",
    "pg_schema_version",
]

# Any fixed 64-bit number works as long as nothing else in the database uses it for
# pg_advisory_lock; this one spells "echotune" in ASCII.
MIGRATION_LOCK_KEY = 0x6563686F74756E65

_CREATE_TRACKING_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT        NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


def load_pg_migrations() -> tuple[Migration, ...]:
    """Every PostgreSQL migration shipped with the package, numbered 1, 2, 3..."""
    return load_migrations("data", "migrations/postgres")


async def _tracking_table_exists(conn: Any) -> bool:
    return bool(await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL"))


async def pg_schema_version(conn: Any) -> int:
    """The newest version recorded in ``schema_migrations`` (0 for an empty database)."""
    if not await _tracking_table_exists(conn):
        return 0
    return int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))


async def apply_pg_migrations(
    conn: Any, migrations: tuple[Migration, ...] | None = None
) -> list[int]:
    """Applies every migration the database lacks; returns the versions applied.

    ``conn`` is an asyncpg connection outside any transaction.  The advisory
    lock is a session lock, so it is also released if the connection dies half
    way (and asyncpg's pool runs ``pg_advisory_unlock_all()`` when a connection
    is released).
    """
    migrations = load_pg_migrations() if migrations is None else migrations
    known = {migration.version: migration.name for migration in migrations}
    latest = max(known, default=0)
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        await conn.execute(_CREATE_TRACKING_TABLE)
        recorded = {
            int(row["version"]): str(row["name"])
            for row in await conn.fetch("SELECT version, name FROM schema_migrations")
        }
        newest = max(recorded, default=0)
        if newest > latest:
            raise MigrationError(
                f"the database has schema version {newest}, newer than this program knows "
                f"({latest}); it was written by a newer EchoTuner"
            )
        for version, name in sorted(recorded.items()):
            if known.get(version) != name:
                raise MigrationError(
                    f"the database records migration {version:04d}_{name}, which this "
                    "program does not have; it was migrated by a different EchoTuner"
                )
        applied: list[int] = []
        for migration in migrations:
            if migration.version in recorded:
                continue
            async with conn.transaction():
                # No parameters: asyncpg then uses the simple query protocol,
                # which runs a whole multi-statement script in one call.
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    migration.version,
                    migration.name,
                )
            applied.append(migration.version)
        return applied
    finally:
        if not conn.is_closed():
            # A failure here (the connection just broke) must not hide the real error;
            # the server drops a broken session's locks by itself.
            with contextlib.suppress(Exception):
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
