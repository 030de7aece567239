"""The conversation layer: each verb answers one typed reply, with one error policy."""

from __future__ import annotations

import logging

import pytest

from core import wording
from core.actions import Actions
from core.errors import DeliveryFailed
from core.models import Conversation, LimitSettings
from core.replies import (
    HealthReply,
    LimitsReply,
    PlaylistReply,
    ProfileReply,
    SettingsReply,
    TextReply,
    UrisReply,
    is_error,
)
from data.sqlite_store import SqliteStore
from tests.unit.test_engine import ALICE, BOB, make_engine


@pytest.fixture
def actions(store: SqliteStore) -> Actions:
    return Actions(make_engine(store, limits=LimitSettings(max_playlists_per_day=2)))


async def test_playlist_answers_a_playlist_reply(actions: Actions) -> None:
    reply = await actions.playlist(ALICE, "calm jazz for studying", 10)
    assert isinstance(reply, PlaylistReply)
    assert len(reply.playlist.tracks) == 10


async def test_a_refusal_is_answered_with_its_own_message_and_code(actions: Actions) -> None:
    reply = await actions.playlist(ALICE, "what is the capital of France")
    assert isinstance(reply, TextReply) and reply.error
    assert reply.code == "not_about_music"


async def test_an_unexpected_failure_is_logged_once_and_answered_with_one_apology(
    actions: Actions, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(actions.engine, "limits_status", broken)
    with caplog.at_level(logging.ERROR):
        reply = await actions.limits(ALICE)
    assert reply == TextReply(wording.SORRY(), error=True, code="internal")
    assert [r.getMessage() for r in caplog.records] == ["limits failed"]


async def test_a_failed_delivery_propagates_and_charges_nothing(actions: Actions) -> None:
    async def refuse(reply: PlaylistReply) -> None:
        raise ConnectionError("chat is down")

    with pytest.raises(DeliveryFailed):
        await actions.playlist(ALICE, "calm jazz for studying", 10, deliver=refuse)
    limits = await actions.limits(ALICE)
    assert isinstance(limits, LimitsReply) and limits.status.playlists_used_today == 0


async def test_deliver_is_handed_the_reply_the_verb_returns(actions: Actions) -> None:
    handed: list[PlaylistReply] = []

    async def keep(reply: PlaylistReply) -> None:
        handed.append(reply)

    reply = await actions.playlist(ALICE, "calm jazz for studying", 10, deliver=keep)
    assert handed == [reply]


async def test_refine_and_regenerate_answer_new_versions(actions: Actions) -> None:
    first = await actions.playlist(ALICE, "calm jazz for studying", 10)
    refined = await actions.refine(ALICE, "more energetic")
    assert isinstance(first, PlaylistReply) and isinstance(refined, PlaylistReply)
    regenerated = await actions.regenerate(ALICE, first.playlist.draft_id)
    assert isinstance(regenerated, PlaylistReply)
    assert regenerated.playlist.version == refined.playlist.version + 1


async def test_someone_elses_playlist_is_refused(actions: Actions) -> None:
    first = await actions.playlist(ALICE, "calm jazz for studying", 10)
    assert isinstance(first, PlaylistReply)
    reply = await actions.uris(BOB, first.playlist.draft_id)
    assert is_error(reply) and isinstance(reply, TextReply) and reply.code == "forbidden"


async def test_save_without_spotify_accounts_offers_the_uris(actions: Actions) -> None:
    first = await actions.playlist(ALICE, "calm jazz for studying", 10)
    reply = await actions.save(ALICE)
    assert isinstance(first, PlaylistReply) and isinstance(reply, UrisReply)
    assert reply.note == wording.SAVE_NOT_SET_UP()
    assert reply.playlist.tracks == first.playlist.tracks


@pytest.mark.parametrize("verb", ["unlink", "import_taste"])
async def test_account_verbs_without_spotify_say_it_is_not_set_up(actions: Actions, verb: str) -> None:
    reply = await getattr(actions, verb)(ALICE)
    assert reply == TextReply(wording.SPOTIFY_NOT_SET_UP(), error=True, code="not_configured")


async def test_link_without_spotify_says_it_is_not_set_up(actions: Actions) -> None:
    reply = await actions.link(ALICE, Conversation("console", "alice"), private=True)
    assert isinstance(reply, TextReply) and reply.text == wording.SPOTIFY_NOT_SET_UP()


async def test_profile_verbs_answer_the_profile_with_a_heading(actions: Actions) -> None:
    saved = await actions.profile_set(ALICE, {"genres": "jazz,soul", "energy": "0.4"})
    assert isinstance(saved, ProfileReply) and saved.heading == wording.PROFILE_SAVED()
    assert saved.profile.favourite_genres == ("jazz", "soul")
    shown = await actions.profile_show(ALICE)
    assert isinstance(shown, ProfileReply) and shown.profile == saved.profile
    reset = await actions.profile_reset(ALICE)
    assert isinstance(reset, ProfileReply) and reset.profile.is_default


async def test_profile_set_with_nothing_to_change_says_how(actions: Actions) -> None:
    reply = await actions.profile_set(ALICE, {})
    assert reply == TextReply(wording.PROFILE_NOTHING_TO_CHANGE(), error=True, code="invalid_input")


async def test_status_answers_health(actions: Actions) -> None:
    assert isinstance(await actions.status(), HealthReply)


async def test_admin_settings_are_saved_and_reset(actions: Actions) -> None:
    changed = await actions.settings_set("guild:1", "Jazz Club", LimitSettings(max_songs=30))
    assert isinstance(changed, SettingsReply) and changed.changed and changed.settings.max_songs == 30
    reset = await actions.settings_reset("guild:1", "Jazz Club")
    assert isinstance(reset, SettingsReply) and reset.settings == actions.engine.config.defaults


async def test_uris_and_save_act_on_the_version_asked_for(actions: Actions) -> None:
    first = await actions.playlist(ALICE, "calm jazz for studying", 10)
    await actions.refine(ALICE, "more energetic")
    assert isinstance(first, PlaylistReply)
    uris = await actions.uris(ALICE, first.playlist.draft_id, version=1)
    saved = await actions.save(ALICE, first.playlist.draft_id, version=1)
    assert isinstance(uris, UrisReply) and isinstance(saved, UrisReply)
    assert uris.playlist.tracks == saved.playlist.tracks == first.playlist.tracks
