"""Benchmarks of the whole bot (run by hand; prints one JSON object).

    python tests/bench/pipeline.py [--json] [--users 200] [--only e2e,telegram,...]

Parts (``--only`` picks some; all by default):

* ``demo``: the demo catalogue in process: CLI cold start (``cli_help_s``,
  ``cli_generate_s``), ``catalogue_load_s``, one generate's median/p95 without the search
  cache, ``generations_per_s`` with ``throughput_users`` users at once behind the cache,
  ``cache_hit_ratio``, ``bench_peak_rss_mb`` (this benchmark process).
* ``e2e``: one 30-track generate with fakes at realistic latency (model 300 ms, embeddings
  30 ms, Spotify 40 ms per request), against its lower bound: one embedding call + one
  model call + the fewest rounds of searches the concurrency bound allows for the searches
  it made: ``e2e_ratio_to_lower_bound``.
* ``telegram``: ``concurrent_users`` people (200) writing to the bot at once through the real
  Telegram adapter against the fake Bot API (same fakes and latencies): ``answered``,
  ``p50_ms``/``p95_ms`` (from the message to the playlist on screen), ``loop_lag_ms_max``
  (the worst delay of the bot's event loop meanwhile), ``telegram_calls`` (Bot API calls
  the bot made).  The fakes run in a thread of their own, so the loop measured is the bot's.
* ``engine``: ``engine_generations_per_s``, the engine's own cost with zero-latency fakes
  (an instant model, an in-memory catalogue, SQLite on a file), pinned to one core.
* ``quota``: ``quota_reservations_per_s`` on SQLite, and ``quota_exact_under_concurrency``:
  1,000 reservations at once with a limit of 100 grant exactly 100.
* ``process``: the real ``python -m bot`` with Discord, Telegram and the web side (REST API)
  started against fakes: ``startup_s`` (cold: until it answers /health, polls Telegram and
  has identified with Discord), ``first_playlist_s`` (from start to a first answer),
  ``idle_rss_mb``, ``peak_rss_mb`` (after 100 playlists at once through all three doors).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from adapters.ai.offline import OfflineStrategyProvider  # noqa: E402
from core.cache import CachingCatalogue  # noqa: E402
from core.engine import Engine, EngineConfig  # noqa: E402
from core.identity import UserKeys  # noqa: E402
from core.models import (  # noqa: E402
    DependencyStatus,
    LimitSettings,
    Strategy,
    StrategyAnswer,
    StrategyRequest,
    UserRef,
)
from core.validation import LexicalValidator  # noqa: E402
from data.catalogue.demo import DemoCatalogue, shared_catalogue  # noqa: E402
from data.sqlite_store import SqliteStore  # noqa: E402
from tests.bench.fakes_process import SPOTIFY_APP, FakesProcess, Planner  # noqa: E402
from tests.bench.threaded import LoopLag  # noqa: E402

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
# Vague enough that the lexical check defers to the embedding: the full path runs.
VAGUE = "something nice for a quiet evening"
MODEL_S, EMBED_S, SPOTIFY_S = 0.300, 0.030, 0.040
SECRET = "bench-secret-bench-secret-0123456789"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- the demo catalogue in process (the first figures of this benchmark) --------------------
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


async def demo_figures(users: int, rounds: int, count: int) -> dict[str, object]:
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
        uncached = engine_on(demo)
        latencies: list[float] = []
        for i, prompt in enumerate(PROMPTS * 3):
            start = time.perf_counter()
            await uncached.generate(UserRef("bench", f"solo{i}"), prompt, count)
            latencies.append(time.perf_counter() - start)
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
        "throughput_users": users,
        "generations_per_s": round(users * rounds / elapsed, 1),
        "cache_hit_ratio": round(catalogue.hits / max(1, catalogue.hits + catalogue.misses), 3),
    }


def world_env(fakes: FakesProcess, tmp: str, **extra: str) -> dict[str, str]:
    """Settings of a bot on the fake Ollama and the fake Spotify (live catalogue)."""
    client_id, client_secret = SPOTIFY_APP
    return {
        "DATABASE_FILENAME": str(Path(tmp) / "bench.db"), "SECRET_KEY": SECRET,
        "AI_PROVIDERS": "ollama", "OLLAMA_BASE_URL": fakes.urls["ollama"],
        "EMBEDDING_PROVIDER": "ollama", "CATALOGUE": "spotify",
        "SPOTIFY_CLIENT_ID": client_id, "SPOTIFY_CLIENT_SECRET": client_secret,
        "SPOTIFY_API_URL": fakes.urls["spotify_api"],
        "SPOTIFY_ACCOUNTS_URL": fakes.urls["spotify_accounts"],
        "MAX_PLAYLISTS_PER_DAY": "10000", "LOG_LEVEL": "WARNING", **extra,
    }


async def realistic(fakes: FakesProcess) -> None:
    """Model 300 ms, embeddings 30 ms, Spotify 40 ms a request."""
    await fakes.set("ollama", "chat.latency", MODEL_S)
    await fakes.set("ollama", "embeddings.latency", EMBED_S)
    await fakes.set("spotify", "latency", SPOTIFY_S)


# --- one 30-track generate against its lower bound -----------------------------------------
async def e2e_figures(runs: int = 7, count: int = 30) -> dict[str, object]:
    from bot.app import build_app
    from bot.settings import load_settings

    async with FakesProcess("ollama", "spotify") as fakes:
        await fakes.send("plan", prompts=[VAGUE], count=count)
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(world_env(fakes, tmp, CACHE_ENABLED="false"), env_file=None)
            async with build_app(settings) as app:
                engine = app.engine
                # Warm: the app token, the reference embeddings, the connection pools.
                await engine.generate(UserRef("bench", "warm"), VAGUE, count)
                await realistic(fakes)
                rows = []
                for n in range(runs):
                    before = await fakes.get("spotify", "searches")
                    started = time.perf_counter()
                    playlist = await engine.generate(UserRef("bench", f"e2e{n}"), VAGUE, count)
                    took = time.perf_counter() - started
                    searches = await fakes.get("spotify", "searches") - before
                    rounds = math.ceil(searches / settings.search_concurrency)
                    bound = EMBED_S + MODEL_S + rounds * SPOTIFY_S
                    rows.append({"s": took, "bound": bound, "searches": searches, "rounds": rounds,
                                 "tracks": len(playlist.tracks)})
    middle = sorted(rows, key=lambda r: r["s"] / r["bound"])[len(rows) // 2]  # the median run
    return {
        "e2e_ratio_to_lower_bound": round(middle["s"] / middle["bound"], 3),
        "e2e_s": round(middle["s"], 3),
        "e2e_lower_bound_s": round(middle["bound"], 3),
        "e2e_searches": middle["searches"],
        "e2e_min_search_rounds": middle["rounds"],
        "e2e_tracks": middle["tracks"],
        "e2e_ratios": sorted(round(r["s"] / r["bound"], 3) for r in rows),
    }


# --- 200 people at once through Telegram ------------------------------------------------------
async def telegram_figures(users: int, count: int = 20, api_latency_s: float = 0.05,
                           *, before: bool = False) -> dict[str, object]:
    """``before``: as the bot was before this benchmark's fixes (every update handled at once,
    no shedding of cosmetic calls under a flood, no frozen start-up heap)."""
    import gc

    from bot.app import build_app
    from bot.settings import load_settings
    from bot.telegram_wiring import build_telegram_adapter

    if before:
        gc.unfreeze()  # in case an earlier run in this process froze its heap
    async with FakesProcess("ollama", "spotify", "telegram") as fakes:
        await fakes.send("plan", prompts=PROMPTS, count=count)
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(world_env(
                fakes, tmp, TELEGRAM_TOKEN=fakes.urls["telegram_token"],
                TELEGRAM_API_URL=fakes.urls["telegram"],
                TELEGRAM_CONCURRENT_UPDATES="256" if before else "32",
            ), env_file=None)
            async with build_app(settings, warm_up=not before) as app:  # as `python -m bot`
                adapter = build_telegram_adapter(app)
                if before:
                    adapter.handlers.options.congested = lambda: False
                await adapter.start()
                try:
                    await app.engine.generate(UserRef("bench", "warm"), PROMPTS[0], count)
                    await realistic(fakes)
                    await fakes.set("telegram", "latency", api_latency_s)
                    lag = LoopLag().start()
                    started = time.monotonic()
                    sent = await fakes.send("push", users=users, first_id=700_000, prompts=PROMPTS,
                                            count=count)
                    answers: dict[str, float] = {}
                    deadline = time.monotonic() + 600
                    while len(answers) < users and time.monotonic() < deadline:
                        await asyncio.sleep(0.25)
                        answers = await fakes.send("answers")
                    wall = time.monotonic() - started
                    worst_lag = await lag.stop()
                    calls = await fakes.send("calls")
                finally:
                    await adapter.stop()
    latencies = [(answers[c] - sent[c]) * 1000 for c in answers if c in sent]
    return {
        "concurrent_users": users,
        "answered": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        "loop_lag_ms_max": worst_lag,
        "telegram_wall_s": round(wall, 2),
        "telegram_calls": calls,
        "telegram_api_latency_ms": api_latency_s * 1000,
    }


# --- the engine's own cost, one core ----------------------------------------------------------
class InstantModel:
    name = "instant"

    def __init__(self, strategies: dict[str, Strategy]) -> None:
        self.strategies = strategies

    async def plan(self, request: StrategyRequest) -> StrategyAnswer:
        return StrategyAnswer(self.strategies[request.prompt], self.name)

    async def health(self) -> DependencyStatus:
        return DependencyStatus("model", True)


class AnswerBook:
    """A catalogue that answers at once from answers written down beforehand (the demo
    catalogue's, for every search the benchmark's strategies make)."""

    name = "answer-book"

    def __init__(self) -> None:
        self.answers: dict[tuple[str, int, int], list[Any]] = {}

    async def fill(self, catalogue: DemoCatalogue, strategy: Strategy, pages: int = 8) -> None:
        from core.resolve import SUGGESTION_LIMIT, suggestion_query

        for song in strategy.songs:
            query = suggestion_query(song)
            self.answers[(query, SUGGESTION_LIMIT, 0)] = await catalogue.search(
                query, limit=SUGGESTION_LIMIT)
        for query in strategy.queries:
            for page in range(pages):
                self.answers[(query, 10, page * 10)] = await catalogue.search(
                    query, limit=10, offset=page * 10)

    async def search(self, query: str, *, limit: int = 10, offset: int = 0,
                     target: Any = None) -> list[Any]:
        return list(self.answers.get((query, limit, offset), ()))

    async def health(self) -> DependencyStatus:
        return DependencyStatus("catalogue", True)


async def engine_figures(generations: int = 1000, users: int = 20, count: int = 20) -> dict[str, object]:
    """Generations per second with an instant model and an instant catalogue, one core: the
    engine's own work (guard, quota, selection, drafts in SQLite), nothing else."""
    from core.strategy import parse_strategy

    catalogue = shared_catalogue()
    planner = Planner()
    strategies = {p: parse_strategy(await planner.plan(p, count)) for p in PROMPTS}
    book = AnswerBook()
    for strategy in strategies.values():
        await book.fill(catalogue, strategy)
    with tempfile.TemporaryDirectory() as tmp:
        async with SqliteStore(Path(tmp) / "engine.db") as store:
            engine = Engine(store=store, model=InstantModel(strategies), catalogue=book,
                            validator=LexicalValidator(), keys=UserKeys(b"e" * 32),
                            config=EngineConfig(defaults=LimitSettings(playlist_limit_enabled=False)))
            for p in PROMPTS:
                await engine.generate(UserRef("bench", "warm"), p, count)
            per_user = generations // users

            async def user(n: int) -> None:
                for r in range(per_user):
                    await engine.generate(UserRef("bench", f"u{n}"), PROMPTS[(n + r) % len(PROMPTS)],
                                          count)

            started = time.perf_counter()
            await asyncio.gather(*(user(n) for n in range(users)))
            elapsed = time.perf_counter() - started
    return {"engine_generations_per_s": round(per_user * users / elapsed, 1),
            "engine_ms_per_generation": round(elapsed / (per_user * users) * 1000, 2)}


