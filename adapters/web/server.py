"""The web side: one aiohttp server for the OAuth callback, ``GET /health`` and mounted routes.

It runs as an adapter beside the chat platforms (name ``"web"``; ``send`` does nothing:
nobody chats with a web server).  Other adapters add their routes (the REST API, a
Telegram webhook) through ``App.add_web_routes`` before it starts.

The HTML pages (the OAuth landing page, shared playlists at ``/p/<id>``, the operator's
``/status``) are rendered by ``adapters.web.pages`` from Jinja2 templates.

Security: the callback page echoes no code, token or state; it is never cached
(``Cache-Control: no-store``), sends no referrer, and carries a strict CSP (no scripts;
one same-origin stylesheet).  Callback attempts are limited per IP.
The access log never shows query strings (they carry OAuth codes and status tokens).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from adapters.web.health import health_body
from adapters.web.pages import Pages, StatusCollector, callback_html
from adapters.web.pages.site import PAGE_CSP
from core.commands import Reply
from core.linking import Linking
from core.models import Health, LinkOutcome

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["AttemptLimiter", "WebAdapter", "build_pages", "build_web_adapter", "callback_page"]

log = logging.getLogger(__name__)

CALLBACK_PATH = "/auth/callback"
CALLBACK_CSP = PAGE_CSP
DEFAULT_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
_MAX_TRACKED_IPS = 10_000


def callback_page(outcome: LinkOutcome) -> str:
    """The page the browser shows after Spotify sends the user back (templates/callback.html)."""
    return callback_html(outcome)


class AttemptLimiter:
    """At most ``max_attempts`` per key (an IP) in a sliding window of ``window_s`` seconds.

    Kept in this process: it slows guessing down, it does not promise anything.
    """

    def __init__(
        self, max_attempts: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_attempts = max_attempts
        self.window_s = window_s
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def attempt(self, key: str) -> float:
        """Counts one attempt; returns 0 when allowed, else seconds until the next is."""
        now = self._clock()
        times = self._seen.get(key)
        if times is None:
            if len(self._seen) >= _MAX_TRACKED_IPS:
                self._forget_idle(now)
            times = self._seen[key] = deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if len(times) >= self.max_attempts:
            return max(1.0, times[0] + self.window_s - now)
        times.append(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, t in self._seen.items() if not t or t[-1] <= now - self.window_s]:
            del self._seen[key]


class _QuietAccessLogger(AbstractAccessLogger):
    """Method, path (never the query: it carries OAuth codes), status and time."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %.3fs", request.method, request.path, response.status, time)


class WebAdapter:
    """The aiohttp server, as a runner adapter."""

    name = "web"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        health: Callable[[], Awaitable[Health]],
        linking: Linking | None = None,
        version: str = "",
        features: Mapping[str, Any] | None = None,
        secure_headers: bool = True,
        hsts: bool = False,
        max_auth_attempts: int = 20,
        auth_window_s: float = 15 * 60,
        routes: Callable[[], Sequence[web.AbstractRouteDef]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        pages: Pages | None = None,
        middlewares: Sequence[Any] = (),
    ) -> None:
        self.host = host
        self._port = port
        self._health = health
        self.linking = linking
        self.version = version
        self.features = dict(features or {})
        self.secure_headers = secure_headers
        self.hsts = hsts
        self.limiter = AttemptLimiter(max_auth_attempts, auth_window_s, clock)
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
        app = web.Application(client_max_size=256 * 1024, middlewares=self._middlewares)
        # No HEAD: a probe must not consume a single-use state.
        app.router.add_get(CALLBACK_PATH, self._callback, allow_head=False)
        app.router.add_get("/health", self._health_route)
        self.pages.install(app)
        if self._routes is not None:
            app.router.add_routes(list(self._routes()))
        app.on_response_prepare.append(self._headers)
        return app

    async def start(self) -> None:
        runner = web.AppRunner(self.application(), access_log_class=_QuietAccessLogger)
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
        wait = self.limiter.attempt(request.remote or "unknown")
        if wait:
            minutes = max(1, round(wait / 60))
            outcome = LinkOutcome(False, f"Too many sign-in attempts from your address. Try again "
                                         f"in {minutes} minute{'s' if minutes != 1 else ''}.",
                                  kind="limited")
            return self._page(request, outcome, 429, {"Retry-After": str(int(wait + 0.999))})
        if self.linking is None:
            return self._page(request, LinkOutcome(False, "Spotify linking isn't set up on this bot.",
                                                   kind="unavailable"), 404)
        query = request.query
        try:
            outcome = await self.linking.link_finish(
                query.get("state"), query.get("code"), query.get("error")
            )
        except Exception:
            log.exception("the OAuth callback failed")
            outcome = LinkOutcome(False, "Something went wrong on our side, so nothing was linked. "
                                         "Send /link in the chat to try again.", kind="error")
            return self._page(request, outcome, 500)
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


def build_pages(app: App) -> Pages:
    """The pages of the wired app: its shared playlists, its status, links back to its chats."""
    settings = app.settings
    engine = app.engine

    def chat_url(platform: str) -> str | None:
        for adapter in app.notifier.adapters:
            if adapter.name == platform:
                url = getattr(adapter, "chat_url", None)
                return url if isinstance(url, str) else None
        return "https://discord.com/app" if platform == "discord" else None

    status = StatusCollector(
        health=engine.health,
        model=app.model,
        validator=engine.validator,
        adapters=lambda: app.notifier.adapters,
        configured_platforms=app.features()["platforms"],
        activity=app.activity,
        version=app.version,
    )
    return Pages(sharing=app.sharing, status=status,
                 status_token=settings.status_token, chat_url=chat_url,
                 draft_ttl=engine.config.draft_ttl)


def build_web_adapter(app: App) -> WebAdapter:
    """The web side of the wired app, configured from its settings."""
    settings = app.settings
    public = settings.public_base_url or f"http://{settings.web_host}:{settings.web_port}"
    return WebAdapter(
        host=settings.web_host,
        port=settings.web_port,
        health=app.engine.health,
        linking=app.linking,
        version=app.version,
        features=app.features(),
        secure_headers=settings.secure_headers,
        hsts=public.startswith("https://"),
        max_auth_attempts=settings.max_auth_attempts_per_ip,
        auth_window_s=settings.auth_attempt_window_minutes * 60.0,
        routes=lambda: app.web_routes,
        pages=build_pages(app),
        middlewares=[app.metrics.middleware] if app.metrics is not None else [],
    )
