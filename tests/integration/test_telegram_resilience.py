"""Flood limits, failed edits, errors, shutdown and webhook mode: what a busy real chat throws at a bot."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import aiohttp
import pytest

from adapters.telegram.messaging import safe_edit
from bot.app import build_app
from bot.settings import load_settings
from bot.web_wiring import build_web_adapter
from core.replies import TextReply
from tests.fakes.telegram_server import FakeTelegram
from tests.integration.spotify_support import free_port
from tests.integration.telegram_support import ALICE, ALICE_DM, GROUP, running_bot
from tests.integration.test_telegram_private import jazz, numbered_lines


async def test_a_429_is_waited_out_and_the_message_still_arrives(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        bot.fake.rate_limit("sendMessage", retry_after=1)
        await bot.say(ALICE_DM, ALICE, "/limits")
        attempts = [c for c in bot.fake.calls if c.method == "sendMessage"]
        assert [c.status for c in attempts] == [429, 200]
        assert attempts[1].at - attempts[0].at >= 1.0
        assert "playlists left today" in bot.last(ALICE_DM).text


async def test_a_playlist_survives_429s_on_its_progress_edits(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        bot.fake.rate_limit("editMessageText", retry_after=1, times=2)
        await bot.say(GROUP, ALICE, "/playlist calm jazz 6")
        assert len(numbered_lines(bot.playlist_message(GROUP).text)) == 6
        assert not any("went wrong" in t for t in bot.fake.texts(GROUP["id"]))


async def test_editing_a_message_to_what_it_already_says_is_not_an_error(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(ALICE_DM, ALICE, "/limits")
        shown = bot.last(ALICE_DM)
        html = bot.fake.calls_of("sendMessage")[-1].params["text"]
        assert await safe_edit(bot.adapter.bot, ALICE_DM["id"], shown.message_id, html) is True
        refused = [c for c in bot.fake.calls if c.method == "editMessageText"]
        assert [c.status for c in refused] == [400]  # Telegram said "not modified"; we carried on


async def test_a_deleted_status_message_is_replaced_by_a_new_answer(tmp_path: Path) -> None:
    catalogue = jazz()
    catalogue.latency = 0.05
    async with running_bot(tmp_path, catalogue=catalogue) as bot:
        update = bot.fake.user_message(ALICE_DM, ALICE, "/playlist calm jazz 6")
        await bot.fake.wait_for(lambda: bot.view(ALICE_DM))
        bot.view(ALICE_DM)[0].deleted = True  # the user deleted "⏳ Working on it…"
        await bot.settle(update["update_id"])
        [answer] = bot.view(ALICE_DM)
        assert len(numbered_lines(answer.text)) == 6 and answer.buttons()
        assert 400 in [c.status for c in bot.fake.calls if c.method == "editMessageText"]


async def test_a_failure_talking_to_telegram_is_logged_and_the_user_told(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        bot.fake.malformed("sendMessage")
        with caplog.at_level(logging.WARNING, logger="adapters.telegram.messages"):
            await bot.say(ALICE_DM, ALICE, "/limits")
        assert "Something went wrong on our side" in bot.last(ALICE_DM).text
        # Telegram failing is expected, not our bug: one warning line, no traceback.
        assert any("could not reach Telegram" in r.message for r in caplog.records)


async def test_an_engine_failure_tells_the_user_nothing_was_charged(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ALICE, "/playlist calm jazz 5")
        await bot.store.close()  # the database goes away under the bot
        await bot.press(ALICE, bot.playlist_message(GROUP), "Regenerate")
        assert "⚠️" in bot.last(GROUP).text
        await bot.store.open()


async def test_stopping_lets_a_playlist_in_progress_finish(tmp_path: Path) -> None:
    catalogue = jazz()
    catalogue.latency = 0.05
    async with running_bot(tmp_path, catalogue=catalogue) as bot:
        bot.fake.user_message(ALICE_DM, ALICE, "/playlist calm jazz 6")
        await bot.fake.wait_for(lambda: bot.view(ALICE_DM))
        await bot.adapter.stop()
        [answer] = bot.view(ALICE_DM)
        assert len(numbered_lines(answer.text)) == 6
        await bot.adapter.stop()  # stopping twice is harmless


async def test_send_delivers_an_unprompted_message_escaped(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.adapter.send(str(ALICE_DM["id"]), TextReply("Linked to <Spotify> as A&B."))
        assert bot.last(ALICE_DM).text == "Linked to <Spotify> as A&B."


async def test_webhook_mode_sets_the_webhook_and_serves_it_on_the_web_side(tmp_path: Path) -> None:
    fake = FakeTelegram()
    await fake.start()
    port = free_port()
    settings = load_settings({
        "TELEGRAM_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.api_url,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram/hook",
        "TELEGRAM_WEBHOOK_SECRET": "s3cret-Token_1",
        "DATABASE_FILENAME": str(tmp_path / "hook.db"),
        "AI_PROVIDERS": "offline",
        "WEB_PORT": str(port),
    }, env_file=None)
    from bot.telegram_wiring import build_telegram_adapter

    try:
        async with build_app(settings) as app, aiohttp.ClientSession() as http:
            adapter = build_telegram_adapter(app)
            web = build_web_adapter(app)
            await web.start()
            await adapter.start()
            try:
                [hook] = fake.calls_of("setWebhook")
                assert hook.params["url"] == "https://bot.example.org/telegram/hook"
                assert hook.params["secret_token"] == "s3cret-Token_1"
                assert fake.calls_of("getUpdates") == []
                update = fake.user_message(ALICE_DM, ALICE, "/limits")
                fake._updates.clear()  # delivered by webhook, not by polling
                url = f"http://127.0.0.1:{port}/telegram/hook"
                async with http.post(url, json=update) as wrong:
                    assert wrong.status == 403
                headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"}
                async with http.post(url, data=b"{not json", headers=headers) as bad:
                    assert bad.status == 400
                async with http.post(url, data=json.dumps(update), headers=headers) as good:
                    assert good.status == 200
                await fake.wait_for(lambda: fake.chat_view(ALICE_DM["id"]))
                assert "playlists left today" in fake.chat_view(ALICE_DM["id"])[0].text
                assert len(fake.chat_view(ALICE_DM["id"])) == 1
            finally:
                await adapter.stop()
                await web.stop()
        assert fake.problems == []
    finally:
        await fake.close()


async def test_a_bad_token_stops_start_up_with_telegrams_answer(tmp_path: Path) -> None:
    from telegram.error import InvalidToken

    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        other = FakeTelegram(token="999:wrong")
        await other.start()
        try:
            from adapters.telegram.application import TelegramConfig
            from bot.telegram_wiring import wire_telegram

            adapter = wire_telegram(bot.engine, TelegramConfig(token="123:nope", api_url=other.api_url))
            with pytest.raises(InvalidToken):
                await adapter.start()
        finally:
            await other.close()
