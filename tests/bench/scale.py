"""Benchmark: REST generations per second and p95 latency, 1 and 3 processes (run by hand).

    python tests/bench/scale.py [--json] [--requests 900] [--concurrency 24] [--dsn postgresql://...]

In one run it starts real ``python -m bot serve`` processes and drives their REST API
(``POST /generate-playlist``, 10-track playlists on the bundled demo catalogue, offline
planner, no daily limit) with ``--concurrency`` clients spread round-robin over the
processes, each request for its own device:

* ``sqlite_1``: one process on a SQLite file (the embedded default);
* ``postgres_1``: one process on PostgreSQL;
* ``postgres_3``: three processes on the same PostgreSQL database.

Without ``--dsn`` a throw-away PostgreSQL server is started the way the tests do
(tests/postgres_server.py; ``fsync=off``), and every scenario gets a fresh database.
Each process answers one request per prompt first, so every scenario starts warm
(catalogue loaded, search cache filled); the cache is per process, as deployed.
Everything shares this machine's cores: the load generator, the bot processes and
PostgreSQL.  Figures per scenario: ``generations_per_s`` (successful answers over
wall time), ``p50_ms``/``p95_ms`` (per request, client side), ``errors``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

from tests.integration.scale_support import (  # noqa: E402
    ServeProcess,
    common_settings,
    free_port,
    serve_processes,
)
from tests.postgres_server import PostgresServer, find_postgres_bindir  # noqa: E402

PROMPTS = (
    "upbeat indie rock for a morning run", "relaxing jazz for studying",
    "sad songs for a rainy day", "90s hip hop party", "chill electronic for coding",
    "acoustic folk for a road trip", "classic soul for a dinner party",
    "high energy workout metal", "latin dance hits", "lofi beats to fall asleep to",
    "country songs about summer", "bossa nova for a sunday morning",
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def _drive(processes: list[ServeProcess], http: aiohttp.ClientSession, requests: int,
                 concurrency: int, tag: str) -> dict[str, Any]:
    for process in processes:  # warm: catalogue loaded, each prompt's searches cached
        for prompt in PROMPTS:
            async with http.post(process.base_url + "/generate-playlist", json={
                "device_id": f"warm-{tag}", "prompt": prompt, "count": 10,
            }) as response:
                if response.status != 200:
                    raise RuntimeError(f"warm-up failed: {response.status} {await response.text()}")
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))

    async def client() -> None:
        nonlocal errors
        for n in counter:
            process = processes[n % len(processes)]
            started = time.perf_counter()
            async with http.post(process.base_url + "/generate-playlist", json={
                "device_id": f"{tag}-{n}", "prompt": PROMPTS[n % len(PROMPTS)], "count": 10,
            }) as response:
                await response.read()
                ok = response.status == 200
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    return {
        "processes": len(processes),
        "requests": requests,
        "errors": errors,
        "generations_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
    }


async def _scenario(root: Path, settings: dict[str, str], count: int, http: aiohttp.ClientSession,
                    args: argparse.Namespace, tag: str) -> dict[str, Any]:
    configs = [{**settings, "WEB_PORT": str(free_port())} for _ in range(count)]
    async with serve_processes(root / tag, configs, http) as processes:
        return await _drive(processes, http, args.requests, args.concurrency, tag)


@contextlib.contextmanager
def _local_server() -> Iterator[PostgresServer]:
    bindir = find_postgres_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL binaries found; pass --dsn or install postgresql")
    server = PostgresServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@contextlib.asynccontextmanager
async def _databases(args: argparse.Namespace) -> AsyncIterator[Any]:
    """A function giving a fresh database URL per scenario (or the --dsn one each time)."""
    if args.dsn:
        async def same() -> str:
            return str(args.dsn)

        yield same
        return
    with _local_server() as server:
        async def fresh() -> str:
            return server.dsn(await server.create_database())

        yield fresh


async def run(args: argparse.Namespace) -> dict[str, Any]:
    # One token key for the deployment: PostgreSQL keeps the generated user-key secret
    # encrypted with it, and every process must read it.
    base = common_settings(CATALOGUE="demo", PLAYLIST_LIMIT_ENABLED="false", LOG_LEVEL="WARNING",
                           HOUSEKEEPING_INTERVAL_SECONDS="60", DB_POOL_MAX_SIZE="10",
                           TOKEN_ENCRYPTION_KEY=Fernet.generate_key().decode())
    figures: dict[str, Any] = {"requests": args.requests, "concurrency": args.concurrency,
                               "tracks_per_playlist": 10}
    with tempfile.TemporaryDirectory(prefix="echotuner-scale-") as tmp:
        root = Path(tmp)
        timeout = aiohttp.ClientTimeout(total=120)
        connector = aiohttp.TCPConnector(limit=args.concurrency * 2)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http, \
                _databases(args) as database:
            figures["sqlite_1"] = await _scenario(
                root, {**base, "DATABASE_FILENAME": str(root / "bench.db")}, 1, http, args, "sqlite_1")
            figures["postgres_1"] = await _scenario(
                root, {**base, "DATABASE_URL": await database()}, 1, http, args, "postgres_1")
            figures["postgres_3"] = await _scenario(
                root, {**base, "DATABASE_URL": await database()}, 3, http, args, "postgres_3")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="one JSON object only")
    parser.add_argument("--dsn", default="", help="an existing PostgreSQL database to use")
    parser.add_argument("--requests", type=int, default=900)
    parser.add_argument("--concurrency", type=int, default=24)
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    print(json.dumps(figures, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
