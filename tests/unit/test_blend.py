"""Blends: several members' tastes in one playlist, fairly mixed, nobody's dislikes in it.

The mix itself is pure (``core.blend``); the invitation's life (``core.blend_invites``)
runs on the real engine, the offline planner and the demo catalogue.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.ai.offline import OfflineStrategyProvider
from core import wording
from core.actions import Actions
from core.blend import mix, order_as_arc
from core.blend_invites import Blends, BlendView
from core.engine import Engine, EngineConfig
from core.identity import UserKeys
from core.matching import artist_key
from core.models import LimitSettings, Profile, Track, UserRef
from core.replies import PlaylistReply, TextReply, UrisReply
from core.validation import LexicalValidator
from data.catalogue.demo import shared_catalogue
from data.sqlite_store import SqliteStore

GROUP = "guild:42"
ALICE = UserRef("discord", "1", GROUP)
BOB = UserRef("discord", "2", GROUP)
CAROL = UserRef("discord", "3", GROUP)
DAVE = UserRef("discord", "4", GROUP)
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def track(n: int, artist: str, genre: str, *, explicit: bool = False, energy: float = 0.5) -> Track:
    return Track(id=f"{n:022d}", title=f"Song {n}", artists=(artist,), genres=(genre,),
                 explicit=explicit, energy=energy)


def pool(start: int, genre: str, artists: int = 6, per_artist: int = 3) -> list[Track]:
    return [track(start + a * 10 + s, f"{genre} artist {a}", genre, energy=(a + s) / 10)
            for s in range(per_artist) for a in range(artists)]


# --- the mix (pure) ----------------------------------------------------------------------
def test_each_member_gets_a_near_equal_share_of_the_mix() -> None:
    profiles = [Profile(favourite_genres=(g,)) for g in ("jazz", "rock", "metal")]
    result = mix([pool(0, "jazz"), pool(1000, "rock"), pool(2000, "metal")], profiles, 12)
    assert len(result.tracks) == 12
    assert [round(s, 3) for s in result.shares()] == [0.333, 0.333, 0.333]


def test_no_members_disliked_artist_appears_even_from_another_members_pool() -> None:
    alice = Profile(favourite_genres=("jazz",), disliked_artists=("Rock Artist 0",))
    bob = Profile(favourite_genres=("rock",), disliked_artists=("jazz artist 1",))
    result = mix([pool(0, "jazz"), pool(1000, "rock")], [alice, bob], 20)
    artists = {artist_key(t.artist) for t in result.tracks}
    assert artist_key("rock artist 0") not in artists and artist_key("jazz artist 1") not in artists
    assert len(result.tracks) == 20


def test_the_strictest_explicit_setting_wins() -> None:
    tracks = [track(n, f"A{n}", "rap", explicit=n % 2 == 0) for n in range(20)]
    result = mix([tracks, tracks], [Profile(), Profile(explicit_ok=False)], 8)
    assert result.tracks and not any(t.explicit for t in result.tracks)
    allowed = mix([tracks, tracks], [Profile(), Profile()], 8)
    assert any(t.explicit for t in allowed.tracks)


def test_a_track_several_members_like_is_a_shared_favourite_credited_to_each() -> None:
    common = track(999, "Nina Simone", "soul")
    alice = Profile(favourite_artists=("Nina Simone",))
    bob = Profile(favourite_artists=("Nina Simone",))
    result = mix([[*pool(0, "jazz")[:3], common], [*pool(1000, "rock")[:3], common]],
                 [alice, bob], 6)
    credits = dict(zip((t.id for t in result.tracks), result.credits, strict=True))
    assert credits[common.id] == (0, 1)
    assert result.shared == 1 and result.shared_percent == 17


def test_a_member_whose_pool_runs_dry_leaves_the_rest_to_the_others() -> None:
    result = mix([pool(0, "jazz")[:2], pool(1000, "rock")], [Profile(), Profile()], 10)
    assert len(result.tracks) == 10
    assert sum(1 for who in result.credits if who == (0,)) == 2


def test_the_arc_rises_to_a_late_peak_then_winds_down() -> None:
    tracks = [track(n, f"A{n}", "pop", energy=n / 10) for n in range(10)]
    energies = [t.energy for t in order_as_arc(tracks)]
    peak = energies.index(max(e for e in energies if e is not None))
    assert 5 <= peak <= 7
    assert energies[:peak + 1] == sorted(energies[:peak + 1])  # type: ignore[type-var]
    assert energies[peak:] == sorted(energies[peak:], reverse=True)  # type: ignore[type-var]


# --- on the engine, the offline planner and the demo catalogue ------------------------------
def make_blends(store: SqliteStore, clock: list[datetime],
                limits: LimitSettings | None = None) -> tuple[Engine, Blends, Actions]:
    engine = Engine(
        store=store, model=OfflineStrategyProvider(), catalogue=shared_catalogue(),
        validator=LexicalValidator(), keys=UserKeys(b"blend-tests-secret-key-32-bytes!"),
        config=EngineConfig(defaults=limits or LimitSettings(max_playlists_per_day=3)),
        clock=lambda: clock[0],
    )
    blends = Blends(engine, store)
    return engine, blends, Actions(engine, blends=blends)


async def opened(blends: Blends, prompt: str = "", count: int | None = 12) -> BlendView:
    view = await blends.open(ALICE, "Alice", prompt, count)
    assert isinstance(view, BlendView), view
    return view


async def three_tastes(engine: Engine) -> None:
    await engine.set_profile(ALICE, Profile(favourite_genres=("jazz",)))
    await engine.set_profile(BOB, Profile(favourite_genres=("metal",)))
    await engine.set_profile(CAROL, Profile(favourite_genres=("hip hop",)))


async def test_three_members_with_different_genres_each_get_a_fair_share_of_twelve(
    store: SqliteStore,
) -> None:
    engine, blends, _ = make_blends(store, [NOW])
    await three_tastes(engine)
    view = await opened(blends)
    assert (await blends.join(view.id, BOB, "Bob")).outcome == "joined"
    assert (await blends.join(view.id, CAROL, "Carol")).outcome == "joined"

    reply, gone = await blends.start(view.id, ALICE)

    assert isinstance(reply, PlaylistReply) and gone == ()
    tracks = reply.playlist.tracks
    assert len(tracks) == 12
    share = {name: 0.0 for name in ("Alice", "Bob", "Carol")}
    for credit in reply.credits:
        names = [n.strip() for n in credit.replace(" & ", ", ").split(",")]
        for name in names:
            share[name] += 1 / len(names)
    fractions = {name: part / 12 for name, part in share.items()}
    print("blend fairness (3 members, 12 tracks):", {n: round(f, 3) for n, f in fractions.items()},
          reply.summary)
    assert all(0.25 <= f <= 0.42 for f in fractions.values()), fractions
    assert reply.summary.startswith("3 people · ")


async def test_overlapping_tastes_make_shared_favourites_and_stay_fair(store: SqliteStore) -> None:
    engine, blends, _ = make_blends(store, [NOW])
    await engine.set_profile(ALICE, Profile(favourite_genres=("jazz", "soul")))
    await engine.set_profile(BOB, Profile(favourite_genres=("soul", "rock")))
    await engine.set_profile(CAROL, Profile(favourite_genres=("rock", "jazz")))
    view = await opened(blends)
    await blends.join(view.id, BOB, "Bob")
    await blends.join(view.id, CAROL, "Carol")

    reply, _ = await blends.start(view.id, ALICE)

    assert isinstance(reply, PlaylistReply) and len(reply.playlist.tracks) == 12
    shared = [c for c in reply.credits if " & " in c]
    assert shared and reply.summary == f"3 people · {round(100 * len(shared) / 12)}% shared favourites"
    share = dict.fromkeys(("Alice", "Bob", "Carol"), 0.0)
    for credit in reply.credits:
        names = [n.strip() for n in credit.replace(" & ", ", ").split(",")]
        for name in names:
            share[name] += 1 / len(names) / 12
    assert all(0.25 <= f <= 0.42 for f in share.values()), share


async def test_a_blend_is_charged_once_to_its_starter_only(store: SqliteStore) -> None:
    engine, blends, _ = make_blends(store, [NOW])
    await three_tastes(engine)
    view = await opened(blends)
    await blends.join(view.id, BOB, "Bob")
    reply, _ = await blends.start(view.id, ALICE)

    assert isinstance(reply, PlaylistReply)
    assert (await engine.limits_status(ALICE)).playlists_used_today == 1
    assert (await engine.limits_status(BOB)).playlists_used_today == 0


async def test_a_failed_delivery_charges_nothing_and_lets_the_starter_try_again(
    store: SqliteStore,
) -> None:
    engine, blends, _ = make_blends(store, [NOW])
    view = await opened(blends)
    await blends.join(view.id, BOB, "Bob")

    async def refuse(reply: PlaylistReply) -> None:
        raise ConnectionError("chat down")

    with pytest.raises(Exception, match="could not be delivered"):
        await blends.start(view.id, ALICE, deliver=refuse)
    assert (await engine.limits_status(ALICE)).playlists_used_today == 0
    again, _ = await blends.start(view.id, ALICE)
    assert isinstance(again, PlaylistReply)


async def test_disliked_artists_of_any_member_never_reach_the_blend(store: SqliteStore) -> None:
    engine, blends, _ = make_blends(store, [NOW])
    first, _ = await _made(engine, blends)
    assert isinstance(first, PlaylistReply)
    victim = first.playlist.tracks[0].artist
    await engine.set_profile(BOB, Profile(favourite_genres=("metal",), disliked_artists=(victim,)))
    second, _ = await _made(engine, blends)
    assert isinstance(second, PlaylistReply)
    assert artist_key(victim) not in {artist_key(a) for t in second.playlist.tracks
                                      for a in t.artists}


async def _made(engine: Engine, blends: Blends) -> tuple[object, tuple[str, ...]]:
    await engine.set_profile(ALICE, Profile(favourite_genres=("jazz",)))
    view = await opened(blends)
    await blends.join(view.id, BOB, "Bob")
    return await blends.start(view.id, ALICE)


async def test_when_one_member_says_no_explicit_no_track_is_explicit(store: SqliteStore) -> None:
    engine, blends, _ = make_blends(store, [NOW])
    await engine.set_profile(ALICE, Profile(favourite_genres=("hip hop",)))
    await engine.set_profile(BOB, Profile(favourite_genres=("hip hop",), explicit_ok=False))
    view = await opened(blends, count=20)
    await blends.join(view.id, BOB, "Bob")
    reply, _ = await blends.start(view.id, ALICE)
    assert isinstance(reply, PlaylistReply)
    assert reply.playlist.tracks and not any(t.explicit for t in reply.playlist.tracks)


async def test_joining_twice_after_start_or_after_expiry_is_refused_clearly(
    store: SqliteStore,
) -> None:
    clock = [NOW]
    _, blends, _ = make_blends(store, clock)
    view = await opened(blends)
    joined = await blends.join(view.id, BOB, "Bob")
    assert joined.outcome == "joined" and joined.text == wording.BLEND_JOINED_NO_PROFILE()
    again = await blends.join(view.id, BOB, "Bob")
    assert again.outcome == "already" and again.error
    assert (await blends.join(view.id, ALICE, "Alice")).outcome == "already"

    late = await opened(blends)
    clock[0] = NOW + timedelta(minutes=6)
    assert (await blends.join(late.id, CAROL, "Carol")).text == wording.BLEND_EXPIRED()
    assert await blends.expire(late.id) is True
    assert await blends.expire(late.id) is False  # one process edits the message

    clock[0] = NOW
    started = await opened(blends)
    await blends.join(started.id, BOB, "Bob")
    await blends.start(started.id, ALICE)
    assert (await blends.join(started.id, CAROL, "Carol")).text == wording.BLEND_ALREADY_STARTED()


async def test_only_the_starter_may_start_and_a_lone_starter_must_wait(store: SqliteStore) -> None:
    _, blends, _ = make_blends(store, [NOW])
    view = await opened(blends)
    alone, _ = await blends.start(view.id, ALICE)
    assert isinstance(alone, TextReply) and alone.text == wording.BLEND_NEEDS_MEMBERS()
    await blends.join(view.id, BOB, "Bob")
    refused, _ = await blends.start(view.id, BOB)
    assert isinstance(refused, TextReply) and refused.text == wording.blend_not_yours("Alice")


async def test_members_who_left_the_group_are_left_out_and_named(store: SqliteStore) -> None:
    _, blends, _ = make_blends(store, [NOW])
    view = await opened(blends)
    for user, name in ((BOB, "Bob"), (CAROL, "Carol")):
        await blends.join(view.id, user, name)

    async def still_here(user: UserRef) -> bool:
        return user != CAROL

    reply, gone = await blends.start(view.id, ALICE, still_here=still_here)
    assert isinstance(reply, PlaylistReply) and gone == ("Carol",)
    assert all("Carol" not in c for c in reply.credits)


async def test_the_admins_cap_and_switch_are_respected(store: SqliteStore) -> None:
    engine, blends, _ = make_blends(store, [NOW])
    await engine.set_limits(GROUP, LimitSettings(max_blend_members=2))
    view = await opened(blends)
    await blends.join(view.id, BOB, "Bob")
    full = await blends.join(view.id, CAROL, "Carol")
    assert full.outcome == "full" and full.text == wording.blend_full(2)
    too_many = await blends.open(ALICE, "Alice", named=[(BOB, "Bob"), (CAROL, "Carol")])
    assert isinstance(too_many, TextReply) and too_many.text == wording.blend_too_many(2)

    await engine.set_limits(GROUP, LimitSettings(blends_enabled=False))
    off = await blends.open(ALICE, "Alice")
    assert isinstance(off, TextReply) and off.text == wording.BLEND_OFF()
    dm = await blends.open(UserRef("discord", "1", "dm"), "Alice")
    assert isinstance(dm, TextReply) and dm.text == wording.BLEND_GROUP_ONLY()


async def test_any_member_may_open_and_save_the_blend_but_nobody_else(store: SqliteStore) -> None:
    _, blends, actions = make_blends(store, [NOW])
    view = await opened(blends)
    await blends.join(view.id, BOB, "Bob")
    reply, _ = await blends.start(view.id, ALICE)
    assert isinstance(reply, PlaylistReply)
    draft = reply.playlist.draft_id

    saved = await actions.save(BOB, draft)  # no Spotify on this bot: the URIs to paste
    assert isinstance(saved, UrisReply) and saved.playlist.draft_id == draft
    shown = await actions.show(BOB, draft, shared=True)
    assert isinstance(shown, PlaylistReply) and shown.credits and shown.summary
    stranger = await actions.save(DAVE, draft)
    assert isinstance(stranger, TextReply) and stranger.code == "forbidden"
    refine = await actions.refine(BOB, "more energetic", draft)
    assert isinstance(refine, TextReply) and refine.code == "forbidden"


async def test_a_press_naming_another_groups_blend_finds_nothing(store: SqliteStore) -> None:
    _, blends, _ = make_blends(store, [NOW])
    view = await opened(blends)
    elsewhere = UserRef("discord", "2", "guild:99")  # Bob, forging a button in his own server
    joined = await blends.join(view.id, elsewhere, "Bob")
    assert (joined.outcome, joined.text) == ("missing", wording.BLEND_GONE())
    await blends.join(view.id, BOB, "Bob")
    alice_elsewhere = UserRef("discord", "1", "guild:99")
    refused, _ = await blends.start(view.id, alice_elsewhere)
    assert isinstance(refused, TextReply) and refused.text == wording.BLEND_GONE()
    assert blends.start_refusal(await blends.view(view.id), alice_elsewhere) == wording.BLEND_GONE()
