"""The real ``python -m bot`` with a Telegram token, driven by scripted updates from the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.telegram_server import BOT_USERNAME, FakeTelegram
from tests.integration.telegram_support import ALICE, ALICE_DM, BOB, GROUP

ROOT = Path(__file__).resolve().parents[2]


def playlist_shown(fake: FakeTelegram, chat_id: int) -> bool:
    return any("Regenerate" in b["text"] for m in fake.chat_view(chat_id) for b in m.buttons())


async def test_python_m_bot_answers_a_scripted_telegram_conversation_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    fake = FakeTelegram()
    await fake.start()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.api_url,
        "DATABASE_FILENAME": str(tmp_path / "bot.db"),
        "AI_PROVIDERS": "offline",
        "LOG_LEVEL": "INFO",
    })
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_for(lambda: fake.calls_of("getUpdates"), within_s=60)
        assert [c.method for c in fake.calls[:2]] == ["getMe", "setMyCommands"]

        fake.user_message(ALICE_DM, ALICE, "/start")
        await fake.wait_for(lambda: len(fake.chat_view(ALICE_DM["id"])) >= 2)
        assert "I turn a sentence into a real Spotify playlist" in fake.texts(ALICE_DM["id"])[0]

        fake.user_message(ALICE_DM, ALICE, "relaxing jazz for studying 10")
        await fake.wait_for(lambda: playlist_shown(fake, ALICE_DM["id"]), within_s=30)
        playlist = fake.chat_view(ALICE_DM["id"])[-1]
        assert "Relaxing Jazz" in playlist.text and len(playlist.links) == 10

        fake.press(ALICE, playlist, playlist.button("URIs")["callback_data"])
        await fake.wait_for(lambda: "spotify:track:" in fake.chat_view(ALICE_DM["id"])[-1].text)
        assert fake.chat_view(ALICE_DM["id"])[-1].text.count("spotify:track:") == 10

        fake.user_message(GROUP, BOB, "anyone up for music?")  # ignored: not for the bot
        fake.user_message(GROUP, BOB, f"/playlist@{BOT_USERNAME} upbeat indie rock for a run 6")
        await fake.wait_for(lambda: playlist_shown(fake, GROUP["id"]), within_s=30)
        [answer] = fake.chat_view(GROUP["id"])
        assert answer.reply_to == 2 and len(answer.links) == 6

        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()
        log = stderr.decode()
        assert "telegram started" in log and "telegram stopped" in log
        assert fake.token not in log and fake.token.split(":")[1] not in log
        assert fake.problems == []
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()
        await fake.close()
