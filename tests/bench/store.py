"""Benchmark of quota reservations on SQLite and PostgreSQL (run by hand; prints JSON).

    python tests/bench/store.py [--json] [--dsn postgresql://...] [--reservations 2000]

Without ``--dsn`` it starts a throw-away PostgreSQL server the way the tests do
(tests/postgres_server.py: as the ``postgres`` user when run as root, fsync off),
so PostgreSQL figures are a lower bound on latency for a real, durable server.

Figures per backend:
* ``sequential_per_s``: one caller reserving one after another (round-trip bound);
* ``concurrent_per_s``: 50 callers at once over one store (pool of 10 on PostgreSQL);
* ``burst_*``: 1,000 concurrent reservations for one user with a limit of 100,
  spread over two stores on the same database (two processes, in effect);
  ``burst_granted`` must be exactly 100.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from data.postgres_store import PostgresStore  # noqa: E402
from data.sqlite_store import SqliteStore  # noqa: E402
from tests.postgres_server import PostgresServer, find_postgres_bindir  # noqa: E402

AnyStore = SqliteStore | PostgresStore
DAY = "2026-05-09"
NOW = datetime(2026, 5, 9, 12, 0, tzinfo=UTC)
EXPIRES = NOW + timedelta(minutes=10)
CONCURRENT_CALLERS = 50
BURST = 1000
BURST_LIMIT = 100


async def measure(make: Callable[[], AnyStore], reservations: int) -> dict[str, float | int]:
    # A fresh scope per run, so --dsn can point at a database used before.
    scope = f"bench-{secrets.token_hex(4)}"
    async with make() as store:
        start = time.perf_counter()
        for i in range(reservations):
            await store.reserve_playlist(f"seq{i % 100}", scope, DAY, None, NOW, EXPIRES)
        sequential = reservations / (time.perf_counter() - start)

        async def caller(n: int) -> None:
            for i in range(reservations // CONCURRENT_CALLERS):
                await store.reserve_playlist(f"con{n}-{i % 10}", scope, DAY, None, NOW, EXPIRES)

        start = time.perf_counter()
        await asyncio.gather(*(caller(n) for n in range(CONCURRENT_CALLERS)))
        concurrent = (reservations // CONCURRENT_CALLERS) * CONCURRENT_CALLERS / (
            time.perf_counter() - start
        )

    async with make() as first, make() as second:
        start = time.perf_counter()
        results = await asyncio.gather(
            *((first, second)[i % 2].reserve_playlist("burst", scope, DAY, BURST_LIMIT, NOW, EXPIRES)
              for i in range(BURST))
        )
        burst_s = time.perf_counter() - start
        counted = await first.playlists_used("burst", scope, DAY, NOW)
    return {
        "sequential_per_s": round(sequential, 1),
        "concurrent_per_s": round(concurrent, 1),
        "burst_requests": BURST,
        "burst_limit": BURST_LIMIT,
        "burst_granted": sum(r is not None for r in results),
        "burst_counted": counted,
        "burst_s": round(burst_s, 3),
    }


@contextlib.contextmanager
def local_server() -> Iterator[PostgresServer]:
    bindir = find_postgres_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL binaries found; pass --dsn or install postgresql")
    server = PostgresServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


async def run(args: argparse.Namespace) -> dict[str, object]:
    figures: dict[str, object] = {"reservations": args.reservations}
    with tempfile.TemporaryDirectory() as tmp:
        figures["sqlite"] = await measure(lambda: SqliteStore(Path(tmp) / "bench.db"),
                                          args.reservations)
    if args.dsn:
        figures["postgres"] = await measure(lambda: PostgresStore(args.dsn), args.reservations)
        return figures
    with local_server() as server:
        name = await server.create_database()
        dsn = server.dsn(name)
        figures["postgres"] = await measure(lambda: PostgresStore(dsn), args.reservations)
        conn = await asyncpg.connect(dsn)
        try:
            version = await conn.fetchval("SHOW server_version")
        finally:
            await conn.close()
        figures["postgres_server"] = f"PostgreSQL {version} (local, fsync off)"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON object only")
    parser.add_argument("--dsn", default="", help="an existing PostgreSQL database to use")
    parser.add_argument("--reservations", type=int, default=2000)
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    print(json.dumps(figures, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
