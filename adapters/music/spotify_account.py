"""``MusicAccounts`` over Spotify: OAuth with PKCE, the user's profile, playlists, top artists.

Current endpoints only (February 2026): playlists are created with ``POST /me/playlists``
and filled at ``/playlists/{id}/items`` (POST appends, PUT replaces), at most 100 items a
request; ``/me`` no longer has country, email or product.  spotipy builds every request
(``SpotifyPKCE`` for the accounts service, ``Spotify`` with the user's access token for the
Web API); where its convenience method sends an older body shape, its own ``_post``
request helper sends the documented one.

Error mapping: ``invalid_grant`` (revoked, past six months, wrong PKCE verifier, code used)
-> ``NotLinked`` "link again"; 401 -> ``AccessTokenRejected`` (the caller refreshes); 403 on
``/me`` -> ``NotLinked`` (a development-mode app links at most five allow-listed users);
404/403 on a playlist -> ``PlaylistGone``; outages -> ``ProviderUnavailable``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from adapters.music.spotify_http import SpotifyCallFailed, SpotifyHttp, classify
from core import wording
from core.errors import AccessTokenRejected, NotLinked, PlaylistGone, ProviderUnavailable
from core.ids import is_spotify_id
from core.models import AccountProfile, AppCredentials, ArtistInfo, DependencyStatus, OAuthTokens

__all__ = ["BATCH", "SpotifyAccounts"]

log = logging.getLogger(__name__)

T = TypeVar("T")

BATCH = 100  # Spotify's most items per add/replace request


def _tokens(info: Any, previous_refresh: str = "") -> OAuthTokens:
    if not isinstance(info, dict) or not isinstance(info.get("access_token"), str):
        raise ProviderUnavailable(wording.SPOTIFY_SIGN_IN_UNEXPECTED())
    refresh = info.get("refresh_token") or previous_refresh
    if not isinstance(refresh, str) or not refresh:
        raise ProviderUnavailable(wording.SPOTIFY_NO_REFRESH_TOKEN())
    expires_in = info.get("expires_in", 3600)
    seconds = expires_in if isinstance(expires_in, int | float) else 3600
    return OAuthTokens(
        access_token=info["access_token"],
        refresh_token=refresh,
        expires_at=datetime.now(UTC) + timedelta(seconds=float(seconds)),
        scope=str(info.get("scope") or ""),
    )


class SpotifyAccounts:
    """A user's side of Spotify; implements ``core.ports.MusicAccounts``."""

    provider = "spotify"

    def __init__(self, http: SpotifyHttp, *, redirect_uri: str, max_wait_s: float = 10.0) -> None:
        self._http = http
        self.redirect_uri = redirect_uri
        self._max_wait_s = max_wait_s

    # --- OAuth ------------------------------------------------------------------------
    def authorize_url(
        self, app: AppCredentials, state: str, code_challenge: str, scopes: Sequence[str]
    ) -> str:
        """The accounts-service URL the user opens (no network)."""
        pkce = self._http.pkce(app.client_id, self.redirect_uri, " ".join(scopes))
        pkce.code_challenge = code_challenge
        url: str = pkce.get_authorize_url(state=state)
        return url

    async def exchange_code(
        self, app: AppCredentials, code: str, code_verifier: str
    ) -> OAuthTokens:
        def call() -> Any:
            pkce = self._http.pkce(app.client_id, self.redirect_uri)
            pkce.code_verifier = code_verifier
            pkce.code_challenge = "set"  # only its presence matters: spotipy keeps our verifier
            pkce.get_access_token(code=code, check_cache=False)
            return pkce.cache_handler.get_cached_token()

        info = await self._call(call, what="sign-in")
        return _tokens(info)

    async def refresh(self, app: AppCredentials, refresh_token: str) -> OAuthTokens:
        """New tokens; with PKCE the refresh token rotates and the new one is returned."""

        def call() -> Any:
            pkce = self._http.pkce(app.client_id, self.redirect_uri)
            return pkce.refresh_access_token(refresh_token)

        info = await self._call(call, what="refresh")
        return _tokens(info, previous_refresh=refresh_token)

    # --- Web API as the user ------------------------------------------------------------
    async def profile(self, access_token: str) -> AccountProfile:
        client = self._http.client(auth=access_token)
        data = await self._call(client.current_user, what="profile")
        if not isinstance(data, dict):
            raise ProviderUnavailable(wording.SPOTIFY_UNEXPECTED_PROFILE())
        # account_id is the stable identifier where Spotify sends it; id otherwise.
        account_id = data.get("account_id") or data.get("id")
        if not isinstance(account_id, str) or not account_id:
            raise ProviderUnavailable(wording.SPOTIFY_UNEXPECTED_PROFILE())
        name = data.get("display_name")
        return AccountProfile(account_id=account_id, display_name=name if isinstance(name, str) else "")

    async def create_playlist(
        self, access_token: str, name: str, description: str
    ) -> tuple[str, str]:
        client = self._http.client(auth=access_token)

        def call() -> Any:
            return client.current_user_playlist_create(name, public=False, description=description)

        data = await self._call(call, what="create")
        playlist_id = data.get("id") if isinstance(data, dict) else None
        if not is_spotify_id(playlist_id):
            raise ProviderUnavailable(wording.SPOTIFY_UNEXPECTED_PLAYLIST())
        url = (data.get("external_urls") or {}).get("spotify")
        if not isinstance(url, str) or not url.startswith("https://"):
            url = f"https://open.spotify.com/playlist/{playlist_id}"
        return str(playlist_id), url

    async def update_playlist(
        self, access_token: str, playlist_id: str, name: str, description: str
    ) -> None:
        client = self._http.client(auth=access_token)

        def call() -> Any:
            return client.playlist_change_details(playlist_id, name=name, description=description)

        await self._call(call, what="playlist")

    async def set_items(
        self, access_token: str, playlist_id: str, uris: Sequence[str], *, replace: bool
    ) -> None:
        """The playlist ends up holding exactly ``uris`` in order (appended when not ``replace``).

        Batches of 100: replacing PUTs the first batch and POSTs the rest.  If a batch
        fails half-way, the whole sequence is redone as a replacement, so a retry never
        doubles items.
        """
        client = self._http.client(auth=access_token)
        batches = [list(uris[i : i + BATCH]) for i in range(0, len(uris), BATCH)] or [[]]
        path = f"playlists/{playlist_id}/items"

        def fill(first_replaces: bool) -> None:
            for n, batch in enumerate(batches):
                if n == 0 and first_replaces:
                    client._put(path, payload={"uris": batch})
                else:
                    client._post(path, payload={"uris": batch})

        try:
            await self._call(lambda: fill(replace), what="playlist", retry=False)
        except ProviderUnavailable:
            log.info("filling a playlist failed part-way; replacing its items once more")
            await self._call(lambda: fill(True), what="playlist")

    async def top_artists(self, access_token: str, limit: int) -> list[ArtistInfo]:
        client = self._http.client(auth=access_token)

        def call() -> Any:
            return client.current_user_top_artists(limit=min(max(limit, 1), 50),
                                                   time_range="medium_term")

        data = await self._call(call, what="top")
        items = data.get("items") if isinstance(data, dict) else None
        artists: list[ArtistInfo] = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            raw_genres = item.get("genres")
            genres: list[Any] = raw_genres if isinstance(raw_genres, list) else []
            artists.append(ArtistInfo(item["name"], tuple(g for g in genres if isinstance(g, str))))
        return artists

    # --- errors -------------------------------------------------------------------------
    async def health(self, app: AppCredentials) -> DependencyStatus:
        """The accounts service as sign-ins and refreshes saw it; while down, a token request
        with ``app`` (the operator's) checks whether it is back."""

        async def probe() -> None:
            manager = self._http.client_credentials(app.client_id, app.client_secret)
            await self._http.call(lambda: manager.get_access_token(check_cache=False),
                                  service="accounts")

        return await self._http.monitors["accounts"].status("answering", probe=probe)

    async def _call(self, fn: Callable[[], T], *, what: str, retry: bool = True) -> T:
        service = "accounts" if what in {"sign-in", "refresh"} else "api"
        try:
            if retry:
                return await self._http.call(fn, wait_on_rate_limit=self._max_wait_s,
                                             service=service)
            return await self._http.run(fn)
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                raise
            raise _error(failure, what) from None


