"""The HTML pages of the web side: OAuth landing, shared playlists, the operator's status.

Jinja2 templates through aiohttp-jinja2 with autoescaping on: every string from a user,
a model or a catalogue reaches the page as text.  One stylesheet and one small script,
both served from ``/static/`` by this server (no CDN, no build step), so pages render
offline.  Each page carries its own strict Content-Security-Policy (no inline script or
style at all) whatever ``SECURE_HEADERS`` says, because each shows text someone else
wrote.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
import markupsafe
from aiohttp import web

from adapters.web.client_address import Network
from adapters.web.operator import Access, operator_access
from adapters.web.pages.status import StatusCollector
from core import i18n, wording
from core.display import duration
from core.i18n import Message
from core.ids import is_spotify_id
from core.models import LinkKind, LinkOutcome, Track
from core.sharing import SharedPlaylist, Sharing

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_PREFIX = "/static/"
STATUS_PATH = "/status"
SHARE_ROUTE = "/p/{share_id}"
STATUS_REFRESH_S = 30

_BASE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
# Landing, status and "not found" pages: the stylesheet, nothing else.
PAGE_CSP = f"{_BASE_CSP}; style-src 'self'; img-src 'self'"
# Spotify serves album art from these hosts; anything else gets the placeholder.
ART_HOSTS = ("i.scdn.co", "mosaic.scdn.co", "image-cdn-ak.spotifycdn.com",
             "image-cdn-fa.spotifycdn.com")
PLAYLIST_CSP = (
    f"{_BASE_CSP}; style-src 'self'; script-src 'self'; "
    f"img-src 'self' {' '.join('https://' + h for h in ART_HOSTS)}"
)
ROBOTS = "noindex, nofollow, noarchive"


def _asset_version() -> str:
    """A digest of the static files, so a changed stylesheet is never served from a cache."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.iterdir()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


ASSET_VERSION = _asset_version()


def total_duration(tracks: tuple[Track, ...]) -> str:
    """``1 h 12 min`` or ``48 min`` for a playlist; empty when lengths are unknown."""
    total = sum(t.duration_ms for t in tracks)
    if total <= 0:
        return ""
    return wording.playlist_length(round(total / 60000))


def iso_duration(ms: int) -> str:
    """An ISO 8601 duration for ``<time datetime=...>``."""
    seconds = round(ms / 1000)
    return f"PT{seconds // 60}M{seconds % 60}S"


def when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def art_url(track: Track) -> str | None:
    """The track's album art when it is Spotify's (https, a Spotify image host), else None."""
    url = track.image_url
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme == "https" and parts.hostname in ART_HOSTS else None


_SMALL_WORDS = frozenset("a an and of the in on for to at by with".split())


def initials(text: str) -> str:
    """Up to two initials of an album (or title) for the placeholder cover ("Out of Time": OT)."""
    words = [w for w in text.replace("-", " ").split() if w[:1].isalnum()]
    main = [w for w in words if w.casefold() not in _SMALL_WORDS] or words
    return "".join(w[0] for w in main[:2]).upper() or "♪"


def hue(text: str) -> int:
    """One of eight placeholder colours, stable for an album."""
    return zlib.crc32(text.casefold().encode()) % 8


def say(sentence: Callable[..., str], *parts: object) -> markupsafe.Markup:
    """A ``core.wording`` sentence as HTML: its own words escaped, ``parts`` (markup the
    template built: a ``<time>``, a link) put in its placeholders as they are."""
    slots = [f"\x00{n}\x00" for n in range(len(parts))]
    text = str(markupsafe.escape(sentence(*slots)))
    for slot, part in zip(slots, parts, strict=True):
        text = text.replace(slot, str(markupsafe.escape(part)))
    return markupsafe.Markup(text)


def page_language() -> str:
    """The current locale as an HTML ``lang`` tag ("pt-BR", "zh-Hans")."""
    return i18n.current().replace("_", "-")


def environment(**kwargs: Any) -> jinja2.Environment:
    """The templates' environment: autoescaping on, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        **kwargs,
    )
    _configure(env)
    return env


def _configure(env: jinja2.Environment) -> None:
    env.filters.update(duration=duration, iso_duration=iso_duration, when=when, initials=initials,
                       hue=hue)
    env.globals.update(static=STATIC_PREFIX, asset_version=ASSET_VERSION, w=wording, say=say,
                       lang=page_language, rtl=i18n.is_rtl)


# --- the OAuth landing page ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Landing:
    """What one outcome's page says: a heading, a tone and what to do next (in the
    visitor's language when said)."""

    heading_message: Message
    tone: str  # ok / warn / bad
    next_message: Message

    @property
    def heading(self) -> str:
        return self.heading_message()

    @property
    def next_step(self) -> str:
        return self.next_message()


