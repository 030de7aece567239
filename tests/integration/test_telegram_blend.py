"""/blend in a Telegram group: the invitation, Join and Start, the mix, and who may press what.

python-telegram-bot against the fake Bot API, with the real engine, the offline planner
and the demo catalogue.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core import wording
from core.models import LimitSettings, Profile, UserRef
from tests.fakes.telegram_server import SentMessage, tg_user
from tests.integration.telegram_support import ALICE, ALICE_DM, BOB, GROUP, Bot, running_bot

CAROL = tg_user(1003, "Carol", "carol")
DAVE = tg_user(1004, "Dave", "dave")


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(tmp_path) as running:
        yield running


def ref(user: dict[str, Any]) -> UserRef:
    return UserRef("telegram", str(user["id"]), f"chat:{GROUP['id']}")


async def invite(bot: Bot, text: str = "/blend road trip") -> SentMessage:
    await bot.say(GROUP, ALICE, text)
    invitation = dataclasses.replace(bot.last(GROUP))  # as first posted (the fake edits its own)
    assert [b["text"] for b in invitation.buttons()] == ["➕ Join", "▶️ Start"]
    return invitation


async def press(bot: Bot, user: dict[str, Any], invitation: SentMessage, label: str) -> dict[str, Any]:
    """Presses a button of the invitation as first posted; the callback answer."""
    query_id = await bot.press(user, invitation, label)
    return bot.fake.callback_answers[query_id]


def now_showing(bot: Bot, invitation: SentMessage) -> SentMessage:
    return bot.fake.messages[(invitation.chat_id, invitation.message_id)]


async def test_blend_posts_an_invitation_naming_the_starter_and_occasion(bot: Bot) -> None:
    invitation = await invite(bot)
    assert "Alice is making a blend for road trip" in invitation.text
    assert "<b>Alice</b>" in invitation.html and "<i>road trip</i>" in invitation.html
    assert wording.blend_members("Alice", 1, 10) in invitation.text


async def test_blend_in_a_private_chat_is_refused(bot: Bot) -> None:
    await bot.say(ALICE_DM, ALICE, "/blend road trip")
    assert bot.last(ALICE_DM).text.endswith(wording.BLEND_GROUP_ONLY())


async def test_join_updates_the_invitation_and_answers_privately(bot: Bot) -> None:
    invitation = await invite(bot)
    joined = await press(bot, BOB, invitation, "Join")

    # Bob has no profile: told privately (an alert) how to set one; in with a neutral taste.
    assert joined["text"] == wording.BLEND_JOINED_NO_PROFILE()[:200]
    assert joined["show_alert"] is True
    assert wording.blend_members("Alice, Bob", 2, 10) in now_showing(bot, invitation).text

    again = await press(bot, BOB, invitation, "Join")
    assert (again["text"], again["show_alert"]) == (wording.BLEND_ALREADY_IN(), True)


async def test_start_by_someone_else_is_refused_privately(bot: Bot) -> None:
    invitation = await invite(bot)
    await press(bot, BOB, invitation, "Join")
    refused = await press(bot, BOB, invitation, "Start")
    assert (refused["text"], refused["show_alert"]) == (wording.blend_not_yours("Alice"), True)
    assert now_showing(bot, invitation).buttons()  # still open


async def test_start_posts_the_blend_with_credits_no_mentions_and_charges_once(bot: Bot) -> None:
    await bot.engine.set_profile(ref(ALICE), Profile(favourite_genres=("jazz",)))
    await bot.engine.set_profile(ref(BOB), Profile(favourite_genres=("metal",)))
    await bot.engine.set_profile(ref(CAROL), Profile(favourite_genres=("hip hop",)))
    invitation = await invite(bot)
    assert (await press(bot, BOB, invitation, "Join"))["text"] == wording.BLEND_JOINED()
    await press(bot, CAROL, invitation, "Join")
    await press(bot, ALICE, invitation, "Start")

    closed = now_showing(bot, invitation)
    assert closed.text.startswith(wording.BLEND_STARTED_NOTICE()) and closed.buttons() == []
    playlist = bot.playlist_message(GROUP)
    assert "👥 3 people · " in playlist.text
    tracks = [line for line in playlist.text.splitlines() if re.match(r"[0-9]{1,2}\. ", line)]
    assert [int(line.split(".")[0]) for line in tracks] == list(range(1, 21))  # the default
    assert all(any(n in line for n in ("Alice", "Bob", "Carol")) for line in tracks)
    assert not any(link.startswith("tg://") for m in bot.view(GROUP) for link in m.links)
    assert (await bot.engine.limits_status(ref(ALICE))).playlists_used_today == 1
    assert (await bot.engine.limits_status(ref(BOB))).playlists_used_today == 0

    late = await press(bot, DAVE, invitation, "Join")
    assert (late["text"], late["show_alert"]) == (wording.BLEND_ALREADY_STARTED(), True)


async def test_a_member_may_save_the_blend_but_an_outsider_may_not(bot: Bot) -> None:
    invitation = await invite(bot)
    await press(bot, BOB, invitation, "Join")
    await press(bot, ALICE, invitation, "Start")
    playlist = bot.playlist_message(GROUP)

    query_id = await bot.press(BOB, playlist, "Save")
    assert bot.fake.callback_answers[query_id].get("show_alert") is not True
    assert "spotify:track:" in bot.last(GROUP).text  # no Spotify here: the URIs instead
    outsider = await bot.press(DAVE, playlist, "Save")
    assert bot.fake.callback_answers[outsider]["text"] == wording.NOT_YOUR_PLAYLIST()
    regenerate = await bot.press(BOB, playlist, "Regenerate")
    assert bot.fake.callback_answers[regenerate]["text"] == wording.NOT_YOUR_PLAYLIST()


async def test_a_member_who_left_the_group_is_left_out_and_named(bot: Bot) -> None:
    invitation = await invite(bot)
    await press(bot, BOB, invitation, "Join")
    await press(bot, CAROL, invitation, "Join")
    bot.fake.set_member(GROUP["id"], CAROL["id"], "left")
    await press(bot, ALICE, invitation, "Start")

    texts = [m.text for m in bot.view(GROUP)]
    assert wording.blend_left("Carol") in texts
    assert "Carol" not in bot.playlist_message(GROUP).text.split("\n", 3)[-1]


async def test_an_invitation_nobody_started_expires_and_says_so(tmp_path: Path) -> None:
    async with running_bot(tmp_path, blend_window=timedelta(seconds=0.4)) as bot:
        invitation = await invite(bot)
        await bot.fake.wait_for(lambda: now_showing(bot, invitation).text.startswith(
            wording.BLEND_EXPIRED_NOTICE()), 5)
        assert now_showing(bot, invitation).buttons() == []
        late = await press(bot, BOB, invitation, "Join")
        assert (late["text"], late["show_alert"]) == (wording.BLEND_EXPIRED(), True)


async def test_group_admins_can_switch_blends_off(tmp_path: Path) -> None:
    async with running_bot(tmp_path, admins=[(GROUP["id"], ALICE["id"], "creator")]) as bot:
        await bot.say(GROUP, ALICE, "/settings blends=off blend_members=3")
        assert wording.settings_blends(False, 3, "blends=on|off, blend_members=") in bot.last(
            GROUP).text
        await bot.say(GROUP, BOB, "/blend road trip")
        assert bot.last(GROUP).text.endswith(wording.BLEND_OFF())


async def test_a_second_bot_process_on_the_same_database_answers_a_join(tmp_path: Path) -> None:
    database = tmp_path / "telegram.db"
    async with running_bot(tmp_path) as first, running_bot(tmp_path / "two",
                                                          store_path=database) as second:
        invitation = await invite(first)
        # Telegram hands the press to the other process (a webhook worker, a replica).
        second.fake.messages[(invitation.chat_id, invitation.message_id)] = invitation
        query_id, update_id = second.fake.press(BOB, invitation,
                                                invitation.button("Join")["callback_data"])
        await second.settle(update_id)
        assert second.fake.callback_answers[query_id]["text"] == (
            wording.BLEND_JOINED_NO_PROFILE()[:200])
        assert wording.blend_members("Alice, Bob", 2, 10) in now_showing(second, invitation).text

        await asyncio.sleep(0)
        await press(first, ALICE, invitation, "Start")
        playlist = first.playlist_message(GROUP)
        assert "Bob" in playlist.text and "👥 2 people" in playlist.text


async def test_a_start_refused_by_the_quota_charges_nothing_and_reopens_the_invitation(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, limits=LimitSettings(max_playlists_per_day=1)) as bot:
        invitation = await invite(bot)
        await press(bot, BOB, invitation, "Join")
        await bot.say(GROUP, ALICE, "/playlist relaxing jazz 5")  # today's one playlist

        await press(bot, ALICE, invitation, "Start")

        assert "You have used your 1 playlist for today" in bot.last(GROUP).text
        reopened = now_showing(bot, invitation)
        assert [b["text"] for b in reopened.buttons()] == ["➕ Join", "▶️ Start"]
        assert (await bot.engine.limits_status(ref(ALICE))).playlists_used_today == 1
