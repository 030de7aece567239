"""The buttons under a playlist and the refine modal, pressed by its owner and by others."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.discord.adapter import DiscordAdapter
from core import wording
from core.models import LimitSettings, UserRef
from tests.fakes.discord_server import buttons
from tests.integration.discord_support import (
    ALICE,
    BOB,
    Harness,
    build_harness,
    final_message,
    running_bot,
    track_lines,
)


@pytest.fixture
async def discord_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The running bot with a fake Discord and the everyday catalogue."""
    async with running_bot(tmp_path) as harness:
        yield harness

NOT_YOURS = wording.NOT_YOUR_PLAYLIST()  # the same sentence on every chat


def _ids(lines: list[str]) -> list[str]:
    return [line.split("/track/")[1].split(")")[0] for line in lines]


async def test_show_uris_gives_a_private_block_to_paste_into_spotify_desktop(
    discord_bot: Harness,
) -> None:
    made = await discord_bot.playlist(ALICE, "relaxing jazz", 10)
    exchange = await discord_bot.click(ALICE, final_message(made), "Show URIs")

    assert exchange.callback_type == 4 and exchange.public() == []
    (reply,) = exchange.private()
    block = reply["embeds"][0]["description"]
    assert block.startswith("```\n") and block.endswith("\n```")
    uris = block.strip("`\n").splitlines()
    assert uris == [f"spotify:track:{i}" for i in _ids(track_lines(made))]
    assert "Spotify desktop" in reply["embeds"][-1]["footer"]["text"]


async def test_regenerate_posts_a_fresh_version_without_the_current_tracks(
    discord_bot: Harness,
) -> None:
    made = await discord_bot.playlist(ALICE, "relaxing jazz", 10)
    exchange = await discord_bot.click(ALICE, final_message(made), "Regenerate")

    assert exchange.callback_type == 5
    message = final_message(exchange)
    assert "version 2" in message["embeds"][-1]["footer"]["text"]
    assert len(track_lines(exchange)) == 10
    assert not set(_ids(track_lines(exchange))) & set(_ids(track_lines(made)))
    assert buttons(message)


async def test_the_refine_button_opens_a_modal_as_its_first_response(discord_bot: Harness) -> None:
    made = await discord_bot.playlist(ALICE, "relaxing jazz", 10)
    exchange = await discord_bot.click(ALICE, final_message(made), "Refine")

    assert [c["type"] for c in exchange.callbacks] == [9]
    assert exchange.modal is not None
    draft = buttons(final_message(made))[0]["custom_id"].split(":")[-1]
    assert exchange.modal["custom_id"] == f"et:refine-modal:v1:{draft}"
    text_input = exchange.modal["components"][0]["component"]
    assert text_input["custom_id"] == "feedback" and text_input["max_length"] == 300


async def test_submitting_the_refine_modal_makes_a_new_version(discord_bot: Harness) -> None:
    made = await discord_bot.playlist(ALICE, "relaxing jazz", 10)
    opened = await discord_bot.click(ALICE, final_message(made), "Refine")
    assert opened.modal is not None
    submitted = await discord_bot.run(discord_bot.guild.submit(
        ALICE, opened.modal["custom_id"], {"feedback": "more energetic"}, message=final_message(made)))

    message = final_message(submitted)
    assert "Refined with: *more energetic*" in message["embeds"][0]["description"]
    assert "version 2" in message["embeds"][-1]["footer"]["text"]


async def test_save_without_spotify_set_up_offers_the_uris_instead(discord_bot: Harness) -> None:
    made = await discord_bot.playlist(ALICE, "relaxing jazz", 10)
    exchange = await discord_bot.click(ALICE, final_message(made), "Save to Spotify")

    (reply,) = exchange.private()
    assert reply["content"] == wording.SAVE_NOT_SET_UP()
    assert reply["embeds"][0]["description"].count("spotify:track:") == 10
    assert exchange.public() == []