def engine_on_one_core(*, before: bool = False) -> dict[str, object]:
    """``engine_figures`` in a child process pinned to one CPU (the event loop and SQLite's
    worker thread share it, as on a one-core box).  ``before``: without the remembered text
    normalisation (as the engine was before this benchmark's fixes)."""
    done = subprocess.run(
        [sys.executable, __file__, "--engine-child", *(["--before"] if before else [])],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def forget_normalisation() -> None:
    """Every module's ``normalise`` back to the plain function (the engine before the cache)."""
    import core.text

    cached = core.text.normalise
    for module in list(sys.modules.values()):
        if getattr(module, "normalise", None) is cached:
            module.normalise = cached.__wrapped__  # type: ignore[attr-defined]


# --- quota reservations -----------------------------------------------------------------------
async def quota_figures() -> dict[str, object]:
    from tests.bench.store import BURST_LIMIT, measure

    with tempfile.TemporaryDirectory() as tmp:
        sqlite = await measure(lambda: SqliteStore(Path(tmp) / "quota.db"), 2000)
    return {
        "quota_reservations_per_s": sqlite["sequential_per_s"],
        "quota_reservations_concurrent_per_s": sqlite["concurrent_per_s"],
        "quota_exact_under_concurrency": sqlite["burst_granted"] == BURST_LIMIT
        and sqlite["burst_counted"] == BURST_LIMIT,
        "quota_burst": f"{sqlite['burst_granted']} of {sqlite['burst_requests']} granted, "
                       f"limit {BURST_LIMIT}, {sqlite['burst_s']} s",
    }


# --- the whole bot process ---------------------------------------------------------------------
async def process_figures(playlists: int = 100) -> dict[str, object]:
    """``python -m bot`` with Discord, Telegram and the web side; the fakes in this process."""
    import aiohttp

    from tests.fakes.discord_server import TOKEN, FakeDiscord, Interactions, Person, buttons
    from tests.fakes.ollama_server import FakeOllama
    from tests.fakes.telegram_server import FakeTelegram, private_chat, tg_user
    from tests.faults.process import BotProcess, free_port, peak_rss_mb, rss_mb

    telegram = FakeTelegram()
    await telegram.start()
    async with FakeDiscord() as discord_fake, FakeOllama() as ollama:
        ollama.chat.latency = MODEL_S
        web_port = free_port()
        base = f"http://127.0.0.1:{web_port}"
        with tempfile.TemporaryDirectory() as tmp:
            bot = BotProcess(Path(tmp), {
                "DATABASE_FILENAME": str(Path(tmp) / "bot.db"), "SECRET_KEY": SECRET,
                "TELEGRAM_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.api_url,
                "DISCORD_TOKEN": TOKEN, "DISCORD_API_URL": discord_fake.api_url,
                "REST_API_ENABLED": "true", "WEB_PORT": str(web_port),
                "API_CLIENT_GENERATIONS_PER_DAY": "0",  # all load comes from one address
                "AI_PROVIDERS": "ollama,offline", "OLLAMA_BASE_URL": ollama.base_url,
                "MAX_PLAYLISTS_PER_DAY": "10000", "LOG_LEVEL": "WARNING",
            })
            await bot.start()
            try:
                # Serving: /openapi.json, as /health would wait for the catalogue to load.
                await bot.wait_http(f"{base}/openapi.json")
                await telegram.wait_for(lambda: telegram.calls_of("getUpdates"), within_s=60)
                await discord_fake.wait_identified(wait_s=60)
                startup = time.perf_counter() - bot.started_at
                async with aiohttp.ClientSession() as http:
                    async with http.post(f"{base}/generate-playlist", json={
                            "prompt": PROMPTS[0], "device_id": "first", "count": 20}) as r:
                        assert r.status == 200, await r.text()
                    first = time.perf_counter() - bot.started_at
                    await asyncio.sleep(3)  # idle: whatever loads in the background has loaded
                    idle = rss_mb(bot.pid)
                    # Load: a third each through REST, Telegram and Discord, all at once.
                    third = playlists // 3
                    for n in range(third):
                        person = tg_user(800_000 + n, f"T{n}")
                        telegram.user_message(private_chat(person), person, f"{PROMPTS[n % 10]} 20")
                    server = Interactions()
                    exchanges = [await discord_fake.send(server.command(
                        Person(1_600_000_000_000_000_000 + n, f"d{n}"), "playlist",
                        {"prompt": PROMPTS[n % 10], "count": 20})) for n in range(third)]
                    rest = [http.post(f"{base}/generate-playlist", json={
                        "prompt": PROMPTS[n % 10], "device_id": f"r{n}", "count": 20})
                        for n in range(playlists - 2 * third)]
                    for response in await asyncio.gather(*rest):
                        response.release()

                    def telegram_done() -> bool:
                        return sum(1 for m in telegram.messages.values() if m.from_bot and any(
                            "Regenerate" in b["text"] for b in m.buttons())) >= third

                    await telegram.wait_for(telegram_done, within_s=120)
                    await discord_fake.wait_for(lambda: all(
                        any(buttons(m) for m in e.messages()) for e in exchanges), 120)
                    peak = peak_rss_mb(bot.pid)
                code = await bot.stop()
            finally:
                await bot.close()
                await telegram.close()
    return {
        "startup_s": round(startup, 3),
        "first_playlist_s": round(first, 3),
        "idle_rss_mb": round(idle, 1),
        "peak_rss_mb": round(peak, 1),
        "process_exit_code": code,
    }


# --- before and after, measured in one run ---------------------------------------------------
async def startup_compare() -> dict[str, object]:
    """Starting the web side, Discord and Telegram one after another (before) or the chats side
    by side (after), in process against the fakes; and the first playlist right after."""
    from bot.app import build_app
    from bot.discord_wiring import build_discord_adapter
    from bot.runner import run_adapters
    from bot.settings import load_settings
    from bot.telegram_wiring import build_telegram_adapter
    from bot.web_wiring import build_web_adapter
    from tests.fakes.discord_server import TOKEN, FakeDiscord
    from tests.fakes.telegram_server import FakeTelegram
    from tests.faults.process import free_port

    figures: dict[str, object] = {}
    for label in ("before", "after"):
        telegram = FakeTelegram()
        await telegram.start()
        async with FakeDiscord() as discord_fake:
            with tempfile.TemporaryDirectory() as tmp:
                settings = load_settings({
                    "DATABASE_FILENAME": str(Path(tmp) / "b.db"), "AI_PROVIDERS": "offline",
                    "TELEGRAM_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.api_url,
                    "DISCORD_TOKEN": TOKEN, "DISCORD_API_URL": discord_fake.api_url,
                    "WEB_PORT": str(free_port()), "REST_API_ENABLED": "true",
                    "API_CLIENT_GENERATIONS_PER_DAY": "0",  # all load comes from one address
                }, env_file=None)
                catalogue_was = shared_catalogue()._index
                shared_catalogue()._index = None  # a cold process: the catalogue is not loaded
                started = time.perf_counter()
                async with build_app(settings, warm_up=label == "after") as app:
                    adapters = [build_web_adapter(app), build_discord_adapter(app),
                                build_telegram_adapter(app)]
                    ready = asyncio.Event()
                    times: dict[str, float] = {}
                    if label == "before":  # one after another, as the runner did
                        for adapter in adapters:
                            await adapter.start()
                            times[adapter.name] = time.perf_counter() - started
                        runner = None
                    else:
                        runner = asyncio.create_task(run_adapters(adapters, until=ready.wait()))
                        await telegram.wait_for(functools.partial(telegram.calls_of, "getUpdates"),
                                                60)
                        times["telegram"] = time.perf_counter() - started
                        await discord_fake.wait_identified(wait_s=60)
                        times["discord"] = time.perf_counter() - started
                    await app.engine.generate(UserRef("bench", "first"), PROMPTS[0], 20)
                    times["first_playlist"] = time.perf_counter() - started
                    if runner is not None:
                        ready.set()
                        await runner
                    else:
                        for adapter in reversed(adapters):
                            await adapter.stop()
                shared_catalogue()._index = shared_catalogue()._index or catalogue_was
        await telegram.close()
        figures[f"startup_telegram_polling_s_{label}"] = round(times["telegram"], 3)
        figures[f"startup_first_playlist_s_{label}"] = round(times["first_playlist"], 3)
    for name in ("startup_telegram_polling_s", "startup_first_playlist_s"):
        figures[f"{name}_ratio"] = round(float(figures[f"{name}_after"])  # type: ignore[arg-type]
                                         / float(figures[f"{name}_before"]), 3)  # type: ignore[arg-type]
    return figures


def import_compare() -> dict[str, object]:
    """Start-up imports of a Discord + Telegram bot with the default model chain, before (bot.app
    imported spotipy and requests, the Ollama embedder openai) and after (only what is used)."""
    common = ("import bot.cli, bot.app, bot.platforms, bot.model_chain, bot.discord_wiring, "
              "bot.telegram_wiring, adapters.web.server, adapters.ai.ollama_provider, "
              "adapters.ai.embedders")
    before = common + ", adapters.music.spotify_account, adapters.music.spotify_catalogue, openai"

    def cost(code: str) -> tuple[float, float]:
        times, peaks = [], []
        for _ in range(3):
            with tempfile.TemporaryDirectory() as cwd:
                started = time.perf_counter()
                # Resident memory read in the child (ru_maxrss would report this parent's, which
                # a forked child inherits on Linux).
                done = subprocess.run(
                    [sys.executable, "-c", code + "; import pathlib; print([line for line in "
                     "pathlib.Path('/proc/self/status').read_text().splitlines() if "
                     "line.startswith('VmRSS:')][0].split()[1])"],
                    cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                    text=True, check=True)
                times.append(time.perf_counter() - started)
                peaks.append(int(done.stdout.split()[-1]) / 1024)
        return statistics.median(times), statistics.median(peaks)

    (t_before, m_before), (t_after, m_after) = cost(before), cost(common)
    return {"import_s_before": round(t_before, 3), "import_s_after": round(t_after, 3),
            "import_s_ratio": round(t_after / t_before, 3),
            "import_rss_mb_before": round(m_before, 1), "import_rss_mb_after": round(m_after, 1)}


def catalogue_memory() -> dict[str, object]:
    """What the loaded demo catalogue holds in memory, in a fresh process: as loaded (before),
    and after the warm-up's collection and hand-back of the loader's scratch memory (after)."""
    code = (
        "import asyncio, gc, pathlib\n"
        "def rss():\n"
        "    status = pathlib.Path('/proc/self/status').read_text().splitlines()\n"
        "    return int([l for l in status if l.startswith('VmRSS:')][0].split()[1]) / 1024\n"
        "from data.catalogue.demo import shared_catalogue\n"
        "from bot.warmup import _release_free_memory\n"
        "empty = rss()\n"
        "asyncio.run(shared_catalogue().size())\n"
        "loaded = rss()\n"
        "gc.collect(); gc.freeze(); _release_free_memory()\n"
        "print(loaded - empty, rss() - empty)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    loaded, kept = (float(x) for x in done.stdout.split())
    return {"catalogue_mb_before": round(loaded, 1), "catalogue_mb_after": round(kept, 1),
            "catalogue_mb_ratio": round(kept / loaded, 3)}


def telegram_in_child(users: int, *, before: bool) -> dict[str, object]:
    """``telegram_figures`` in a fresh process (a garbage collector's state is per process)."""
    done = subprocess.run(
        [sys.executable, __file__, "--telegram-child", "--users", str(users),
         *(["--before"] if before else [])],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def telegram_compare(users: int) -> dict[str, object]:
    before = telegram_in_child(users, before=True)
    after = telegram_in_child(users, before=False)
    figures: dict[str, object] = {}
    for key in ("p50_ms", "p95_ms", "loop_lag_ms_max", "telegram_calls", "telegram_wall_s"):
        figures[f"telegram_{key}_before"] = before[key]
        figures[f"telegram_{key}_after"] = after[key]
        if before[key]:
            figures[f"telegram_{key}_ratio"] = round(float(after[key]) / float(before[key]), 3)  # type: ignore[arg-type]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON object only")
    parser.add_argument("--users", type=int, default=200, help="people writing at once (Telegram)")
    parser.add_argument("--throughput-users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--only", default="demo,e2e,telegram,engine,quota,process")
    parser.add_argument("--compare", action="store_true",
                        help="also measure before/after each fix, in this one run")
    parser.add_argument("--engine-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--before", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--telegram-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.telegram_child:
        print(json.dumps(asyncio.run(telegram_figures(args.users, before=args.before))))
        return
    if args.engine_child:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        import core.matching
        import core.select  # noqa: F401

        if args.before:
            forget_normalisation()
        print(json.dumps(asyncio.run(engine_figures())))
        return
    parts = set(args.only.split(","))
    figures: dict[str, object] = {}
    runners: list[tuple[str, Callable[[], Any]]] = [
        ("demo", lambda: {
            "cli_help_s": round(cold_start_s(["--help"]), 3),
            "cli_generate_s": round(cold_start_s(["generate", "relaxing jazz for studying"]), 3),
            **asyncio.run(demo_figures(args.throughput_users, args.rounds, args.count)),
        }),
        ("e2e", lambda: asyncio.run(e2e_figures())),
        # In a fresh process: the event loop's lag depends on the heap (see bot/warmup.py).
        ("telegram", lambda: telegram_in_child(args.users, before=False)),
        ("engine", engine_on_one_core),
        ("quota", lambda: asyncio.run(quota_figures())),
        ("process", lambda: asyncio.run(process_figures())),
    ]
    for name, run in runners:
        if name in parts:
            figures.update(run())
    if args.compare:
        before, after = engine_on_one_core(before=True), engine_on_one_core()
        figures["engine_generations_per_s_before"] = before["engine_generations_per_s"]
        figures["engine_generations_per_s_after"] = after["engine_generations_per_s"]
        figures["engine_generations_per_s_ratio"] = round(
            float(after["engine_generations_per_s"]) / float(before["engine_generations_per_s"]), 3)
        figures.update(import_compare())
        figures.update(catalogue_memory())
        figures.update(asyncio.run(startup_compare()))
        figures.update(telegram_compare(args.users))
    figures["bench_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
