"""A playlist message's buttons act on the version that message lists (issue 14).

Refine posts the new version as a new message; the first message still shows
version 1, so its Show URIs, Save, Regenerate and Refine work on version 1.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from core.models import UserRef
from tests.fakes.discord_server import Exchange, buttons
from tests.integration.discord_support import (
    ALICE,
    Harness,
    final_message,
    make_track,
    running_bot,
    track_lines,
)
from tests.integration.test_discord_linking import _link, discord_and_spotify

PLAYERS = ("Bill Evans", "Nina Simone", "Chet Baker", "Ella Fitzgerald", "Oscar Peterson",
           "Sarah Vaughan", "Dexter Gordon", "Ahmad Jamal", "Blossom Dearie", "Wes Montgomery")
TRACKS = [make_track(a * 10 + s + 1, f"Tune {a}-{s}", [player], "jazz")
          for a, player in enumerate(PLAYERS) for s in range(5)]


def ids(exchange: Exchange) -> list[str]:
    return [line.split("/track/")[1].split(")")[0] for line in track_lines(exchange)]


def shown_uris(exchange: Exchange) -> list[str]:
    block = exchange.private()[0]["embeds"][0]["description"]
    return [line for line in block.strip("`\n").splitlines() if line]


async def refine(bot: Harness, message: dict[str, Any], feedback: str) -> Exchange:
    opened = await bot.click(ALICE, message, "Refine")
    assert opened.modal is not None
    return await bot.run(bot.guild.submit(ALICE, opened.modal["custom_id"], {"feedback": feedback},
                                          message=message))


async def first_and_refined(bot: Harness) -> tuple[Exchange, Exchange]:
    made = await bot.playlist(ALICE, "relaxing jazz", 6)
    user = UserRef("discord", str(ALICE.id), f"guild:{bot.guild.guild_id}")
    first_artist = (await bot.engine.own_draft(user, None)).latest.tracks[0].artist
    refined = await refine(bot, final_message(made), f"no {first_artist}")
    assert "version 2" in final_message(refined)["embeds"][-1]["footer"]["text"]
    assert ids(made) != ids(refined)
    return made, refined


async def test_show_uris_on_the_first_message_after_a_refine_lists_version_1(tmp_path: Path) -> None:
    async with running_bot(tmp_path, tracks=TRACKS) as bot:
        made, refined = await first_and_refined(bot)
        old = await bot.click(ALICE, final_message(made), "Show URIs")
        new = await bot.click(ALICE, final_message(refined), "Show URIs")

    assert shown_uris(old) == [f"spotify:track:{i}" for i in ids(made)]
    assert shown_uris(new) == [f"spotify:track:{i}" for i in ids(refined)]


async def test_save_on_the_first_message_after_a_refine_saves_version_1(tmp_path: Path) -> None:
    async with discord_and_spotify(tmp_path) as (world, bot):
        await _link(world, bot)
        made = await bot.playlist(ALICE, "relaxing jazz for studying", 6)
        user = UserRef("discord", str(ALICE.id), f"guild:{bot.guild.guild_id}")
        draft = await bot.engine.own_draft(user, None)
        plain = next(t.artist for t in draft.latest.tracks
                     if all(c.isalpha() or c == " " for c in t.artist))
        refined = await refine(bot, final_message(made), f"no {plain}")
        assert ids(made) != ids(refined)
        await bot.click(ALICE, final_message(made), "Save to Spotify")
        (saved,) = world.fake.playlists_of("alice")

    assert saved.items == [f"spotify:track:{i}" for i in ids(made)]


async def test_regenerate_on_the_first_message_replaces_version_1s_tracks(tmp_path: Path) -> None:
    async with running_bot(tmp_path, tracks=TRACKS) as bot:
        made = await bot.playlist(ALICE, "relaxing jazz", 6)
        second = await bot.click(ALICE, final_message(made), "Regenerate")
        third = await bot.click(ALICE, final_message(made), "Regenerate")

    assert not set(ids(second)) & set(ids(made))
    assert "version 3" in final_message(third)["embeds"][-1]["footer"]["text"]
    assert not set(ids(third)) & set(ids(made))  # a fresh take on what that message showed


async def test_refine_on_the_first_message_carries_its_version(tmp_path: Path) -> None:
    async with running_bot(tmp_path, tracks=TRACKS) as bot:
        made, _ = await first_and_refined(bot)
        opened = await bot.click(ALICE, final_message(made), "Refine")
        draft = buttons(final_message(made))[0]["custom_id"].split(":")[-1]
        assert opened.modal is not None
        assert opened.modal["custom_id"] == f"et:refine-modal:v1:{draft}"
        third = await bot.run(bot.guild.submit(ALICE, opened.modal["custom_id"],
                                               {"feedback": "a bit calmer"}))

    assert "version 3" in final_message(third)["embeds"][-1]["footer"]["text"]


def as_sent_before_versions(message: dict[str, Any]) -> dict[str, Any]:
    """``message`` as the bot sent it before ids carried a version (et:<action>:<draft>)."""
    return json.loads(re.sub(r'"et:([a-z]+):v[0-9]+:', r'"et:\1:', json.dumps(message)))


async def test_buttons_from_before_versions_were_carried_act_on_the_latest(tmp_path: Path) -> None:
    async with running_bot(tmp_path, tracks=TRACKS) as bot:
        made, refined = await first_and_refined(bot)
        old = as_sent_before_versions(final_message(made))
        draft = buttons(old)[0]["custom_id"].split(":")[-1]
        assert [b["custom_id"] for b in buttons(old)] == [
            f"et:{a}:{draft}" for a in ("refine", "regen", "save", "uris")]
        uris = await bot.click(ALICE, old, "Show URIs")
        opened = await bot.click(ALICE, old, "Refine")
        assert opened.modal is not None
        submitted = await bot.run(bot.guild.submit(ALICE, opened.modal["custom_id"],
                                                   {"feedback": "a bit calmer"}))

    assert shown_uris(uris) == [f"spotify:track:{i}" for i in ids(refined)]
    assert opened.modal["custom_id"] == f"et:refine-modal:{draft}"
    assert "version 3" in final_message(submitted)["embeds"][-1]["footer"]["text"]
