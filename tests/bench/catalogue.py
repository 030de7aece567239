"""Benchmark of the bundled data (run by hand; prints one JSON object).

    python tests/bench/catalogue.py [--rounds 10]

* ``catalogue_load_s``: the demo catalogue ready from its pack (cold, in process).
* ``search_ms``: one demo-catalogue search, mean over a mix of filtered, free-text and
  ranked queries (``--rounds`` rounds of the mix); ``search_ms_max`` the slowest query.
* ``knowledge_load_s``: ``DatasetKnowledge`` ready; ``artists_named_in_ms`` and
  ``features_us``: a prompt read for artist names, one track's features by title.
* ``pack_bytes``: the shipped ``dataset.npz``; ``rss_mb``: this process after both loads.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.models import AudioTarget, Track  # noqa: E402
from data.catalogue.demo import DemoCatalogue, default_path  # noqa: E402
from data.catalogue.knowledge import DatasetKnowledge  # noqa: E402

QUERIES = (
    'track:"So What" artist:"Miles Davis"',
    'track:"Love" artist:"The Beatles"',
    'genre:"hip hop"',
    "upbeat indie rock morning workout",
    "sad songs for a rainy day",
    "year:1990-1999",
    "track:love",
)
PROMPTS = (
    "songs like Radiohead's OK Computer",
    "relaxing jazz for studying",
    "Taylor Swift deep cuts",
    "upbeat indie rock for a morning workout",
)


async def _catalogue(rounds: int) -> dict[str, float]:
    catalogue = DemoCatalogue()
    start = time.perf_counter()
    await catalogue.size()
    load_s = time.perf_counter() - start
    target = AudioTarget(energy=0.7, valence=0.6)
    timings: list[float] = []
    for _ in range(rounds):
        for query in QUERIES:
            start = time.perf_counter()
            await catalogue.search(query, target=target)
            timings.append(time.perf_counter() - start)
    return {
        "catalogue_load_s": round(load_s, 3),
        "catalogue_tracks": await catalogue.size(),
        "search_ms": round(1000 * sum(timings) / len(timings), 3),
        "search_ms_max": round(1000 * max(timings), 3),
    }


def _knowledge(rounds: int) -> dict[str, float]:
    start = time.perf_counter()
    knowledge = DatasetKnowledge()
    knowledge.artists_named_in("warm up")  # the name tables are built on first use
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(rounds):
        for prompt in PROMPTS:
            knowledge.artists_named_in(prompt)
    named_ms = 1000 * (time.perf_counter() - start) / (rounds * len(PROMPTS))
    track = Track(id="-", title="Karma Police - Remastered 2017", artists=("Radiohead",))
    start = time.perf_counter()
    for _ in range(rounds * 100):
        knowledge.features(track)
    features_us = 1e6 * (time.perf_counter() - start) / (rounds * 100)
    return {
        "knowledge_load_s": round(load_s, 3),
        "artists_named_in_ms": round(named_ms, 3),
        "features_us": round(features_us, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    figures: dict[str, float | int] = {}
    figures.update(asyncio.run(_catalogue(args.rounds)))
    figures.update(_knowledge(args.rounds))
    figures["pack_bytes"] = len(default_path().read_bytes())
    figures["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
