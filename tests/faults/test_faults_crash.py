"""``kill -9`` of the real bot in the middle of 100 concurrent generations and saves.

The bot runs as ``python -m bot`` with Telegram (against the fake Bot API) and the REST
API, its model a fake Ollama slow enough (0.6 s) that the work is in flight when the
process dies.  After a restart: the database passes ``PRAGMA integrity_check``, every
draft is whole (a version 1, versions numbered without gaps, every row readable), every
saved profile reads back, and no user is charged more playlists or refinements than they
received: a reservation left by the killed process stops counting once it expires
(``RESERVATION_TTL_SECONDS``) and the restarted bot's housekeeping deletes it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from core.engine import utc_day
from core.identity import UserKeys
from core.models import UserRef
from data.sqlite_store import SqliteStore
from tests.fakes.model_script import answer, strategy
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.telegram_server import FakeTelegram, private_chat, tg_user
from tests.faults.process import BotProcess, free_port

SECRET = "crash-test-secret-key-0123456789"
MODEL_LATENCY_S = 0.6
PROMPT = "relaxing jazz for studying"


def playlists_received(fake: FakeTelegram, chat_id: int) -> int:
    return sum(1 for m in fake.chat_view(chat_id) if any("Regenerate" in b["text"] for b in m.buttons()))


async def test_kill_9_in_the_middle_of_100_requests_loses_nothing_and_charges_nothing_undelivered(
    tmp_path: Path,
) -> None:
    database = tmp_path / "echotuner.db"
    web_port = free_port()
    base = f"http://127.0.0.1:{web_port}"
    telegram = FakeTelegram()
    await telegram.start()
    async with FakeOllama() as ollama:
        ollama.chat.latency = MODEL_LATENCY_S
        ollama.chat.always(answer(strategy(songs=[])))  # queries only: every search is real
        env = {
            "TELEGRAM_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.api_url,
            "REST_API_ENABLED": "true", "WEB_PORT": str(web_port),
            "DATABASE_FILENAME": str(database), "SECRET_KEY": SECRET,
            "AI_PROVIDERS": "ollama", "OLLAMA_BASE_URL": ollama.base_url,
            "MAX_PLAYLISTS_PER_DAY": "100", "RESERVATION_TTL_SECONDS": "1",
            "HOUSEKEEPING_INTERVAL_SECONDS": "1", "LOG_LEVEL": "WARNING",
        }
        delivered: Counter[str] = Counter()
        refined: Counter[str] = Counter()
        bot = await BotProcess(tmp_path, env).start()
        try:
            await bot.wait_http(f"{base}/health")
            await telegram.wait_for(lambda: telegram.calls_of("getUpdates"), within_s=30)
            async with aiohttp.ClientSession() as http:
                # Ten playlists to refine later (this also loads the catalogue).
                first = await asyncio.gather(*(
                    http.post(f"{base}/generate-playlist", json={
                        "prompt": PROMPT, "device_id": f"early{n}", "count": 10})
                    for n in range(10)))
                ids = {}
                for n, response in enumerate(first):
                    assert response.status == 200, await response.text()
                    ids[f"early{n}"] = (await response.json())["playlist_id"]
                    delivered[f"api:early{n}"] += 1
                    response.release()

                async def rest(path: str, body: dict[str, object], device: str) -> None:
                    try:
                        async with http.post(f"{base}{path}", json=body) as response:
                            if response.status == 200:
                                await response.json()
                                (refined if "refine" in path else delivered)[f"api:{device}"] += 1
                    except (aiohttp.ClientError, OSError):
                        pass  # the bot died under this request: nothing was delivered

                # 100 at once: 40 REST playlists, 30 Telegram playlists, 10 refinements,
                # 20 profile saves.
                work = [rest("/generate-playlist", {"prompt": PROMPT, "device_id": f"d{n}",
                                                     "count": 10}, f"d{n}") for n in range(40)]
                work += [rest("/refine-playlist", {"prompt": "more upbeat", "device_id": device,
                                                   "playlist_id": ids[device]}, device)
                         for device in ids]
                for n in range(30):
                    person = tg_user(5000 + n, f"U{n}")
                    telegram.user_message(private_chat(person), person, f"{PROMPT} 10")
                for n in range(20):
                    person = tg_user(6000 + n, f"P{n}")
                    telegram.user_message(private_chat(person), person,
                                          "/profile set genres=jazz,soul energy=0.4")
                tasks = [asyncio.create_task(w) for w in work]
                await asyncio.sleep(MODEL_LATENCY_S * 1.5)  # some delivered, many in flight
                bot.kill()
                await asyncio.gather(*tasks)
            await bot.close()
            for n in range(30):
                delivered[f"telegram:{5000 + n}"] += playlists_received(telegram, 5000 + n)
            in_flight = 40 + 30 - sum(v for k, v in delivered.items() if not k.startswith("api:early"))
            assert in_flight > 0, "the kill came too late to prove anything"
            with sqlite3.connect(database) as db:  # what the dead process left behind
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                orphans = db.execute("SELECT count(*) FROM quota_reservations").fetchone()[0]
            assert orphans > 0, "the kill left no reservation behind: nothing was proven"

            # Restart on the same database; the reservations expire and are swept.
            bot = await BotProcess(tmp_path, env).start()
            await bot.wait_http(f"{base}/health")
            await asyncio.sleep(3)  # RESERVATION_TTL_SECONDS + a housekeeping round, and then some
            assert await bot.stop() == 0, bot.text[-3000:]
            assert "Traceback" not in bot.text, bot.text[-3000:]
        finally:
            await bot.close()
            await telegram.close()

    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        versions = db.execute(
            "SELECT d.id, count(v.version), min(v.version), max(v.version) FROM drafts d "
            "LEFT JOIN draft_versions v ON v.draft_id = d.id GROUP BY d.id").fetchall()
        for draft_id, count, low, high in versions:
            assert count >= 1 and low == 1 and high == count, f"draft {draft_id} is half written"
        left = db.execute("SELECT count(*) FROM quota_reservations").fetchone()[0]
        assert left == 0, "the restarted bot's housekeeping sweeps expired reservations"

    keys = UserKeys(SECRET.encode())
    now = datetime.now(UTC)
    async with SqliteStore(database) as store:
        for draft_id, *_ in versions:  # every draft and its latest version read back whole
            assert await store.get_draft(draft_id, now) is not None
        for n in range(20):
            profile = await store.get_profile(keys.key(UserRef("telegram", str(6000 + n), "dm")))
            assert profile is None or profile.favourite_genres == ("jazz", "soul")
        users = [("api", f"d{n}", "api") for n in range(40)]
        users += [("api", f"early{n}", "api") for n in range(10)]
        users += [("telegram", str(5000 + n), "dm") for n in range(30)]
        for platform, user_id, scope in users:
            ref = UserRef(platform, user_id, scope)
            counted = await store.playlists_used(keys.key(ref), keys.scope_key(scope),
                                                 utc_day(now), now)
            assert counted <= delivered[f"{platform}:{user_id}"], (
                f"{platform}:{user_id} was charged {counted} playlists but received "
                f"{delivered[f'{platform}:{user_id}']}"
            )
        for device, draft_id in ids.items():
            draft = await store.get_draft(int(draft_id), now)
            assert draft is not None
            assert draft.refinements_used <= refined[f"api:{device}"], device
