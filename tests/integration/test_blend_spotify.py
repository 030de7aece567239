"""Blends with Spotify accounts: linked members' top artists count, any member may save.

The wired bot (``bot.app.build_app``) against the fake Spotify, as in test_spotify_linking.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.blend_invites import Blends, BlendView
from core.models import Profile, UserRef
from core.replies import PlaylistReply, TextReply
from tests.integration.spotify_support import World, spotify_world

GROUP = "guild:42"
ALICE = UserRef("chat", "alice", GROUP)
BOB = UserRef("chat", "bob", GROUP)
CAROL = UserRef("chat", "carol", GROUP)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with spotify_world(tmp_path) as running:
        yield running


def blends_of(world: World) -> Blends:
    assert world.app.blends is not None  # the wired bot offers blends
    return world.app.blends


async def made(world: World) -> PlaylistReply:
    blends = blends_of(world)
    view = await blends.open(ALICE, "Alice", "relaxing jazz", 10)
    assert isinstance(view, BlendView)
    await blends.join(view.id, BOB, "Bob")
    reply, _ = await blends.start(view.id, ALICE)
    assert isinstance(reply, PlaylistReply)
    return reply


async def test_a_linked_members_top_artists_join_their_taste_for_the_blend_only(
    world: World,
) -> None:
    await world.link(ALICE, "alice")
    taste = await world.linking.listened_taste(ALICE, Profile(favourite_artists=("Björk",)))

    assert taste.favourite_artists == ("Miles Davis", "Nina Simone", "Björk")
    assert taste.favourite_genres[0] == "jazz"
    assert await world.app.engine.get_profile(ALICE) == Profile()  # nothing was stored
    assert await world.linking.listened_taste(BOB, Profile()) == Profile()  # not linked


async def test_every_member_may_save_the_blend_to_their_own_spotify(world: World) -> None:
    await world.link(ALICE, "alice")
    await world.link(BOB, "bob")
    reply = await made(world)
    draft = reply.playlist.draft_id

    saved = await world.app.actions.save(BOB, draft)
    assert isinstance(saved, TextReply) and not saved.error and saved.link
    [bobs] = world.fake.playlists_of("bob")
    assert bobs.items == [t.uri for t in reply.playlist.tracks]
    assert world.fake.playlists_of("alice") == []  # the starter's account is untouched

    await world.link(CAROL, "alice")  # linked, but not in the blend
    refused = await world.app.actions.save(CAROL, draft)
    assert isinstance(refused, TextReply) and refused.code == "forbidden"
