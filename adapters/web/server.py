"""The web side: one aiohttp server for the OAuth callback, ``GET /health`` and mounted routes.

It runs as an adapter beside the chat platforms (name ``"web"``; ``send`` does nothing:
nobody chats with a web server).  Other adapters add their routes (the REST API, a
Telegram webhook) through ``App.add_web_routes`` before it starts.

Security: the callback page echoes no code, token or state; it is never cached
(``Cache-Control: no-store``), sends no referrer, and carries a strict CSP (no scripts;
the one inline style is allowed by its hash).  Callback attempts are limited per IP.
The access log never shows query strings (they carry OAuth codes).
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from core.commands import Reply
from core.linking import Linking
from core.models import Health, LinkOutcome

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["AttemptLimiter", "WebAdapter", "build_web_adapter", "callback_page"]

log = logging.getLogger(__name__)

CALLBACK_PATH = "/auth/callback"
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;"
    "color:#222}h1{font-size:1.4rem}.ok{color:#1a7f37}.no{color:#b42318}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
CALLBACK_CSP = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
DEFAULT_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
_MAX_TRACKED_IPS = 10_000


def callback_page(outcome: LinkOutcome) -> str:
    """The small page the browser shows after Spotify sends the user back."""
    title = "Spotify linked" if outcome.ok else "Not linked"
    css = "ok" if outcome.ok else "no"
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>EchoTuner - {title}</title><style>{_STYLE}</style></head><body>"
        f"<h1 class=\"{css}\">{title}</h1><p>{html.escape(outcome.message)}</p>"
        "</body></html>"
    )


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
        self._runner: web.AppRunner | None = None

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
        app = web.Application(client_max_size=256 * 1024)
        # No HEAD: a probe must not consume a single-use state.
        app.router.add_get(CALLBACK_PATH, self._callback, allow_head=False)
        app.router.add_get("/health", self._health_route)
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
                                         f"in {minutes} minute{'s' if minutes != 1 else ''}.")
            return self._page(outcome, 429, {"Retry-After": str(int(wait + 0.999))})
        if self.linking is None:
            return self._page(LinkOutcome(False, "Spotify linking isn't set up on this bot."), 404)
        query = request.query
        try:
            outcome = await self.linking.link_finish(
                query.get("state"), query.get("code"), query.get("error")
            )
        except Exception:
            log.exception("the OAuth callback failed")
            outcome = LinkOutcome(False, "Something went wrong on our side, so nothing was linked. "
                                         "Send /link in the chat to try again.")
            return self._page(outcome, 500)
        return self._page(outcome, 200 if outcome.ok else 400)

    @staticmethod
    def _page(outcome: LinkOutcome, status: int, headers: Mapping[str, str] | None = None
              ) -> web.Response:
        response = web.Response(text=callback_page(outcome), status=status,
                                content_type="text/html", headers=headers)
        # Always, whatever SECURE_HEADERS says: this page follows an OAuth redirect.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Content-Security-Policy"] = CALLBACK_CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    async def _health_route(self, request: web.Request) -> web.Response:
        health = await self._health()
        body = {
            "status": "ok" if health.ok else "degraded",
            "version": self.version,
            "dependencies": {d.name: {"ok": d.ok, "detail": d.detail} for d in health.dependencies},
            "features": self.features,
        }
        return web.json_response(body, status=200 if health.ok else 503,
                                 headers={"Cache-Control": "no-store"})

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
    )
