"""``MusicCatalogue`` over Spotify's Web API (spotipy, client credentials).

Only ``GET /search`` is used (the one catalogue door open to new apps since November
2024), with ``limit`` at most 10 (February 2026) and the operator's market.  The
client-credentials token is cached and refreshed by spotipy's manager (one fetch at a
time, see ``ClientCredentials``), never fetched per request.

Faults: a 429 raises ``RateLimited(retry_after)`` at once, so the engine's resolver sleeps
on the event loop and tries again; a 429 that says ``QUOTA_EXCEEDED`` is a quota, not a
burst: it raises ``CatalogueQuotaExceeded`` (the user is told, nothing is charged) and
further searches fail fast until its Retry-After has passed.  5xx answers and timeouts are
retried with backoff, then ``CatalogueError``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from adapters.music.spotify_http import SpotifyCallFailed, SpotifyHttp
from core import wording
from core.errors import CatalogueError, CatalogueQuotaExceeded, RateLimited
from core.ids import is_spotify_id
from core.models import AppCredentials, AudioTarget, DependencyStatus, Track
from core.text import displayable

__all__ = ["MAX_LIMIT", "SpotifyCatalogue", "track_from_json"]

log = logging.getLogger(__name__)

MAX_LIMIT = 10
MAX_OFFSET = 1000
DEFAULT_QUOTA_PAUSE_S = 3600.0
HEALTH_TTL_S = 60.0


def track_from_json(item: Any) -> Track | None:
    """A Spotify track object as a ``Track``; None when it is unusable.

    Ids must be 22 base62 characters; local files and tracks not playable in the market
    are skipped.  ``popularity`` is used only when Spotify still sends it.
    """
    if not isinstance(item, dict) or item.get("type", "track") != "track":
        return None
    track_id, title = item.get("id"), item.get("name")
    if not is_spotify_id(track_id) or not isinstance(title, str) or not displayable(title).strip():
        return None
    if item.get("is_local") is True or item.get("is_playable") is False:
        return None
    # Names are shown, stored and sent on: nothing in them may break a UTF-8 encoder or a line.
    artists = tuple(
        displayable(a["name"]).strip() for a in item.get("artists") or ()
        if isinstance(a, dict) and isinstance(a.get("name"), str) and displayable(a["name"]).strip()
    )
    if not artists:
        return None
    raw_album = item.get("album")
    album: dict[str, Any] = raw_album if isinstance(raw_album, dict) else {}
    raw_images = album.get("images")
    images: list[Any] = raw_images if isinstance(raw_images, list) else []
    image = images[0].get("url") if images and isinstance(images[0], dict) else None
    album_name = album.get("name")
    duration = item.get("duration_ms")
    popularity = item.get("popularity")
    return Track(
        id=str(track_id),
        title=displayable(title).strip(),
        artists=artists,
        album=displayable(album_name) if isinstance(album_name, str) else "",
        duration_ms=duration if isinstance(duration, int) and not isinstance(duration, bool) else 0,
        explicit=item.get("explicit") is True,
        popularity=popularity if isinstance(popularity, int) and not isinstance(popularity, bool)
        else None,
        image_url=image if isinstance(image, str) else None,
    )


class SpotifyCatalogue:
    """Live Spotify search; implements ``core.ports.MusicCatalogue``."""

    name = "spotify"

    def __init__(self, http: SpotifyHttp, app: AppCredentials, *, market: str = "") -> None:
        self._http = http
        self._auth = http.client_credentials(app.client_id, app.client_secret)
        self._client = http.client(auth_manager=self._auth)
        self.market = market.upper()
        self._quota_until = 0.0  # monotonic time before which searches fail fast
        self._health: tuple[float, DependencyStatus] | None = None

    @property
    def token_fetches(self) -> int:
        """How many client-credentials tokens were fetched (for tests and /status)."""
        return self._auth.fetches

    async def search(
        self, query: str, *, limit: int = 10, offset: int = 0, target: AudioTarget | None = None
    ) -> list[Track]:
        """One page of tracks for ``query`` (Spotify syntax), best first."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise CatalogueError("Invalid limit")
        if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
            raise CatalogueError("Invalid offset")
        if not query.strip():
            raise CatalogueError("No search query")
        self._check_quota()
        market = self.market or None

        def call() -> Any:
            return self._client.search(q=query, limit=limit, offset=offset, type="track",
                                       market=market)

        try:
            data = await self._http.call(call, on_auth_failure=self._auth.forget_token)
        except SpotifyCallFailed as failure:
            raise self._error(failure) from None
        tracks = data.get("tracks") if isinstance(data, dict) else None
        items = tracks.get("items") if isinstance(tracks, dict) else None
        if not isinstance(items, list):
            self._http.monitors["api"].failed("a search answer that is not a search result")
            raise CatalogueError("Spotify answered a search with an unexpected body")
        found = [t for t in (track_from_json(item) for item in items) if t is not None]
        return found[:limit]

    def _check_quota(self) -> None:
        left = self._quota_until - time.monotonic()
        if left > 0:
            raise CatalogueQuotaExceeded(_quota_message(left))

    def _error(self, failure: SpotifyCallFailed) -> Exception:
        if failure.kind == "rate":
            return RateLimited(failure.retry_after or 1.0, "Spotify rate limit")
        if failure.kind == "quota":
            pause = failure.retry_after if failure.retry_after > 1 else DEFAULT_QUOTA_PAUSE_S
            self._quota_until = time.monotonic() + pause
            log.error("Spotify says this app's quota is used up; searches paused for %.0f s", pause)
            return CatalogueQuotaExceeded(_quota_message(pause))
        if failure.kind == "client":
            log.error("Spotify refused the client id/secret (check SPOTIFY_CLIENT_ID/SECRET)")
            return CatalogueError("Spotify refused this bot's app credentials")
        log.warning("Spotify search failed: %s", failure)
        return CatalogueError(f"Spotify search failed ({failure.kind})")

    async def health(self) -> DependencyStatus:
        """Token and one tiny search, remembered for a minute (health must not burn quota);
        down at once while real searches fail."""
        where = f"spotify (market {self.market})" if self.market else "spotify"
        monitor = self._http.monitors["api"]
        if monitor.down:  # searches are failing: say so, and probe now and then
            status = await monitor.status(probe=lambda: self.search("a", limit=1))
            if not status.ok:
                return DependencyStatus("catalogue", False, f"{where}: {status.detail}")
            self._health = None  # it answers again: check afresh
        now = time.monotonic()
        if self._health is not None and now - self._health[0] < HEALTH_TTL_S:
            return self._health[1]
        try:
            await self.search("a", limit=1)
            status = DependencyStatus("catalogue", True, where)
        except CatalogueQuotaExceeded as exc:
            status = DependencyStatus("catalogue", False, f"{where}: {exc.user_message}")
        except RateLimited as exc:
            status = DependencyStatus("catalogue", True, f"{where}: rate limited for {exc.retry_after:.0f} s")
        except CatalogueError as exc:
            status = DependencyStatus("catalogue", False, f"{where}: {exc}")
        self._health = (now, status)
        return status


def _quota_message(seconds: float) -> str:
    return wording.catalogue_quota(max(1, round(seconds / 60)))
