"""Sample values shared by the store specifications (SQLite-only and every-backend)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.models import DraftVersion, SongSuggestion, Strategy, Track

NOW = datetime(2026, 5, 9, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
DAY = "2026-05-09"

FULL_TRACK = Track(
    id="4uLU6hMCjMI75M1A2tKUQC",
    title="Never Gonna Give You Up",
    artists=("Rick Astley", "Guest"),
    album="Whenever You Need Somebody",
    duration_ms=213_573,
    explicit=True,
    popularity=77,
    genres=("dance pop", "new wave pop"),
    image_url="https://i.scdn.co/image/abc",
    energy=0.94,
    valence=0.91,
    danceability=0.73,
    tempo=113.3,
    acousticness=0.02,
    instrumentalness=0.0,
)
BARE_TRACK = Track(id="t2", title="Bare", artists=("Someone",))

STRATEGY = Strategy(
    title="Morning run",
    genres=("indie rock",),
    moods=("upbeat",),
    energy=0.8,
    valence=0.7,
    era="2000s",
    seed_artists=("Arcade Fire",),
    avoid_artists=("Nickelback",),
    songs=(SongSuggestion(title="Wake Up", artist="Arcade Fire"),),
    queries=('genre:"indie rock" year:2000-2009',),
    description="Fast guitars for a morning run",
)


def version(
    title: str = "Morning run",
    *,
    tracks: tuple[Track, ...] = (FULL_TRACK, BARE_TRACK),
    created_at: datetime = NOW,
    feedback: str | None = None,
    number: int = 1,
    strategy: Strategy = STRATEGY,
) -> DraftVersion:
    return DraftVersion(
        version=number,
        title=title,
        strategy=strategy,
        tracks=tracks,
        provider="offline",
        catalogue="demo",
        requested_count=20,
        created_at=created_at,
        feedback=feedback,
        note="only 2 tracks matched" if feedback is None else None,
    )