def _error(failure: SpotifyCallFailed, what: str) -> Exception:
    kind = failure.kind
    if kind == "grant":
        if what == "sign-in":
            return NotLinked(wording.SPOTIFY_GRANT_REFUSED())
        return NotLinked(wording.link_again(wording.LINK_REVOKED()))
    if kind == "auth":
        return AccessTokenRejected()
    if kind == "client":
        log.error("Spotify refused the app's client id (check the app's settings)")
        return ProviderUnavailable(wording.SPOTIFY_APP_REFUSED())
    if kind == "forbidden" and what == "profile":
        return NotLinked(wording.SPOTIFY_DEVELOPMENT_MODE())
    if kind == "forbidden" and what == "top":
        return NotLinked(wording.link_again(wording.TOP_ARTISTS_NOT_ALLOWED()))
    if kind in {"not_found", "forbidden"} and what == "playlist":
        return PlaylistGone()
    if kind == "rate":
        return ProviderUnavailable(wording.spotify_slow_down(max(1, round(failure.retry_after))))
    if kind == "quota":
        return ProviderUnavailable(wording.SPOTIFY_QUOTA_USED())
    log.warning("Spotify %s call failed: %s", what, failure)
    return ProviderUnavailable(wording.SPOTIFY_NOT_ANSWERING())