LANDINGS: dict[LinkKind, Landing] = {
    "linked": Landing(wording.LANDING_LINKED, "ok", wording.LANDING_LINKED_NEXT),
    "expired": Landing(wording.LANDING_EXPIRED, "warn", wording.LANDING_EXPIRED_NEXT),
    "used": Landing(wording.LANDING_USED, "warn", wording.LANDING_USED_NEXT),
    "denied": Landing(wording.LANDING_DENIED, "warn", wording.LANDING_DENIED_NEXT),
    "error": Landing(wording.LANDING_ERROR, "bad", wording.LANDING_ERROR_NEXT),
    "invalid": Landing(wording.LANDING_INVALID, "bad", wording.LANDING_INVALID_NEXT),
    "limited": Landing(wording.LANDING_LIMITED, "bad", wording.LANDING_LIMITED_NEXT),
    "unavailable": Landing(wording.LANDING_UNAVAILABLE, "bad", wording.LANDING_UNAVAILABLE_NEXT),
}

PLATFORM_NAMES = {"discord": "Discord", "telegram": "Telegram"}


@dataclass(frozen=True, slots=True)
class ReturnLink:
    """Where to send the person back: a link when the platform has one, else words."""

    text: str
    url: str | None = None


def return_link(platform: str, chat_url: str | None) -> ReturnLink:
    """"Go back to Discord" with Discord's web/app link, Telegram's t.me link when known."""
    if platform in PLATFORM_NAMES:
        name = PLATFORM_NAMES[platform]
        return ReturnLink(wording.open_platform(name) if chat_url else wording.back_to_platform(name),
                          chat_url)
    if platform == "console":
        return ReturnLink(wording.BACK_TO_TERMINAL())
    if platform == "api":
        return ReturnLink(wording.BACK_TO_APP())
    return ReturnLink(wording.BACK_TO_CHATS())


def linked_to(outcome: LinkOutcome) -> str:
    """"Linked to @alice on Telegram": whose chat account got the Spotify account, so a
    person who opened someone else's forwarded sign-in link notices.  Empty when unknown."""
    if not (outcome.ok and outcome.chat_account):
        return ""
    where = PLATFORM_NAMES.get(outcome.platform, "")
    return wording.linked_to(outcome.chat_account, where)


def landing_context(outcome: LinkOutcome, chat_url: str | None = None) -> dict[str, Any]:
    kind = outcome.page_kind
    landing = LANDINGS.get(kind, LANDINGS["error"])
    back = return_link(outcome.platform, chat_url)
    # The linking message is specific (the account linked, or why nothing was); say what to
    # do next only when it does not already.
    message = outcome.message
    next_step = "" if "/link" in message else landing.next_step
    return {
        "kind": kind,
        "landing": landing,
        "message": message,
        "linked_to": linked_to(outcome),
        "next_step": next_step,
        "back": back,
        "title": landing.heading,
    }


_STANDALONE: jinja2.Environment | None = None


def callback_html(outcome: LinkOutcome, chat_url: str | None = None) -> str:
    """The landing page as a string (no server needed)."""
    global _STANDALONE
    if _STANDALONE is None:
        _STANDALONE = environment()
    return _STANDALONE.get_template("callback.html").render(landing_context(outcome, chat_url))


def page_headers(response: web.StreamResponse, csp: str = PAGE_CSP) -> None:
    """Every page: never cached, no referrer, its own strict CSP, not indexed, not framed."""
    headers = response.headers
    headers["Cache-Control"] = "no-store"
    headers["Pragma"] = "no-cache"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Content-Security-Policy"] = csp
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["X-Robots-Tag"] = ROBOTS


# --- the playlist page ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TrackView:
    number: int
    track: Track
    art: str | None
    uri: str | None
    url: str | None


def playlist_context(shared: SharedPlaylist) -> dict[str, Any]:
    version = shared.version
    rows = tuple(
        TrackView(n, t, art_url(t), t.uri if is_spotify_id(t.id) else None,
                  t.url if is_spotify_id(t.id) else None)
        for n, t in enumerate(version.tracks, 1)
    )
    uris = [row.uri for row in rows if row.uri]
    return {
        "title": version.title or wording.A_PLAYLIST(),
        "shared": shared,
        "version": version,
        "rows": rows,
        "uris": "\n".join(uris),
        "uri_count": len(uris),
        "length": total_duration(version.tracks),
        "is_latest": version.version == shared.latest_version,
    }


