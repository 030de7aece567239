"""Numbered SQL migrations, tracked with ``PRAGMA user_version``.

Migrations live in ``data/migrations/NNNN_name.sql`` and are read with
``importlib.resources`` so they work from an installed wheel as well as from a
checkout.  (This module is ``migrate`` rather than ``migrations`` so that it
does not shadow the folder of the same name.)  Each migration runs in its own
``BEGIN IMMEDIATE`` transaction together with the ``user_version`` bump, so a
failing migration leaves the database exactly as it was.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

import aiosqlite

__all__ = [
    "Migration",
    "MigrationError",
    "apply_migrations",
    "load_migrations",
    "split_statements",
    "user_version",
]

_FILE_NAME = re.compile(r"^(\d{4})_([A-Za-z0-9_]+)\.sql$")


class MigrationError(Exception):
    """The migration files or the database's schema version do not fit together."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered migration file."""

    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The file's SQL statements, in order."""
        return split_statements(self.sql)


def split_statements(script: str) -> list[str]:
    """Splits a script into single statements.

    ``sqlite3.complete_statement`` knows about strings, comments and trigger
    bodies, so a ``;`` inside any of them does not end a statement.  We split
    ourselves because ``executescript`` commits any open transaction first,
    which would defeat running a migration in one transaction.
    """
    statements: list[str] = []
    start = 0
    for index, char in enumerate(script):
        if char == ";" and sqlite3.complete_statement(script[start : index + 1]):
            statement = script[start : index + 1].strip()
            if statement.strip(";").strip():
                statements.append(statement)
            start = index + 1
    tail = "\n".join(
        line for line in script[start:].splitlines() if not line.strip().startswith("--")
    ).strip()
    if tail:
        raise MigrationError(f"unterminated SQL statement at the end: {tail[:60]!r}")
    return statements


@functools.cache
def load_migrations(package: str = "data", folder: str = "migrations") -> tuple[Migration, ...]:
    """All migrations shipped in ``package/folder``, numbered 1, 2, 3... without gaps."""
    root = resources.files(package).joinpath(folder)
    found: list[Migration] = []
    for entry in root.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match is None:
            continue
        found.append(
            Migration(
                version=int(match.group(1)),
                name=match.group(2),
                sql=entry.read_text(encoding="utf-8"),
            )
        )
    found.sort(key=lambda migration: migration.version)
    expected = list(range(1, len(found) + 1))
    if [migration.version for migration in found] != expected:
        # A gap or a duplicate number would make user_version ambiguous.
        raise MigrationError(
            f"migrations in {package}/{folder} must be numbered 1..{len(found)} without gaps"
        )
    return tuple(found)


async def user_version(conn: aiosqlite.Connection) -> int:
    """The schema version recorded in the database header."""
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


async def apply_migrations(
    conn: aiosqlite.Connection, migrations: tuple[Migration, ...] | None = None
) -> list[int]:
    """Applies every migration newer than the database; returns the versions applied.

    ``conn`` must be in autocommit mode (``isolation_level=None``).  The version
    is re-read inside each write transaction, so two processes opening the same
    new file at once do not both run migration 1.
    """
    migrations = load_migrations() if migrations is None else migrations
    latest = migrations[-1].version if migrations else 0
    current = await user_version(conn)
    if current > latest:
        raise MigrationError(
            f"the database has schema version {current}, newer than this program knows "
            f"({latest}); it was written by a newer EchoTuner"
        )
    applied: list[int] = []
    for migration in migrations:
        if migration.version <= current:
            continue
        await conn.execute("BEGIN IMMEDIATE")
        try:
            current = await user_version(conn)
            if migration.version <= current:  # another process got here first
                await conn.execute("ROLLBACK")
                continue
            for statement in migration.statements():
                await conn.execute(statement)
            # PRAGMA takes no parameters; the version is an int we parsed ourselves.
            await conn.execute(f"PRAGMA user_version = {migration.version:d}")
            await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        current = migration.version
        applied.append(migration.version)
    return applied
