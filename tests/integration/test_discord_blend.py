"""/blend on Discord: the invitation, Join and Start, the mix, and who may press what.

The real discord.py bot against the fake Discord, with the real engine, the offline
planner and the everyday catalogue (40 tracks in each of five genres).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core import wording
from core.models import LimitSettings, Profile, UserRef
from tests.fakes.discord_server import Exchange, Person, buttons, message_text
from tests.integration.discord_support import (
    ALICE,
    BOB,
    Harness,
    build_harness,
    final_message,
    running_bot,
    track_lines,
)

CAROL = Person(1_500_000_000_000_000_033, "carol")
DAVE = Person(1_500_000_000_000_000_044, "dave")


@pytest.fixture
async def discord_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(tmp_path) as harness:
        yield harness


def ref(harness: Harness, person: Person) -> UserRef:
    return UserRef("discord", str(person.id), f"guild:{harness.guild.guild_id}")


async def tastes(harness: Harness) -> None:
    engine = harness.engine
    await engine.set_profile(ref(harness, ALICE), Profile(favourite_genres=("jazz",)))
    await engine.set_profile(ref(harness, BOB), Profile(favourite_genres=("rock",)))
    await engine.set_profile(ref(harness, CAROL), Profile(favourite_genres=("soul",)))


async def invite(harness: Harness, **options: Any) -> dict[str, Any]:
    made = await harness.command(ALICE, "blend", {"occasion": "road trip", "count": 12, **options})
    (message,) = made.public()
    return dict(message)  # as first posted (the fake edits its own copy)


async def press(harness: Harness, person: Person, invitation: dict[str, Any], label: str) -> Exchange:
    current = harness.fake.messages.get(int(invitation["id"]), invitation)
    return await harness.click(person, current, label)


def private_texts(exchange: Exchange) -> list[str]:
    return [m["content"] for m in exchange.private()]


async def test_blend_posts_an_invitation_with_join_and_start_buttons(discord_bot: Harness) -> None:
    invitation = await invite(discord_bot)

    text = message_text(invitation)
    assert "**Alice** is making a blend for *road trip*" in text
    assert wording.blend_members("Alice", 1, 10) in text
    assert [b["label"] for b in buttons(invitation)] == ["Join", "Start"]


async def test_join_updates_the_invitation_and_tells_the_member_privately(
    discord_bot: Harness,
) -> None:
    invitation = await invite(discord_bot)
    joined = await press(discord_bot, BOB, invitation, "Join")

    assert joined.callback_type == 7  # the invitation, edited in place
    current = discord_bot.fake.messages[int(invitation["id"])]
    assert wording.blend_members("Alice, Bob", 2, 10) in message_text(current)
    # Bob has no profile yet: told privately how to set one, and in with a neutral taste.
    assert private_texts(joined) == [wording.BLEND_JOINED_NO_PROFILE()]

    again = await press(discord_bot, BOB, invitation, "Join")
    assert private_texts(again) == [wording.BLEND_ALREADY_IN()]


async def test_only_the_starter_may_press_start(discord_bot: Harness) -> None:
    invitation = await invite(discord_bot)
    await press(discord_bot, BOB, invitation, "Join")
    refused = await press(discord_bot, BOB, invitation, "Start")

    assert private_texts(refused) == [wording.blend_not_yours("Alice")]
    assert buttons(discord_bot.fake.messages[int(invitation["id"])])  # still open


async def test_start_posts_the_blend_with_credits_without_pinging_and_charges_the_starter_once(
    discord_bot: Harness,
) -> None:
    await tastes(discord_bot)
    invitation = await invite(discord_bot)
    await press(discord_bot, BOB, invitation, "Join")
    await press(discord_bot, CAROL, invitation, "Join")
    started = await press(discord_bot, ALICE, invitation, "Start")

    closed = discord_bot.fake.messages[int(invitation["id"])]
    assert message_text(closed).startswith(wording.BLEND_STARTED_NOTICE())
    assert buttons(closed) == []
    lines = track_lines(started)
    assert len(lines) == 12
    names = {"Alice", "Bob", "Carol"}
    assert all(any(n in line for n in names) for line in lines)
    playlist = final_message(started)
    assert "👥 3 people · " in playlist["embeds"][0]["description"]
    assert [b["label"] for b in buttons(playlist)][:1] == ["Refine"]
    # Names as text: no mention syntax anywhere, and every message the bot sent allowed none.
    bodies = [c.body for c in discord_bot.fake.calls
              if c.method in ("POST", "PATCH") and isinstance(c.body, dict)]
    assert not any("<@" in str(body) for body in bodies)
    sent = [b for b in bodies if "content" in b or "embeds" in b
            or "content" in (b.get("data") or {})]
    assert sent and all(
        (b.get("allowed_mentions") or (b.get("data") or {}).get("allowed_mentions"))
        == {"parse": []} for b in sent)

    alice, bob = ref(discord_bot, ALICE), ref(discord_bot, BOB)
    assert (await discord_bot.engine.limits_status(alice)).playlists_used_today == 1
    assert (await discord_bot.engine.limits_status(bob)).playlists_used_today == 0

    late = await discord_bot.click(DAVE, invitation, "Join")  # an old copy with its buttons
    assert private_texts(late) == [wording.BLEND_ALREADY_STARTED()]


async def test_any_member_may_save_the_blend_but_not_someone_outside_it(
    discord_bot: Harness,
) -> None:
    invitation = await invite(discord_bot)
    await press(discord_bot, BOB, invitation, "Join")
    started = await press(discord_bot, ALICE, invitation, "Start")
    playlist = final_message(started)

    saved = await discord_bot.click(BOB, playlist, "Save to Spotify")
    (reply,) = saved.private()
    assert reply["content"] == wording.SAVE_NOT_SET_UP()  # no Spotify here: the URIs to paste
    assert reply["embeds"][0]["description"].count("spotify:track:") == 12
    outsider = await discord_bot.click(DAVE, playlist, "Save to Spotify")
    assert private_texts(outsider) == [wording.NOT_YOUR_PLAYLIST()]
    regenerate = await discord_bot.click(BOB, playlist, "Regenerate")
    assert private_texts(regenerate) == [wording.NOT_YOUR_PLAYLIST()]


async def test_named_members_are_in_at_once_told_by_dm_and_left_out_if_they_left(
    discord_bot: Harness,
) -> None:
    invitation = await invite(discord_bot, member1=BOB, member2=CAROL)
    assert wording.blend_members("Alice, Bob, Carol", 3, 10) in message_text(invitation)
    assert [m["content"] for m in discord_bot.fake.dms_to(BOB.id)] == [
        wording.BLEND_NO_PROFILE_NOTICE()]

    discord_bot.fake.departed.add(CAROL.id)
    started = await press(discord_bot, ALICE, invitation, "Start")

    assert private_texts(started) == [wording.blend_left("Carol")]
    assert len(track_lines(started)) == 12
    assert not any("Carol" in line for line in track_lines(started))


async def test_an_invitation_nobody_started_expires_and_says_so(tmp_path: Path) -> None:
    async with running_bot(tmp_path, blend_window=timedelta(seconds=0.4)) as harness:
        invitation = await invite(harness)
        message_id = int(invitation["id"])
        await harness.fake.wait_for(lambda: message_text(harness.fake.messages[message_id])
                                    .startswith(wording.BLEND_EXPIRED_NOTICE()), 5)
        assert buttons(harness.fake.messages[message_id]) == []
        late = await harness.click(BOB, invitation, "Join")  # an old copy with its buttons
        assert private_texts(late) == [wording.BLEND_EXPIRED()]


async def test_admins_can_switch_blends_off(discord_bot: Harness) -> None:
    admin = ALICE.as_admin()
    changed = await discord_bot.command(admin, "admin", {"blends": False, "blend_members": 4},
                                        sub="limits")
    fields = changed.private()[0]["embeds"][0]["fields"]
    assert {"name": wording.SETTING_BLENDS(), "value": wording.blend_state(False, 4),
            "inline": False} in fields

    refused = await discord_bot.command(ALICE, "blend", {"occasion": "road trip"})
    assert private_texts(refused) == [wording.BLEND_OFF()] and refused.public() == []


async def test_blend_in_a_direct_message_is_refused(discord_bot: Harness) -> None:
    refused = await discord_bot.command(ALICE, "blend", {"occasion": "road trip"}, dm=True)
    assert refused.public() == []


async def test_a_second_bot_process_on_the_same_database_answers_a_join(tmp_path: Path) -> None:
    first, stop_first = await build_harness(tmp_path)
    try:
        invitation = await invite(first)
        # Another process on the same database connects; Discord now sends it the presses.
        second, _ = await build_harness(tmp_path / "second", fake=first.fake,
                                        store_path=tmp_path / "echotuner.db")
        try:
            joined = await press(second, BOB, invitation, "Join")
            assert joined.callback_type == 7
            assert private_texts(joined) == [wording.BLEND_JOINED_NO_PROFILE()]
            assert wording.blend_members("Alice, Bob", 2, 10) in message_text(
                first.fake.messages[int(invitation["id"])])
            blend = await first.services.actions.blends.view(1)  # type: ignore[union-attr]
            assert blend is not None and blend.blend.names == ("Alice", "Bob")

            started = await press(second, ALICE, invitation, "Start")
            assert len(track_lines(started)) == 12
            assert any("Bob" in line for line in track_lines(started))
        finally:
            # Its process stops; the fake (shared) stops with the first one, every socket closed.
            await second.adapter.stop()
            await second.store.close()
    finally:
        await stop_first()
    assert first.fake.spec_errors == []


async def test_a_start_refused_by_the_quota_charges_nothing_and_reopens_the_invitation(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, defaults=LimitSettings(max_playlists_per_day=1)) as harness:
        invitation = await invite(harness)
        await press(harness, BOB, invitation, "Join")
        await harness.playlist(ALICE, "relaxing jazz", 5)  # Alice spends today's playlist

        refused = await press(harness, ALICE, invitation, "Start")

        assert [m["content"] for m in refused.private()][-1].startswith(
            "You have used your 1 playlist for today")
        reopened = harness.fake.messages[int(invitation["id"])]
        assert [b["label"] for b in buttons(reopened)] == ["Join", "Start"]
        assert wording.blend_members("Alice, Bob", 2, 10) in message_text(reopened)
        alice = ref(harness, ALICE)
        assert (await harness.engine.limits_status(alice)).playlists_used_today == 1

        again = await harness.command(ALICE, "blend", {"occasion": "road trip"})
        assert private_texts(again) == [wording.BLEND_NO_PLAYLISTS_LEFT()]
