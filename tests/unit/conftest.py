"""Fixtures the unit specifications share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from data.sqlite_store import SqliteStore


@pytest.fixture
async def store() -> AsyncIterator[SqliteStore]:
    """A fresh, migrated SQLite store in memory."""
    async with SqliteStore(":memory:") as opened:
        yield opened
