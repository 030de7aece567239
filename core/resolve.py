"""Resolution: turning a strategy into real catalogue tracks.

Every suggested song is searched and kept only when the hit really is that song
(invented songs are dropped); the strategy's queries fill the rest.  All searches
run concurrently under one bound and back off on 429 Retry-After.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from core import wording
from core.errors import CatalogueError, ProviderUnavailable, RateLimited
from core.matching import artist_matches, title_matches, version_penalty
from core.models import AudioTarget, SongSuggestion, Track
from core.ports import MusicCatalogue

log = logging.getLogger(__name__)

PAGE = 10  # Spotify's 2026 maximum search limit
SUGGESTION_LIMIT = 5

SearchDone = Callable[[], Awaitable[None]]


def _quote(text: str) -> str:
    return text.replace('"', " ").strip()


def suggestion_query(song: SongSuggestion) -> str:
    return f'track:"{_quote(song.title)}" artist:"{_quote(song.artist)}"'


@dataclass
class SearchStats:
    """Counts kept per resolution so a total outage can be told from an empty result."""

    attempted: int = 0
    failed: int = 0


class Resolver:
    """Runs catalogue searches concurrently, bounded, with 429 back-off."""

    def __init__(
        self,
        catalogue: MusicCatalogue,
        *,
        concurrency: int = 8,
        max_retries: int = 3,
        max_wait_s: float = 30.0,
    ) -> None:
        self._catalogue = catalogue
        self._bound = asyncio.Semaphore(max(1, concurrency))
        self._max_retries = max_retries
        self._max_wait_s = max_wait_s

    async def search(
        self, query: str, stats: SearchStats, *, limit: int = PAGE, offset: int = 0,
        target: AudioTarget | None = None,
    ) -> list[Track]:
        """One search; an error counts as "nothing found" but is recorded in ``stats``."""
        stats.attempted += 1
        for attempt in range(self._max_retries + 1):
            try:
                async with self._bound:
                    return await self._catalogue.search(
                        query, limit=limit, offset=offset, target=target
                    )
            except RateLimited as limited:
                if attempt == self._max_retries or limited.retry_after > self._max_wait_s:
                    break
                # Sleep outside the semaphore so other searches keep going.
                await asyncio.sleep(max(0.0, limited.retry_after))
            except CatalogueError as exc:
                log.warning("catalogue search failed: %s", exc)
                break
        stats.failed += 1
        return []

    async def confirm(
        self, song: SongSuggestion, stats: SearchStats, target: AudioTarget | None
    ) -> Track | None:
        """The catalogue track that really is ``song``, or None when it does not exist.

        Among matching hits the original studio recording wins (then the catalogue's order).
        """
        hits = await self.search(suggestion_query(song), stats, limit=SUGGESTION_LIMIT, target=target)
        matches = [
            hit for hit in hits
            if title_matches(song.title, hit.title) and artist_matches(song.artist, hit.artists)
        ]
        if not matches:
            return None
        return min(matches, key=lambda hit: version_penalty(song.title, hit.title, hit.album))

    async def resolve(
        self,
        songs: Sequence[SongSuggestion],
        queries: Sequence[str],
        *,
        pages: int,
        offset_pages: int = 0,
        target: AudioTarget | None,
        on_search_done: SearchDone,
        stats: SearchStats,
    ) -> tuple[list[Track | None], list[list[Track]]]:
        """Confirms ``songs`` and runs ``pages`` pages of each query, all at once.

        Returns the confirmed suggestion per song (None when invented) and each
        query's hits in rank order.
        """

        async def counted_confirm(song: SongSuggestion) -> Track | None:
            try:
                return await self.confirm(song, stats, target)
            finally:
                await on_search_done()

        async def counted_page(query: str, page: int) -> list[Track]:
            try:
                return await self.search(query, stats, offset=page * PAGE, target=target)
            finally:
                await on_search_done()

        song_tasks = [counted_confirm(s) for s in songs]
        page_tasks = [
            counted_page(q, offset_pages + p) for q in queries for p in range(pages)
        ]
        results = await asyncio.gather(*song_tasks, *page_tasks)
        confirmed: list[Track | None] = list(results[: len(song_tasks)])  # type: ignore[arg-type]
        page_hits: list[list[Track]] = list(results[len(song_tasks) :])  # type: ignore[arg-type]
        per_query: list[list[Track]] = []
        for qi in range(len(queries)):
            hits: list[Track] = []
            for p in range(pages):
                hits.extend(page_hits[qi * pages + p])
            per_query.append(hits)
        if stats.attempted and stats.failed == stats.attempted:
            raise ProviderUnavailable(wording.CATALOGUE_NOT_ANSWERING())
        return confirmed, per_query
