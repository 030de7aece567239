"""The REST API: the engine over HTTP, in the request/response shapes of EchoTuner's API.

An API client is a user like a chat user: ``UserRef("api", device_id, "api")``, hashed
before storage, with the same quotas and profiles.  Errors have one stable shape,
``{"error": {"code", "message"}}``, and the status a client expects.

Who may speak for a device id (``ApiConfig``): with ``API_KEYS`` the key holder (the
operator's own app) vouches for its device ids; without keys on a server reachable beyond
this machine, a device registers (``POST /register-device``) and proves itself with the
``X-Device-Secret`` it was given; on loopback with nothing set, the id alone, as in
EchoTuner.  Each client address also has a daily budget of generations and sign-ins
(``adapters.web.rest_budget``), so rotating device ids gains nothing.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from adapters.web.client_address import Network, client_address
from adapters.web.languages import request_language
from adapters.web.openapi import openapi_document
from adapters.web.rest_budget import ClientBudget
from core import i18n, wording
from core.actions import Actions, error_reply
from core.engine import Deliver, Engine
from core.errors import DeliveryFailed, QuotaExceeded
from core.i18n import Message
from core.models import Conversation, Playlist, Profile, Track, UserRef
from core.profile_edit import apply_changes
from core.replies import LimitsReply, Reply, TextReply

if TYPE_CHECKING:
    from core.blend_invites import Blends
    from core.linking import Linking
    from core.ports import Scratch
    from core.sharing import Sharing

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_DEVICE_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_DRAFT_ID = re.compile(r"[0-9]{1,19}")
_MAX_DRAFT_ID = 2**63 - 1  # SQLite's and PostgreSQL's largest integer key
DEVICE_SECRET_HEADER = "X-Device-Secret"
_DAY_S = 24 * 3600.0


class ApiError(Exception):
    """An HTTP error with the API's stable JSON shape."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


def error_response(error: ApiError) -> web.Response:
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
    return web.json_response(
        {"error": {"code": error.code, "message": error.message}},
        status=error.status,
        headers=headers,
    )


@dataclass(frozen=True, slots=True)
class _Wire:
    """How a refusal of the conversation layer goes over HTTP: its status, and (when the
    API says it its own way) its code and message."""

    status: int
    code: str | None = None
    message: Message | None = None


_NOT_FOUND = _Wire(404, "not_found", wording.NO_SUCH_PLAYLIST)
#: THE table from a ``TextReply.code`` (the one error policy, ``core.actions``) to HTTP.
#: Any other refusal a user can act on (bad input, not about music...) is a 422.
WIRE: Mapping[str, _Wire] = {
    "quota_exceeded": _Wire(429),
    "refinement_limit": _Wire(429),
    # Someone else's playlist is "not found": ids must not reveal other users' drafts.
    "not_found": _NOT_FOUND,
    "forbidden": _NOT_FOUND,
    "unavailable": _Wire(503),
    "catalogue_quota": _Wire(503),
    "store_unavailable": _Wire(503),
    "internal": _Wire(500),
}
_REFUSED = _Wire(422)


def wire_error(reply: TextReply, retry_after: int | None = None) -> ApiError:
    """A refusal (an error ``TextReply``) in the API's error shape, through ``WIRE``."""
    wire = WIRE.get(reply.code, _REFUSED)
    return ApiError(wire.status, wire.code or reply.code or "error",
                    wire.message() if wire.message is not None else reply.text,
                    retry_after=retry_after)


def _retry_after(exc: BaseException) -> int | None:
    """Seconds until a spent daily quota resets (the ``Retry-After`` of its 429)."""
    if isinstance(exc, QuotaExceeded):
        return max(1, int((exc.resets_at - datetime.now(UTC)).total_seconds()))
    return None


@dataclass(frozen=True)
class ApiConfig:
    """How the API is guarded.

    ``device_secrets``: device routes need the ``X-Device-Secret`` that ``/register-device``
    issued (set when the API is exposed without ``api_keys``).  ``trusted_proxies``: whose
    forwarding headers name the client address the budgets count by.  The budgets are per
    client address per day (0: none).  ``min_count``: the fewest songs a request may ask
    for (EchoTuner's API allows 1; the maximum is the operator's MAX_SONGS_PER_PLAYLIST).
    """

    api_keys: tuple[str, ...] = ()
    max_body_bytes: int = 64 * 1024
    session_ttl: timedelta = timedelta(hours=24)
    device_secrets: bool = False
    trusted_proxies: tuple[Network, ...] = ()
    generations_per_client_per_day: int = 0
    signins_per_client_per_day: int = 0
    min_count: int = 1