class Pages:
    """The page routes and the landing page renderer the web adapter uses.

    ``sharing`` resolves ``/p/<id>``; ``status`` feeds ``/status``, guarded by
    ``status_token`` (or local, unproxied visitors only when empty; ``trusted`` are the
    proxies whose forwarding headers are believed); ``chat_url(platform)`` gives the link
    back to a chat platform when one is known (Telegram's ``t.me`` link after start).
    """

    def __init__(
        self,
        *,
        sharing: Sharing | None = None,
        status: StatusCollector | None = None,
        status_token: str = "",
        chat_url: Callable[[str], str | None] | None = None,
        draft_ttl: timedelta | None = None,
        trusted: Sequence[Network] = (),
    ) -> None:
        self.sharing = sharing
        self.status = status
        self.status_token = status_token
        self.trusted = tuple(trusted)
        self._chat_url = chat_url or _known_chat_url
        self.draft_ttl = draft_ttl

    def install(self, app: web.Application) -> None:
        """Templates, the static files and the page routes on ``app``."""
        env = aiohttp_jinja2.setup(
            app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            default_helpers=False,
        )
        _configure(env)
        app.router.add_static(STATIC_PREFIX, STATIC, append_version=False)
        app.router.add_get(SHARE_ROUTE, self.playlist_page)
        app.router.add_get(STATUS_PATH, self.status_page)

    # --- landing ------------------------------------------------------------------------
    def landing(
        self, request: web.Request, outcome: LinkOutcome, status: int,
        headers: Mapping[str, str] | None = None,
    ) -> web.Response:
        """The OAuth callback's page for ``outcome`` (echoes no code, token or state)."""
        context = landing_context(outcome, self._chat_url(outcome.platform))
        response = aiohttp_jinja2.render_template("callback.html", request, context, status=status)
        if headers:
            response.headers.update(headers)
        page_headers(response)
        return response

    # --- shared playlists --------------------------------------------------------------
    async def playlist_page(self, request: web.Request) -> web.Response:
        share_id = request.match_info["share_id"]
        raw_version = request.query.get("v")
        version: int | None = None
        if raw_version is not None:
            if not raw_version.isdigit() or len(raw_version) > 6:
                return self._not_found(request)
            version = int(raw_version)
        shared = await self.sharing.resolve(share_id, version) if self.sharing else None
        if shared is None:
            return self._not_found(request)
        response = aiohttp_jinja2.render_template("playlist.html", request,
                                                  playlist_context(shared))
        page_headers(response, PLAYLIST_CSP)
        return response

    def _not_found(self, request: web.Request) -> web.Response:
        hours = int(self.draft_ttl.total_seconds() // 3600) if self.draft_ttl else None
        response = aiohttp_jinja2.render_template(
            "not_found.html", request, {"title": wording.PAGE_NOT_FOUND_TITLE(), "hours": hours}, status=404
        )
        page_headers(response)
        return response

    # --- status ----------------------------------------------------------------------
    async def status_page(self, request: web.Request) -> web.Response:
        refusal = self._refuse_status(request)
        if refusal is not None:
            return refusal
        if self.status is None:
            raise web.HTTPNotFound()
        snapshot = await self.status.snapshot()
        response = aiohttp_jinja2.render_template("status.html", request, {
            "title": "Status", "s": snapshot, "refresh": STATUS_REFRESH_S,
        })
        page_headers(response)
        return response

    def _refuse_status(self, request: web.Request) -> web.Response | None:
        """None when the visitor is the operator (``adapters.web.operator``'s rule)."""
        access = operator_access(request, self.status_token, self.trusted, query_param="token")
        if access is Access.ALLOWED:
            return None
        if access is Access.NEEDS_TOKEN:
            return self._refused(request, 401, {"WWW-Authenticate": 'Bearer realm="status"'})
        return self._refused(request, 403)

    @staticmethod
    def _refused(request: web.Request, status: int,
                 headers: Mapping[str, str] | None = None) -> web.Response:
        response = aiohttp_jinja2.render_template("refused.html", request,
                                                  {"title": wording.OPERATOR_ONLY_TITLE()}, status=status)
        if headers:
            response.headers.update(headers)
        page_headers(response)
        return response


def _known_chat_url(platform: str) -> str | None:
    return "https://discord.com/app" if platform == "discord" else None


__all__ = [
    "PAGE_CSP",
    "PLAYLIST_CSP",
    "Pages",
    "callback_html",
    "landing_context",
    "page_headers",
    "playlist_context",
    "return_link",
]
