"""Discord spread over processes: each runs its range of one AutoShardedBot's shards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.app import build_app
from bot.discord_wiring import build_discord_adapter, discord_config
from bot.settings import Settings, SettingsError, load_settings, parse_shard_ids
from tests.fakes.discord_server import TOKEN, FakeDiscord, Interactions
from tests.integration.discord_support import ALICE


def settings_for(fake: FakeDiscord, tmp_path: Path, **extra: str) -> Settings:
    return load_settings({
        "DISCORD_TOKEN": TOKEN, "DISCORD_API_URL": fake.api_url, "AI_PROVIDERS": "offline",
        "DATABASE_FILENAME": str(tmp_path / "discord.db"), **extra,
    }, env_file=None)


@pytest.mark.slow  # discord.py waits 5 s between two identifies, as Discord asks
async def test_a_process_with_shards_2_and_3_of_4_identifies_exactly_those_and_serves_them(
    tmp_path: Path,
) -> None:
    async with FakeDiscord(shards=4) as fake:
        settings = settings_for(fake, tmp_path, DISCORD_SHARD_COUNT="4", DISCORD_SHARD_IDS="2-3",
                                DISCORD_SYNC_COMMANDS="false")
        async with build_app(settings) as app:
            adapter = build_discord_adapter(app, bot_options={"guild_ready_timeout": 0.05})
            await adapter.start()
            try:
                assert sorted(i["shard"] for i in fake.identifies) == [[2, 4], [3, 4]]
                # A server whose id puts it on shard 2: ((id >> 22) % 4) == 2.
                guild = Interactions(guild_id=(2 << 22) | (1 << 40))
                exchange = await fake.send(guild.command(ALICE, "limits"))
                await fake.wait_for(lambda: bool(exchange.messages()), 15)
                assert "playlist" in exchange.text().lower()
            finally:
                await adapter.stop()
    assert fake.commands == {}  # DISCORD_SYNC_COMMANDS=false: another process syncs
    assert fake.spec_errors == []


async def test_command_sync_is_skipped_when_switched_off(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        settings = settings_for(fake, tmp_path, DISCORD_SYNC_COMMANDS="false")
        async with build_app(settings) as app:
            adapter = build_discord_adapter(app, bot_options={"guild_ready_timeout": 0.05})
            await adapter.start()
            await adapter.stop()
    assert fake.requests("PUT", r"/commands$") == []
    assert [i["shard"] for i in fake.identifies] == [[0, 1]]


async def test_commands_are_synced_by_default(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        async with build_app(settings_for(fake, tmp_path)) as app:
            adapter = build_discord_adapter(app, bot_options={"guild_ready_timeout": 0.05})
            await adapter.start()
            await adapter.stop()
    assert {c["name"] for c in fake.commands[None]} >= {"playlist", "limits"}


@pytest.mark.parametrize(("text", "ids"), [
    ("", ()), ("0-3", (0, 1, 2, 3)), ("4,5,6", (4, 5, 6)), ("0-1, 6", (0, 1, 6)), ("3,3,2", (2, 3)),
])
def test_shard_ids_are_a_range_or_a_list(text: str, ids: tuple[int, ...]) -> None:
    assert parse_shard_ids(text) == ids


@pytest.mark.parametrize(("env", "message"), [
    ({"DISCORD_SHARD_IDS": "0-1"}, "needs DISCORD_SHARD_COUNT"),
    ({"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": "3-4"}, "numbered 0 to 3"),
    ({"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": "a-b"}, "range such as 0-3"),
    ({"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": "3-1"}, "backwards"),
])
def test_bad_shard_settings_are_refused_with_a_clear_message(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env, env_file=None)


def test_shard_options_follow_the_settings() -> None:
    settings = load_settings({"DISCORD_SHARD_COUNT": "8", "DISCORD_SHARD_IDS": "0,2"}, env_file=None)
    assert discord_config(settings).bot_options() == {
        "sync_commands": True, "shard_count": 8, "shard_ids": [0, 2]}
    assert discord_config(load_settings({}, env_file=None)).bot_options() == {"sync_commands": True}


async def test_the_composition_root_registers_the_discord_health_check(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        async with build_app(settings_for(fake, tmp_path)) as app:
            build_discord_adapter(app, bot_options={"guild_ready_timeout": 0.05})
            health = await app.engine.health()

    (discord,) = [d for d in health.dependencies if d.name == "discord"]
    assert not discord.ok and discord.detail == "not connected"  # built, not started


def test_the_discord_adapter_imports_nothing_from_the_composition_root() -> None:
    package = Path(__file__).parents[2] / "adapters" / "discord"
    imported: set[str] = set()
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)

    assert "adapters.discord.interact" in imported  # the walk sees the package's own imports
    assert sorted(m for m in imported if m == "bot" or m.startswith("bot.")) == []
