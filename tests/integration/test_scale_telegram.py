"""Telegram with several processes: one poller at a time, many webhook workers, each update once."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from adapters.ai.offline import OfflineStrategyProvider
from adapters.telegram.adapter import TelegramAdapter
from adapters.telegram.application import TelegramConfig
from bot.telegram_wiring import wire_telegram
from core import i18n
from core.engine import Engine, EngineConfig
from core.identity import UserKeys
from core.validation import LexicalValidator
from data.sqlite_store import SqliteStore
from tests.fakes.telegram_server import FakeTelegram
from tests.integration.scale_support import ServeProcess, common_settings, free_port
from tests.integration.telegram_support import ALICE, ALICE_DM, running_bot
from tests.integration.test_telegram_private import jazz

HOOK_URL = "https://bot.example.org/telegram/hook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def engine_on(store: SqliteStore) -> Engine:
    return Engine(store=store, model=OfflineStrategyProvider(), catalogue=jazz(),
                  validator=LexicalValidator(), keys=UserKeys(b"telegram-test-secret-key-32bytes"),
                  config=EngineConfig())


async def test_a_second_poller_on_one_token_stops_one_of_them_with_one_clear_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        second = wire_telegram(bot.engine, TelegramConfig(
            token=bot.fake.token, api_url=bot.fake.api_url, poll_timeout_s=1,
            progress_interval_s=0.0))
        with caplog.at_level(logging.INFO):
            await second.start()
            try:
                pair = (bot.adapter, second)
                await bot.fake.wait_for(lambda: any(a.polling_conflict for a in pair), 10)
                await asyncio.sleep(2.5)  # a few more polls: the survivor meets no conflict
                stopped = [a for a in pair if a.polling_conflict]
                running = [a for a in pair if not a.polling_conflict]
                assert len(stopped) == 1 and len(running) == 1
                updater = stopped[0].application.updater
                assert updater is not None and not updater.running
                # The bot still answers, through the process that kept polling.
                bot.fake.user_message(ALICE_DM, ALICE, "/limits")
                await bot.fake.wait_for(lambda: bot.view(ALICE_DM), 10)
                assert "playlists left today" in bot.last(ALICE_DM).text
            finally:
                await second.stop()
    conflict_lines = [r for r in caplog.records
                      if r.name.startswith("adapters.") and "409 Conflict" in r.getMessage()]
    assert len(conflict_lines) == 1 and conflict_lines[0].levelno == logging.ERROR
    assert "TELEGRAM_WEBHOOK_URL" in conflict_lines[0].getMessage()
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)


@asynccontextmanager
async def webhook_worker(fake: FakeTelegram, store: SqliteStore, *, set_webhook: bool
                         ) -> AsyncIterator[tuple[TelegramAdapter, str]]:
    """One webhook worker: the adapter plus an HTTP server for its route; yields its URL."""
    adapter = wire_telegram(engine_on(store), TelegramConfig(
        token=fake.token, api_url=fake.api_url, webhook_url=HOOK_URL, set_webhook=set_webhook,
        progress_interval_s=0.0))
    app = web.Application()
    app.router.add_routes(adapter.web_routes())
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await adapter.start()
        try:
            yield adapter, f"http://127.0.0.1:{port}/telegram/hook"
        finally:
            await adapter.stop()
    finally:
        await runner.cleanup()


async def test_webhook_workers_share_one_secret_register_once_and_answer_a_redelivery_once(
    tmp_path: Path,
) -> None:
    fake = FakeTelegram()
    await fake.start()
    async with AsyncExitStack() as stack:
        stack.push_async_callback(fake.close)
        # Two processes on one database: two stores on one file.
        stores = [await stack.enter_async_context(SqliteStore(tmp_path / "shared.db"))
                  for _ in range(2)]
        first, first_url = await stack.enter_async_context(
            webhook_worker(fake, stores[0], set_webhook=True))
        second, second_url = await stack.enter_async_context(
            webhook_worker(fake, stores[1], set_webhook=False))
        http = await stack.enter_async_context(aiohttp.ClientSession())

        [registered] = fake.calls_of("setWebhook")
        assert first.webhook_secret and first.webhook_secret == second.webhook_secret
        assert registered.params["secret_token"] == first.webhook_secret
        # both menus in each language the bot speaks, from the first only
        assert len(fake.calls_of("setMyCommands")) == 2 * len(i18n.available())
        assert fake.calls_of("getUpdates") == []

        update = fake.user_message(ALICE_DM, ALICE, "/limits")
        fake._updates.clear()  # delivered by webhook, not by polling
        headers = {SECRET_HEADER: first.webhook_secret, "Content-Type": "application/json"}
        # Telegram found the first answer slow and delivered the same update again, elsewhere.
        for url in (first_url, second_url):
            async with http.post(url, data=json.dumps(update), headers=headers) as answer:
                assert answer.status == 200
        await fake.wait_for(lambda: fake.chat_view(ALICE_DM["id"]))
        await asyncio.sleep(0.5)  # time for a second answer, were there to be one
        assert len(fake.chat_view(ALICE_DM["id"])) == 1
    assert fake.problems == []


async def test_serve_runs_the_telegram_webhook_without_polling(tmp_path: Path) -> None:
    fake = FakeTelegram()
    await fake.start()
    port = free_port()
    process = ServeProcess("serve", tmp_path / "serve", common_settings(
        TELEGRAM_TOKEN=fake.token, TELEGRAM_API_URL=fake.api_url, TELEGRAM_WEBHOOK_URL=HOOK_URL,
        WEB_PORT=port, DATABASE_FILENAME=str(tmp_path / "serve.db"),
        STATUS_TOKEN="status-token-0123456789",  # a webhook's web side is exposed
    ))
    try:
        async with aiohttp.ClientSession() as http:
            process.start()
            await process.wait_ready(http)
            await fake.wait_for(lambda: fake.calls_of("setWebhook"), 20)
            secret = fake.calls_of("setWebhook")[0].params["secret_token"]
            update = fake.user_message(ALICE_DM, ALICE, "/limits")
            fake._updates.clear()
            async with http.post(f"{process.base_url}/telegram/hook", data=json.dumps(update),
                                 headers={SECRET_HEADER: secret}) as answer:
                assert answer.status == 200
            await fake.wait_for(lambda: fake.chat_view(ALICE_DM["id"]), 20)
        assert "playlists left today" in fake.chat_view(ALICE_DM["id"])[0].text
        assert fake.calls_of("getUpdates") == []
        assert process.stop() == 0
    finally:
        process.stop()
        await fake.close()
