"""Faults of the SQLite database: locks held by another process, a full disk, damaged rows,
a read-only file, and a file that cannot be opened at all.

SQLite is a file, not a server: the failures of a network dependency map onto what a file
can do (see ``tests/faults/cells.py``).  Another process is played by a plain ``sqlite3``
connection to the same file, which is exactly what a second bot process would hold.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from core.engine import utc_day
from core.models import UserRef
from data.sqlite_store import SqliteStore
from tests.faults.cells import Cell, cells
from tests.faults.support import (
    ALICE,
    BOB,
    ask,
    assert_clear,
    assert_no_tracebacks,
    assert_playlist,
    becomes,
    served_meanwhile,
    used,
    wired,
)

ROOT = Path(__file__).resolve().parents[2]
BUSY_TIMEOUT_S = 0.3


@contextmanager
def write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Another process holding the write lock (BEGIN IMMEDIATE) until the block ends."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield other
        other.execute("ROLLBACK")
    finally:
        other.close()


async def counted(app: App, user: UserRef) -> int:
    """The playlists charged to ``user`` today, read from the store directly (their /limits
    needs their latest draft, which the malformed cell damages)."""
    now = datetime.now(UTC)
    keys = app.engine.keys
    return await app.store.playlists_used(keys.key(user), keys.scope_key(user.scope), utc_day(now),
                                          now)


def store_of(app: App) -> SqliteStore:
    assert isinstance(app.store, SqliteStore)
    return app.store


async def _pragma(app: App, statement: str) -> None:
    """A pragma on the bot's own connection (the disk fills up under the bot, not beside it)."""
    conn = store_of(app)._conn
    assert conn is not None
    await conn.execute(statement)


@pytest.mark.parametrize("cell", cells("sqlite"))
async def test_sqlite_failure(cell: Cell, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with wired(tmp_path, AI_PROVIDERS="offline",
                     DATABASE_BUSY_TIMEOUT=str(BUSY_TIMEOUT_S)) as app:
        path = Path(store_of(app).path)
        assert_playlist(await ask(app, BOB))
        await becomes(app, "database", True)

        if cell.failure == "429":
            # A lock held for a moment (under the busy timeout): the request waits, then works.
            with write_lock(path):
                pending = asyncio.create_task(ask(app, ALICE))
                await asyncio.sleep(BUSY_TIMEOUT_S / 3)
            assert_playlist(await pending)
            assert await used(app, ALICE) == 1
            await becomes(app, "database", True)
            assert_no_tracebacks(caplog)
            return

        if cell.failure == "hang":
            with write_lock(path):
                reply = await ask(app, ALICE)
                assert_clear(reply, cell.answer)
                await served_meanwhile(app)  # reads go on beside the writer (WAL)
                await becomes(app, "database", False)
        elif cell.failure == "5xx":
            pages = (await store_of(app)._conn.execute_fetchall("PRAGMA page_count"))[0][0]  # type: ignore[union-attr]
            await _pragma(app, f"PRAGMA max_page_count = {pages}")
            reply = await ask(app, ALICE, "/playlist relaxing jazz for studying 40")
            assert_clear(reply, cell.answer)
            await served_meanwhile(app)
            await becomes(app, "database", False)
            await _pragma(app, "PRAGMA max_page_count = 1073741823")
        elif cell.failure == "malformed":
            assert_playlist(await ask(app, ALICE))
            with sqlite3.connect(path) as other:
                other.execute("UPDATE draft_versions SET tracks_json = '{\"cut off' ")
            reply = await ask(app, ALICE, "/refine more upbeat")
            assert_clear(reply, cell.answer)
            await served_meanwhile(app)
            await becomes(app, "database", False)
            assert await counted(app, ALICE) == 1  # the first playlist; the refinement: nothing
            assert_playlist(await ask(app, ALICE))  # a new playlist needs no damaged row
            assert await counted(app, ALICE) == 2
            await becomes(app, "database", True)
            assert_no_tracebacks(caplog)
            return

        assert await used(app, ALICE) == 0
        assert_playlist(await ask(app, ALICE))
        assert await used(app, ALICE) == 1
        await becomes(app, "database", True)
    assert_no_tracebacks(caplog)


async def test_a_database_made_read_only_under_the_bot_is_a_clear_error_not_a_crash(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with wired(tmp_path, AI_PROVIDERS="offline") as app:
        assert_playlist(await ask(app, BOB))
        await _pragma(app, "PRAGMA query_only = ON")  # what a read-only file does to writes
        reply = await ask(app, ALICE)
        assert_clear(reply, "read-only")
        assert await used(app, ALICE) == 0
        await served_meanwhile(app)
        await becomes(app, "database", False)
        await _pragma(app, "PRAGMA query_only = OFF")
        assert_playlist(await ask(app, ALICE))
        await becomes(app, "database", True)
    assert_no_tracebacks(caplog)


async def _run_bot(tmp_path: Path, database: Path, *, file_limit: int | None = None) -> tuple[int, str]:
    """``python -m bot generate`` on ``database``; returns (exit code, stderr)."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH"}}
    env.update({"PYTHONPATH": str(ROOT), "DATABASE_FILENAME": str(database),
                "AI_PROVIDERS": "offline", "LOG_LEVEL": "WARNING"})

    def limits() -> None:  # runs in the child before exec
        import resource

        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "generate", "relaxing jazz for studying", "--count", "10",
        cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        preexec_fn=limits if file_limit is not None else None,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_a_database_that_cannot_be_opened_stops_the_bot_with_a_clear_message(
    tmp_path: Path,
) -> None:
    # The "refused" cell of SQLite: the file cannot be opened (its folder does not exist).
    code, stderr = await _run_bot(tmp_path, tmp_path / "missing-folder" / "echotuner.db")
    assert code != 0
    assert "cannot be opened" in stderr and "Traceback" not in stderr, stderr


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The file made read-only for everyone, root included (the immutable attribute)."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("this file system has no immutable attribute")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)
        return
    os.chmod(path, 0o444)
    try:
        yield
    finally:
        os.chmod(path, 0o644)


async def test_a_read_only_database_file_stops_the_bot_with_a_clear_message(tmp_path: Path) -> None:
    database = tmp_path / "echotuner.db"
    async with wired(tmp_path, AI_PROVIDERS="offline") as app:
        assert_playlist(await ask(app, BOB))  # a real database, migrated, with data
    with read_only(database):
        code, stderr = await _run_bot(tmp_path, database)
    assert code != 0
    assert "read-only" in stderr and "Traceback" not in stderr, stderr


async def test_a_full_disk_is_a_clear_error_and_the_bot_keeps_its_data(tmp_path: Path) -> None:
    database = tmp_path / "echotuner.db"
    async with wired(tmp_path, AI_PROVIDERS="offline") as app:
        assert_playlist(await ask(app, BOB))
    # No file may grow past 8 KiB: the write-ahead log cannot take the next playlist's draft.
    code, stderr = await _run_bot(tmp_path, database, file_limit=8192)
    assert code != 0
    assert ("cannot be written" in stderr or "disk" in stderr) and "Traceback" not in stderr, stderr
    with sqlite3.connect(database) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
