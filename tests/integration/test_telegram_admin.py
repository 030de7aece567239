"""Group admins: /settings checked with getChatMember at run time, and the group's own Spotify app."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.telegram_server import ANONYMOUS_ADMIN
from tests.integration.spotify_support import spotify_world
from tests.integration.telegram_support import (
    ALICE,
    ALICE_DM,
    BOB,
    GROUP,
    running_bot,
)
from tests.integration.test_telegram_group import bot_calls
from tests.integration.test_telegram_linking import deep_link_payload
from tests.integration.test_telegram_private import jazz

GID = GROUP["id"]
CHANNEL = {"id": -1009876543210, "type": "channel", "title": "Some Channel"}
APP_ID = "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4"
APP_SECRET = "ffeeddccbbaa99887766554433221100"


async def test_the_group_creator_sees_and_changes_the_limits(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz(), admins=[(GID, ALICE["id"], "creator")]) as bot:
        await bot.say(GROUP, ALICE, "/settings")
        shown = bot.last(GROUP).text
        assert "Limits in Music Club" in shown and "10 per user" in shown
        await bot.say(GROUP, ALICE, "/settings playlists=1 refinements=0 songs=8")
        assert "Saved." in bot.last(GROUP).text and "1 per user" in bot.last(GROUP).text
        member_check = bot.fake.calls_of("getChatMember")[-1].params
        assert member_check == {"chat_id": GID, "user_id": ALICE["id"]}


async def test_an_administrator_may_change_the_limits(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz(),
                           admins=[(GID, BOB["id"], "administrator")]) as bot:
        await bot.say(GROUP, BOB, "/settings songs=12 playlist_limit=off")
        assert "Max songs per playlist: 12" in bot.last(GROUP).text
        assert "Daily playlist limit: off" in bot.last(GROUP).text


async def test_a_plain_member_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz(), admins=[(GID, BOB["id"], "member")]) as bot:
        await bot.say(GROUP, BOB, "/settings playlists=0")
        assert "Only this group's admins" in bot.last(GROUP).text
        settings = await bot.engine.limit_settings(f"chat:{GID}")
        assert settings.max_playlists_per_day == 10


async def test_an_anonymous_admin_posting_as_the_group_may_change_the_limits(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ANONYMOUS_ADMIN, "/settings playlists=4", sender_chat=GROUP)
        assert "4 per user" in bot.last(GROUP).text
        assert bot.fake.calls_of("getChatMember") == []


async def test_a_message_sent_as_another_chat_is_not_an_admin(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ANONYMOUS_ADMIN, "/settings playlists=4", sender_chat=CHANNEL)
        assert "Only this group's admins" in bot.last(GROUP).text


async def test_admin_status_is_checked_at_every_use(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz(), admins=[(GID, ALICE["id"], "creator")]) as bot:
        await bot.say(GROUP, ALICE, "/settings playlists=3")
        bot.fake.set_member(GID, ALICE["id"], "left")
        await bot.say(GROUP, ALICE, "/settings playlists=50")
        assert "Only this group's admins" in bot.last(GROUP).text
        assert (await bot.engine.limit_settings(f"chat:{GID}")).max_playlists_per_day == 3


async def test_settings_in_a_private_chat_point_to_the_group(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(ALICE_DM, ALICE, "/settings playlists=1")
        assert "in the group" in bot.last(ALICE_DM).text


async def test_bad_values_are_refused_with_the_reason(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz(), admins=[(GID, ALICE["id"], "creator")]) as bot:
        await bot.say(GROUP, ALICE, "/settings songs=1000")
        assert "Max songs must be from" in bot.last(GROUP).text
        await bot.say(GROUP, ALICE, "/settings volume=11")
        assert "Unknown setting 'volume'" in bot.last(GROUP).text
        assert (await bot.engine.limit_settings(f"chat:{GID}")).max_songs == 50


async def test_group_limits_apply_to_the_group_only_and_survive_a_restart(tmp_path: Path) -> None:
    admins = [(GID, ALICE["id"], "creator")]
    async with running_bot(tmp_path, catalogue=jazz(), admins=admins) as bot:
        await bot.say(GROUP, ALICE, "/settings playlists=1")
    async with running_bot(tmp_path, catalogue=jazz(), admins=admins) as bot:
        await bot.say(GROUP, BOB, "/playlist calm jazz 5")
        await bot.say(GROUP, BOB, "/playlist calm jazz again 5")
        assert "used your 1 playlist for today" in bot.last(GROUP).text
        await bot.say(ALICE_DM, ALICE, "calm jazz 5")
        assert bot.playlist_message(ALICE_DM)


async def test_reset_returns_to_the_bots_defaults(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz(), admins=[(GID, ALICE["id"], "creator")]) as bot:
        await bot.say(GROUP, ALICE, "/settings playlists=2")
        await bot.say(GROUP, ALICE, "/settings reset")
        assert "reset to the bot's defaults" in bot.last(GROUP).text
        assert (await bot.engine.limit_settings(f"chat:{GID}")).max_playlists_per_day == 10


async def test_commands_are_registered_with_admin_ones_for_chat_administrators(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        calls = bot.fake.calls_of("setMyCommands")
        by_scope = {c.params.get("scope", {}).get("type"): [x["command"] for x in c.params["commands"]]
                    for c in calls}
        assert "settings" not in by_scope["default"]
        assert {"playlist", "refine", "profile", "limits", "status", "link", "unlink",
                "help"} <= set(by_scope["default"])
        assert set(by_scope["all_chat_administrators"]) == {*by_scope["default"], "settings"}


async def test_the_groups_spotify_app_is_given_privately_and_never_echoed(tmp_path: Path) -> None:
    async with spotify_world(tmp_path) as world, running_bot(
        tmp_path, app=world.app, admins=[(GID, ALICE["id"], "administrator")]
    ) as bot:
        await bot.say(GROUP, ALICE, "/settings spotify")
        payload = deep_link_payload(bot.last(GROUP))
        await bot.say(ALICE_DM, ALICE, f"/start {payload}")
        question = bot.last(ALICE_DM)
        assert "client id" in question.text
        await bot.say(ALICE_DM, ALICE, f"{APP_ID} {APP_SECRET}", reply_to=question.message_id)
        secret_message = bot.fake.messages[(ALICE_DM["id"], question.message_id + 1)]
        assert secret_message.deleted
        assert "now uses its own Spotify app" in bot.last(ALICE_DM).text
        assert world.app.linking is not None
        assert (await world.app.linking.scope_app(f"chat:{GID}")).client_id == APP_ID
        said = [c.params for c in bot.fake.calls if c.method in {"sendMessage", "editMessageText"}]
        assert not any(APP_SECRET in str(p) for p in said)
        # Links made from the group now use the group's app.
        world.fake.add_app(APP_ID, APP_SECRET, (world.redirect_uri,))
        await bot.say(GROUP, ALICE, "/link")
        await bot.say(ALICE_DM, ALICE, f"/start {deep_link_payload(bot.last(GROUP))}")
        [url] = [u for u in bot.last(ALICE_DM).links if u.startswith(world.fake.accounts_url)]
        assert f"client_id={APP_ID}" in url


async def test_credentials_from_someone_no_longer_an_admin_are_refused(tmp_path: Path) -> None:
    async with spotify_world(tmp_path) as world, running_bot(
        tmp_path, app=world.app, admins=[(GID, ALICE["id"], "administrator")]
    ) as bot:
        await bot.say(GROUP, ALICE, "/settings spotify")
        await bot.say(ALICE_DM, ALICE, f"/start {deep_link_payload(bot.last(GROUP))}")
        question = bot.last(ALICE_DM)
        bot.fake.set_member(GID, ALICE["id"], "member")
        await bot.say(ALICE_DM, ALICE, f"{APP_ID} {APP_SECRET}", reply_to=question.message_id)
        assert "no longer an admin" in bot.last(ALICE_DM).text
        assert world.app.linking is not None
        assert (await world.app.linking.scope_app(f"chat:{GID}")).client_id != APP_ID
        assert bot.fake.messages[(ALICE_DM["id"], question.message_id + 1)].deleted


async def test_a_member_cannot_get_the_credentials_link(tmp_path: Path) -> None:
    async with spotify_world(tmp_path) as world, running_bot(tmp_path, app=world.app) as bot:
        before = len(bot.fake.calls)
        await bot.say(GROUP, BOB, "/settings spotify")
        assert "Only this group's admins" in bot.last(GROUP).text
        assert "sendMessage" in bot_calls(bot.fake.calls[before:])
        assert not bot.last(GROUP).buttons()