#: The store namespace of sign-in sessions (the ``Scratch`` the composition root hands over).
SESSION_NAMESPACE = "api-session"
_UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_PLATFORM = re.compile(r"[A-Za-z0-9._\-]{1,32}")


def _song(track: Track) -> dict[str, Any]:
    song: dict[str, Any] = {
        "title": track.title,
        "artist": track.artist,
        "album": track.album,
        "spotify_id": track.id,
    }
    if track.popularity is not None:
        song["popularity"] = track.popularity
    if track.genres:
        song["genres"] = list(track.genres)
    return song


def playlist_body(playlist: Playlist) -> dict[str, Any]:
    """The generate/refine answer of EchoTuner's API."""
    return {
        "songs": [_song(t) for t in playlist.tracks],
        "generated_from": playlist.prompt,
        "total_count": len(playlist.tracks),
        "is_refinement": playlist.is_refinement,
        "playlist_id": str(playlist.draft_id),
        "title": playlist.title,
        "version": playlist.version,
        "provider": playlist.provider,
        "note": playlist.note,
    }


class RestApi:
    """Route handlers over one engine; mount them with ``routes()``."""

    def __init__(
        self, engine: Engine, config: ApiConfig, linking: Linking | None = None,
        sharing: Sharing | None = None, actions: Actions | None = None,
        sessions: Scratch | None = None, blends: Blends | None = None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.linking = linking
        self.sharing = sharing
        # Sign-in sessions (``/auth/init`` to ``/auth/validate``), shared by every process;
        # the API's slice of the store, nothing more.  Without it, no sign-in is offered.
        self.sessions = sessions
        # The conversation layer, for what one of its verbs answers as the API needs it;
        # the rest (per-request profiles, adopted playlists, the API's own smallest
        # count, device credentials) calls the engine, under the same error policy.
        self.actions = actions or Actions(engine, linking, sharing, blends=blends)
        # Playlists of several devices' tastes (``POST /blend``); None: not offered here.
        self.blends = blends or self.actions.blends
        self.generations = ClientBudget(config.generations_per_client_per_day, _DAY_S)
        self.signins = ClientBudget(config.signins_per_client_per_day, _DAY_S)

    def routes(self) -> list[web.RouteDef]:
        """Every REST route, ``/openapi.json`` included."""
        return [
            web.post("/generate-playlist", self._guarded(self.generate)),
            web.post("/refine-playlist", self._guarded(self.refine)),
            web.get("/rate-limit-status/{device_id}", self._guarded(self.rate_limit_status)),
            web.post("/register-device", self._guarded(self.register_device)),
            web.post("/blend", self._guarded(self.blend)),
            web.get("/auth/init", self._guarded(self.auth_init), allow_head=False),
            web.post("/auth/validate", self._guarded(self.auth_validate)),
            web.get("/openapi.json", self.openapi),
        ]

    async def openapi(self, request: web.Request) -> web.Response:
        return web.json_response(openapi_document())

    # --- plumbing -----------------------------------------------------------------------
    def _guarded(self, handler: Handler) -> Handler:
        """The handler under the API's guard: its own 4xx as they are, the client leaving
        as a 499, and every other failure through the one error policy (``error_reply``:
        a refusal says its message, anything unexpected is logged once and apologised
        for) and ``WIRE``."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            with i18n.speaking(request_language(request)):
                return await in_their_language(request)

        async def in_their_language(request: web.Request) -> web.StreamResponse:
            try:
                self._authorise(request)
                return await handler(request)
            except ApiError as error:
                return error_response(error)
            except DeliveryFailed as exc:
                log.info("%s %s: the client left before its answer; nothing was charged (%s)",
                         request.method, request.path, exc.__cause__)
                return error_response(ApiError(499, "client_gone", wording.CLIENT_GONE()))
            except Exception as exc:
                reply = error_reply(exc, f"{request.method} {request.path}")
                return error_response(wire_error(reply, _retry_after(exc)))

        return guarded

    @staticmethod
    def _refusal(reply: Reply) -> ApiError:
        """What to answer when a verb did not answer the reply the endpoint renders."""
        if isinstance(reply, TextReply) and reply.error:
            return wire_error(reply)
        # Our own bug: logged once, answered with the apology.
        unexpected = TypeError(f"a verb answered {type(reply).__name__} where the API "
                               "expected another reply")
        return wire_error(error_reply(unexpected, "the REST API"))

    def _authorise(self, request: web.Request) -> None:
        if not self.config.api_keys:
            return
        given = request.headers.get("X-API-Key", "")
        bearer = request.headers.get("Authorization", "")
        if not given and bearer[:7].lower() == "bearer ":
            given = bearer[7:].strip()
        # A key is printable ASCII; anything else (aiohttp hands undecodable bytes over as
        # surrogates) is simply not a key, and must not reach the comparison.
        if not given.isascii():
            given = ""
        # Compare against every key so timing says nothing about which one nearly matched.
        matched = False
        for key in self.config.api_keys:
            matched |= hmac.compare_digest(given.encode(), key.encode())
        if not matched:
            raise ApiError(401, "unauthorized", wording.API_KEY_REQUIRED())

    async def _json(self, request: web.Request, *, optional: bool = False) -> Mapping[str, Any]:
        """The whole body as a JSON object, read to its end under MAX_REQUEST_BYTES.

        A body arrives in as many pieces as the network likes: it is read until the end,
        and refused (413) as soon as the running total passes the limit, whatever the
        Content-Length said.  Anything after the JSON value is refused (400).
        """
        raw = await self._body(request)
        if optional and not raw.strip():
            return {}
        try:
            body = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            # ValueError covers bad JSON, trailing data and integers past Python's digit
            # limit; RecursionError, nesting deeper than the parser goes.
            raise ApiError(400, "bad_json", wording.BODY_NOT_JSON()) from None
        if not isinstance(body, dict):
            raise ApiError(400, "bad_json", wording.BODY_NOT_OBJECT())
        return body

    async def _body(self, request: web.Request) -> bytes:
        limit = self.config.max_body_bytes
        too_large = ApiError(413, "too_large", wording.body_too_large(limit))
        if request.content_length is not None and request.content_length > limit:
            raise too_large
        raw = bytearray()
        while True:
            chunk = await request.content.readany()
            if not chunk:
                return bytes(raw)
            raw += chunk
            if len(raw) > limit:
                raise too_large

    def _device(self, request: web.Request, value: object) -> UserRef:
        """The device a request speaks for, once it has shown it may (see the module doc)."""
        user = self._device_id(value)
        if self.config.device_secrets and not self.config.api_keys:
            given = request.headers.get(DEVICE_SECRET_HEADER, "")
            expected = self._device_secret(user.user_id)
            if not given.isascii() or not hmac.compare_digest(given.encode(), expected.encode()):
                raise ApiError(401, "device_unauthorized",
                               wording.device_secret_needed(DEVICE_SECRET_HEADER))
        return user

    @staticmethod
    def _device_id(value: object) -> UserRef:
        """A well-formed device id as the engine's user (nothing proven yet)."""
        if not isinstance(value, str) or not _DEVICE_ID.fullmatch(value):
            raise ApiError(422, "invalid_device_id", wording.DEVICE_ID_INVALID())
        return UserRef("api", value, "api")

    def _device_secret(self, device_id: str) -> str:
        """The secret of a registered device: an HMAC of its id under the server's secret.

        Nothing is stored: the server recomputes it, so every replica sharing SECRET_KEY
        accepts it, and no table holds a secret to steal.  Only ids the server issued are
        worth anything, as ``/register-device`` hands out secrets for its own random ids.
        """
        return self.engine.keys.key(UserRef("api-device-secret", device_id, "api"))

    def _spend(self, budget: ClientBudget, request: web.Request, what: Message) -> None:
        """Counts one use of a per-address budget; 429 with Retry-After when it is spent."""
        wait = budget.take(client_address(request, self.config.trusted_proxies))
        if wait:
            raise ApiError(429, "client_limit", wording.too_many_from_address(what()),
                           retry_after=wait)

    @staticmethod
    def _text(body: Mapping[str, Any], field: str) -> str:
        value = body.get(field)
        if not isinstance(value, str):
            raise ApiError(422, "invalid_input", wording.field_required(field))
        return value

    @staticmethod
    def _draft_id(value: object) -> int:
        """A playlist id as the store knows it; anything else (a float, 2**64, "1_0") is
        simply no playlist of this device."""
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not _DRAFT_ID.fullmatch(text.strip()):
            raise ApiError(404, "not_found", wording.NO_SUCH_PLAYLIST())
        draft_id = int(text)
        if not 1 <= draft_id <= _MAX_DRAFT_ID:
            raise ApiError(404, "not_found", wording.NO_SUCH_PLAYLIST())
        return draft_id

    # --- endpoints ------------------------------------------------------------------------
    async def generate(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        user = self._device(request, body.get("device_id"))
        prompt = self._text(body, "prompt")
        self._spend(self.generations, request, wording.API_PLAYLISTS)
        profile = await self._context_profile(user, body.get("user_context"))
        sent: list[web.Response] = []
        await self.engine.generate(user, prompt, body.get("count"), profile=profile,
                                   deliver=self._sender(request, sent),
                                   min_count=self.config.min_count)
        return sent[0]

    async def refine(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        user = self._device(request, body.get("device_id"))
        feedback = self._text(body, "prompt")
        playlist_id = body.get("playlist_id")
        draft_id = self._draft_id(playlist_id) if playlist_id is not None else None
        sent: list[web.Response] = []
        if draft_id is None:
            songs = body.get("current_songs")
            if not isinstance(songs, list) or not songs:
                raise ApiError(422, "invalid_input", wording.SEND_PLAYLIST_OR_SONGS())
            tracks = self._tracks(songs)
        self._spend(self.generations, request, wording.API_PLAYLISTS)
        if draft_id is None:
            # The client's own playlist refined: a planning run that costs a playlist.
            await self.engine.adopt(user, feedback, tracks, count=body.get("count"),
                                    deliver=self._sender(request, sent),
                                    min_count=self.config.min_count)
            return sent[0]
        await self.engine.refine(user, feedback, draft_id, count=body.get("count"),
                                 deliver=self._sender(request, sent),
                                 min_count=self.config.min_count)
        return sent[0]

    def _sender(self, request: web.Request, sent: list[web.Response]) -> Deliver:
        """Writes the playlist's answer from inside the engine's charge: a client that is gone
        by then (it gave up waiting) gets nothing and is charged nothing."""

        async def deliver(playlist: Playlist) -> None:
            response = web.json_response(await self._answer(playlist))
            await response.prepare(request)
            await response.write_eof()
            sent.append(response)

        return deliver

    async def _answer(self, playlist: Playlist) -> dict[str, Any]:
        """The playlist body, with ``share_url`` (its page) when PUBLIC_BASE_URL is set."""
        body = playlist_body(playlist)
        if self.sharing is not None:
            url = await self.sharing.share_url(playlist.draft_id)
            if url is not None:
                body["share_url"] = url
        return body

    async def blend(self, request: web.Request) -> web.Response:
        """One playlist from several devices' tastes (``adapters.web.rest_blend``)."""
        from adapters.web.rest_blend import post_blend  # it builds on this module

        return await post_blend(self, request)

    async def rate_limit_status(self, request: web.Request) -> web.Response:
        user = self._device(request, request.match_info["device_id"])
        reply = await self.actions.limits(user)
        if not isinstance(reply, LimitsReply):
            raise self._refusal(reply)
        status = reply.status
        settings = status.settings
        playlists_left = status.playlists_left
        refinements_left = status.refinements_left
        return web.json_response({
            "device_id": self.engine.keys.key(user)[:16],
            "requests_made_today": status.playlists_used_today,
            "max_requests_per_day": settings.max_playlists_per_day,
            "refinements_used": status.refinements_used,
            "max_refinements": settings.max_refinements_per_playlist,
            "can_make_request": playlists_left is None or playlists_left > 0,
            "can_refine": status.latest_draft_id is not None
            and (refinements_left is None or refinements_left > 0),
            "playlist_limit_enabled": settings.playlist_limit_enabled,
            "refinement_limit_enabled": settings.refinement_limit_enabled,
            "resets_at": status.resets_at.isoformat(),
        })

    async def register_device(self, request: web.Request) -> web.Response:
        """A new device id and its secret (send it as ``X-Device-Secret`` on device routes).

        The id is random and the server's: a client cannot register an id someone else
        already uses.  Nothing is written; registrations count against the address's
        daily sign-in budget.
        """
        body = await self._json(request, optional=True)
        platform = body.get("platform", "api")
        if not isinstance(platform, str) or not _PLATFORM.fullmatch(platform):
            raise ApiError(422, "invalid_input", wording.PLATFORM_INVALID())
        self._spend(self.signins, request, wording.API_SIGN_INS)
        device_id = f"{platform[:16]}-{secrets.token_urlsafe(18)}"
        return web.json_response(
            {"device_id": device_id, "device_secret": self._device_secret(device_id),
             "header": DEVICE_SECRET_HEADER},
            status=201, headers={"Cache-Control": "no-store"},
        )

    async def auth_init(self, request: web.Request) -> web.Response:
        """Starts linking Spotify for a device: the URL to open and a session to validate later.

        The session (UUID4) is bound to the device that asked and to the state of this URL:
        it becomes valid only when the callback of that state links an account; it expires
        after SESSION_TIMEOUT hours.
        """
        user = self._device(request, request.query.get("device_id"))
        platform = request.query.get("platform", "api")
        if not _PLATFORM.fullmatch(platform):
            raise ApiError(422, "invalid_input", wording.PLATFORM_INVALID())
        if self.linking is None or self.sessions is None:
            raise ApiError(503, "spotify_not_configured", wording.API_SPOTIFY_NOT_SET_UP())
        self._spend(self.signins, request, wording.API_SIGN_INS)
        key = self.engine.keys.key(user)
        auth_url = await self.linking.link_start(user, Conversation("api", key))
        state = parse_qs(urlsplit(auth_url).query).get("state", [""])[0]
        session_id = str(uuid.uuid4())
        expires = datetime.now(UTC) + self.config.session_ttl
        await self.sessions.put(
            session_id,
            json.dumps({"device": key, "platform": platform, "expires_at": expires.isoformat(),
                        "state": self.linking.state_digest(state)}),
            self.config.session_ttl,
        )
        return web.json_response({"auth_url": auth_url, "state": state,
                                  "session_id": session_id, "expires_at": expires.isoformat()})

    async def auth_validate(self, request: web.Request) -> web.Response:
        """Whether a session is live, belongs to this device, and its own sign-in linked the
        account the device has now.  Only then is the Spotify user id said."""
        body = await self._json(request)
        user = self._device(request, body.get("device_id"))
        session_id = body.get("session_id")
        invalid = {"valid": False, "spotify_user_id": None, "expires_at": None}
        if not isinstance(session_id, str) or not _UUID4.fullmatch(session_id):
            return web.json_response(invalid)
        if self.sessions is None or self.linking is None:
            return web.json_response(invalid)
        raw = await self.sessions.get(session_id)
        if raw is None:
            return web.json_response(invalid)
        session = json.loads(raw)
        key = self.engine.keys.key(user)
        if not hmac.compare_digest(str(session.get("device", "")), key):
            return web.json_response(invalid)  # another device's session says nothing
        digest = session.get("state")
        linked_by_session = await self.linking.completed_link(digest) if digest else None
        account = await self.linking.linked_account(user)
        if (linked_by_session is None or account is None
                or not hmac.compare_digest(account.account_id.encode(),
                                           linked_by_session.encode())):
            # Not through this session's callback (pending, failed, or linked some other
            # way), or unlinked since: not valid.
            return web.json_response(invalid)
        return web.json_response({"valid": True, "spotify_user_id": account.account_id,
                                  "expires_at": session["expires_at"]})

    # --- helpers ----------------------------------------------------------------------------
    async def _context_profile(self, user: UserRef, context: object) -> Profile | None:
        """``user_context`` (favourite genres/artists, ...) shapes this request only."""
        if context is None:
            return None
        if not isinstance(context, dict):
            raise ApiError(422, "invalid_input", wording.USER_CONTEXT_INVALID())
        aliases = {"favorite_genres": "genres", "favourite_genres": "genres",
                   "favorite_artists": "artists", "favourite_artists": "artists",
                   "disliked_artists": "disliked", "energy": "energy",
                   "discovery": "discovery", "explicit": "explicit"}
        changes: dict[str, str] = {}
        for key, value in context.items():
            field = aliases.get(str(key))
            if field is None:
                continue  # unknown context keys are the client's own business
            if isinstance(value, list):
                changes[field] = ",".join(str(v) for v in value)
            elif isinstance(value, bool):
                changes[field] = "yes" if value else "no"
            elif isinstance(value, str | int | float):
                changes[field] = str(value)
        if not changes:
            return None
        # A bad value is an InvalidInput: a 422 with its message, through the guard.
        return apply_changes(await self.engine.get_profile(user), changes)

    @staticmethod
    def _tracks(songs: Sequence[object]) -> list[Track]:
        tracks: list[Track] = []
        for song in songs:
            if not isinstance(song, dict):
                raise ApiError(422, "invalid_input", wording.SONG_NOT_OBJECT())
            title, artist, track_id = song.get("title"), song.get("artist"), song.get("spotify_id")
            if not all(isinstance(v, str) and v for v in (title, artist, track_id)):
                raise ApiError(422, "invalid_input", wording.SONG_FIELDS_MISSING())
            album = song.get("album")
            tracks.append(Track(id=str(track_id), title=str(title), artists=(str(artist),),
                                album=album if isinstance(album, str) else ""))
        return tracks
