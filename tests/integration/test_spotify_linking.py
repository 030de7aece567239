"""Linking, saving and taste import: Linking -> spotipy -> the fake Spotify, and back via the web callback."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from core.errors import DraftNotFound, NotLinked, NotYourPlaylist
from core.linking import PROVIDER
from core.models import Conversation, DraftVersion, Strategy, Track
from tests.integration.spotify_support import ALICE, BOB, CATALOGUE, World, spotify_world


@pytest.fixture
async def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with spotify_world(tmp_path) as w:
        yield w


async def linked_account_count(world: World) -> int:
    return sum([await world.linking.linked_account(u) is not None for u in (ALICE, BOB)])


# --- the whole journey ------------------------------------------------------------------------
async def test_link_generate_and_save_puts_exactly_those_tracks_in_order_in_spotify(
    world: World,
) -> None:
    world.fake.login_as = "alice"
    url = await world.linking.link_start(ALICE, Conversation("chat", "alice-dm"))
    assert url.startswith(world.fake.accounts_url + "authorize?")
    status, page = await world.authorize(url)
    assert status == 200 and "Linked to Spotify as Alice" in page
    assert world.chat.sent and world.chat.sent[0][0] == "alice-dm"
    assert "is linked" in world.chat.sent[0][1].text

    playlist = await world.app.engine.generate(ALICE, "relaxing jazz for studying", 15)
    assert playlist.catalogue == "spotify" and len(playlist.tracks) == 15
    link = await world.linking.save(ALICE, playlist.draft_id)

    [saved] = world.fake.playlists_of("alice")
    assert link == f"https://open.spotify.com/playlist/{saved.id}"
    assert saved.items == [t.uri for t in playlist.tracks]
    assert saved.name == playlist.title and "relaxing jazz for studying" in saved.description
    assert saved.public is False


async def test_saving_the_same_draft_twice_updates_the_same_playlist(world: World) -> None:
    await world.link(ALICE, "alice")
    first = await world.app.engine.generate(ALICE, "upbeat indie rock for a morning run", 10)
    url1 = await world.linking.save(ALICE, first.draft_id)
    refined = await world.app.engine.refine(ALICE, "more energetic", first.draft_id)
    url2 = await world.linking.save(ALICE, refined.draft_id)
    assert url1 == url2
    [saved] = world.fake.playlists_of("alice")
    assert saved.items == [t.uri for t in refined.tracks]
    assert ("POST", "/v1/me/playlists") in world.fake.requests


async def test_a_playlist_deleted_on_spotify_is_created_again_on_the_next_save(world: World) -> None:
    await world.link(ALICE, "alice")
    playlist = await world.app.engine.generate(ALICE, "calm piano for reading", 10)
    await world.linking.save(ALICE, playlist.draft_id)
    world.fake.playlists.clear()
    url = await world.linking.save(ALICE, playlist.draft_id)
    [again] = world.fake.playlists_of("alice")
    assert url.endswith(again.id) and len(again.items) == 10


async def store_draft(world: World, tracks: tuple[Track, ...], owner=ALICE) -> int:  # type: ignore[no-untyped-def]
    engine = world.app.engine
    now = engine._clock()
    version = DraftVersion(1, "Long one", Strategy(title="Long one", genres=("rock",)), tracks,
                           "test", "spotify", len(tracks), now)
    return await engine.store.create_draft(engine.keys.key(owner), engine.keys.scope_key(owner.scope),
                                           "a very long playlist", version, now + engine.config.draft_ttl)


async def test_a_playlist_of_250_tracks_is_saved_in_batches_of_at_most_100_in_order(
    world: World,
) -> None:
    await world.link(ALICE, "alice")
    tracks: list[Track] = []
    for offset in range(0, 300, 10):
        tracks += await CATALOGUE.search('genre:"rock"', limit=10, offset=offset)
    tracks = list({t.id: t for t in tracks}.values())[:250]
    assert len(tracks) == 250
    draft_id = await store_draft(world, tuple(tracks))
    await world.linking.save(ALICE, draft_id)
    [saved] = world.fake.playlists_of("alice")
    assert saved.items == [t.uri for t in tracks]
    adds = [r for r in world.fake.requests if r[1].endswith("/items")]
    assert len(adds) == 3  # 100 + 100 + 50

    # Saving again replaces: PUT the first hundred, POST the rest; still exactly 250.
    await world.linking.save(ALICE, draft_id)
    assert world.fake.playlists_of("alice")[0].items == [t.uri for t in tracks]


async def test_a_track_id_that_is_not_22_base62_characters_never_reaches_spotify(
    world: World,
) -> None:
    await world.link(ALICE, "alice")
    good = (await CATALOGUE.search('genre:"jazz"', limit=3))
    bad = [Track(id="4uLU6hMCjMI75M1A2tKUQ", title="Too short", artists=("X",)),
           Track(id="../../me/playlists/xx", title="Path", artists=("Y",)),
           Track(id="4uLU6hMCjMI75M1A2tKUQC!", title="Punctuation", artists=("Z",))]
    draft_id = await store_draft(world, (good[0], *bad, *good[1:]))
    await world.linking.save(ALICE, draft_id)
    [saved] = world.fake.playlists_of("alice")
    assert saved.items == [t.uri for t in good]


async def test_saving_someone_elses_draft_is_refused(world: World) -> None:
    await world.link(ALICE, "alice")
    await world.link(BOB, "bob")
    playlist = await world.app.engine.generate(BOB, "sad songs for a rainy day", 10)
    with pytest.raises(NotYourPlaylist):
        await world.linking.save(ALICE, playlist.draft_id)
    with pytest.raises(DraftNotFound):
        await world.linking.save(ALICE, 987654)
    assert world.fake.playlists_of("alice") == []


async def test_saving_without_a_link_says_to_link(world: World) -> None:
    playlist = await world.app.engine.generate(ALICE, "relaxing jazz for studying", 10)
    with pytest.raises(NotLinked, match="/link"):
        await world.linking.save(ALICE, playlist.draft_id)


# --- callback faults ------------------------------------------------------------------------
@pytest.mark.parametrize("params", [{}, {"code": "abc"}, {"state": "", "code": "abc"},
                                    {"state": "forged-state-forged-state-forged", "code": "x"},
                                    {"state": "a" * 5000, "code": "x"}])
async def test_a_callback_without_a_valid_state_writes_nothing(
    world: World, params: dict[str, str]
) -> None:
    status, page = await world.callback(**params)
    assert status == 400 and "nothing was linked" in page
    assert await linked_account_count(world) == 0 and world.chat.sent == []


async def test_a_replayed_callback_is_refused_and_the_first_link_stands(world: World) -> None:
    world.fake.login_as = "alice"
    url = await world.linking.link_start(ALICE, Conversation("chat", "alice"))
    state, code = await world.code_for(url)
    assert (await world.callback(state=state, code=code))[0] == 200
    status, page = await world.callback(state=state, code=code)
    assert status == 400 and "already used" in page
    assert (await world.linking.linked_account(ALICE)) is not None
    assert len(world.chat.sent) == 1


async def test_another_users_state_with_my_code_links_nobody(world: World) -> None:
    # Alice's state arrives with the code Spotify issued for Bob's sign-in: PKCE refuses it.
    world.fake.login_as = "bob"
    url_alice = await world.linking.link_start(ALICE, Conversation("chat", "alice"))
    url_bob = await world.linking.link_start(BOB, Conversation("chat", "bob"))
    state_alice, _ = await world.code_for(url_alice)
    _, code_bob = await world.code_for(url_bob)
    status, page = await world.callback(state=state_alice, code=code_bob)
    assert status == 400 and "didn't work" in page
    assert await linked_account_count(world) == 0


async def test_denied_consent_links_nothing_and_tells_the_user(world: World) -> None:
    world.fake.consent = "deny"
    url = await world.linking.link_start(ALICE, Conversation("chat", "alice"))
    status, page = await world.authorize(url)
    assert status == 400 and "didn't allow access" in page
    assert await world.linking.linked_account(ALICE) is None
    assert "didn't allow" in world.chat.sent[0][1].text


async def test_an_expired_state_writes_nothing(world: World) -> None:
    world.fake.login_as = "alice"
    linking = world.linking
    url = await linking.link_start(ALICE, Conversation("chat", "alice"))
    state, code = await world.code_for(url)
    real_clock = linking._clock
    linking._clock = lambda: real_clock() + linking.state_ttl  # type: ignore[method-assign]
    status, page = await world.callback(state=state, code=code)
    assert status == 400 and "expired" in page
    assert await linking.linked_account(ALICE) is None


async def test_the_callback_page_echoes_no_code_state_or_token(world: World) -> None:
    world.fake.login_as = "alice"
    url = await world.linking.link_start(ALICE, Conversation("chat", "alice"))
    state, code = await world.code_for(url)
    async with world.http.get(world.redirect_uri, params={"state": state, "code": code}) as r:
        page = await r.text()
        headers = r.headers
    assert state not in page and code not in page
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "script-src" not in headers["Content-Security-Policy"]


async def test_a_sixth_user_of_a_development_mode_app_is_told_why(world: World) -> None:
    for n in range(3):
        world.fake.add_user(f"friend{n}", allow_in=world.spotify_app)
    world.fake.add_user("stranger")  # not on the app's allow-list (it is full)
    with pytest.raises(ValueError):
        world.spotify_app.allow("stranger")
    world.fake.login_as = "stranger"
    url = await world.linking.link_start(ALICE, Conversation("chat", "alice"))
    status, page = await world.authorize(url)
    assert status == 400 and "five" in page
    assert await world.linking.linked_account(ALICE) is None


# --- tokens -------------------------------------------------------------------------------
async def test_tokens_are_encrypted_at_rest_with_a_0600_key_file(world: World, tmp_path: Path) -> None:
    await world.link(ALICE, "alice")
    key_file = tmp_path / "echotuner.db.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    grant_tokens = list(world.fake._grants) + list(world.fake._tokens)
    with sqlite3.connect(tmp_path / "echotuner.db") as raw:
        dump = "\n".join(raw.iterdump())
        blob = raw.execute("SELECT token_blob FROM linked_accounts").fetchone()[0]
    assert all(token not in dump for token in grant_tokens)
    assert all(token.encode() not in bytes(blob) for token in grant_tokens)


async def test_an_expired_access_token_is_refreshed_and_the_rotated_refresh_token_kept(
    world: World,
) -> None:
    await world.link(ALICE, "alice")
    before = dict(world.fake._grants)
    world.fake.expire_access_tokens()
    playlist = await world.app.engine.generate(ALICE, "relaxing jazz for studying", 10)
    await world.linking.save(ALICE, playlist.draft_id)
    assert world.fake.token_requests["refresh_token"] == 1
    assert set(world.fake._grants).isdisjoint(before)  # rotated: the old one is dead
    # The stored (rotated) refresh token works: expire again and save again.
    world.fake.expire_access_tokens()
    await world.linking.save(ALICE, playlist.draft_id)
    assert world.fake.token_requests["refresh_token"] == 2


async def test_a_revoked_refresh_token_asks_to_link_again_and_drops_the_link(world: World) -> None:
    await world.link(ALICE, "alice")
    playlist = await world.app.engine.generate(ALICE, "relaxing jazz for studying", 10)
    world.fake.revoke("alice")
    with pytest.raises(NotLinked, match="link"):
        await world.linking.save(ALICE, playlist.draft_id)
    assert await world.linking.linked_account(ALICE) is None
    with pytest.raises(NotLinked):
        await world.linking.save(ALICE, playlist.draft_id)


async def test_six_months_after_consent_the_link_has_expired(world: World) -> None:
    await world.link(ALICE, "alice")
    playlist = await world.app.engine.generate(ALICE, "relaxing jazz for studying", 10)
    world.fake.advance(183 * 24 * 3600)
    world.fake.expire_access_tokens()
    with pytest.raises(NotLinked, match="link"):
        await world.linking.save(ALICE, playlist.draft_id)
    assert await world.linking.linked_account(ALICE) is None


async def test_unlink_deletes_the_tokens(world: World) -> None:
    await world.link(ALICE, "alice")
    assert await world.linking.unlink(ALICE) is True
    assert await world.linking.linked_account(ALICE) is None
    assert await world.linking.unlink(ALICE) is False


# --- taste and per-scope apps ---------------------------------------------------------------
async def test_taste_import_puts_top_artists_and_genres_first_in_the_profile(world: World) -> None:
    await world.link(ALICE, "alice")
    await world.app.engine.set_profile(
        ALICE, (await world.app.engine.get_profile(ALICE)).__class__(favourite_artists=("Björk",))
    )
    profile = await world.linking.import_taste(ALICE)
    assert profile.favourite_artists == ("Miles Davis", "Nina Simone", "Björk")
    assert profile.favourite_genres[0] == "jazz"
    assert await world.app.engine.get_profile(ALICE) == profile


async def test_a_server_app_is_used_for_links_made_in_that_server(world: World) -> None:
    server_app = world.fake.add_app("5e77e7005e77e7005e77e700", "5ec5ec5ec5ec5ec5ec5ec5ec",
                                    (world.redirect_uri,))
    world.fake.add_user("carol", allow_in=server_app)
    await world.linking.set_scope_app("guild:42", server_app.client_id, server_app.client_secret)
    with sqlite3.connect(world.app.settings.database_filename) as raw:
        stored = raw.execute("SELECT app_blob FROM scope_apps").fetchone()[0]
    assert server_app.client_secret.encode() not in bytes(stored)

    carol = ALICE.__class__("chat", "carol", "guild:42")
    world.fake.login_as = "carol"  # carol is not on the operator app's list, only the server's
    url = await world.linking.link_start(carol, Conversation("chat", "carol"))
    assert f"client_id={server_app.client_id}" in url
    status, _ = await world.authorize(url)
    assert status == 200
    account = await world.linking.linked_account(carol)
    assert account is not None and account.provider == PROVIDER


async def test_a_malformed_server_app_is_refused(world: World) -> None:
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        await world.linking.set_scope_app("guild:42", "id with spaces", "x")
    with pytest.raises(InvalidInput):
        await world.linking.set_scope_app("dm", "a" * 32, "b" * 32)
