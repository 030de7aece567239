"""``/profile``, ``/limits`` and ``/status``: private answers with the user's own data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.models import Profile, UserRef
from tests.integration.discord_support import (
    ALICE,
    Harness,
    running_bot,
)


@pytest.fixture
async def discord_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The running bot with a fake Discord and the everyday catalogue."""
    async with running_bot(tmp_path) as harness:
        yield harness


def _alice(harness: Harness) -> UserRef:
    return UserRef("discord", str(ALICE.id), f"guild:{harness.guild.guild_id}")


async def test_profile_set_saves_every_field_and_shows_it_back_privately(discord_bot: Harness) -> None:
    exchange = await discord_bot.command(ALICE, "profile", {
        "genres": "jazz, soul", "artists": "Nina Simone", "disliked": "*NSYNC",
        "energy": 0.3, "discovery": "deep", "explicit": False,
    }, sub="set")

    (reply,) = exchange.messages()
    assert exchange.public() == [] and reply["embeds"][0]["title"] == "Profile saved"
    shown = reply["embeds"][0]["description"]
    assert "Favourite genres: jazz, soul" in shown
    assert r"Disliked artists: \*NSYNC" in shown  # markdown shown literally
    assert "Energy: 0.30" in shown and "Discovery: deep" in shown and "filtered out" in shown
    assert await discord_bot.engine.get_profile(_alice(discord_bot)) == Profile(
        favourite_genres=("jazz", "soul"), favourite_artists=("Nina Simone",),
        disliked_artists=("*NSYNC",), energy=0.3, discovery="deep", explicit_ok=False)


async def test_profile_set_changes_only_the_options_given_and_none_clears_a_list(
    discord_bot: Harness,
) -> None:
    await discord_bot.command(ALICE, "profile", {"genres": "jazz", "artists": "Miles Davis"}, sub="set")
    await discord_bot.command(ALICE, "profile", {"artists": "none", "energy": 0.8}, sub="set")

    profile = await discord_bot.engine.get_profile(_alice(discord_bot))
    assert (profile.favourite_genres, profile.favourite_artists, profile.energy) == (("jazz",), (), 0.8)


async def test_profile_set_with_no_options_explains_itself(discord_bot: Harness) -> None:
    exchange = await discord_bot.command(ALICE, "profile", {}, sub="set")

    assert "at least one option" in exchange.private()[0]["content"]


async def test_profile_show_and_reset(discord_bot: Harness) -> None:
    await discord_bot.command(ALICE, "profile", {"genres": "rock"}, sub="set")
    shown = await discord_bot.command(ALICE, "profile", sub="show")
    reset = await discord_bot.command(ALICE, "profile", sub="reset")

    assert "Favourite genres: rock" in shown.private()[0]["embeds"][0]["description"]
    assert reset.private()[0]["embeds"][0]["title"] == "Profile reset"
    assert await discord_bot.engine.get_profile(_alice(discord_bot)) == Profile()


async def test_genres_autocomplete_completes_the_last_item_of_the_list(discord_bot: Harness) -> None:
    exchange = await discord_bot.run(
        discord_bot.guild.autocomplete(ALICE, "profile", "genres", "jazz, so", sub="set"))

    assert exchange.callback_type == 8 and exchange.choices is not None
    values = [c["value"] for c in exchange.choices]
    assert values[:2] == ["jazz, songwriter", "jazz, soul"]
    assert all(v.startswith("jazz, ") for v in values) and len(values) <= 25


async def test_genres_autocomplete_offers_genres_containing_the_word(discord_bot: Harness) -> None:
    exchange = await discord_bot.run(
        discord_bot.guild.autocomplete(ALICE, "profile", "genres", "metal", sub="set"))

    assert exchange.choices is not None
    values = [c["value"] for c in exchange.choices]
    assert values[0] == "metal" and {"black-metal", "heavy-metal", "death-metal"} <= set(values)


async def test_limits_show_what_is_left_and_when_it_resets(discord_bot: Harness) -> None:
    await discord_bot.playlist(ALICE, "relaxing jazz", 10)
    exchange = await discord_bot.command(ALICE, "limits")

    # core.profile_edit.describe_limits' sentence (the same on every chat), the numbers left in
    # bold and the reset as a Discord timestamp (each reader's own time zone).
    embed = exchange.private()[0]["embeds"][0]
    first, second = embed["description"].splitlines()
    assert first == ("**9** of 10 playlists left today; "
                     "**3** of 3 refinements left on your latest playlist.")
    assert second.startswith("Up to 50 songs per playlist. Daily limits reset at <t:")
    assert second.endswith(":R>).")


async def test_status_shows_the_health_of_each_dependency(discord_bot: Harness) -> None:
    exchange = await discord_bot.command(ALICE, "status")

    assert exchange.callback_type == 5 and exchange.public() == []
    embed = exchange.private()[0]["embeds"][0]
    assert embed["title"] == "EchoTuner status: all good"
    assert {f["name"] for f in embed["fields"]} == {"database", "model:offline", "catalogue",
                                                    "discord"}


async def test_status_says_which_dependency_is_down(discord_bot: Harness) -> None:
    discord_bot.catalogue.fail = True
    exchange = await discord_bot.command(ALICE, "status")

    embed = exchange.private()[0]["embeds"][0]
    assert embed["title"] == "EchoTuner status: degraded"
    assert any(f["name"] == "catalogue" and "down" in f["value"] for f in embed["fields"])
