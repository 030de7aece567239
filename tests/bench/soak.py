"""Soak run: the real bot, driven for minutes through fake Telegram and Discord, with faults.

    python tests/bench/soak.py [--minutes 10] [--telegram-users 30] [--discord-users 20] [--json]

It starts ``python -m bot`` (Discord, Telegram, the REST API and the web side, the Ollama
model with the offline planner behind it, the demo catalogue, SQLite) against fakes in
this process.  Virtual people then use it the way people do, each at their own pace:
playlists (half of what they do), refinements and regenerations through the buttons, the
URIs button, profile changes, ``/limits``, ``/status``.  Every 20 seconds a fault is
injected for a while: Telegram answering 500 or 429 or garbage, Discord answering 500 or
a proxy page, the model hanging or failing.  At the end: how many requests were served,
the errors by kind, the bot's memory over the run (and its growth per minute over the
second half, which must be about zero), the bot's exit code, and the database's
integrity.  Run by hand, not by CI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fakes.discord_server import (  # noqa: E402
    EPHEMERAL,
    LOADING,
    TOKEN,
    Exchange,
    FakeDiscord,
    Interactions,
    Person,
    buttons,
)
from tests.fakes.model_script import hang, status  # noqa: E402
from tests.fakes.ollama_server import FakeOllama  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram, SentMessage, private_chat, tg_user  # noqa: E402
from tests.faults.process import BotProcess, free_port, rss_mb  # noqa: E402

PROMPTS = [
    "relaxing jazz for studying", "hip hop for a house party", "upbeat indie rock for a run",
    "sad songs for a rainy sunday", "80s synth pop for driving", "calm piano for sleeping",
    "energetic edm for the gym", "acoustic folk for a cozy evening", "latin dance party",
    "something nice for a quiet evening",
]
FEEDBACK = ["more upbeat", "no ballads", "more 90s", "calmer please", "add some vocals"]
ANSWER_WAIT_S = 60.0


@dataclass
class Tally:
    """What the virtual people saw."""

    served: Counter[str] = field(default_factory=Counter)  # action -> answered
    outcomes: Counter[str] = field(default_factory=Counter)  # ok / refused / error / timeout
    errors: Counter[str] = field(default_factory=Counter)  # error text (first words) -> count
    latencies: list[float] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)

    def record(self, action: str, outcome: str, seconds: float, text: str = "") -> None:
        self.outcomes[outcome] += 1
        if outcome in {"ok", "refused"}:
            self.served[action] += 1
            self.latencies.append(seconds)
        if outcome in {"error", "timeout"}:
            self.errors[f"{action}: {outcome}: {' '.join(text.split()[:8])}"] += 1


def classify(text: str) -> str:
    if "Something went wrong" in text or "didn't take my answer" in text:
        return "error"
    if text.startswith("⚠️"):
        return "refused"
    return "ok"


# --- Telegram people ---------------------------------------------------------------------
async def telegram_person(n: int, fake: FakeTelegram, tally: Tally, until: float,
                          rng: random.Random) -> None:
    user = tg_user(900_000 + n, f"Soak{n}")
    chat = private_chat(user)

    def answers() -> list[SentMessage]:
        return [m for m in fake.chat_view(chat["id"]) if not m.text.startswith("⏳")]

    async def act(action: str, send: Any) -> None:
        before = {(m.message_id, m.edits) for m in answers()}
        started = time.monotonic()
        send()

        def answered() -> bool:
            return any((m.message_id, m.edits) not in before for m in answers())

        try:
            await fake.wait_for(answered, within_s=ANSWER_WAIT_S)
        except AssertionError:
            tally.record(action, "timeout", ANSWER_WAIT_S)
            return
        await asyncio.sleep(0.2)  # a second chunk, if any
        latest = [m for m in answers() if (m.message_id, m.edits) not in before]
        text = latest[-1].text if latest else ""
        tally.record(action, classify(text), time.monotonic() - started, text)

    while time.monotonic() < until:
        roll = rng.random()
        playlists = [m for m in fake.chat_view(chat["id"])
                     if any("Regenerate" in b["text"] for b in m.buttons())]
        if roll < 0.5 or not playlists:
            line = f"{rng.choice(PROMPTS)} {rng.randint(5, 25)}"
            await act("playlist", lambda line=line: fake.user_message(chat, user, line))
        elif roll < 0.7:
            latest, label = playlists[-1], "Regenerate" if roll < 0.6 else "URIs"
            await act(label.lower(), lambda m=latest, b=label: fake.press(
                user, m, m.button(b)["callback_data"]))
        elif roll < 0.8:
            await act("refine", lambda: fake.user_message(chat, user, f"/refine {rng.choice(FEEDBACK)}"))
        elif roll < 0.9:
            genres = rng.sample(["jazz", "soul", "rock", "pop", "hip-hop", "folk"], 2)
            await act("profile", lambda g=genres: fake.user_message(
                chat, user, f"/profile set genres={','.join(g)} energy={rng.random():.2f}"))
        else:
            command = rng.choice(["/limits", "/status", "/help"])
            await act(command[1:], lambda c=command: fake.user_message(chat, user, c))
        await asyncio.sleep(rng.uniform(1.0, 4.0))


# --- Discord people ----------------------------------------------------------------------
def _settled(exchange: Exchange) -> bool:
    messages = exchange.messages()
    return bool(exchange.callbacks) and bool(messages) and not any(m["flags"] & LOADING for m in messages)


async def discord_person(n: int, fake: FakeDiscord, tally: Tally, until: float,
                         rng: random.Random) -> None:
    person = Person(1_700_000_000_000_000_000 + n, f"soak{n}")
    server = Interactions()
    last_playlist: dict[str, Any] | None = None

    async def act(action: str, payload: dict[str, Any]) -> Exchange | None:
        started = time.monotonic()
        exchange = await fake.send(payload)
        try:
            await fake.wait_for(lambda: _settled(exchange), ANSWER_WAIT_S)
        except TimeoutError:
            tally.record(action, "timeout", ANSWER_WAIT_S)
            return None
        await asyncio.sleep(0.1)
        texts = [m.get("content") or "" for m in exchange.messages()]
        text = " ".join(t for t in texts if t)
        private = any(m["flags"] & EPHEMERAL for m in exchange.messages())
        outcome = classify(text) if private and text else "ok"
        tally.record(action, outcome, time.monotonic() - started, text)
        return exchange

    while time.monotonic() < until:
        roll = rng.random()
        if roll < 0.55 or last_playlist is None:
            exchange = await act("playlist", server.command(person, "playlist", {
                "prompt": rng.choice(PROMPTS), "count": rng.randint(5, 25)}))
            if exchange is not None:
                for message in exchange.messages():
                    if buttons(message):
                        last_playlist = message
        elif roll < 0.7:
            ids = {b["label"]: b["custom_id"] for b in buttons(last_playlist)}
            label = rng.choice(["Regenerate", "Show URIs"])
            await act(label.lower(), server.click(person, last_playlist, ids[label]))
        elif roll < 0.8:
            await act("refine", server.command(person, "refine", {"feedback": rng.choice(FEEDBACK)}))
        elif roll < 0.9:
            await act("profile", server.command(person, "profile", {"genres": "jazz, soul",
                                                                    "discovery": "deep"}, sub="set"))
        else:
            name = rng.choice(["limits", "status"])
            await act(name, server.command(person, name))
        await asyncio.sleep(rng.uniform(1.0, 4.0))


# --- faults --------------------------------------------------------------------------------
async def inject_faults(telegram: FakeTelegram, discord: FakeDiscord, ollama: FakeOllama,
                        tally: Tally, until: float, rng: random.Random) -> None:
    kinds = ["telegram 500", "telegram 429", "telegram garbage", "discord 500", "discord proxy page",
             "model hangs", "model 500"]
    while time.monotonic() < until - 10:
        await asyncio.sleep(20)
        kind = rng.choice(kinds)
        tally.faults[kind] += 1
        if kind == "telegram 500":
            telegram.fail("sendMessage", 500, times=5)
            telegram.fail("editMessageText", 500, times=5)
        elif kind == "telegram 429":
            telegram.rate_limit("sendMessage", retry_after=2, times=3)
        elif kind == "telegram garbage":
            telegram.garble("sendMessage", times=3)
        elif kind == "discord 500":
            discord.fail_next("PATCH", r"/messages/@original$", 500, 0, "500: Internal Server Error", times=4)
        elif kind == "discord proxy page":
            discord.malformed_next("POST", r"^/api/v10/webhooks/", times=3)
        elif kind == "model hangs":
            ollama.chat.always(hang())
            await asyncio.sleep(5)
            ollama.chat.always(_good_model())
        else:
            ollama.chat.always(status(500, "model crashed"))
            await asyncio.sleep(5)
            ollama.chat.always(_good_model())


def _good_model() -> Any:
    from tests.fakes.model_script import good

    return good()


# --- the run -------------------------------------------------------------------------------
async def soak(minutes: float, telegram_users: int, discord_users: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    tally = Tally()
    telegram = FakeTelegram()
    await telegram.start()
    async with FakeDiscord() as discord, FakeOllama() as ollama:
        ollama.chat.latency = 0.3
        with tempfile.TemporaryDirectory() as tmp:
            database = Path(tmp) / "soak.db"
            web_port = free_port()
            bot = BotProcess(Path(tmp), {
                "DATABASE_FILENAME": str(database), "LOG_LEVEL": "WARNING",
                "TELEGRAM_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.api_url,
                "DISCORD_TOKEN": TOKEN, "DISCORD_API_URL": discord.api_url,
                "REST_API_ENABLED": "true", "WEB_PORT": str(web_port),
                "API_CLIENT_GENERATIONS_PER_DAY": "0",  # all load comes from one address
                "AI_PROVIDERS": "ollama,offline", "OLLAMA_BASE_URL": ollama.base_url,
                "OLLAMA_TIMEOUT": "3", "MODEL_REST_SECONDS": "5",
                "PLAYLIST_LIMIT_ENABLED": "false", "REFINEMENT_LIMIT_ENABLED": "false",
                "HOUSEKEEPING_INTERVAL_SECONDS": "30", "DISCORD_TIMEOUT": "5", "TELEGRAM_TIMEOUT": "5",
            })
            await bot.start()
            memory: list[tuple[float, float]] = []
            try:
                # /health answers once the catalogue has loaded: memory counts from there.
                await bot.wait_http(f"http://127.0.0.1:{web_port}/health")
                await telegram.wait_for(lambda: telegram.calls_of("getUpdates"), within_s=60)
                await discord.wait_identified(wait_s=60)
                await asyncio.sleep(2)
                started = time.monotonic()
                until = started + minutes * 60

                async def sample() -> None:
                    while time.monotonic() < until:
                        memory.append((time.monotonic() - started, rss_mb(bot.pid)))
                        await asyncio.sleep(10)

                work = [telegram_person(n, telegram, tally, until, random.Random(seed + n))
                        for n in range(telegram_users)]
                work += [discord_person(n, discord, tally, until, random.Random(seed + 1000 + n))
                         for n in range(discord_users)]
                work += [inject_faults(telegram, discord, ollama, tally, until, rng), sample()]
                await asyncio.gather(*work)
                memory.append((time.monotonic() - started, rss_mb(bot.pid)))
                telegram.heal()
                discord.heal()
                code = await bot.stop()
            finally:
                await bot.close()
                await telegram.close()
            with sqlite3.connect(database) as db:
                integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
                drafts = db.execute("SELECT count(*) FROM drafts").fetchone()[0]
                versions = db.execute("SELECT count(*) FROM draft_versions").fetchone()[0]
                reservations = db.execute("SELECT count(*) FROM quota_reservations").fetchone()[0]
            log = bot.text
    second_half = [(t, m) for t, m in memory if t >= minutes * 30]
    slope = _slope(second_half) * 60 if len(second_half) >= 3 else None
    return {
        "minutes": minutes,
        "people": {"telegram": telegram_users, "discord": discord_users},
        "requests_served": sum(tally.served.values()),
        "served_by_action": dict(tally.served.most_common()),
        "outcomes": dict(tally.outcomes),
        "errors_by_kind": dict(tally.errors.most_common(12)),
        "faults_injected": dict(tally.faults),
        "latency_p50_s": round(statistics.median(tally.latencies), 2) if tally.latencies else None,
        "latency_p95_s": round(sorted(tally.latencies)[int(0.95 * (len(tally.latencies) - 1))], 2)
        if tally.latencies else None,
        "memory_mb": {"start": memory[0][1], "end": memory[-1][1], "max": max(m for _, m in memory),
                      "growth_mb_per_min_second_half": None if slope is None else round(slope, 2)},
        "memory_samples": [(round(t), round(m, 1)) for t, m in memory],
        "bot_exit_code": code,
        "tracebacks_in_log": log.count("Traceback"),
        "log_error_lines": sorted({" ".join(line.split()[2:])[:160] for line in log.splitlines()
                                   if " ERROR " in line or " CRITICAL " in line})[:12],
        "log_warnings": log.count(" WARNING "),
        "log_errors": log.count(" ERROR "),
        "database": {"integrity_check": integrity, "drafts": drafts, "versions": versions,
                     "reservations_left": reservations},
    }


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares growth in MB per second."""
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_m = sum(m for _, m in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    return sum((t - mean_t) * (m - mean_m) for t, m in points) / var if var else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--telegram-users", type=int, default=30)
    parser.add_argument("--discord-users", type=int, default=20)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="one JSON object only")
    args = parser.parse_args()
    report = asyncio.run(soak(args.minutes, args.telegram_users, args.discord_users, args.seed))
    print(json.dumps(report, indent=None if args.json else 2, ensure_ascii=False))


if __name__ == "__main__":
    main()
