"""One writer per message: a progress edit still on the wire never lands on top of the answer.

The fake Discord holds every "⏳ ..." edit of the deferred reply for a while before
applying it, as a busy server or a slow connection does; the playlist must still be
what the message shows in the end, with its buttons (issue 14).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.fakes.discord_server import buttons
from tests.integration.discord_support import ALICE, final_message, running_bot, track_lines

LABELS = ["Refine", "Regenerate", "Save to Spotify", "Show URIs"]


async def test_a_slow_progress_edit_never_replaces_the_playlist(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        for held_s in (0.2, 0.5, 1.0):
            bot.fake.heal()
            bot.fake.delay_edits(held_s)
            made = await bot.playlist(ALICE, "relaxing jazz", 10)
            await asyncio.sleep(held_s + 0.3)  # every held edit has landed by now
            progress = [e for e in made.original_history if (e.get("content") or "").startswith("⏳")]
            assert progress, "no progress edit was shown, so none was held"
            message = final_message(made)
            assert not (message.get("content") or "").startswith("⏳"), message.get("content")
            assert len(track_lines(made)) == 10
            assert [b["label"] for b in buttons(message)] == LABELS
