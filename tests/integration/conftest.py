"""Fixtures shared by the store specs of this folder (the contract and the blends')."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.integration.test_store_contract import (
    AnyStore,
    Backend,
    postgres_backend,
    sqlite_backend,
)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """An empty database of each kind (PostgreSQL: a schema of this test's own)."""
    if request.param == "sqlite":
        return sqlite_backend(tmp_path / "store.db")
    return postgres_backend(request.getfixturevalue("postgres_schema_dsn"))


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[AnyStore]:
    """An opened store on ``backend``, closed after the test."""
    async with backend.make() as opened:
        yield opened
