"""A fake Spotify (accounts service and Web API) on 127.0.0.1, enforcing the 2026 rules.

spotipy runs against it unchanged, pointed here through its own settings (``prefix``,
``OAUTH_TOKEN_URL``, ``OAUTH_AUTHORIZE_URL``).  The catalogue is the bundled demo catalogue
(real track ids), searched with the same query syntax; answers are shaped like Spotify's
(``/work/shared/specs/spotify-openapi.yml``; a test checks them against it).

Rules enforced, so code written from older tutorials fails here as in production:
* search ``limit`` 1..10 (else 400 "Invalid limit"), ``offset`` 0..1000, paging through
  ``next`` URLs on this server's own base;
* playlists are created at ``POST /me/playlists``; ``POST /users/{id}/playlists`` and
  every ``/playlists/{id}/tracks`` answer 403; items at ``/playlists/{id}/items``, at most
  100 a request;
* recommendations, audio-features, audio-analysis, related-artists, featured and category
  playlists, and the batch ``GET /tracks``, ``/artists``, ``/albums`` are closed (403/404);
* no ``popularity`` or ``followers`` fields; ``/me`` has no country, email or product;
* redirect URIs must be registered and be https or ``http://127.0.0.1:PORT``
  (``localhost`` is refused); PKCE S256 is checked; codes are single use;
* refresh tokens rotate on every refresh and die six months after the original consent
  (``invalid_grant``), or when revoked;
* a development-mode app serves at most five allow-listed users (others get 403).

Switches: ``latency``, ``rate_limit(times, retry_after)``, ``rate_limit_for(seconds)``,
``rate_limit_after(searches, seconds)``, ``quota_exceeded``, ``server_errors``,
``malformed``, ``expire_access_tokens()``, ``revoke(user)``, ``advance(seconds)``,
``consent`` ("allow"/"deny") and ``login_as`` (the user who is signed in at /authorize).
``fail(where, kind)`` makes every request to one service ("accounts": ``/api/token``;
"api": ``/v1``) fail the same way until ``heal()``: "5xx", "429" (Retry-After), "malformed"
(a 200 whose JSON is cut off) or "hang" (no answer until healed or closed).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlparse

from aiohttp import web

from core.models import Track
from data.catalogue.demo import DemoCatalogue
from data.catalogue.spotify_query import parse_query

SIX_MONTHS_S = 182 * 24 * 3600
TOKEN_LIFETIME_S = 3600
CODE_LIFETIME_S = 600
MAX_DEV_USERS = 5
_BASE62 = re.compile(r"[0-9A-Za-z]{22}")
_TRACK_URI = re.compile(r"spotify:track:([0-9A-Za-z]{22})")
_MARKET = re.compile(r"[A-Z]{2}|from_token")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def stable_id(kind: str, name: str) -> str:
    """A deterministic 22-character base62 id for an artist or album name."""
    digest = int.from_bytes(hashlib.sha256(f"{kind}:{name}".encode()).digest(), "big")
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    out = []
    for _ in range(22):
        digest, rest = divmod(digest, 62)
        out.append(alphabet[rest])
    return "".join(out)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"status": status, "message": message}}, status=status)


def _oauth_error(error: str, description: str, status: int = 400) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)


@dataclass
class FakeApp:
    """A Spotify app in the developer dashboard."""

    client_id: str
    client_secret: str
    redirect_uris: set[str] = field(default_factory=set)
    development_mode: bool = True
    allowlist: set[str] = field(default_factory=set)

    def allow(self, user_id: str) -> None:
        if user_id not in self.allowlist and len(self.allowlist) >= MAX_DEV_USERS:
            raise ValueError("a development-mode app allows at most five users")
        self.allowlist.add(user_id)


@dataclass
class FakeUser:
    id: str
    display_name: str
    top_artists: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class FakePlaylist:
    id: str
    owner: str
    name: str
    description: str
    public: bool
    items: list[str] = field(default_factory=list)
    snapshot: int = 1
    added_at: str = ""


@dataclass
class _Grant:
    user_id: str
    client_id: str
    scope: str
    consented_at: float


@dataclass
class _Token:
    kind: str  # "app" or "user"
    client_id: str
    issued_at: float
    user_id: str = ""
    scope: str = ""
    expired: bool = False


class FakeSpotify:
    """Start with ``await fake.start()`` (or ``async with``); ``close()`` stops it."""

    def __init__(self, catalogue: DemoCatalogue | None = None) -> None:
        self.catalogue = catalogue or DemoCatalogue()
        self.apps: dict[str, FakeApp] = {}
        self.users: dict[str, FakeUser] = {}
        self.playlists: dict[str, FakePlaylist] = {}
        self.login_as: str | None = None
        self.consent = "allow"
        # switches
        self.latency = 0.0
        self.search_latency = 0.0
        self.quota_exceeded = False
        self.quota_retry_after = 3600
        self.server_errors = 0
        self.malformed = 0
        self._rate_limit_times = 0
        self._rate_limit_retry_after = 1
        self._rate_limit_until = 0.0
        self._rate_limit_after: tuple[int, float] | None = None
        self._offset_s = 0.0
        self._faults: dict[str, tuple[str, int]] = {}  # service -> (kind, retry_after)
        self._healed = asyncio.Event()
        # records
        self.requests: list[tuple[str, str]] = []
        self.token_requests: dict[str, int] = {}
        self.searches = 0
        self.search_limits: list[int] = []
        self.markets: list[str | None] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.rate_limited_answers = 0
        # state
        self._codes: dict[str, dict[str, Any]] = {}
        self._grants: dict[str, _Grant] = {}  # live refresh token -> grant
        self._tokens: dict[str, _Token] = {}
        self._runner: web.AppRunner | None = None
        self.base = ""

    # --- life cycle -------------------------------------------------------------------
    async def start(self) -> str:
        await self.catalogue.size()  # load before the first request is timed
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/authorize", self._authorize)
        app.router.add_post("/api/token", self._token)
        app.router.add_route("*", "/v1/{tail:.*}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"
        return self.base

    async def close(self) -> None:
        self._healed.set()  # releases hanging requests
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSpotify:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def api_url(self) -> str:
        return self.base + "/v1/"

    @property
    def accounts_url(self) -> str:
        return self.base + "/"

    # --- set-up helpers -----------------------------------------------------------------
    def add_app(
        self, client_id: str | None = None, client_secret: str | None = None,
        redirect_uris: tuple[str, ...] = (), *, development_mode: bool = True,
    ) -> FakeApp:
        app = FakeApp(client_id or secrets.token_hex(16), client_secret or secrets.token_hex(16),
                      set(redirect_uris), development_mode)
        self.apps[app.client_id] = app
        return app

    def add_user(
        self, user_id: str, display_name: str = "",
        top_artists: list[tuple[str, list[str]]] | None = None,
        *, allow_in: FakeApp | None = None,
    ) -> FakeUser:
        user = FakeUser(user_id, display_name or user_id.title(), list(top_artists or []))
        self.users[user_id] = user
        if allow_in is not None:
            allow_in.allow(user_id)
        return user

    # --- switches -----------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self._offset_s

    def advance(self, seconds: float) -> None:
        """Moves the fake's clock (e.g. six months on, so refresh tokens die)."""
        self._offset_s += seconds

    def rate_limit(self, times: int, retry_after: int = 1) -> None:
        """The next ``times`` Web API requests answer 429 with this Retry-After."""
        self._rate_limit_times, self._rate_limit_retry_after = times, retry_after

    def rate_limit_for(self, seconds: float) -> None:
        """Every Web API request answers 429 for ``seconds`` from now."""
        self._rate_limit_until = time.monotonic() + seconds

    def rate_limit_after(self, searches: int, seconds: float) -> None:
        """After ``searches`` more searches, every request answers 429 for ``seconds``."""
        self._rate_limit_after = (self.searches + searches, seconds)

    def fail(self, where: str, kind: str, *, retry_after: int = 1) -> None:
        """Every request to ``where`` ("accounts" or "api") fails as ``kind`` until ``heal()``.

        ``kind``: "5xx" (503), "429" (with ``retry_after``), "malformed" (200, JSON cut off),
        or "hang" (held until ``heal()`` or ``close()``).
        """
        if where not in {"accounts", "api"} or kind not in {"5xx", "429", "malformed", "hang"}:
            raise ValueError(f"unknown fault {where}/{kind}")
        self._faults[where] = (kind, retry_after)
        if kind == "hang":
            self._healed.clear()

    def heal(self) -> None:
        """Ends every fault set with ``fail``; hanging requests are released (and answer 503)."""
        self._faults.clear()
        self._healed.set()

    async def _fault(self, request: web.Request) -> web.StreamResponse | None:
        if request.path == "/authorize":  # the user's browser, not the bot, goes there
            return None
        where = "api" if request.path.startswith("/v1/") else "accounts"
        fault = self._faults.get(where)
        if fault is None:
            return None
        kind, retry_after = fault
        if kind == "hang":
            await self._healed.wait()
            return _error(503, "Service unavailable")
        if kind == "5xx":
            return _error(503, "Service unavailable")
        if kind == "429":
            return web.json_response({"error": {"status": 429, "message": "API rate limit exceeded"}},
                                     status=429, headers={"Retry-After": str(retry_after)})
        return web.Response(status=200, text='{"access_token": "', content_type="application/json")

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is now expired (401 "The access token expired")."""
        for token in self._tokens.values():
            token.expired = True

    def revoke(self, user_id: str) -> None:
        """The user removed the app's access: their refresh tokens die."""
        for refresh in [r for r, g in self._grants.items() if g.user_id == user_id]:
            del self._grants[refresh]
        for token in self._tokens.values():
            if token.user_id == user_id:
                token.expired = True

    def playlists_of(self, user_id: str) -> list[FakePlaylist]:
        return [p for p in self.playlists.values() if p.owner == user_id]

    # --- plumbing -----------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            faulty = await self._fault(request)
            if faulty is not None:
                return faulty
            return await handler(request)
        finally:
            self.in_flight -= 1

    def _self_url(self, path: str, params: dict[str, Any]) -> str:
        query = urlencode({k: v for k, v in params.items() if v is not None})
        return f"{self.api_url}{path}" + (f"?{query}" if query else "")

    # --- accounts service ---------------------------------------------------------------
    async def _authorize(self, request: web.Request) -> web.StreamResponse:
        q = request.query
        app = self.apps.get(q.get("client_id", ""))
        if app is None:
            return web.Response(status=400, text="INVALID_CLIENT: Invalid client")
        redirect = q.get("redirect_uri", "")
        parsed = urlparse(redirect)
        if parsed.hostname == "localhost":
            return web.Response(status=400, text="INVALID_CLIENT: Insecure redirect URI")
        secure = parsed.scheme == "https" or (parsed.scheme == "http" and parsed.hostname in
                                               {"127.0.0.1", "::1"})
        if not secure or redirect not in app.redirect_uris:
            return web.Response(status=400, text="INVALID_CLIENT: Invalid redirect URI")
        if q.get("response_type") != "code":
            return web.Response(status=400, text="unsupported_response_type")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return web.Response(status=400, text="code_challenge required (S256)")
        state = q.get("state")
        back: dict[str, str] = {}
        if self.consent != "allow" or self.login_as is None:
            back["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(48)
            self._codes[code] = {
                "client_id": app.client_id, "redirect_uri": redirect, "user": self.login_as,
                "challenge": q["code_challenge"], "scope": q.get("scope", ""),
                "issued": self.now(),
            }
            back["code"] = code
        if state is not None:
            back["state"] = state
        raise web.HTTPFound(f"{redirect}?{urlencode(back)}")

    async def _token(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        grant = str(form.get("grant_type", ""))
        self.token_requests[grant] = self.token_requests.get(grant, 0) + 1
        if self.server_errors > 0:
            self.server_errors -= 1
            return web.Response(status=503, text="Service Unavailable")
        if grant == "client_credentials":
            client_id, secret = self._basic(request)
            client_id = client_id or str(form.get("client_id", ""))
            secret = secret or str(form.get("client_secret", ""))
            app = self.apps.get(client_id)
            if app is None or app.client_secret != secret:
                return _oauth_error("invalid_client", "Invalid client")
            return web.json_response(self._issue("app", client_id))
        if grant == "authorization_code":
            return self._exchange(form)
        if grant == "refresh_token":
            return self._refresh(form)
        return _oauth_error("unsupported_grant_type", f"grant_type {grant!r} is not supported")

    @staticmethod
    def _basic(request: web.Request) -> tuple[str, str]:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return "", ""
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return "", ""
        return client_id, secret

    def _issue(self, kind: str, client_id: str, user_id: str = "", scope: str = "") -> dict[str, Any]:
        token = secrets.token_urlsafe(32)
        self._tokens[token] = _Token(kind, client_id, self.now(), user_id, scope)
        body: dict[str, Any] = {"access_token": token, "token_type": "Bearer",
                                "expires_in": TOKEN_LIFETIME_S}
        if kind == "user":
            body["scope"] = scope
        return body

    def _exchange(self, form: Any) -> web.Response:
        code = str(form.get("code", ""))
        issued = self._codes.pop(code, None)  # single use: gone even if the rest fails
        if issued is None:
            return _oauth_error("invalid_grant", "Invalid authorization code")
        if self.now() - issued["issued"] > CODE_LIFETIME_S:
            return _oauth_error("invalid_grant", "Authorization code expired")
        if str(form.get("client_id", "")) != issued["client_id"]:
            return _oauth_error("invalid_client", "Invalid client")
        if str(form.get("redirect_uri", "")) != issued["redirect_uri"]:
            return _oauth_error("invalid_grant", "Invalid redirect URI")
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.rstrip(b"=").decode() != issued["challenge"]:
            return _oauth_error("invalid_grant", "code_verifier was incorrect")
        refresh = secrets.token_urlsafe(48)
        self._grants[refresh] = _Grant(issued["user"], issued["client_id"], issued["scope"],
                                       self.now())
        body = self._issue("user", issued["client_id"], issued["user"], issued["scope"])
        body["refresh_token"] = refresh
        return web.json_response(body)

    def _refresh(self, form: Any) -> web.Response:
        refresh = str(form.get("refresh_token", ""))
        grant = self._grants.get(refresh)
        if grant is None:
            return _oauth_error("invalid_grant", "Refresh token revoked")
        if str(form.get("client_id", "")) != grant.client_id:
            return _oauth_error("invalid_client", "Invalid client")
        if self.now() - grant.consented_at > SIX_MONTHS_S:
            del self._grants[refresh]
            return _oauth_error("invalid_grant", "Refresh token expired")
        # PKCE: every refresh rotates the refresh token; the old one is dead.
        del self._grants[refresh]
        new_refresh = secrets.token_urlsafe(48)
        self._grants[new_refresh] = grant
        body = self._issue("user", grant.client_id, grant.user_id, grant.scope)
        body["refresh_token"] = new_refresh
        return web.json_response(body)

    # --- Web API ------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.StreamResponse:
        token = self._authenticate(request)
        if isinstance(token, web.Response):
            return token
        if self.server_errors > 0:
            self.server_errors -= 1
            return _error(503, "Service unavailable")
        limited = self._rate_limited()
        if limited is not None:
            self.rate_limited_answers += 1
            return limited
        if self.malformed > 0:
            self.malformed -= 1
            return web.Response(status=200, text='{"tracks": {"items": [', content_type="application/json")
        if token.kind == "user":
            app = self.apps.get(token.client_id)
            if app is not None and app.development_mode and token.user_id not in app.allowlist:
                return _error(403, "Check settings on developer.spotify.com/dashboard, the user "
                                   "may not be registered.")
        path = request.match_info["tail"].strip("/")
        method = request.method
        parts = path.split("/")
        closed = self._closed_endpoint(method, parts)
        if closed is not None:
            return closed
        if method == "GET" and path == "search":
            return await self._search(request)
        if method == "GET" and len(parts) == 2 and parts[0] == "tracks":
            return await self._track(parts[1])
        if parts[0] == "me":
            if token.kind != "user":
                return _error(401, "Valid user authentication required")
            return await self._me(request, token, parts[1:])
        if parts[0] == "playlists" and len(parts) >= 2:
            if token.kind != "user" and method != "GET":
                return _error(401, "Valid user authentication required")
            return await self._playlist(request, token, parts[1], parts[2:])
        return _error(404, "Service not found")

    def _authenticate(self, request: web.Request) -> _Token | web.Response:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return _error(401, "No token provided")
        token = self._tokens.get(header[7:])
        if token is None:
            return _error(401, "Invalid access token")
        if token.expired or self.now() - token.issued_at > TOKEN_LIFETIME_S:
            return _error(401, "The access token expired")
        return token

    def _rate_limited(self) -> web.Response | None:
        if self.quota_exceeded:
            return web.json_response(
                {"error": {"status": 429, "message": "QUOTA_EXCEEDED: the app's quota is used up",
                           "reason": "QUOTA_EXCEEDED"}},
                status=429, headers={"Retry-After": str(self.quota_retry_after)},
            )
        now = time.monotonic()
        if self._rate_limit_after is not None and self.searches >= self._rate_limit_after[0]:
            self._rate_limit_until = now + self._rate_limit_after[1]
            self._rate_limit_after = None
        retry_after = 0
        if now < self._rate_limit_until:
            retry_after = max(1, int(self._rate_limit_until - now + 0.999))
        elif self._rate_limit_times > 0:
            self._rate_limit_times -= 1
            retry_after = self._rate_limit_retry_after
        if not retry_after:
            return None
        return web.json_response(
            {"error": {"status": 429, "message": "API rate limit exceeded"}},
            status=429, headers={"Retry-After": str(retry_after)},
        )

    @staticmethod
    def _closed_endpoint(method: str, parts: list[str]) -> web.Response | None:
        head = parts[0]
        if head in {"recommendations", "audio-analysis"}:
            return _error(404 if head == "recommendations" else 403, "Forbidden" if head != "recommendations"
                          else "Service not found")
        if head == "audio-features":
            return _error(403, "Forbidden")
        if head == "artists" and len(parts) == 3 and parts[2] == "related-artists":
            return _error(404, "Service not found")
        if head == "browse" and len(parts) >= 2 and (parts[1] == "featured-playlists" or
                                                     (parts[1] == "categories" and parts[-1] == "playlists")):
            return _error(404, "Service not found")
        if method == "GET" and len(parts) == 1 and head in {"tracks", "artists", "albums"}:
            return _error(403, "Forbidden")  # batch lookups are gone for development-mode apps
        if head == "users" and len(parts) >= 3 and parts[2] == "playlists":
            return _error(403, "Forbidden")
        if head == "playlists" and len(parts) >= 3 and parts[2] == "tracks":
            return _error(403, "Forbidden")
        return None

    # --- catalogue ----------------------------------------------------------------------
    def _artist_json(self, name: str, genres: list[str] | None = None) -> dict[str, Any]:
        artist_id = stable_id("artist", name)
        body: dict[str, Any] = {
            "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist_id}"},
            "href": f"{self.api_url}artists/{artist_id}",
            "id": artist_id, "name": name, "type": "artist", "uri": f"spotify:artist:{artist_id}",
        }
        if genres is not None:
            body["genres"] = genres
            body["images"] = []
        return body

    def track_json(self, track: Track) -> dict[str, Any]:
        """A TrackObject as Spotify sends it in 2026 (no popularity)."""
        album_id = stable_id("album", f"{track.album}/{track.artist}")
        return {
            "album": {
                "album_type": "album", "total_tracks": 12, "available_markets": [],
                "external_urls": {"spotify": f"https://open.spotify.com/album/{album_id}"},
                "href": f"{self.api_url}albums/{album_id}", "id": album_id, "images": [],
                "name": track.album or track.title, "release_date": "1970",
                "release_date_precision": "year", "type": "album",
                "uri": f"spotify:album:{album_id}",
                "artists": [self._artist_json(track.artist)],
            },
            "artists": [self._artist_json(a) for a in track.artists],
            "available_markets": [],
            "disc_number": 1,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            "external_ids": {},
            "external_urls": {"spotify": f"https://open.spotify.com/track/{track.id}"},
            "href": f"{self.api_url}tracks/{track.id}",
            "id": track.id,
            "is_playable": True,
            "name": track.title,
            "preview_url": None,
            "track_number": 1,
            "type": "track",
            "uri": f"spotify:track:{track.id}",
            "is_local": False,
        }

    async def _search(self, request: web.Request) -> web.Response:
        q = request.query
        self.searches += 1
        query = q.get("q", "")
        if not query.strip() or parse_query(query).is_empty:
            return _error(400, "No search query")
        types = q.get("type", "")
        if not types:
            return _error(400, "Missing parameter type")
        if "track" not in types.split(","):
            return _error(400, "Only type=track is served by this fake")
        try:
            limit = int(q.get("limit", "5"))
            offset = int(q.get("offset", "0"))
        except ValueError:
            return _error(400, "Invalid limit")
        self.search_limits.append(limit)
        if not 1 <= limit <= 10:
            return _error(400, "Invalid limit")
        if not 0 <= offset <= 1000:
            return _error(400, "Invalid offset")
        market = q.get("market")
        self.markets.append(market)
        if market is not None and not _MARKET.fullmatch(market):
            return _error(400, "Invalid market code")
        if self.search_latency:
            await asyncio.sleep(self.search_latency)
        tracks = await self.catalogue.search(query, limit=limit, offset=offset)
        more = bool(offset + limit <= 1000 and len(tracks) == limit and
                    await self.catalogue.search(query, limit=1, offset=offset + limit))
        params = {"q": query, "type": "track", "market": market, "limit": limit}
        body = {"tracks": {
            "href": self._self_url("search", {**params, "offset": offset}),
            "items": [self.track_json(t) for t in tracks],
            "limit": limit,
            "next": self._self_url("search", {**params, "offset": offset + limit}) if more else None,
            "offset": offset,
            "previous": self._self_url("search", {**params, "offset": max(0, offset - limit)})
            if offset else None,
            # Spotify's totals are estimates too; this one says "at least one more page".
            "total": offset + len(tracks) + (limit if more else 0),
        }}
        return web.json_response(body)

    async def _track(self, track_id: str) -> web.Response:
        if not _BASE62.fullmatch(track_id):
            return _error(400, "Invalid base62 id")
        track = await self.catalogue.get_track(track_id)
        if track is None:
            return _error(404, "Resource not found")
        return web.json_response(self.track_json(track))

    # --- the user -----------------------------------------------------------------------
    def _user_json(self, user: FakeUser, *, private: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "display_name": user.display_name,
            "external_urls": {"spotify": f"https://open.spotify.com/user/{user.id}"},
            "href": f"{self.api_url}users/{user.id}", "id": user.id, "type": "user",
            "uri": f"spotify:user:{user.id}",
        }
        if private:
            body["images"] = []
            body["account_id"] = stable_id("account", user.id)[:10]
        return body

    async def _me(self, request: web.Request, token: _Token, rest: list[str]) -> web.Response:
        user = self.users[token.user_id]
        method = request.method
        if not rest and method == "GET":
            return web.json_response(self._user_json(user, private=True))
        if rest == ["top", "artists"] and method == "GET":
            if "user-top-read" not in token.scope.split():
                return _error(403, "Insufficient client scope")
            try:
                limit = int(request.query.get("limit", "20"))
                offset = int(request.query.get("offset", "0"))
            except ValueError:
                return _error(400, "Invalid limit")
            if not 1 <= limit <= 50:
                return _error(400, "Invalid limit")
            page = user.top_artists[offset: offset + limit]
            more = offset + limit < len(user.top_artists)
            params = {"time_range": request.query.get("time_range", "medium_term"), "limit": limit}
            return web.json_response({
                "href": self._self_url("me/top/artists", {**params, "offset": offset}),
                "items": [self._artist_json(name, genres) for name, genres in page],
                "limit": limit,
                "next": self._self_url("me/top/artists", {**params, "offset": offset + limit})
                if more else None,
                "offset": offset, "previous": None, "total": len(user.top_artists),
            })
        if rest == ["playlists"] and method == "POST":
            scopes = set(token.scope.split())
            if not scopes & {"playlist-modify-private", "playlist-modify-public"}:
                return _error(403, "Insufficient client scope")
            try:
                body = await request.json()
            except ValueError:
                return _error(400, "Error parsing JSON.")
            if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
                return _error(400, "Missing required field: name")
            public = body.get("public", True)
            if public and "playlist-modify-public" not in scopes:
                return _error(403, "Insufficient client scope")
            playlist = FakePlaylist(
                id=stable_id("playlist", secrets.token_hex(8)), owner=user.id, name=body["name"],
                description=str(body.get("description", "")), public=bool(public),
            )
            self.playlists[playlist.id] = playlist
            return web.json_response(await self._playlist_json(playlist, user), status=201)
        return _error(404, "Service not found")

    # --- playlists ----------------------------------------------------------------------
    async def _items_json(self, playlist: FakePlaylist, offset: int, limit: int) -> dict[str, Any]:
        owner = self.users.get(playlist.owner)
        items = []
        for uri in playlist.items[offset: offset + limit]:
            track = await self.catalogue.get_track(uri.rsplit(":", 1)[1])
            track_body = self.track_json(track) if track is not None else None
            items.append({
                "added_at": playlist.added_at,
                "added_by": {k: v for k, v in self._user_json(owner, private=False).items()
                             if k != "display_name"} if owner else None,
                "is_local": False,
                "item": track_body,
                "track": track_body,
            })
        more = offset + limit < len(playlist.items)
        path = f"playlists/{playlist.id}/items"
        return {
            "href": self._self_url(path, {"offset": offset, "limit": limit}),
            "items": items, "limit": limit,
            "next": self._self_url(path, {"offset": offset + limit, "limit": limit}) if more else None,
            "offset": offset,
            "previous": self._self_url(path, {"offset": max(0, offset - limit), "limit": limit})
            if offset else None,
            "total": len(playlist.items),
        }

    async def _playlist_json(self, playlist: FakePlaylist, user: FakeUser | None) -> dict[str, Any]:
        owner = self.users.get(playlist.owner)
        body: dict[str, Any] = {
            "collaborative": False,
            "description": playlist.description or None,
            "external_urls": {"spotify": f"https://open.spotify.com/playlist/{playlist.id}"},
            "href": f"{self.api_url}playlists/{playlist.id}",
            "id": playlist.id, "images": [], "name": playlist.name,
            "owner": self._user_json(owner, private=False) if owner else None,
            "public": playlist.public,
            "snapshot_id": f"snap{playlist.snapshot}",
            "type": "playlist", "uri": f"spotify:playlist:{playlist.id}",
        }
        if user is not None and user.id == playlist.owner:
            body["items"] = await self._items_json(playlist, 0, 100)
        return body

    async def _playlist(
        self, request: web.Request, token: _Token, playlist_id: str, rest: list[str]
    ) -> web.Response:
        if not _BASE62.fullmatch(playlist_id):
            return _error(400, "Invalid base62 id")
        playlist = self.playlists.get(playlist_id)
        if playlist is None:
            return _error(404, "Resource not found")
        user = self.users.get(token.user_id) if token.kind == "user" else None
        owner = user is not None and user.id == playlist.owner
        method = request.method
        if not rest:
            if method == "GET":
                return web.json_response(await self._playlist_json(playlist, user))
            if method == "PUT":
                if not owner:
                    return _error(403, "You cannot change a playlist you do not own.")
                body = await request.json()
                if not isinstance(body, dict):
                    return _error(400, "Error parsing JSON.")
                if isinstance(body.get("name"), str):
                    playlist.name = body["name"]
                if isinstance(body.get("description"), str):
                    playlist.description = body["description"]
                if isinstance(body.get("public"), bool):
                    playlist.public = body["public"]
                return web.Response(status=200)
            return _error(405, "Method not allowed")
        if rest != ["items"]:
            return _error(404, "Service not found")
        if not owner:
            return _error(403, "You cannot access a playlist you do not own.")
        if method == "GET":
            try:
                limit = int(request.query.get("limit", "50"))
                offset = int(request.query.get("offset", "0"))
            except ValueError:
                return _error(400, "Invalid limit")
            if not 1 <= limit <= 50:
                return _error(400, "Invalid limit")
            return web.json_response(await self._items_json(playlist, offset, limit))
        if method not in {"POST", "PUT"}:
            return _error(405, "Method not allowed")
        body: Any = None
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                return _error(400, "Error parsing JSON.")
        if "uris" in request.query:
            uris = [u for u in request.query["uris"].split(",") if u]
        elif isinstance(body, dict) and isinstance(body.get("uris"), list):
            uris = body["uris"]
        elif isinstance(body, list):  # spotipy's playlist_add_items sends a bare array
            uris = body
        elif method == "PUT" and isinstance(body, dict) and "range_start" in body:
            return self._reorder(playlist, body)
        else:
            return _error(400, "No uris provided")
        if len(uris) > 100:
            return _error(400, "You can add a maximum of 100 tracks per request.")
        for uri in uris:
            match = _TRACK_URI.fullmatch(uri) if isinstance(uri, str) else None
            if match is None:
                return _error(400, f"Invalid track uri: {uri}")
            if await self.catalogue.get_track(match.group(1)) is None:
                return _error(400, f"Invalid track uri: {uri}")
        playlist.added_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if method == "PUT":
            playlist.items = list(uris)
        else:
            position = request.query.get("position") or (body.get("position") if isinstance(body, dict)
                                                         else None)
            at = len(playlist.items) if position is None else int(position)
            playlist.items[at:at] = list(uris)
        playlist.snapshot += 1
        return web.json_response({"snapshot_id": f"snap{playlist.snapshot}"},
                                 status=201 if method == "POST" else 200)

    @staticmethod
    def _reorder(playlist: FakePlaylist, body: dict[str, Any]) -> web.Response:
        start, before = int(body["range_start"]), int(body.get("insert_before", 0))
        length = int(body.get("range_length", 1))
        moved = playlist.items[start:start + length]
        rest = playlist.items[:start] + playlist.items[start + length:]
        at = before if before <= start else before - length
        playlist.items = rest[:at] + moved + rest[at:]
        playlist.snapshot += 1
        return web.json_response({"snapshot_id": f"snap{playlist.snapshot}"})


class FakeSpotifyThread:
    """Runs a ``FakeSpotify`` in its own thread and event loop.

    For timing tests: the fake's own work (searching the catalogue) then does not run on
    the event loop whose responsiveness is being measured.  Switches are plain attributes,
    so setting them from the test's thread is fine.
    """

    def __init__(self, fake: FakeSpotify) -> None:
        self.fake = fake
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> FakeSpotify:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self.fake.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.fake.close())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-spotify", daemon=True)
        self._thread.start()
        if not ready.wait(30):
            raise RuntimeError("the fake Spotify did not start")
        return self.fake

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)


__all__ = ["FakeApp", "FakePlaylist", "FakeSpotify", "FakeSpotifyThread", "FakeUser", "stable_id"]
