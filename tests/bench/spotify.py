"""Benchmark: a 30-track generate against the fake Spotify at 40 ms per call (run by hand; JSON).

    python tests/bench/spotify.py [--latency 0.04] [--count 30] [--concurrency 8] [--runs 3]

The engine runs as deployed (offline planner, SQLite, no search cache so every search goes
over HTTP) with the real SpotifyCatalogue (spotipy in a bounded thread pool) against the
fake Spotify on 127.0.0.1, every request delayed by ``--latency``.  The figure to compare
is the end-to-end time against the floor: one model call plus the fewest sequential
search rounds the concurrency bound allows (searches / bound, rounded up, times latency).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from adapters.ai.offline import OfflineStrategyProvider  # noqa: E402
from adapters.music.spotify_catalogue import SpotifyCatalogue  # noqa: E402
from adapters.music.spotify_http import SpotifyHttp  # noqa: E402
from core.engine import Engine, EngineConfig  # noqa: E402
from core.identity import UserKeys  # noqa: E402
from core.models import LimitSettings, StrategyRequest, UserRef  # noqa: E402
from core.validation import LexicalValidator  # noqa: E402
from data.catalogue.demo import DemoCatalogue  # noqa: E402
from data.sqlite_store import SqliteStore  # noqa: E402
from tests.fakes.spotify_server import FakeSpotify  # noqa: E402

PROMPTS = ["upbeat indie rock for a morning workout", "relaxing jazz for studying",
           "hip hop for a house party"]


async def main(args: argparse.Namespace) -> dict[str, object]:
    model = OfflineStrategyProvider()
    async with FakeSpotify(DemoCatalogue()) as fake:
        app = fake.add_app()
        http = SpotifyHttp(api_url=fake.api_url, accounts_url=fake.accounts_url,
                           pool_size=args.concurrency)
        catalogue = SpotifyCatalogue(http, _credentials(app.client_id, app.client_secret))
        with tempfile.TemporaryDirectory() as folder:
            async with SqliteStore(Path(folder) / "bench.db") as store:
                engine = Engine(
                    store=store, model=model, catalogue=catalogue, validator=LexicalValidator(),
                    keys=UserKeys(b"bench-secret-bench-secret"),
                    config=EngineConfig(defaults=LimitSettings(playlist_limit_enabled=False,
                                                               max_songs=100),
                                        search_concurrency=args.concurrency),
                )
                await catalogue.search("warm up")  # token and connections, outside the timing
                fake.latency = args.latency
                runs = []
                for n in range(args.runs):
                    prompt = PROMPTS[n % len(PROMPTS)]
                    started = time.perf_counter()
                    await model.plan(StrategyRequest(prompt=prompt, count=args.count))
                    model_s = time.perf_counter() - started
                    before = fake.searches
                    started = time.perf_counter()
                    playlist = await engine.generate(UserRef("bench", f"u{n}"), prompt, args.count)
                    took = time.perf_counter() - started
                    searches = fake.searches - before
                    rounds = math.ceil(searches / args.concurrency)
                    floor = model_s + rounds * args.latency
                    runs.append({"prompt": prompt, "tracks": len(playlist.tracks),
                                 "generate_s": round(took, 3), "searches": searches,
                                 "min_rounds": rounds, "floor_s": round(floor, 3),
                                 "ratio": round(took / floor, 2)})
        await http.close()
    return {
        "latency_s": args.latency, "count": args.count, "concurrency": args.concurrency,
        "median_generate_s": statistics.median(r["generate_s"] for r in runs),  # type: ignore[misc]
        "median_ratio": statistics.median(r["ratio"] for r in runs),  # type: ignore[misc]
        "runs": runs,
    }


def _credentials(client_id: str, secret: str):  # type: ignore[no-untyped-def]
    from core.models import AppCredentials

    return AppCredentials(client_id, secret)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.04)
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=1))
