"""Faults of Telegram's Bot API, seen through the real python-telegram-bot adapter.

The bot can only talk to its users through the Bot API, so during an outage "a clear
answer" can only come once Telegram is back: the promises are that nothing is charged
for a playlist that was not delivered, that the bot recovers by itself (messages sent
meanwhile are answered when the API returns) and that health says "telegram" is down
meanwhile.  A 429 is waited out and the answer delivered.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest

from adapters.ai.offline import OfflineStrategyProvider
from adapters.telegram.application import TelegramConfig
from bot.telegram_wiring import wire_telegram
from core.engine import Engine, EngineConfig
from core.identity import UserKeys
from core.models import DependencyStatus, LimitSettings, UserRef
from core.validation import LexicalValidator
from data.sqlite_store import SqliteStore
from tests.fakes.telegram_server import FakeTelegram
from tests.faults.cells import Cell, cells
from tests.faults.proxy import FaultProxy
from tests.faults.support import assert_no_tracebacks, eventually
from tests.integration.telegram_support import ALICE, ALICE_DM, BOB, BOB_DM, Bot, demo_catalogue

PROMPT = "relaxing jazz for studying 10"
TIMEOUT_S = 0.5


def playlist_shown(bot: Bot, chat: dict[str, object]) -> bool:
    return any("Regenerate" in b["text"] for m in bot.view(chat) for b in m.buttons())


async def telegram_health(bot: Bot) -> DependencyStatus:
    health = await bot.engine.health()
    return next(d for d in health.dependencies if d.name == "telegram")


async def used(bot: Bot, user: dict[str, object]) -> int:
    ref = UserRef("telegram", str(user["id"]), "dm")
    return (await bot.engine.limits_status(ref)).playlists_used_today


@asynccontextmanager
async def telegram_faults(tmp_path: Path) -> AsyncIterator[tuple[Bot, FaultProxy]]:
    fake = FakeTelegram()
    await fake.start()
    port = int(fake.api_url.rsplit(":", 1)[1])
    async with AsyncExitStack() as stack:
        stack.push_async_callback(fake.close)
        proxy = await stack.enter_async_context(FaultProxy(port))
        store = SqliteStore(tmp_path / "telegram.db")
        await store.open()
        stack.push_async_callback(store.close)
        engine = Engine(
            store=store, model=OfflineStrategyProvider(), catalogue=demo_catalogue(),
            validator=LexicalValidator(), keys=UserKeys(b"telegram-faults-secret-key-32byte"),
            config=EngineConfig(defaults=LimitSettings()),
        )
        adapter = wire_telegram(engine, TelegramConfig(
            token=fake.token, api_url=proxy.url(), poll_timeout_s=1, progress_interval_s=0.0,
            group_progress_interval_s=0.0, group_max_rate=1000, timeout_s=TIMEOUT_S,
        ))
        await adapter.start()
        try:
            yield Bot(fake, adapter, engine, store), proxy
        finally:
            await adapter.stop()


@pytest.mark.parametrize("cell", cells("telegram_api"))
async def test_telegram_api_failure(cell: Cell, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with telegram_faults(tmp_path) as (bot, proxy):
        fake = bot.fake
        await bot.say(BOB_DM, BOB, PROMPT)
        assert playlist_shown(bot, BOB_DM)
        assert (await telegram_health(bot)).ok

        if cell.failure == "429":
            # Flood control: the rate limiter waits Retry-After and delivers the answer.
            for method in ("sendMessage", "editMessageText"):
                fake.rate_limit(method, retry_after=1, times=1)
            await bot.say(ALICE_DM, ALICE, PROMPT)
            assert playlist_shown(bot, ALICE_DM)
            assert await used(bot, ALICE) == 1
            assert bot.adapter.monitor.failures >= 1  # it was down for that second
            assert (await telegram_health(bot)).ok
            return

        if cell.failure in {"5xx", "malformed"}:
            # The updates arrive, the answers cannot be sent.
            for method in ("sendMessage", "editMessageText"):
                if cell.failure == "5xx":
                    fake.fail(method, 500)
                else:
                    fake.garble(method)
            await bot.say(ALICE_DM, ALICE, PROMPT)
            assert not playlist_shown(bot, ALICE_DM)
            assert await used(bot, ALICE) == 0  # not delivered: not charged
            assert not (await telegram_health(bot)).ok
            fake.heal()
            await bot.say(ALICE_DM, ALICE, PROMPT)
        else:
            # Telegram unreachable: nothing comes in, nothing goes out, until it is back.
            if cell.failure == "refused":
                await proxy.refuse()
            elif cell.failure == "hang":
                proxy.hang()
            else:
                proxy.slow()
            update = fake.user_message(ALICE_DM, ALICE, PROMPT)

            async def down() -> bool:
                return not (await telegram_health(bot)).ok

            assert await eventually(down, within_s=10)
            # The engine behind the adapter is not stuck meanwhile.
            status = await asyncio.wait_for(bot.engine.limits_status(
                UserRef("telegram", str(BOB["id"]), "dm")), 2)
            assert status.playlists_used_today == 1
            await proxy.restore()
            await bot.settle(int(update["update_id"]), within_s=20)
            await fake.wait_for(lambda: playlist_shown(bot, ALICE_DM), within_s=20)

        assert playlist_shown(bot, ALICE_DM)
        assert await used(bot, ALICE) == 1

        async def up() -> bool:
            return (await telegram_health(bot)).ok

        assert await eventually(up, within_s=10)
    assert_no_tracebacks(caplog)
