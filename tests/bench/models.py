"""Benchmark of generate with a language model and embeddings (run by hand; prints JSON).

    python tests/bench/models.py [--json] [--rounds 30] [--count 20]

The fake Ollama answers chat after a fixed 300 ms and embeddings after 30 ms; the
real ollama client, the router, the embedding validator, the demo catalogue and a
SQLite file do the rest.  Two runs: prompts plain enough for the lexical check to
pass alone (no embedding call), and vague prompts that are embedded (the fake's
vectors let every one pass, so each takes the full path).  Figures: the
end-to-end median and p95, the median time spent inside provider calls (model and
embedder, client included), and the share of the end-to-end time spent outside them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from adapters.ai.offline import OfflineStrategyProvider  # noqa: E402
from bot.model_chain import ModelClients, build_model_chain, build_validator  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from core.cache import CachingCatalogue  # noqa: E402
from core.engine import Engine, EngineConfig  # noqa: E402
from core.identity import UserKeys  # noqa: E402
from core.models import DependencyStatus, LimitSettings, StrategyAnswer, StrategyRequest, UserRef  # noqa: E402
from core.ports import ChatModel, Embedder  # noqa: E402
from core.semantic_validation import SemanticValidator  # noqa: E402
from data.catalogue.demo import DemoCatalogue  # noqa: E402
from data.sqlite_store import SqliteStore  # noqa: E402
from tests.fakes.ollama_server import FakeOllama  # noqa: E402

MODEL_LATENCY_S = 0.300
EMBED_LATENCY_S = 0.030
PLAIN = [
    "relaxing jazz for studying", "hip hop for a house party", "upbeat indie rock for a workout",
    "calm piano for sleeping", "energetic edm for running",
]
VAGUE = [
    "something nice for the evening", "play me something nice", "a quiet evening",
    "what goes well with a quiet evening", "the evening fire",
]


class Stopwatch:
    """Adds up the time spent awaiting provider calls."""

    def __init__(self) -> None:
        self.waited = 0.0


class TimedModel:
    def __init__(self, inner: ChatModel, watch: Stopwatch) -> None:
        self.name, self._inner, self._watch = inner.name, inner, watch

    async def plan(self, request: StrategyRequest) -> StrategyAnswer:
        start = time.perf_counter()
        try:
            return await self._inner.plan(request)
        finally:
            self._watch.waited += time.perf_counter() - start

    async def health(self) -> DependencyStatus:
        return await self._inner.health()


class TimedEmbedder:
    def __init__(self, inner: Embedder, watch: Stopwatch) -> None:
        self.name, self._inner, self._watch = inner.name, inner, watch

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        start = time.perf_counter()
        try:
            return await self._inner.embed(texts)
        finally:
            self._watch.waited += time.perf_counter() - start

    async def health(self) -> DependencyStatus:
        return await self._inner.health()


def summary(total: list[float], waits: list[float]) -> dict[str, float]:
    ordered = sorted(total)
    outside = [t - w for t, w in zip(total, waits, strict=True)]
    return {
        "generate_median_ms": round(statistics.median(total) * 1000, 1),
        "generate_p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000, 1),
        "provider_wait_median_ms": round(statistics.median(waits) * 1000, 1),
        "outside_provider_median_ms": round(statistics.median(outside) * 1000, 1),
        "outside_provider_share": round(statistics.median(outside) / statistics.median(total), 3),
    }


async def run(rounds: int, count: int) -> dict[str, object]:
    async with FakeOllama() as server:
        server.chat.latency = MODEL_LATENCY_S
        server.embeddings.latency = EMBED_LATENCY_S
        server.embed = lambda text: [1.0, 0.0]  # every vague prompt passes: the full path runs
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings({
                "AI_PROVIDERS": "ollama,offline", "EMBEDDING_PROVIDER": "ollama",
                "OLLAMA_BASE_URL": server.base_url,
            }, env_file=None)
            store = SqliteStore(Path(tmp) / "bench.db")
            await store.open()
            clients = ModelClients(settings)
            watch = Stopwatch()
            model = TimedModel(build_model_chain(settings, offline=OfflineStrategyProvider(),
                                                 clients=clients), watch)
            validator = build_validator(settings, store, clients=clients)
            assert isinstance(validator, SemanticValidator)
            validator.embedder = TimedEmbedder(validator.embedder, watch)
            catalogue = CachingCatalogue(DemoCatalogue(), ttl_s=3600)
            engine = Engine(store=store, model=model, catalogue=catalogue, validator=validator,
                            keys=UserKeys(b"b" * 32),
                            config=EngineConfig(defaults=LimitSettings(playlist_limit_enabled=False)))
            await catalogue.health()  # load the catalogue
            await validator.validate(VAGUE[0])  # embed the references once
            figures: dict[str, object] = {
                "model_latency_ms": MODEL_LATENCY_S * 1000, "embed_latency_ms": EMBED_LATENCY_S * 1000,
            }
            for label, prompts in (("plain_prompts", PLAIN), ("vague_prompts", VAGUE)):
                total: list[float] = []
                waits: list[float] = []
                for i in range(rounds):
                    user = UserRef("bench", f"{label}{i}")
                    watch.waited = 0.0
                    start = time.perf_counter()
                    await engine.generate(user, prompts[i % len(prompts)], count)
                    total.append(time.perf_counter() - start)
                    waits.append(watch.waited)
                figures[label] = summary(total, waits)
            await clients.aclose()
            await store.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON object only")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    figures = asyncio.run(run(args.rounds, args.count))
    print(json.dumps(figures, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
