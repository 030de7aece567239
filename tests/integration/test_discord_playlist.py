"""``/playlist`` and ``/refine`` on Discord, as the person who typed them sees the answers.

The real discord.py bot runs against the fake Discord (REST + gateway); the engine
is the real one on SQLite with the offline planner.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from core.models import LimitSettings, Track
from tests.fakes.discord_server import EPHEMERAL, buttons, message_text
from tests.integration.discord_support import (
    ALICE,
    Harness,
    build_harness,
    final_message,
    make_track,
    running_bot,
    track_lines,
)


@pytest.fixture
async def discord_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The running bot with a fake Discord and the everyday catalogue."""
    async with running_bot(tmp_path) as harness:
        yield harness


async def test_playlist_defers_at_once_then_answers_with_an_embed_and_four_buttons(
    discord_bot: Harness,
) -> None:
    exchange = await discord_bot.playlist(ALICE, "relaxing jazz for studying", 10)

    assert exchange.callback_type == 5  # "thinking", public: Discord's 3-second rule is met
    message = final_message(exchange)
    assert not message["flags"] & EPHEMERAL
    embed = message["embeds"][0]
    assert embed["title"] == "Relaxing Jazz for Studying"
    assert embed["description"].startswith("> relaxing jazz for studying")
    lines = track_lines(exchange)
    assert len(lines) == 10
    assert lines[0].startswith("`1.` [Jazz Song")
    assert "](https://open.spotify.com/track/" in lines[0] and "— Jazz Artist" in lines[0]
    footer = message["embeds"][-1]["footer"]["text"]
    assert "10 tracks" in footer and "planned by offline" in footer and "fake catalogue" in footer
    draft = (await discord_bot.engine.limits_status(_alice_in_guild(discord_bot))).latest_draft_id
    assert [(b["label"], b["custom_id"]) for b in buttons(message)] == [
        ("Refine", f"et:refine:v1:{draft}"),
        ("Regenerate", f"et:regen:v1:{draft}"),
        ("Save to Spotify", f"et:save:v1:{draft}"),
        ("Show URIs", f"et:uris:v1:{draft}"),
    ]


async def test_progress_is_shown_by_editing_the_deferred_reply_before_the_answer(
    discord_bot: Harness,
) -> None:
    exchange = await discord_bot.playlist(ALICE)

    contents = [state["content"] for state in exchange.original_history if not state["embeds"]]
    assert any(c.startswith("⏳ Working on it:") for c in contents), contents
    final = exchange.original_history[-1]
    assert final["content"] == "" and final["embeds"]


async def test_a_prompt_that_is_not_about_music_is_refused_privately_and_nothing_is_charged(
    discord_bot: Harness,
) -> None:
    exchange = await discord_bot.playlist(ALICE, "what is the capital of France")

    assert exchange.public() == []  # the public "thinking" message is gone
    (reply,) = exchange.private()
    assert "music" in reply["content"].lower()
    status = await discord_bot.engine.limits_status(_alice_in_guild(discord_bot))
    assert status.playlists_used_today == 0


async def test_a_count_over_the_servers_maximum_is_refused_privately(discord_bot: Harness) -> None:
    exchange = await discord_bot.playlist(ALICE, "relaxing jazz", 60)

    assert exchange.public() == []
    assert "5 to 50 songs; you asked for 60" in exchange.private()[0]["content"]


async def test_no_message_can_ping_anyone_even_with_everyone_in_the_prompt_and_track_names(
    discord_bot: Harness,
) -> None:
    exchange = await discord_bot.playlist(ALICE, "@everyone @here jazz for <@123456789012345678>", 10)

    bodies = discord_bot.fake.message_bodies()
    assert bodies
    assert all(body.get("allowed_mentions", {}).get("parse") == [] for body in bodies), bodies
    assert all(not body.get("allowed_mentions", {}).get("users") for body in bodies)
    shown = exchange.text()
    assert "@\u200beveryone @\u200bhere" in shown
    assert "@\u200beveryone listen" in shown  # the track called "@everyone listen 4"
    assert "@everyone" not in shown


