"""One writer per message: a progress edit still on the wire never lands on top of the answer.

The fake Bot API holds every "⏳ ..." edit for a while before applying it, as a busy
server or a slow connection does; an answer edited in meanwhile on another connection
would otherwise be overwritten by the late progress line (issue 14).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.fakes.telegram_server import SentMessage
from tests.integration.telegram_support import ALICE, ALICE_DM, GROUP, Bot, running_bot
from tests.integration.test_telegram_private import jazz, numbered_lines

PLAYLIST_BUTTONS = ["✏️ Refine", "🔄 Regenerate", "💾 Save to Spotify", "📋 URIs"]


def progress_edits(bot: Bot) -> int:
    return sum(1 for c in bot.fake.calls
               if c.method == "editMessageText" and str(c.params.get("text", "")).startswith("⏳"))


async def settled_answer(bot: Bot, chat: dict[str, object], held_s: float) -> SentMessage:
    """The chat once every held edit has had time to land (the handler is done, so each
    was sent at least ``held_s`` ago): its last bot message."""
    await asyncio.sleep(held_s + 0.3)
    assert not any(m.text.startswith("⏳") for m in bot.view(chat)), [m.text for m in bot.view(chat)]
    return bot.last(chat)


async def test_a_slow_progress_edit_never_replaces_the_playlist(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        for n, held_s in enumerate((0.2, 0.5, 1.0), 1):
            bot.fake.delay_edits(held_s, replace=True)
            before = progress_edits(bot)
            await bot.say(ALICE_DM, ALICE, f"/playlist calm jazz for studying {4 + n}")
            answer = await settled_answer(bot, ALICE_DM, held_s)
            assert progress_edits(bot) > before  # a progress edit really was held
            assert len(numbered_lines(answer.text)) == 4 + n
            assert [b["text"] for b in answer.buttons()] == PLAYLIST_BUTTONS


async def test_a_slow_progress_edit_never_replaces_a_regenerated_playlist_in_a_group(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ALICE, "/playlist calm jazz for studying 5")
        first = bot.playlist_message(GROUP)
        bot.fake.delay_edits(0.5)
        await bot.press(ALICE, first, "Regenerate")
        answer = await settled_answer(bot, GROUP, 0.5)
        assert "(version 2)" in answer.text
        assert [b["text"] for b in answer.buttons()] == PLAYLIST_BUTTONS
