"""Shareable page ids (core/sharing.py) on the real SQLite store, and today's counts (core/activity.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.activity import Activity
from core.errors import NotAboutMusic, ProviderUnavailable, QuotaExceeded
from core.models import DraftVersion, Strategy, Track
from core.sharing import SHARE_NAMESPACE, Sharing, is_share_id
from data.sqlite_store import SqliteStore

NOW = datetime(2026, 5, 9, 12, 0, tzinfo=UTC)
TRACK = Track(id="4uLU6hMCjMI75M1A2tKUQC", title="Never Gonna Give You Up", artists=("Rick Astley",))


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def version(n: int, title: str = "Morning run") -> DraftVersion:
    return DraftVersion(version=n, title=title, strategy=Strategy(title=title), tracks=(TRACK,),
                        provider="offline", catalogue="demo", requested_count=1, created_at=NOW)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = SqliteStore(str(tmp_path / "db.sqlite"))
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def test_a_share_id_is_random_url_safe_and_not_the_draft_id(store: SqliteStore) -> None:
    draft_id = await store.create_draft("owner", "dm", "prompt", version(1), NOW + timedelta(hours=1))
    sharing = Sharing(store, "https://bot.example.org/", clock=Clock())
    first = await sharing.share_id(draft_id)
    assert first is not None and is_share_id(first) and first != str(draft_id)
    assert len(first) >= 16  # random, not derived from the sequential draft id
    other = await store.create_draft("owner", "dm", "prompt", version(1), NOW + timedelta(hours=1))
    assert await sharing.share_id(other) != first


async def test_sharing_a_draft_twice_gives_the_same_link(store: SqliteStore) -> None:
    draft_id = await store.create_draft("owner", "dm", "prompt", version(1), NOW + timedelta(hours=1))
    sharing = Sharing(store, "https://bot.example.org/", clock=Clock())
    url = await sharing.share_url(draft_id)
    assert url is not None and url.startswith("https://bot.example.org/p/")
    assert await sharing.share_url(draft_id) == url


async def test_without_a_public_base_url_there_is_no_link(store: SqliteStore) -> None:
    draft_id = await store.create_draft("owner", "dm", "prompt", version(1), NOW + timedelta(hours=1))
    assert await Sharing(store, "", clock=Clock()).share_url(draft_id) is None


async def test_a_link_resolves_to_the_latest_version_or_the_one_asked_for(store: SqliteStore) -> None:
    clock = Clock()
    draft_id = await store.create_draft("owner", "dm", "prompt", version(1, "First"),
                                        NOW + timedelta(hours=1))
    sharing = Sharing(store, "https://x.org", clock=clock)
    share_id = await sharing.share_id(draft_id)
    assert share_id is not None
    await store.add_draft_version(draft_id, version(2, "Second"), NOW + timedelta(hours=1))
    latest = await sharing.resolve(share_id)
    assert latest is not None and latest.version.title == "Second" and latest.versions == (1, 2)
    first = await sharing.resolve(share_id, 1)
    assert first is not None and first.version.title == "First" and first.prompt == "prompt"
    assert await sharing.resolve(share_id, 3) is None
    assert await sharing.resolve(share_id, 0) is None


async def test_unknown_malformed_and_expired_links_resolve_to_nothing(store: SqliteStore) -> None:
    clock = Clock()
    draft_id = await store.create_draft("owner", "dm", "prompt", version(1), NOW + timedelta(hours=1))
    sharing = Sharing(store, "https://x.org", clock=clock)
    share_id = await sharing.share_id(draft_id)
    assert share_id is not None
    assert await sharing.resolve("A" * 22) is None
    assert await sharing.resolve(str(draft_id)) is None
    assert await sharing.resolve("../../etc/passwd") is None
    clock.now = NOW + timedelta(hours=1, seconds=1)
    assert await sharing.resolve(share_id) is None
    assert await sharing.share_url(draft_id) is None


async def test_a_refinement_that_extends_the_draft_extends_its_link(store: SqliteStore) -> None:
    clock = Clock()
    draft_id = await store.create_draft("owner", "dm", "prompt", version(1), NOW + timedelta(hours=1))
    sharing = Sharing(store, "https://x.org", clock=clock)
    share_id = await sharing.share_id(draft_id)
    assert share_id is not None
    clock.now = NOW + timedelta(minutes=50)
    await store.add_draft_version(draft_id, version(2), clock.now + timedelta(hours=1))
    assert await sharing.share_id(draft_id) == share_id  # delivered again after refining
    clock.now = NOW + timedelta(minutes=90)
    assert await store.cache_get(SHARE_NAMESPACE, share_id, clock.now) == str(draft_id)
    resolved = await sharing.resolve(share_id)
    assert resolved is not None and resolved.latest_version == 2


async def test_opening_the_page_keeps_the_link_as_long_as_a_draft_refined_elsewhere(
    store: SqliteStore,
) -> None:
    clock = Clock()
    draft_id = await store.create_draft("owner", "dm", "prompt", version(1), NOW + timedelta(hours=1))
    sharing = Sharing(store, "https://x.org", clock=clock)
    share_id = await sharing.share_id(draft_id)
    assert share_id is not None
    clock.now = NOW + timedelta(minutes=50)
    # Refined through a path that did not hand out the link (the console, say).
    await store.add_draft_version(draft_id, version(2), clock.now + timedelta(hours=1))
    assert await sharing.resolve(share_id) is not None
    clock.now = NOW + timedelta(minutes=90)
    assert await sharing.resolve(share_id) is not None


def test_activity_counts_successes_refusals_and_failures_per_utc_day() -> None:
    clock = Clock()
    activity = Activity(clock)
    activity.record("playlists")
    activity.record("refinements")
    activity.record("refusals")
    counts = activity.today()
    assert (counts.day, counts.playlists, counts.refinements, counts.refusals, counts.failures) == (
        "2026-05-09", 1, 1, 1, 0)
    assert counts.since == NOW
    clock.now = NOW + timedelta(hours=13)
    tomorrow = activity.today()
    assert (tomorrow.day, tomorrow.playlists, tomorrow.refusals) == ("2026-05-10", 0, 0)
    assert tomorrow.since == datetime(2026, 5, 10, tzinfo=UTC)


async def test_activity_tells_a_refusal_from_a_failure() -> None:
    activity = Activity(Clock())

    async def refuse(error: Exception) -> None:
        raise error

    async def made() -> str:
        return "playlist"

    assert await activity.track("playlists", made()) == "playlist"
    for error in (NotAboutMusic("no"), QuotaExceeded("no", NOW)):
        with pytest.raises(type(error)):
            await activity.track("playlists", refuse(error))
    for failure in (ProviderUnavailable("down"), RuntimeError("bug")):
        with pytest.raises(type(failure)):
            await activity.track("playlists", refuse(failure))
    counts = activity.today()
    assert (counts.playlists, counts.refusals, counts.failures) == (1, 2, 2)
