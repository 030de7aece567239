"""Live catalogue search: SpotifyCatalogue -> spotipy -> the fake Spotify, with its faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import spotipy

from adapters.music.spotify_catalogue import SpotifyCatalogue, track_from_json
from adapters.music.spotify_http import SpotifyHttp
from core.errors import CatalogueError, CatalogueQuotaExceeded, RateLimited
from core.models import AppCredentials
from tests.fakes.spotify_server import FakeSpotify, FakeSpotifyThread
from tests.integration.spotify_support import ALICE, CATALOGUE, spotify_world


@pytest.fixture
async def fake() -> AsyncIterator[FakeSpotify]:
    async with FakeSpotify(CATALOGUE) as server:
        server.add_app("app-id-0000000000000000", "app-secret-000000000000")
        yield server


@pytest.fixture
async def http(fake: FakeSpotify) -> AsyncIterator[SpotifyHttp]:
    client = SpotifyHttp(api_url=fake.api_url, accounts_url=fake.accounts_url, backoff_s=0.01,
                         pool_size=8, timeout_s=5)
    yield client
    await client.close()


@pytest.fixture
def catalogue(http: SpotifyHttp) -> SpotifyCatalogue:
    return SpotifyCatalogue(http, AppCredentials("app-id-0000000000000000", "app-secret-000000000000"),
                            market="DE")


async def test_search_finds_the_real_track_with_the_market_and_no_popularity(
    catalogue: SpotifyCatalogue, fake: FakeSpotify
) -> None:
    hits = await catalogue.search('track:"Yesterday" artist:"The Beatles"', limit=5)
    assert hits and hits[0].artist == "The Beatles" and "Yesterday" in hits[0].title
    assert all(len(t.id) == 22 and t.popularity is None for t in hits)
    assert fake.markets == ["DE"] and fake.search_limits == [5]


async def test_the_token_is_fetched_once_for_many_concurrent_searches(
    catalogue: SpotifyCatalogue, fake: FakeSpotify
) -> None:
    await asyncio.gather(*(catalogue.search("jazz", offset=10 * n) for n in range(30)))
    assert fake.token_requests == {"client_credentials": 1}
    assert catalogue.token_fetches == 1


async def test_an_expired_app_token_is_replaced_once_and_the_search_still_answers(
    catalogue: SpotifyCatalogue, fake: FakeSpotify
) -> None:
    await catalogue.search("jazz")
    fake.expire_access_tokens()
    assert len(await catalogue.search("soul")) == 10
    assert fake.token_requests == {"client_credentials": 2}


async def test_a_limit_over_ten_is_refused_before_it_reaches_spotify(
    catalogue: SpotifyCatalogue, fake: FakeSpotify
) -> None:
    with pytest.raises(CatalogueError, match="Invalid limit"):
        await catalogue.search("jazz", limit=50)
    assert fake.searches == 0


async def test_a_429_raises_rate_limited_with_its_retry_after_at_once(
    catalogue: SpotifyCatalogue, fake: FakeSpotify
) -> None:
    fake.rate_limit(1, retry_after=7)
    started = time.monotonic()
    with pytest.raises(RateLimited) as raised:
        await catalogue.search("jazz")
    assert raised.value.retry_after == 7
    assert time.monotonic() - started < 1  # not slept in a worker thread
    assert len(await catalogue.search("jazz")) == 10


async def test_quota_exceeded_is_reported_not_retried_and_later_searches_fail_fast(
    catalogue: SpotifyCatalogue, fake: FakeSpotify
) -> None:
    fake.quota_exceeded = True
    with pytest.raises(CatalogueQuotaExceeded, match="quota"):
        await catalogue.search("jazz")
    asked = fake.searches + len([r for r in fake.requests if r[1] == "/v1/search"])
    with pytest.raises(CatalogueQuotaExceeded):
        await catalogue.search("soul")
    assert fake.searches + len([r for r in fake.requests if r[1] == "/v1/search"]) == asked
    assert not (await catalogue.health()).ok


async def test_5xx_answers_are_retried_with_backoff(
    catalogue: SpotifyCatalogue, fake: FakeSpotify
) -> None:
    await catalogue.search("warm up")
    fake.server_errors = 2
    assert len(await catalogue.search("jazz")) == 10


async def test_persistent_5xx_becomes_a_catalogue_error_after_bounded_retries(
    catalogue: SpotifyCatalogue, fake: FakeSpotify
) -> None:
    await catalogue.search("warm up")
    before = len(fake.requests)
    fake.server_errors = 100
    with pytest.raises(CatalogueError):
        await catalogue.search("jazz")
    assert len(fake.requests) - before == 4  # one try and three retries


async def test_a_malformed_body_is_a_catalogue_error(
    catalogue: SpotifyCatalogue, fake: FakeSpotify
) -> None:
    await catalogue.search("warm up")
    fake.malformed = 1
    with pytest.raises(CatalogueError):
        await catalogue.search("jazz")


async def test_a_timeout_is_retried_then_reported(fake: FakeSpotify) -> None:
    client = SpotifyHttp(api_url=fake.api_url, accounts_url=fake.accounts_url, backoff_s=0.01,
                         timeout_s=0.2, max_retries=1)
    try:
        catalogue = SpotifyCatalogue(client, AppCredentials("app-id-0000000000000000",
                                                            "app-secret-000000000000"))
        await catalogue.search("warm up")
        fake.search_latency = 0.5
        with pytest.raises(CatalogueError):
            await catalogue.search("jazz")
        assert fake.searches == 3
    finally:
        await client.close()


def test_tracks_with_ids_that_are_not_22_base62_characters_are_dropped() -> None:
    good = {"type": "track", "id": "4uLU6hMCjMI75M1A2tKUQC", "name": "Never", "artists": [{"name": "R"}]}
    assert track_from_json(good) is not None
    for bad_id in ("4uLU6hMCjMI75M1A2tKUQ", "4uLU6hMCjMI75M1A2tKUQC1", "../../me/playlists/aa",
                   "4uLU6hMCjMI75M1A2tKU-C", 12345, None):
        assert track_from_json({**good, "id": bad_id}) is None
    assert track_from_json({**good, "is_local": True}) is None
    assert track_from_json({**good, "artists": []}) is None


async def test_the_event_loop_stays_responsive_with_100_searches_in_flight() -> None:
    # The fake runs in its own thread, so only our client's work is on this loop.
    with FakeSpotifyThread(FakeSpotify(CATALOGUE)) as fake:
        app = fake.add_app()
        http = SpotifyHttp(api_url=fake.api_url, accounts_url=fake.accounts_url, pool_size=8)
        try:
            catalogue = SpotifyCatalogue(http, AppCredentials(app.client_id, app.client_secret))
            await catalogue.search("warm up")
            fake.search_latency = 0.05
            worst = 0.0
            done = asyncio.Event()

            async def ticker() -> None:
                nonlocal worst
                while not done.is_set():
                    before = time.perf_counter()
                    await asyncio.sleep(0.005)
                    worst = max(worst, time.perf_counter() - before - 0.005)

            tick = asyncio.create_task(ticker())
            queries = [f'genre:"{g}"' for g in ("jazz", "rock", "soul", "pop", "blues")]
            results = await asyncio.gather(
                *(catalogue.search(queries[n % 5], offset=(n // 5) * 10) for n in range(100))
            )
            done.set()
            await tick
        finally:
            await http.close()
    assert all(len(r) == 10 for r in results)
    assert worst < 0.05, f"event loop lagged {worst * 1000:.1f} ms"
    assert fake.max_in_flight >= 4  # really concurrent, bounded by the pool


async def test_spotify_returning_429_for_ten_seconds_mid_generation_still_gives_the_playlist(
    tmp_path: Path,
) -> None:
    async with spotify_world(tmp_path, CACHE_ENABLED="false") as world:
        world.fake.search_latency = 0.02
        world.fake.rate_limit_after(searches=3, seconds=10)
        started = time.monotonic()
        playlist = await world.app.engine.generate(ALICE, "upbeat indie rock for a morning run", 20)
        took = time.monotonic() - started
    assert len(playlist.tracks) == 20 and playlist.catalogue == "spotify"
    assert world.fake.rate_limited_answers > 0
    assert 9 <= took < 25


async def test_status_names_the_spotify_catalogue(tmp_path: Path) -> None:
    async with spotify_world(tmp_path) as world:
        health = await world.app.engine.health()
    catalogue = next(d for d in health.dependencies if d.name == "catalogue")
    assert catalogue.ok and catalogue.detail.startswith("spotify")


# --- the fake enforces Spotify's 2026 rules on the real library ---------------------------
def _app_client(fake: FakeSpotify, http: SpotifyHttp) -> spotipy.Spotify:
    return http.client(auth_manager=http.client_credentials("app-id-0000000000000000",
                                                           "app-secret-000000000000"))


@pytest.mark.parametrize(("call", "status"), [
    (lambda sp: sp.search("jazz", limit=50), 400),
    (lambda sp: sp._get("recommendations", seed_genres="jazz"), 404),
    (lambda sp: sp._get("audio-features", ids="4uLU6hMCjMI75M1A2tKUQC"), 403),
    (lambda sp: sp._get("audio-analysis/4uLU6hMCjMI75M1A2tKUQC"), 403),
    (lambda sp: sp._get("artists/0OdUWJ0sBjDrqHygGUXeCF/related-artists"), 404),
    (lambda sp: sp._get("browse/featured-playlists"), 404),
    (lambda sp: sp._get("tracks", ids="4uLU6hMCjMI75M1A2tKUQC"), 403),
    (lambda sp: sp._post("users/alice/playlists", payload={"name": "x"}), 403),
    (lambda sp: sp._post("playlists/37i9dQZF1DXcBWIGoYBM5M/tracks", payload={"uris": []}), 403),
])
async def test_closed_endpoints_answer_as_spotify_does(
    fake: FakeSpotify, http: SpotifyHttp, call, status: int  # type: ignore[no-untyped-def]
) -> None:
    client = _app_client(fake, http)
    with pytest.raises(spotipy.SpotifyException) as raised:
        await asyncio.to_thread(call, client)
    assert raised.value.http_status == status


async def test_search_pages_follow_next_urls_on_the_fakes_own_base(
    fake: FakeSpotify, http: SpotifyHttp
) -> None:
    client = _app_client(fake, http)
    first = await asyncio.to_thread(client.search, 'genre:"jazz"', 10, 0, "track")
    assert first["tracks"]["next"].startswith(fake.api_url)
    second = await asyncio.to_thread(client.next, first["tracks"])
    assert second["tracks"]["offset"] == 10
    ids = {t["id"] for t in first["tracks"]["items"]} | {t["id"] for t in second["tracks"]["items"]}
    assert len(ids) == 20