async def test_someone_elses_buttons_answer_this_is_not_your_playlist(discord_bot: Harness) -> None:
    made = await discord_bot.playlist(ALICE, "relaxing jazz", 10)
    message = final_message(made)

    for label in ("Refine", "Regenerate", "Save to Spotify", "Show URIs"):
        exchange = await discord_bot.click(BOB, message, label)
        assert exchange.modal is None
        assert exchange.public() == []
        assert [m["content"] for m in exchange.private()] == [NOT_YOURS], label
    alice = UserRef("discord", str(ALICE.id), f"guild:{discord_bot.guild.guild_id}")
    draft = await discord_bot.engine.own_draft(alice, None)
    assert draft.latest.version == 1 and draft.refinements_used == 0


async def test_a_modal_for_someone_elses_playlist_is_refused_too(discord_bot: Harness) -> None:
    made = await discord_bot.playlist(ALICE, "relaxing jazz", 10)
    draft = buttons(final_message(made))[0]["custom_id"].split(":")[-1]
    exchange = await discord_bot.run(discord_bot.guild.submit(
        BOB, f"et:refine-modal:{draft}", {"feedback": "only polka"}))

    assert [m["content"] for m in exchange.messages()] == [NOT_YOURS]


async def test_two_users_pressing_each_others_buttons_at_once_are_both_refused(
    discord_bot: Harness,
) -> None:
    alices = final_message(await discord_bot.playlist(ALICE, "relaxing jazz", 10))
    bobs = final_message(await discord_bot.playlist(BOB, "loud rock", 10))
    ix = discord_bot.guild

    crossed = await asyncio.gather(
        discord_bot.run(ix.click(ALICE, bobs, buttons(bobs)[1]["custom_id"])),
        discord_bot.run(ix.click(BOB, alices, buttons(alices)[1]["custom_id"])),
    )
    assert [[m["content"] for m in e.messages()] for e in crossed] == [[NOT_YOURS], [NOT_YOURS]]

    own = await asyncio.gather(
        discord_bot.run(ix.click(ALICE, alices, buttons(alices)[1]["custom_id"])),
        discord_bot.run(ix.click(BOB, bobs, buttons(bobs)[1]["custom_id"])),
    )
    titles = [final_message(e)["embeds"][0]["title"] for e in own]
    assert titles == ["Relaxing Jazz", "Loud Rock"]


async def test_a_refinement_over_the_limit_is_refused_privately(tmp_path: Path) -> None:
    harness, stop = await build_harness(
        tmp_path, defaults=LimitSettings(max_refinements_per_playlist=1))
    try:
        message = final_message(await harness.playlist(ALICE, "relaxing jazz", 10))
        first = await harness.click(ALICE, message, "Regenerate")
        second = await harness.click(ALICE, message, "Regenerate")
    finally:
        await stop()

    assert "version 2" in final_message(first)["embeds"][-1]["footer"]["text"]
    assert second.public() == []
    assert "used its 1 refinement" in second.private()[0]["content"]


async def test_buttons_and_modals_keep_working_after_a_restart(tmp_path: Path) -> None:
    harness, stop = await build_harness(tmp_path)
    try:
        made = await harness.playlist(ALICE, "relaxing jazz", 10)
        opened = await harness.click(ALICE, final_message(made), "Refine")
        assert opened.modal is not None
        # A new process: a new adapter on the same database, nothing kept in memory.
        await harness.adapter.stop()
        harness.adapter = DiscordAdapter(harness.services, harness.adapter.config)
        await harness.adapter.start()
        uris = await harness.click(ALICE, final_message(made), "Show URIs")
        refined = await harness.run(harness.guild.submit(
            ALICE, opened.modal["custom_id"], {"feedback": "more energetic"}))
    finally:
        await stop()

    assert uris.private()[0]["embeds"][0]["description"].count("spotify:track:") == 10
    assert "version 2" in final_message(refined)["embeds"][-1]["footer"]["text"]
