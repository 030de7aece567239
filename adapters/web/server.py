"""The web side: one aiohttp server for the OAuth callback, ``GET /health`` and mounted routes.

It runs as an adapter beside the chat platforms (name ``"web"``; ``send`` does nothing:
nobody chats with a web server).  Other adapters add their routes (the REST API, a
Telegram webhook) through the ``routes`` the composition root hands it (``bot.web_wiring``),
read when it starts.

The HTML pages (the OAuth landing page, shared playlists at ``/p/<id>``, the operator's
``/status``) are rendered by ``adapters.web.pages`` from Jinja2 templates.

Security: the callback page echoes no code, token or state; it is never cached
(``Cache-Control: no-store``), sends no referrer, and carries a strict CSP (no scripts;
one same-origin stylesheet).  Failed callback attempts are limited per client address
(behind ``TRUSTED_PROXIES``, the address they forward); a pending sign-in is never refused.
The access log never shows query strings (they carry OAuth codes and status tokens), ids
in paths or the webhook's path, and escapes control characters.  Idle connections, and
clients slow to send their headers, are closed after ``WEB_KEEPALIVE_TIMEOUT``.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from adapters.web.client_address import Network, client_address
from adapters.web.health import health_body
from adapters.web.languages import speak_their_language
from adapters.web.pages import Pages, callback_html
from adapters.web.pages.site import PAGE_CSP
from adapters.web.sliding_window import SlidingWindow
from core import wording
from core.actions import error_reply
from core.linking import STATE_TTL, Linking
from core.models import Health, LinkOutcome
from core.replies import Reply

__all__ = ["AttemptLimiter", "WebAdapter", "WebConfig", "callback_page"]

log = logging.getLogger(__name__)

CALLBACK_PATH = "/auth/callback"
CALLBACK_CSP = PAGE_CSP
DEFAULT_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
_MAX_TRACKED_IPS = 10_000
# Callback outcomes that count against the limiter: a state that is not (or no longer) ours.
_GUESS_KINDS = frozenset({"invalid", "expired", "used"})


def callback_page(outcome: LinkOutcome) -> str:
    """The page the browser shows after Spotify sends the user back (templates/callback.html)."""
    return callback_html(outcome)


class AttemptLimiter(SlidingWindow):
    """At most ``max_attempts`` per key (a client address) in a sliding window of ``window_s`` s.

    Kept in this process: it slows guessing down, it does not promise anything.
    """

    def __init__(
        self, max_attempts: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(max_attempts, window_s, max_keys=_MAX_TRACKED_IPS, clock=clock)
        self.max_attempts = max_attempts


PRIVATE_PATHS = web.AppKey("private_paths", dict[str, str])


def _escaped(text: str) -> str:
    """Printable ASCII kept, anything else as an escape: one log record stays one line."""
    return "".join(c if " " <= c < "\x7f" else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def _id_digest(value: str) -> str:
    return "~" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def loggable_path(request: web.BaseRequest) -> str:
    """The request's path as the access log may show it.

    The raw (still percent-encoded) path, so ``%0a`` or ``%00`` cannot forge a line;
    never the query (OAuth codes and states, status tokens); ids in a route's variable
    parts (share ids, device ids) as a short digest, enough to follow one visitor's
    requests; a path that is itself a secret (the Telegram webhook's) by its label.
    """
    match_info = getattr(request, "match_info", None)
    resource = match_info.route.resource if match_info is not None else None
    if isinstance(resource, web.DynamicResource) and match_info:
        path = resource.canonical
        for name, value in match_info.items():
            path = path.replace("{" + name + "}", _id_digest(value))
        return _escaped(path)
    private = request.app.get(PRIVATE_PATHS, {}) if isinstance(request, web.Request) else {}
    if request.path in private:
        return private[request.path]
    return _escaped(request.raw_path.split("?", 1)[0])


class _QuietAccessLogger(AbstractAccessLogger):
    """Method, path (``loggable_path``: no query, no ids, no secrets), status and time."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %.3fs", _escaped(request.method), loggable_path(request),
                         response.status, time)


@dataclass(frozen=True)
class WebConfig:
    """Where the web side listens and how it guards itself (built by ``bot.web_wiring``).

    ``features`` and ``version`` are what ``GET /health`` says about this instance.
    ``hsts``: send Strict-Transport-Security (the public address is https).  At most
    ``max_auth_attempts`` failed OAuth callbacks per client address per ``auth_window_s``;
    ``trusted_proxies`` may name that address.  ``private_paths`` are paths whose text is
    a secret (the Telegram webhook's), shown in the access log by their label.
    """

    host: str
    port: int
    version: str = ""
    features: Mapping[str, Any] = field(default_factory=dict)
    secure_headers: bool = True
    hsts: bool = False
    max_auth_attempts: int = 20
    auth_window_s: float = 15 * 60
    trusted_proxies: tuple[Network, ...] = ()
    keepalive_timeout: float = 15.0
    private_paths: Mapping[str, str] = field(default_factory=dict)