async def test_markdown_in_track_names_is_shown_literally(discord_bot: Harness) -> None:
    exchange = await discord_bot.playlist(ALICE, "relaxing jazz", 10)

    line = next(line for line in track_lines(exchange) if "Bold" in line)
    assert r"\*Bold\* \_claim\_ \`jazz\` \~\~3\~\~ \|\| spoiler \|\|" in line


def _long_tracks() -> list[Track]:
    tracks = []
    for n in range(1, 61):
        title = f"Jazz {n} " + "A Very Long Title With _Underscores_ And *Stars* 🎷 " * 4
        artists = [f"Artist Number {n}-{k} With A Long Name " * 2 for k in range(3)]
        tracks.append(make_track(n, title.strip(), artists, "jazz"))
    return tracks


async def test_fifty_tracks_with_long_names_stay_within_every_discord_limit(tmp_path: Path) -> None:
    harness, stop = await build_harness(tmp_path, tracks=_long_tracks())
    try:
        exchange = await harness.playlist(ALICE, "relaxing jazz", 50)
    finally:
        await stop()

    messages = exchange.messages()
    assert len(messages) >= 2  # more than 6000 characters: split over messages
    for message in messages:
        embeds = message["embeds"]
        assert 1 <= len(embeds) <= 10
        total = 0
        for embed in embeds:
            assert _units(embed.get("title") or "") <= 256
            assert _units(embed.get("description") or "") <= 4096
            assert len(embed.get("fields") or []) <= 25
            for f in embed.get("fields") or []:
                assert _units(f["name"]) <= 256 and _units(f["value"]) <= 1024
            assert _units((embed.get("footer") or {}).get("text") or "") <= 2048
            total += _embed_units(embed)
        assert total <= 6000
    numbers = [int(line[1:line.index(".")]) for line in track_lines(exchange)]
    assert numbers == list(range(1, 51))
    assert [bool(buttons(m)) for m in messages] == [False] * (len(messages) - 1) + [True]
    assert harness.fake.spec_errors == []


async def test_the_bot_works_in_a_direct_message(discord_bot: Harness) -> None:
    exchange = await discord_bot.playlist(ALICE, "upbeat rock for a run", 8, dm=True)

    assert len(track_lines(exchange)) == 8
    status = await discord_bot.engine.limits_status(_alice(scope="dm"))
    assert status.playlists_used_today == 1


async def test_refine_makes_a_new_version_of_the_latest_playlist_here(discord_bot: Harness) -> None:
    await discord_bot.playlist(ALICE, "relaxing jazz for studying", 10)
    exchange = await discord_bot.command(ALICE, "refine", {"feedback": "more energetic, no ballads"})

    message = final_message(exchange)
    assert "Refined with: *more energetic, no ballads*" in message["embeds"][0]["description"]
    assert "version 2" in message["embeds"][-1]["footer"]["text"]
    assert len(track_lines(exchange)) == 10


async def test_refine_without_a_playlist_says_so_privately(discord_bot: Harness) -> None:
    exchange = await discord_bot.command(ALICE, "refine", {"feedback": "more energetic"})

    assert exchange.public() == []
    assert "can't find that playlist" in exchange.private()[0]["content"]


async def test_a_user_over_the_daily_limit_is_told_when_it_resets(tmp_path: Path) -> None:
    harness, stop = await build_harness(tmp_path, defaults=LimitSettings(max_playlists_per_day=1))
    try:
        await harness.playlist(ALICE)
        exchange = await harness.playlist(ALICE, "sad soul songs")
    finally:
        await stop()

    assert exchange.public() == []
    assert "used your 1 playlist for today" in exchange.private()[0]["content"]


