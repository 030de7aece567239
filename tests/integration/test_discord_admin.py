"""``/admin limits``: server admins set per-server limits, checked again at run time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.discord.adapter import DiscordAdapter
from core.models import LimitSettings
from tests.fakes.discord_server import ADMINISTRATOR, Person
from tests.integration.discord_support import (
    ALICE,
    BOB,
    Harness,
    build_harness,
    running_bot,
    track_lines,
)


@pytest.fixture
async def discord_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The running bot with a fake Discord and the everyday catalogue."""
    async with running_bot(tmp_path) as harness:
        yield harness

ADMIN = ALICE.as_admin()
REFUSED = "Only members with the Manage Server permission can change EchoTuner's settings here."


def _fields(exchange_message: dict[str, object]) -> dict[str, str]:
    embed = exchange_message["embeds"][0]  # type: ignore[index]
    return {f["name"]: f["value"] for f in embed["fields"]}  # type: ignore[index]


async def test_admin_is_registered_for_manage_server_in_servers_only(discord_bot: Harness) -> None:
    synced = {c["name"]: c for c in discord_bot.fake.commands[None]}

    assert set(synced) == {"playlist", "refine", "link", "unlink", "save", "taste", "profile",
                           "limits", "status", "admin", "blend"}
    assert synced["blend"]["contexts"] == [0]  # a blend is made in a server
    admin = synced["admin"]
    assert admin["default_member_permissions"] == "32"  # Manage Server
    assert admin["contexts"] == [0]  # servers only
    assert sorted(synced["playlist"]["contexts"]) == [0, 1]  # servers and DMs with the bot
    assert {o["name"] for o in admin["options"]} == {"limits", "spotify-app"}


async def test_an_admin_sets_limits_and_sees_them_back(discord_bot: Harness) -> None:
    exchange = await discord_bot.command(ADMIN, "admin", {
        "daily_playlists": 2, "refinements": 1, "max_songs": 20}, sub="limits")

    (reply,) = exchange.messages()
    assert exchange.public() == [] and reply["embeds"][0]["title"].endswith("(saved)")
    assert _fields(reply) == {
        "Daily playlists per user": "2 per day",
        "Refinements per playlist": "1 per playlist",
        "Max songs per playlist": "20",
        "Blends": "on, up to 10 members",
    }
    scope = f"guild:{discord_bot.guild.guild_id}"
    assert await discord_bot.engine.limit_settings(scope) == LimitSettings(
        max_playlists_per_day=2, max_refinements_per_playlist=1, max_songs=20)


async def test_members_then_live_by_the_servers_limits(discord_bot: Harness) -> None:
    await discord_bot.command(ADMIN, "admin", {"daily_playlists": 1, "max_songs": 8}, sub="limits")

    made = await discord_bot.playlist(BOB, "relaxing jazz", None)
    again = await discord_bot.playlist(BOB, "loud rock", 8)

    assert len(track_lines(made)) == 8  # the default (10) capped at this server's maximum
    assert "used your 1 playlist for today" in again.private()[0]["content"]


async def test_admin_limits_without_options_shows_the_current_settings(discord_bot: Harness) -> None:
    exchange = await discord_bot.command(ADMIN, "admin", {}, sub="limits")

    reply = exchange.private()[0]
    assert not reply["embeds"][0]["title"].endswith("(saved)")
    assert _fields(reply)["Daily playlists per user"] == "10 per day"


async def test_switching_a_limit_off_is_shown_and_obeyed(discord_bot: Harness) -> None:
    exchange = await discord_bot.command(ADMIN, "admin", {"playlist_limit": False,
                                                          "daily_playlists": 1}, sub="limits")
    await discord_bot.playlist(BOB)
    second = await discord_bot.playlist(BOB, "loud rock", 5)

    assert _fields(exchange.private()[0])["Daily playlists per user"].startswith("off")
    assert len(track_lines(second)) == 5


async def test_a_member_without_manage_server_is_refused_at_run_time(discord_bot: Harness) -> None:
    # The server may have let everyone see the command; the bot checks again.
    exchange = await discord_bot.command(BOB, "admin", {"daily_playlists": 100}, sub="limits")

    assert [m["content"] for m in exchange.messages()] == [REFUSED]
    assert exchange.private()
    scope = f"guild:{discord_bot.guild.guild_id}"
    assert await discord_bot.engine.limit_settings(scope) == LimitSettings()


async def test_administrator_permission_is_enough(discord_bot: Harness) -> None:
    owner = Person(BOB.id, BOB.name, BOB.permissions | ADMINISTRATOR)
    exchange = await discord_bot.command(owner, "admin", {"max_songs": 30}, sub="limits")

    assert _fields(exchange.private()[0])["Max songs per playlist"] == "30"


async def test_admin_in_a_direct_message_is_refused(discord_bot: Harness) -> None:
    exchange = await discord_bot.command(ADMIN, "admin", {"max_songs": 30}, sub="limits", dm=True)

    assert exchange.private()[0]["content"] == "Server settings can only be changed in a server."


async def test_server_limits_and_quotas_survive_a_restart(tmp_path: Path) -> None:
    harness, stop = await build_harness(tmp_path)
    try:
        await harness.command(ADMIN, "admin", {"daily_playlists": 3}, sub="limits")
        await harness.playlist(BOB, "relaxing jazz", 5)
        await harness.adapter.stop()
        harness.adapter = DiscordAdapter(harness.services, harness.adapter.config)
        await harness.adapter.start()
        exchange = await harness.command(BOB, "limits")
    finally:
        await stop()

    limits = exchange.private()[0]["embeds"][0]["description"]
    assert limits.startswith("**2** of 3 playlists left today;")


async def test_spotify_app_without_spotify_set_up_says_so(discord_bot: Harness) -> None:
    exchange = await discord_bot.command(ADMIN, "admin", {
        "client_id": "a" * 32, "client_secret": "b" * 32}, sub="spotify-app")

    assert "not set up" in exchange.private()[0]["content"]


async def test_spotify_app_is_refused_to_members_too(discord_bot: Harness) -> None:
    exchange = await discord_bot.command(BOB, "admin", {
        "client_id": "a" * 32, "client_secret": "b" * 32}, sub="spotify-app")

    assert exchange.private()[0]["content"] == REFUSED