class WebAdapter:
    """The aiohttp server, as a runner adapter."""

    name = "web"

    def __init__(
        self,
        config: WebConfig,
        *,
        health: Callable[[], Awaitable[Health]],
        linking: Linking | None = None,
        routes: Callable[[], Sequence[web.AbstractRouteDef]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        pages: Pages | None = None,
        middlewares: Sequence[Any] = (),
    ) -> None:
        self.config = config
        self.host = config.host
        self._port = config.port
        self._health = health
        self.linking = linking
        self.version = config.version
        self.features = dict(config.features)
        self.secure_headers = config.secure_headers
        self.hsts = config.hsts
        self.trusted = tuple(config.trusted_proxies)
        # A wait never outlasts a sign-in link: half its life at most (it is let through
        # the limiter anyway, but whoever reads Retry-After should not give up on it).
        state_life = (linking.state_ttl if linking is not None else STATE_TTL).total_seconds()
        self.limiter = AttemptLimiter(config.max_auth_attempts,
                                      min(config.auth_window_s, state_life / 2), clock)
        self.keepalive_timeout = config.keepalive_timeout
        # Paths whose text is a secret (the Telegram webhook's): logged by their label.
        self.private_paths = dict(config.private_paths)
        self._routes = routes
        self.pages = pages or Pages()
        self._runner: web.AppRunner | None = None
        self._middlewares = tuple(middlewares)  # e.g. the metrics' request counter

    @property
    def port(self) -> int:
        """The bound port (useful when started with port 0)."""
        if self._runner is not None and self._runner.addresses:
            return int(self._runner.addresses[0][1])
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def application(self) -> web.Application:
        """The aiohttp application with every route (built at start, after others added theirs)."""
        app = web.Application(client_max_size=256 * 1024,
                              middlewares=(speak_their_language, *self._middlewares))
        # No HEAD: a probe must not consume a single-use state.
        app.router.add_get(CALLBACK_PATH, self._callback, allow_head=False)
        app.router.add_get("/health", self._health_route)
        self.pages.install(app)
        if self._routes is not None:
            app.router.add_routes(list(self._routes()))
        app.on_response_prepare.append(self._headers)
        app[PRIVATE_PATHS] = self.private_paths
        return app

    async def start(self) -> None:
        # aiohttp's keep-alive timer also runs while a request line and headers arrive (it
        # is not reset by data), so it bounds a slow sender too; its default is an hour.
        runner = web.AppRunner(self.application(), access_log_class=_QuietAccessLogger,
                               keepalive_timeout=self.keepalive_timeout)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self._port).start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("web side listening on %s", self.base_url)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def send(self, conversation: str, reply: Reply) -> None:
        """Nothing: the web side has no conversations."""

    # --- routes -----------------------------------------------------------------------
    async def _callback(self, request: web.Request) -> web.Response:
        # Only failed attempts count (a forged, unknown or spent state), per client (behind
        # trusted proxies, the address they forward), and one of our own pending states is
        # never refused: junk from anyone must not lock a real user out of their sign-in.
        client = client_address(request, self.trusted)
        query = request.query
        wait = self.limiter.wait(client)
        if wait and not (self.linking is not None
                         and await self.linking.state_issued(query.get("state"))):
            outcome = LinkOutcome(False, wording.sign_in_limited(max(1, round(wait / 60))),
                                  kind="limited")
            return self._page(request, outcome, 429, {"Retry-After": str(int(wait + 0.999))})
        if self.linking is None:
            return self._page(request, LinkOutcome(False, wording.SPOTIFY_NOT_SET_UP(),
                                                   kind="unavailable"), 404)
        try:
            outcome = await self.linking.link_finish(
                query.get("state"), query.get("code"), query.get("error")
            )
        except Exception as exc:
            # The one error policy: a refusal says its message; anything else is logged
            # once and the page apologises (saying nothing was linked).
            reply = error_reply(exc, "the OAuth callback")
            text = wording.SIGN_IN_FAILED() if reply.code == "internal" else reply.text
            return self._page(request, LinkOutcome(False, text, kind="error"), 500)
        if outcome.page_kind in _GUESS_KINDS:
            self.limiter.record(client)
        return self._page(request, outcome, 200 if outcome.ok else 400)

    def _page(self, request: web.Request, outcome: LinkOutcome, status: int,
              headers: Mapping[str, str] | None = None) -> web.Response:
        # no-store, no referrer, strict CSP: always, whatever SECURE_HEADERS says, because
        # this page follows an OAuth redirect (see adapters.web.pages.site.page_headers).
        return self.pages.landing(request, outcome, status, headers)

    async def _health_route(self, request: web.Request) -> web.Response:
        body, status = health_body(await self._health(), self.version, self.features)
        return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})

    async def _headers(self, request: web.Request, response: web.StreamResponse) -> None:
        if not self.secure_headers:
            return
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if self.hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
