"""Resolution: concurrent, bounded searches that honour 429 Retry-After."""

from __future__ import annotations

from core.errors import RateLimited
from core.models import SongSuggestion
from core.resolve import Resolver, SearchStats
from tests.fakes.catalogue import FakeCatalogue, make_track


async def _nothing() -> None:
    return None


async def test_rate_limited_searches_wait_and_retry() -> None:
    catalogue = FakeCatalogue([make_track(1, "So What", "Miles Davis")])
    catalogue.rate_limit_times = 2
    stats = SearchStats()
    found = await Resolver(catalogue).confirm(SongSuggestion("So What", "Miles Davis"), stats, None)
    assert found is not None and stats.failed == 0
    assert len(catalogue.queries) == 3


async def test_a_retry_after_longer_than_the_cap_gives_up_on_that_search() -> None:
    catalogue = FakeCatalogue([make_track(1, "So What", "Miles Davis")])
    catalogue.rate_limit_times = 1
    catalogue.retry_after = 3600
    stats = SearchStats()
    resolver = Resolver(catalogue, max_wait_s=1)
    assert await resolver.search("jazz", stats) == []
    assert stats.failed == 1


async def test_searches_run_concurrently_under_the_bound() -> None:
    catalogue = FakeCatalogue([make_track(i, f"T{i}", f"A{i}") for i in range(50)])
    catalogue.latency = 0.02
    songs = [SongSuggestion(f"T{i}", f"A{i}") for i in range(20)]
    confirmed, _ = await Resolver(catalogue, concurrency=4).resolve(
        songs, [], pages=0, target=None, on_search_done=_nothing, stats=SearchStats()
    )
    assert all(t is not None for t in confirmed)
    assert catalogue.max_in_flight == 4


async def test_a_hit_by_another_artist_does_not_confirm_a_suggestion() -> None:
    catalogue = FakeCatalogue([make_track(1, "Yesterday", "Some Cover Band")])
    found = await Resolver(catalogue).confirm(SongSuggestion("Yesterday", "The Beatles"),
                                             SearchStats(), None)
    assert found is None


def test_rate_limited_carries_retry_after() -> None:
    assert RateLimited(2.5).retry_after == 2.5
