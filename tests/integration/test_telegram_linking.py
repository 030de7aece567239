"""Linking Spotify from Telegram: private /link, the group deep link, the callback, and saving.

The real Linking, web side and spotipy run against the fake Spotify (tests/fakes/spotify_server.py);
python-telegram-bot runs against the fake Bot API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tests.fakes.telegram_server import BOT_USERNAME, SentMessage
from tests.integration.spotify_support import World, spotify_world
from tests.integration.telegram_support import (
    ALICE,
    ALICE_DM,
    BOB,
    BOB_DM,
    GROUP,
    Bot,
    running_bot,
)
from tests.integration.test_telegram_private import jazz


@asynccontextmanager
async def linked_world(tmp_path: Path) -> AsyncIterator[tuple[World, Bot]]:
    async with spotify_world(tmp_path) as world, running_bot(tmp_path, app=world.app) as bot:
        world.fake.add_user("alice_sp", "Alice S", allow_in=world.spotify_app)
        world.fake.add_user("bob_sp", "Bob S", allow_in=world.spotify_app)
        yield world, bot


def deep_link_payload(message: SentMessage) -> str:
    [button] = message.buttons()
    url = urlparse(button["url"])
    assert (url.scheme, url.netloc, url.path) == ("https", "t.me", f"/{BOT_USERNAME}")
    [payload] = parse_qs(url.query)["start"]
    return payload


def authorisation_url(message: SentMessage, world: World) -> str:
    [url] = [link for link in message.links if link.startswith(world.fake.accounts_url)]
    return url


async def test_link_in_a_private_chat_sends_the_url_and_announces_the_link_there(
    tmp_path: Path,
) -> None:
    async with linked_world(tmp_path) as (world, bot):
        await bot.say(ALICE_DM, ALICE, "/link")
        url = authorisation_url(bot.last(ALICE_DM), world)
        world.fake.login_as = "alice_sp"
        status, page = await world.authorize(url)
        assert status == 200 and "Linked to Spotify as Alice S" in page
        await bot.fake.wait_for(lambda: "linked" in bot.last(ALICE_DM).text.lower()
                                and bot.last(ALICE_DM).text != "")
        assert "Alice S" in bot.last(ALICE_DM).text


async def test_link_in_a_group_answers_with_a_one_time_deep_link_button(tmp_path: Path) -> None:
    async with linked_world(tmp_path) as (world, bot):
        await bot.say(GROUP, ALICE, "/link")
        reply = bot.last(GROUP)
        assert reply.reply_to == 1 and "private" in reply.text
        payload = deep_link_payload(reply)
        assert len(payload) <= 64 and all(c.isalnum() or c in "_-" for c in payload)
        assert not any(link.startswith(world.fake.accounts_url) for link in reply.links)


async def test_the_deep_link_flow_links_privately_and_then_saves_from_the_group(
    tmp_path: Path,
) -> None:
    async with linked_world(tmp_path) as (world, bot):
        await bot.say(GROUP, ALICE, "/link")
        payload = deep_link_payload(bot.last(GROUP))
        await bot.say(ALICE_DM, ALICE, f"/start {payload}")
        url = authorisation_url(bot.last(ALICE_DM), world)
        world.fake.login_as = "alice_sp"
        status, _ = await world.authorize(url)
        assert status == 200
        await bot.fake.wait_for(lambda: "Alice S" in bot.last(ALICE_DM).text)

        await bot.say(GROUP, ALICE, "/playlist relaxing jazz for studying 8")
        playlist = bot.playlist_message(GROUP)
        await bot.press(ALICE, playlist, "Save")
        [saved] = world.fake.playlists_of("alice_sp")
        assert len(saved.items) == 8
        notice = bot.last(GROUP)
        assert notice.text.startswith("Saved ") and "to your Spotify" in notice.text
        assert f"https://open.spotify.com/playlist/{saved.id}" in notice.links


async def test_someone_else_tapping_a_deep_link_gets_nothing_and_it_still_works_for_its_owner(
    tmp_path: Path,
) -> None:
    async with linked_world(tmp_path) as (world, bot):
        await bot.say(GROUP, ALICE, "/link")
        payload = deep_link_payload(bot.last(GROUP))
        await bot.say(BOB_DM, BOB, f"/start {payload}")
        assert "made for someone else" in bot.last(BOB_DM).text
        assert not any(link.startswith(world.fake.accounts_url) for link in bot.last(BOB_DM).links)
        await bot.say(ALICE_DM, ALICE, f"/start {payload}")
        assert authorisation_url(bot.last(ALICE_DM), world)


async def test_a_deep_link_works_only_once(tmp_path: Path) -> None:
    async with linked_world(tmp_path) as (world, bot):
        await bot.say(GROUP, ALICE, "/link")
        payload = deep_link_payload(bot.last(GROUP))
        await bot.say(ALICE_DM, ALICE, f"/start {payload}")
        assert authorisation_url(bot.last(ALICE_DM), world)
        await bot.say(ALICE_DM, ALICE, f"/start {payload}")
        assert "already used" in bot.last(ALICE_DM).text


async def test_a_made_up_start_payload_is_refused_politely(tmp_path: Path) -> None:
    async with linked_world(tmp_path) as (_, bot):
        await bot.say(ALICE_DM, ALICE, "/start link-0123456789abcdef01234567")
        assert "expired" in bot.last(ALICE_DM).text
        await bot.say(ALICE_DM, ALICE, "/start <b>hello</b>")
        assert "expired" in bot.last(ALICE_DM).text


async def test_saving_before_linking_in_a_group_offers_the_deep_link(tmp_path: Path) -> None:
    async with linked_world(tmp_path) as (world, bot):
        await bot.say(GROUP, ALICE, "/playlist relaxing jazz for studying 5")
        await bot.press(ALICE, bot.playlist_message(GROUP), "Save")
        notice = bot.last(GROUP)
        assert "/link" in notice.text
        payload = deep_link_payload(notice)
        await bot.say(ALICE_DM, ALICE, f"/start {payload}")
        assert authorisation_url(bot.last(ALICE_DM), world)
        assert world.fake.playlists_of("alice_sp") == []


async def test_unlink_forgets_the_account(tmp_path: Path) -> None:
    async with linked_world(tmp_path) as (world, bot):
        await bot.say(ALICE_DM, ALICE, "/link")
        world.fake.login_as = "alice_sp"
        await world.authorize(authorisation_url(bot.last(ALICE_DM), world))
        await bot.fake.wait_for(lambda: "Alice S" in bot.last(ALICE_DM).text)
        await bot.say(ALICE_DM, ALICE, "/unlink")
        assert bot.last(ALICE_DM).text == "Your Spotify account is unlinked; its tokens are deleted."
        await bot.say(ALICE_DM, ALICE, "/unlink")
        assert bot.last(ALICE_DM).text == "No Spotify account was linked."


async def test_help_lists_the_account_commands_when_spotify_is_set_up(tmp_path: Path) -> None:
    async with linked_world(tmp_path) as (_, bot):
        await bot.say(ALICE_DM, ALICE, "/help")
        for command in ("/link", "/save", "/taste", "/unlink"):
            assert command in bot.last(ALICE_DM).text


async def test_without_spotify_configured_link_says_so(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(ALICE_DM, ALICE, "/link")
        assert "aren't set up" in bot.last(ALICE_DM).text
        await bot.say(GROUP, ALICE, "/link")
        assert "aren't set up" in bot.last(GROUP).text


async def test_save_and_taste_commands_use_the_linked_account(tmp_path: Path) -> None:
    async with linked_world(tmp_path) as (world, bot):
        world.fake.add_user("alice_jazz", "Alice J", [("Miles Davis", ["jazz", "bebop"])],
                            allow_in=world.spotify_app)
        await bot.say(ALICE_DM, ALICE, "/link")
        world.fake.login_as = "alice_jazz"
        await world.authorize(authorisation_url(bot.last(ALICE_DM), world))
        await bot.fake.wait_for(lambda: "Alice J" in bot.last(ALICE_DM).text)
        await bot.say(ALICE_DM, ALICE, "/taste")
        assert "Imported from Spotify" in bot.last(ALICE_DM).text
        assert "Miles Davis" in bot.last(ALICE_DM).text
        await bot.say(ALICE_DM, ALICE, "relaxing jazz for studying 5")
        await bot.say(ALICE_DM, ALICE, "/save")
        [saved] = world.fake.playlists_of("alice_jazz")
        # The same sentence as the Save button's: the title links the saved playlist.
        assert "to your Spotify" in bot.last(ALICE_DM).text
        assert f"https://open.spotify.com/playlist/{saved.id}" in bot.last(ALICE_DM).links
