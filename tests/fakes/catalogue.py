"""An in-memory music catalogue for engine tests, with switches for failures.

It implements the MusicCatalogue port (ours, not a library), so pipeline tests can
control exactly which songs exist and how the catalogue misbehaves.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable

from core.errors import CatalogueError, RateLimited
from core.matching import normalise
from core.models import AudioTarget, DependencyStatus, Track

_FILTER = re.compile(r'(track|artist|genre):"([^"]*)"')


def make_track(
    n: int, title: str, artist: str, genre: str = "jazz", *, explicit: bool = False,
    energy: float = 0.5, popularity: int = 50,
) -> Track:
    return Track(
        id=f"id{n:020d}"[:22],
        title=title,
        artists=(artist,),
        album=f"{title} album",
        duration_ms=180_000,
        explicit=explicit,
        popularity=popularity,
        genres=(genre,),
        energy=energy,
    )


class FakeCatalogue:
    """Searches a fixed track list with a subset of Spotify's query syntax."""

    name = "fake"

    def __init__(self, tracks: Iterable[Track]) -> None:
        self.tracks = list(tracks)
        self.queries: list[str] = []
        self.rate_limit_times = 0  # answer 429 this many times first
        self.retry_after = 0.01
        self.fail = False
        self.latency = 0.0
        self.in_flight = 0
        self.max_in_flight = 0

    async def search(
        self, query: str, *, limit: int = 10, offset: int = 0, target: AudioTarget | None = None
    ) -> list[Track]:
        if not 1 <= limit <= 10:
            raise CatalogueError("Invalid limit")
        self.queries.append(query)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            if self.rate_limit_times > 0:
                self.rate_limit_times -= 1
                raise RateLimited(self.retry_after)
            if self.fail:
                raise CatalogueError("503 from fake")
            filters = dict(_FILTER.findall(query))
            free = _FILTER.sub("", query).split()
            hits = [t for t in self.tracks if self._matches(t, filters, free)]
            return hits[offset : offset + limit]
        finally:
            self.in_flight -= 1

    @staticmethod
    def _matches(track: Track, filters: dict[str, str], free: list[str]) -> bool:
        if "track" in filters and normalise(filters["track"]) not in normalise(track.title):
            return False
        if "artist" in filters and normalise(filters["artist"]) not in map(normalise, track.artists):
            return False
        if "genre" in filters and filters["genre"] not in track.genres:
            return False
        text = normalise(" ".join((track.title, *track.artists, *track.genres)))
        return all(normalise(w) in text for w in free)

    async def health(self) -> DependencyStatus:
        return DependencyStatus("catalogue", not self.fail, "fake")
