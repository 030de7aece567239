"""Benchmark of generate on the demo catalogue (run by hand; prints JSON).

    python tests/bench/pipeline.py [--json] [--users 50] [--rounds 3]

Figures: cold start-up of the CLI, one generate's median and p95 latency,
generations per second with N concurrent users, peak resident memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from adapters.ai.offline import OfflineStrategyProvider  # noqa: E402
from adapters.music.demo_catalogue import DemoCatalogue  # noqa: E402
from core.cache import CachingCatalogue  # noqa: E402
from core.engine import Engine, EngineConfig  # noqa: E402
from core.identity import UserKeys  # noqa: E402
from core.models import LimitSettings, UserRef  # noqa: E402
from core.validation import LexicalValidator  # noqa: E402
from data.sqlite_store import SqliteStore  # noqa: E402

PROMPTS = [
    "relaxing jazz for studying",
    "hip hop for a house party",
    "upbeat indie rock for a morning workout",
    "sad songs for a rainy sunday",
    "80s synth pop for driving at night",
    "calm piano for sleeping",
    "energetic edm for running",
    "acoustic folk for a cozy evening",
    "heavy metal for the gym",
    "latin dance party",
]


def cold_start_s(command: list[str], runs: int = 3) -> float:
    """Median wall time of a fresh CLI process (new working directory, new database)."""
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cwd:
            env = {**os.environ, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bot", *command], cwd=cwd, env=env,
                           capture_output=True, check=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def in_process(users: int, rounds: int, count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "bench.db")
        await store.open()
        demo = DemoCatalogue()
        catalogue = CachingCatalogue(demo, ttl_s=3600)

        def engine_on(music: DemoCatalogue | CachingCatalogue) -> Engine:
            return Engine(
                store=store, model=OfflineStrategyProvider(), catalogue=music,
                validator=LexicalValidator(), keys=UserKeys(b"b" * 32),
                config=EngineConfig(defaults=LimitSettings(playlist_limit_enabled=False)),
            )

        load_start = time.perf_counter()
        await demo.health()  # loads the catalogue, so latencies below are warm
        load_s = time.perf_counter() - load_start
        # Latency without the search cache: every generate searches for real.
        uncached = engine_on(demo)
        latencies: list[float] = []
        for i, prompt in enumerate(PROMPTS * 3):
            start = time.perf_counter()
            await uncached.generate(UserRef("bench", f"solo{i}"), prompt, count)
            latencies.append(time.perf_counter() - start)
        # Throughput as deployed: with the search cache in front.
        engine = engine_on(catalogue)

        async def user(n: int) -> None:
            for r in range(rounds):
                await engine.generate(UserRef("bench", f"u{n}"), PROMPTS[(n + r) % len(PROMPTS)], count)

        start = time.perf_counter()
        await asyncio.gather(*(user(n) for n in range(users)))
        elapsed = time.perf_counter() - start
        await store.close()
    return {
        "catalogue_load_s": round(load_s, 3),
        "generate_median_ms": round(statistics.median(latencies) * 1000, 2),
        "generate_p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "concurrent_users": users,
        "generations_per_s": round(users * rounds / elapsed, 1),
        "cache_hit_ratio": round(catalogue.hits / max(1, catalogue.hits + catalogue.misses), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON object only")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    figures: dict[str, object] = {
        "cli_help_s": round(cold_start_s(["--help"]), 3),
        "cli_generate_s": round(cold_start_s(["generate", "relaxing jazz for studying"]), 3),
    }
    figures.update(asyncio.run(in_process(args.users, args.rounds, args.count)))
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
