"""A playlist message's buttons act on the version that message lists (issue 14).

After a refinement the first message still shows version 1: its URIs, Save, Regenerate
and Refine must work on version 1's tracks, not on the newest version's.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.telegram.keys import CALLBACK_NAMESPACE, CALLBACK_PREFIX
from core.models import UserRef
from tests.fakes.catalogue import FakeCatalogue, make_track
from tests.fakes.telegram_server import SentMessage
from tests.integration.telegram_support import ALICE, ALICE_DM, Bot, running_bot
from tests.integration.test_telegram_linking import authorisation_url, linked_world

TRACK_LINK = re.compile(r"https://open\.spotify\.com/track/([A-Za-z0-9]+)")


PLAYERS = ("Bill Evans", "Nina Simone", "Chet Baker", "Ella Fitzgerald", "Oscar Peterson",
           "Sarah Vaughan", "Dexter Gordon", "Ahmad Jamal", "Blossom Dearie", "Wes Montgomery")
FIRST_PLAYER = PLAYERS[0]  # the first playlist starts with this player's songs


def jazz() -> FakeCatalogue:
    """Jazz by named players, so that feedback like "no Bill Evans" changes the songs."""
    return FakeCatalogue([
        make_track(a * 100 + s, f"Tune {a}-{s}", player, "jazz")
        for a, player in enumerate(PLAYERS) for s in range(5)
    ])


def track_ids(message: SentMessage) -> list[str]:
    return [m.group(1) for link in message.links if (m := TRACK_LINK.fullmatch(link))]


def uris_in(text: str) -> list[str]:
    return re.findall(r"spotify:track:[A-Za-z0-9]+", text)


async def first_and_refined(bot: Bot) -> tuple[SentMessage, SentMessage]:
    """Version 1, then a refinement (a new message); both as the chat shows them."""
    await bot.say(ALICE_DM, ALICE, "/playlist calm jazz for studying 6")
    first = bot.playlist_message(ALICE_DM)
    await bot.say(ALICE_DM, ALICE, f"/refine no {FIRST_PLAYER}")
    refined = bot.playlist_message(ALICE_DM)
    assert refined.message_id != first.message_id and "(version 2)" in refined.text
    assert track_ids(first) != track_ids(refined)
    return first, refined


async def test_uris_on_the_first_message_after_a_refine_are_version_1s(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        first, _ = await first_and_refined(bot)
        await bot.press(ALICE, first, "URIs")
        shown = uris_in(bot.last(ALICE_DM).text)
        assert shown == [f"spotify:track:{i}" for i in track_ids(first)]


async def test_uris_on_the_refined_message_are_version_2s(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        _, refined = await first_and_refined(bot)
        await bot.press(ALICE, refined, "URIs")
        shown = uris_in(bot.last(ALICE_DM).text)
        assert shown == [f"spotify:track:{i}" for i in track_ids(refined)]


async def test_save_on_the_first_message_after_a_refine_saves_version_1(tmp_path: Path) -> None:
    async with linked_world(tmp_path) as (world, bot):
        await bot.say(ALICE_DM, ALICE, "/link")
        world.fake.login_as = "alice_sp"
        await world.authorize(authorisation_url(bot.last(ALICE_DM), world))
        await bot.fake.wait_for(lambda: "Alice S" in bot.last(ALICE_DM).text)
        await bot.say(ALICE_DM, ALICE, "/playlist relaxing jazz for studying 6")
        first = bot.playlist_message(ALICE_DM)
        draft = await bot.engine.own_draft(UserRef("telegram", str(ALICE["id"]), "dm"), None)
        plain = next(t.artist for t in draft.latest.tracks if re.fullmatch(r"[A-Za-z ]+", t.artist))
        await bot.say(ALICE_DM, ALICE, f"/refine no {plain}")
        refined = bot.playlist_message(ALICE_DM)
        assert track_ids(first) != track_ids(refined)
        await bot.press(ALICE, first, "Save")
        [saved] = world.fake.playlists_of("alice_sp")
        assert saved.items == [f"spotify:track:{i}" for i in track_ids(first)]


async def test_regenerate_on_the_first_message_replaces_version_1s_tracks(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(ALICE_DM, ALICE, "/playlist calm jazz for studying 6")
        first = bot.playlist_message(ALICE_DM)
        await bot.press(ALICE, first, "Regenerate")
        second = bot.playlist_message(ALICE_DM)
        assert not set(track_ids(second)) & set(track_ids(first))
        await bot.press(ALICE, first, "Regenerate")  # again, on version 1's message
        third = bot.playlist_message(ALICE_DM)
        assert "(version 3)" in third.text
        # A fresh take on what that message showed: none of version 1's tracks.
        assert not set(track_ids(third)) & set(track_ids(first))


async def test_refine_on_the_first_message_refines_version_1(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        first, _ = await first_and_refined(bot)
        await bot.press(ALICE, first, "Refine")
        question = bot.last(ALICE_DM)
        assert "Calm Jazz" in question.text
        await bot.say(ALICE_DM, ALICE, "a bit calmer", reply_to=question.message_id)
        third = bot.playlist_message(ALICE_DM)
        assert "(version 3)" in third.text and "Refined with: a bit calmer" in third.text
        user = UserRef("telegram", str(ALICE["id"]), "dm")
        draft = await bot.engine.own_draft(user, None)
        assert draft.latest.version == 3 and draft.refinements_used == 2


async def test_a_button_from_before_versions_were_kept_acts_on_the_latest(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        first, refined = await first_and_refined(bot)
        user = UserRef("telegram", str(ALICE["id"]), "dm")
        draft = await bot.engine.own_draft(user, None)
        # A key as the bot stored them before: no "v".
        await bot.store.cache_put(
            CALLBACK_NAMESPACE, "old-format-key",
            json.dumps({"d": draft.id, "a": "uris", "o": bot.engine.keys.key(user)}),
            datetime.now(UTC) + timedelta(hours=1),
        )
        _, update_id = bot.fake.press(ALICE, first, CALLBACK_PREFIX + "old-format-key")
        await bot.settle(update_id)
        shown = uris_in(bot.last(ALICE_DM).text)
        assert shown == [f"spotify:track:{i}" for i in track_ids(refined)]
