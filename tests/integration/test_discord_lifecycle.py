"""Starting and stopping the Discord adapter, sharding, command sync and unprompted messages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.adapter import DiscordAdapter, DiscordConfig
from adapters.discord.services import Services
from core.models import UserRef
from core.replies import TextReply
from tests.fakes.discord_server import TOKEN, FakeDiscord, Interactions
from tests.integration.discord_support import (
    ALICE,
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

GUILDS = (1_200_000_000_000_000_001, 1_200_000_000_000_000_002)


async def test_start_returns_ready_and_stop_closes_the_gateway_and_restores_discord_py(
    tmp_path: Path,
) -> None:
    before = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    harness, stop = await build_harness(tmp_path)
    bot = harness.adapter.bot
    assert bot is not None and bot.is_ready()
    assert Route.BASE == harness.fake.api_url
    assert str(DiscordWebSocket.DEFAULT_GATEWAY) == harness.fake.gateway_url
    (identify,) = harness.fake.identifies
    assert identify["token"] == TOKEN and identify["intents"] == 1  # guilds only
    assert identify["shard"] == [0, 1]

    await stop()
    assert bot.is_closed()
    assert (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY) == before


async def test_commands_sync_to_the_configured_servers_for_fast_development(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        services = Services(actions=None)  # type: ignore[arg-type]  # no command runs here
        adapter = DiscordAdapter(services, DiscordConfig(
            TOKEN, api_url=fake.api_url, guild_ids=GUILDS,
            client_options={"guild_ready_timeout": 0.05}))
        await adapter.start()
        await adapter.stop()

    assert set(fake.commands) == set(GUILDS)  # nothing global
    for guild in GUILDS:
        assert {c["name"] for c in fake.commands[guild]} >= {"playlist", "admin", "profile"}
        assert all(c["guild_id"] == str(guild) for c in fake.commands[guild])
    assert fake.spec_errors == []


async def test_a_bad_token_stops_start_with_a_clear_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = Route.BASE
    async with FakeDiscord() as fake:
        adapter = DiscordAdapter(Services(actions=None),  # type: ignore[arg-type]
                                 DiscordConfig("not-the-token", api_url=fake.api_url))
        with pytest.raises(discord.LoginFailure):
            await adapter.start()

    assert "Discord refused DISCORD_TOKEN" in caplog.text
    assert "not-the-token" not in caplog.text
    assert Route.BASE == before


async def test_a_failed_command_sync_is_logged_and_the_bot_still_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeDiscord()
    fake.fail_next("PUT", r"/commands$", 403, 50001, "Missing Access")
    with caplog.at_level(logging.ERROR):
        harness, stop = await build_harness(tmp_path, fake=fake)
    try:
        exchange = await harness.playlist(ALICE, "relaxing jazz", 5)
    finally:
        await stop()

    assert "command sync failed (403 50001)" in caplog.text
    assert len(track_lines(exchange)) == 5


@pytest.mark.slow  # discord.py waits 5 s between identifies, as Discord asks
async def test_two_shards_identify_separately_and_each_serves_its_servers(tmp_path: Path) -> None:
    harness, stop = await build_harness(tmp_path, fake=FakeDiscord(shards=2))
    try:
        shards = sorted(i["shard"] for i in harness.fake.identifies)
        # A server whose id puts it on shard 1: ((id >> 22) % 2) == 1.
        guild = Interactions(guild_id=(1 << 22) | (1 << 40))
        exchange = await harness.run(guild.command(ALICE, "playlist", {"prompt": "jazz", "count": 5}))
    finally:
        await stop()

    assert shards == [[0, 2], [1, 2]]
    assert len(track_lines(exchange)) == 5


async def test_unprompted_messages_go_to_a_dm_or_a_channel_without_pinging(
    discord_bot: Harness,
) -> None:
    adapter = discord_bot.adapter
    await adapter.send(f"dm:{ALICE.id}", TextReply("Your Spotify account is linked. @everyone"))
    await adapter.send("channel:1200000000000000101", TextReply("Maintenance at 10:00"))

    (dm,) = discord_bot.fake.dms_to(ALICE.id)
    assert dm["content"] == "Your Spotify account is linked. @\u200beveryone"
    (posted,) = discord_bot.fake.channel_messages(1_200_000_000_000_000_101)
    assert posted["content"] == "Maintenance at 10:00"
    assert all(b["allowed_mentions"]["parse"] == [] for b in discord_bot.fake.message_bodies())
    with pytest.raises(ValueError, match="not a Discord conversation"):
        await adapter.send("telegram:42", TextReply("hello"))


async def test_an_unprompted_dm_to_closed_dms_waits_for_the_next_command(
    discord_bot: Harness,
) -> None:
    discord_bot.fake.closed_dms.add(ALICE.id)
    await discord_bot.adapter.send(f"dm:{ALICE.id}", TextReply("Your Spotify account is linked."))
    exchange = await discord_bot.playlist(ALICE, "relaxing jazz", 5)

    assert len(track_lines(exchange)) == 5
    notes = [m["content"] for m in exchange.private()]
    assert notes == ["Your Spotify account is linked."]


async def test_stop_lets_a_command_in_progress_finish_first(tmp_path: Path) -> None:
    harness, stop = await build_harness(tmp_path)
    harness.catalogue.latency = 0.05
    try:
        exchange = await harness.fake.send(harness.guild.command(
            ALICE, "playlist", {"prompt": "relaxing jazz", "count": 10}))
        await harness.fake.wait_for(lambda: bool(exchange.callbacks))
        await harness.adapter.stop()  # SIGTERM arrives while the playlist is being made
        finished = final_message(exchange)
    finally:
        await stop()

    assert finished["embeds"] and len(track_lines(exchange)) == 10


async def test_stop_waits_only_so_long_for_a_stuck_command_and_says_so(tmp_path: Path) -> None:
    harness, stop = await build_harness(tmp_path)
    harness.adapter.drain_timeout_s = 0.2
    harness.catalogue.latency = 30
    alice = UserRef("discord", str(ALICE.id), f"guild:{harness.guild.guild_id}")
    try:
        exchange = await harness.fake.send(harness.guild.command(
            ALICE, "playlist", {"prompt": "relaxing jazz", "count": 10}))
        await harness.fake.wait_for(lambda: bool(exchange.callbacks))
        started = asyncio.get_running_loop().time()
        await harness.adapter.stop()
        took = asyncio.get_running_loop().time() - started
        status = await harness.engine.limits_status(alice)
    finally:
        await stop()

    assert took < 5
    assert exchange.public() == []
    assert exchange.private()[0]["content"].startswith("EchoTuner is restarting")
    assert status.playlists_used_today == 0  # the interrupted playlist was refunded


async def test_a_command_discord_knows_but_this_bot_does_not_is_answered_privately(
    discord_bot: Harness,
) -> None:
    exchange = await discord_bot.command(ALICE, "dance", {"style": "tango"})

    assert exchange.private()[0]["content"] == "That command has changed; please try again in a minute."
