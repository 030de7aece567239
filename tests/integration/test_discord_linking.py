"""Spotify linking and saving from Discord, end to end.

Everything is real except the two services: the wired app (``bot.app``: engine,
linking, Spotify over spotipy, the web side with the OAuth callback) against the
fake Spotify, and the Discord adapter built by ``build_discord_adapter`` against
the fake Discord.  The test plays the user: it types commands, opens the link the
bot sent, consents at "Spotify", and reads what the bot says back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from bot.discord_wiring import build_discord_adapter
from core import wording
from core.models import UserRef
from tests.fakes.discord_server import TOKEN, FakeDiscord, buttons, message_text
from tests.integration.discord_support import (
    ALICE,
    BOB,
    Harness,
    final_message,
    track_lines,
)
from tests.integration.spotify_support import World, spotify_world

DM_SENT = "I've sent you a direct message with the link."


@asynccontextmanager
async def discord_and_spotify(tmp_path: Path) -> AsyncIterator[tuple[World, Harness]]:
    async with FakeDiscord() as fake, spotify_world(
        tmp_path, DISCORD_TOKEN=TOKEN, DISCORD_API_URL=fake.api_url
    ) as world:
        adapter = build_discord_adapter(world.app, bot_options={"guild_ready_timeout": 0.05})
        world.app.notifier.register(adapter)
        await adapter.start()
        try:
            yield world, Harness(fake, adapter, world.app.engine, world.app.store, world.app.catalogue)
        finally:
            await adapter.stop()
        assert fake.spec_errors == [], fake.spec_errors[:5]


def _link_url(message: dict[str, object]) -> str:
    (button,) = buttons(message)  # type: ignore[arg-type]
    assert button["style"] == 5  # a link button: Discord opens it, nothing comes back to the bot
    return str(button["url"])


async def _link(world: World, bot: Harness, person_name: str = "alice") -> None:
    exchange = await bot.command(ALICE, "link")
    assert exchange.private()[0]["content"] == DM_SENT
    world.fake.login_as = person_name
    status, page = await world.authorize(_link_url(bot.fake.dms_to(ALICE.id)[-1]))
    assert status == 200, page
    await bot.fake.wait_for(lambda: "is linked" in message_text(bot.fake.dms_to(ALICE.id)[-1]))


async def test_link_sends_the_sign_in_link_by_direct_message(tmp_path: Path) -> None:
    async with discord_and_spotify(tmp_path) as (world, bot):
        exchange = await bot.command(ALICE, "link")
        (dm,) = bot.fake.dms_to(ALICE.id)

    assert exchange.callback_type == 5 and exchange.public() == []
    assert [m["content"] for m in exchange.messages()] == [DM_SENT]
    url = _link_url(dm)
    assert url.startswith(world.fake.accounts_url + "authorize?")
    query = parse_qs(urlparse(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"][0]
    assert dm["content"] == wording.link_invitation(10)
    assert url not in message_text(exchange.messages()[0])


async def test_with_direct_messages_closed_the_link_comes_in_a_private_reply(tmp_path: Path) -> None:
    async with discord_and_spotify(tmp_path) as (world, bot):
        bot.fake.closed_dms.add(ALICE.id)
        exchange = await bot.command(ALICE, "link")
        delivered = bot.fake.dms_to(ALICE.id)

    assert delivered == []  # Discord refused the DM with 50007
    (reply,) = exchange.messages()
    assert reply in exchange.private()
    assert reply["content"].startswith("Your direct messages are closed")
    assert _link_url(reply).startswith(world.fake.accounts_url + "authorize?")


async def test_completing_the_link_is_announced_by_direct_message(tmp_path: Path) -> None:
    async with discord_and_spotify(tmp_path) as (world, bot):
        await _link(world, bot)
        linked = await world.linking.linked_account(UserRef("discord", str(ALICE.id), "dm"))
        last = bot.fake.dms_to(ALICE.id)[-1]

    assert linked is not None and linked.display_name == "Alice"
    assert last["content"].startswith("Your Spotify account Alice is linked.")


async def test_with_dms_closed_the_link_is_announced_on_the_next_command(tmp_path: Path) -> None:
    async with discord_and_spotify(tmp_path) as (world, bot):
        bot.fake.closed_dms.add(ALICE.id)
        asked = await bot.command(ALICE, "link")
        world.fake.login_as = "alice"
        status, _ = await world.authorize(_link_url(asked.private()[0]))
        next_command = await bot.command(ALICE, "limits")
        later = await bot.command(ALICE, "limits")

    assert status == 200
    notices = [m["content"] for m in next_command.private() if m["content"]]
    assert len(notices) == 1 and notices[0].startswith("Your Spotify account Alice is linked.")
    assert [m["content"] for m in later.private() if m["content"]] == []  # shown once


async def test_save_puts_the_playlist_in_the_users_spotify_and_saving_again_updates_it(
    tmp_path: Path,
) -> None:
    async with discord_and_spotify(tmp_path) as (world, bot):
        await _link(world, bot)
        made = await bot.playlist(ALICE, "relaxing jazz for studying", 10)
        first = await bot.click(ALICE, final_message(made), "Save to Spotify")
        second = await bot.click(ALICE, final_message(made), "Save to Spotify")
        saved = world.fake.playlists_of("alice")

    assert first.callback_type == 5 and first.public() == []
    (reply,) = first.private()
    title = final_message(made)["embeds"][0]["title"]
    assert reply["content"] == wording.saved(title)
    (button,) = buttons(reply)
    assert button["label"] == title and button["url"] == buttons(second.private()[0])[0]["url"]
    (playlist,) = saved
    wanted = [line.split("/track/")[1].split(")")[0] for line in track_lines(made)]
    assert playlist.items == [f"spotify:track:{i}" for i in wanted]


async def test_save_before_linking_says_how_to_link(tmp_path: Path) -> None:
    async with discord_and_spotify(tmp_path) as (_, bot):
        made = await bot.playlist(ALICE, "relaxing jazz for studying", 5)
        exchange = await bot.click(ALICE, final_message(made), "Save to Spotify")

    assert exchange.public() == []
    assert "/link" in exchange.private()[0]["content"]


async def test_the_save_command_saves_the_latest_playlist_here(tmp_path: Path) -> None:
    async with discord_and_spotify(tmp_path) as (world, bot):
        await _link(world, bot)
        made = await bot.playlist(ALICE, "upbeat pop for a party", 5)
        exchange = await bot.command(ALICE, "save")
        saved = world.fake.playlists_of("alice")

    title = final_message(made)["embeds"][0]["title"]
    assert exchange.private()[0]["content"] == wording.saved(title)
    assert len(saved) == 1 and len(saved[0].items) == 5


async def test_unlink_removes_the_link_and_says_so(tmp_path: Path) -> None:
    async with discord_and_spotify(tmp_path) as (world, bot):
        await _link(world, bot)
        first = await bot.command(ALICE, "unlink")
        second = await bot.command(ALICE, "unlink")
        linked = await world.linking.linked_account(UserRef("discord", str(ALICE.id), "dm"))

    assert first.private()[0]["content"] == "Your Spotify account is unlinked; its tokens are deleted."
    assert second.private()[0]["content"] == "No Spotify account was linked."
    assert linked is None


async def test_taste_imports_top_artists_into_the_profile(tmp_path: Path) -> None:
    async with discord_and_spotify(tmp_path) as (world, bot):
        await _link(world, bot)
        exchange = await bot.command(ALICE, "taste")

    embed = exchange.private()[0]["embeds"][0]
    assert embed["title"] == "Imported from Spotify"
    assert "Miles Davis" in embed["description"] and "Nina Simone" in embed["description"]


async def test_an_admin_sets_the_servers_spotify_app_and_links_then_use_it(tmp_path: Path) -> None:
    client_id, secret = "ab12" * 8, "cd34" * 8
    async with discord_and_spotify(tmp_path) as (world, bot):
        world.fake.add_app(client_id, secret, (world.redirect_uri,))
        exchange = await bot.command(ALICE.as_admin(), "admin", {
            "client_id": client_id, "client_secret": secret}, sub="spotify-app")
        await bot.command(BOB, "link")
        url = _link_url(bot.fake.dms_to(BOB.id)[-1])

    reply = exchange.private()[0]["content"]
    assert reply.startswith("Saved.") and "…ab12" in reply and secret not in reply
    assert parse_qs(urlparse(url).query)["client_id"] == [client_id]


async def test_a_malformed_spotify_app_is_refused_with_a_reason(tmp_path: Path) -> None:
    async with discord_and_spotify(tmp_path) as (_, bot):
        exchange = await bot.command(ALICE.as_admin(), "admin", {
            "client_id": "not an id", "client_secret": "x"}, sub="spotify-app")

    assert "doesn't look like a Spotify client id" in exchange.private()[0]["content"]