async def test_an_unexpected_failure_is_logged_and_answered_plainly_with_nothing_charged(
    discord_bot: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> list[Track]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(discord_bot.catalogue, "search", broken)
    with caplog.at_level(logging.ERROR):
        exchange = await discord_bot.playlist(ALICE)

    assert exchange.public() == []
    assert exchange.private()[0]["content"] == (
        "Something went wrong on our side; nothing was charged. Please try again."
    )
    assert "disk on fire" in caplog.text
    status = await discord_bot.engine.limits_status(_alice_in_guild(discord_bot))
    assert status.playlists_used_today == 0


async def test_a_failing_catalogue_is_reported_without_charging(discord_bot: Harness) -> None:
    discord_bot.catalogue.fail = True
    exchange = await discord_bot.playlist(ALICE)

    assert exchange.public() == []
    assert "nothing was charged" in exchange.private()[0]["content"]
    status = await discord_bot.engine.limits_status(_alice_in_guild(discord_bot))
    assert status.playlists_used_today == 0


async def test_work_slower_than_the_interaction_token_lives_is_posted_in_the_channel(
    tmp_path: Path,
) -> None:
    clock = [0.0]
    harness, stop = await build_harness(tmp_path, services_options={"monotonic": lambda: clock[0]})
    original_search = harness.catalogue.search

    async def slow_search(*args: Any, **kwargs: Any) -> list[Track]:
        clock[0] += 20 * 60  # each search "takes" twenty minutes
        return await original_search(*args, **kwargs)

    harness.catalogue.search = slow_search  # type: ignore[method-assign]
    try:
        exchange = await harness.playlist(ALICE, "relaxing jazz", 10)
        channel = harness.fake.channel_messages(harness.guild.channel_id)
    finally:
        await stop()

    assert not any(state["embeds"] for state in exchange.original_history)
    (posted,) = channel
    assert "took longer than Discord lets a reply wait" in posted["content"]
    assert posted["embeds"][0]["title"] == "Relaxing Jazz"
    assert [b["label"] for b in buttons(posted)][-1] == "Show URIs"


async def test_when_discord_says_the_token_is_gone_the_answer_goes_to_the_channel(
    discord_bot: Harness,
) -> None:
    fake = discord_bot.fake
    fake.fail_next("PATCH", r"/messages/@original$", 401, 50027, "Invalid Webhook Token", times=100)
    await discord_bot.playlist(ALICE, "relaxing jazz", 10)

    (posted,) = fake.channel_messages(discord_bot.guild.channel_id)
    assert "Relaxing Jazz" in message_text(posted)
    assert buttons(posted)


async def test_discord_rate_limits_are_waited_out_by_discord_py(discord_bot: Harness) -> None:
    fake = discord_bot.fake
    fake.rate_limit_next("PATCH", r"/messages/@original$", retry_after=0.05, times=1)
    exchange = await discord_bot.playlist(ALICE, "relaxing jazz", 10)

    statuses = [c.status for c in fake.requests("PATCH", r"/messages/@original$")]
    assert statuses[0] == 429 and statuses[-1] == 200
    assert final_message(exchange)["embeds"]


async def test_a_discord_outage_page_is_retried_by_discord_py(discord_bot: Harness) -> None:
    discord_bot.fake.malformed_next("PATCH", r"/messages/@original$", times=1)
    exchange = await discord_bot.playlist(ALICE, "relaxing jazz", 5)

    statuses = [c.status for c in discord_bot.fake.requests("PATCH", r"/messages/@original$")]
    assert statuses[0] == 502 and statuses[-1] == 200
    assert len(track_lines(exchange)) == 5


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _embed_units(embed: dict[str, Any]) -> int:
    total = _units(embed.get("title") or "") + _units(embed.get("description") or "")
    total += _units((embed.get("footer") or {}).get("text") or "")
    total += _units((embed.get("author") or {}).get("name") or "")
    for f in embed.get("fields") or []:
        total += _units(f["name"]) + _units(f["value"])
    return total


def _alice(scope: str) -> Any:
    from core.models import UserRef

    return UserRef("discord", str(ALICE.id), scope)


def _alice_in_guild(harness: Harness) -> Any:
    return _alice(f"guild:{harness.guild.guild_id}")
