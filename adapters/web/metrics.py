"""Prometheus metrics for one bot process: ``GET /metrics`` on the web side.

Off unless ``METRICS_ENABLED``.  Each ``App`` gets its own ``Metrics`` with its own
``CollectorRegistry`` (never prometheus-client's global one), so two apps in one
process, as in the tests, count separately.  Every process of a deployment serves
its own numbers; Prometheus scrapes each and adds them up.

What is counted:

* ``echotuner_http_requests_total{method,route,status}``: every answer of the web
  side, by route template (``/rate-limit-status/{device_id}``, never the raw path,
  so the label set stays small; ``unmatched`` for unknown paths);
* ``echotuner_playlist_seconds{verb,outcome}``: how long generate, refine,
  regenerate and adopt (REST ``current_songs``) took, by outcome (``ok`` or the error's code);
* ``echotuner_provider_errors_total{provider,kind}``: failures of each model
  provider and of the music catalogue, by kind (timeout, rate_limited...);
* ``echotuner_quota_refusals_total{kind}``: requests refused by a limit;
* ``echotuner_adapter_up{adapter}``: 1 for each adapter running in this process.

Only the operator may read them (``adapters.web.operator``, the rule ``/status`` uses
too): with ``METRICS_TOKEN`` set, a request must send ``Authorization: Bearer <token>``;
without one, only a visitor on this machine that came through no proxy is answered, and
an exposed web side does not start without the token.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from adapters.web.client_address import Network
from adapters.web.operator import Access, operator_access
from core.errors import CatalogueError, EchoTunerError, RateLimited, StrategyInvalid
from core.models import AudioTarget, DependencyStatus, StrategyAnswer, StrategyRequest, Track
from core.ports import ChatModel, MusicCatalogue

__all__ = ["METRICS_PATH", "MeteredCatalogue", "MeteredModel", "Metrics", "error_kind"]

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
# Seconds: a cached demo playlist takes well under one, a slow model up to minutes.
PLAYLIST_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_kind(exc: BaseException) -> str:
    """A short, stable label for why a provider call failed."""
    kind = getattr(exc, "kind", None)  # adapters.ai.errors.ProviderError and subclasses
    if isinstance(kind, str) and kind:
        return kind.replace(" ", "_")
    if isinstance(exc, RateLimited):
        return "rate_limited"
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, StrategyInvalid):
        return "invalid_answer"
    if isinstance(exc, CatalogueError):
        return "failed"
    if isinstance(exc, EchoTunerError):
        return exc.code
    return "error"


class Metrics:
    """The registry and metric families of one process; also the engine's observer."""

    def __init__(self, *, token: str = "", trusted: Sequence[Network] = ()) -> None:
        self.token = token
        self.trusted = tuple(trusted)  # TRUSTED_PROXIES: whose forwarding headers are believed
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "echotuner_http_requests", "Requests answered by the web side, by route and status.",
            ["method", "route", "status"], registry=self.registry,
        )
        self.playlist_seconds = Histogram(
            "echotuner_playlist_seconds",
            "Time to answer a playlist request (generate, refine, regenerate), by outcome.",
            ["verb", "outcome"], buckets=PLAYLIST_BUCKETS, registry=self.registry,
        )
        self.provider_errors = Counter(
            "echotuner_provider_errors",
            "Failed calls to a model provider or the music catalogue, by kind.",
            ["provider", "kind"], registry=self.registry,
        )
        self.quota_refusals = Counter(
            "echotuner_quota_refusals",
            "Requests refused by a limit (playlists per day, refinements per playlist).",
            ["kind"], registry=self.registry,
        )
        self.adapters = Gauge(
            "echotuner_adapter_up", "1 for each adapter running in this process.",
            ["adapter"], registry=self.registry,
        )

    # --- what the rest of the bot reports ---------------------------------------------
    def playlist_finished(self, verb: str, outcome: str, seconds: float) -> None:
        """``core.ports.EngineObserver``: one playlist request ended."""
        self.playlist_seconds.labels(verb, outcome).observe(seconds)

    def limit_refused(self, kind: str) -> None:
        """``core.ports.EngineObserver``: a limit said no."""
        self.quota_refusals.labels(kind).inc()

    def provider_failed(self, provider: str, exc: BaseException) -> None:
        self.provider_errors.labels(provider, error_kind(exc)).inc()

    def metered_model(self, model: ChatModel) -> ChatModel:
        """``model`` with its failures counted (one link of the provider chain)."""
        return MeteredModel(model, self)

    def adapter_state(self, name: str, running: bool) -> None:
        """Called by the runner as each adapter starts and stops."""
        self.adapters.labels(name).set(1 if running else 0)

    # --- the web side ----------------------------------------------------------------
    @web.middleware
    async def middleware(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        """Counts every answer by route template and status (errors included)."""
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            self._count(request, exc.status)
            raise
        except Exception:
            self._count(request, 500)
            raise
        self._count(request, response.status)
        return response

    def _count(self, request: web.Request, status: int) -> None:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        self.requests.labels(request.method, route, str(status)).inc()

    def routes(self) -> list[web.RouteDef]:
        """``GET /metrics`` (no HEAD)."""
        return [web.get(METRICS_PATH, self.handle, allow_head=False)]

    async def handle(self, request: web.Request) -> web.Response:
        """The metrics in Prometheus' text format, for the operator only."""
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        response = web.Response(body=generate_latest(self.registry))
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        response.headers["Cache-Control"] = "no-store"
        return response

    def _refusal(self, request: web.Request) -> web.Response | None:
        access = operator_access(request, self.token, self.trusted)
        if access is Access.ALLOWED:
            return None
        if access is Access.NEEDS_TOKEN:
            return web.Response(status=401, text="metrics need METRICS_TOKEN as a Bearer token\n",
                                headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return web.Response(status=403, text="metrics are served to this machine only; "
                                             "set METRICS_TOKEN to read them from elsewhere\n")


class MeteredModel:
    """A ``ChatModel`` that counts its failures (by kind) and passes everything through."""

    def __init__(self, inner: ChatModel, metrics: Metrics) -> None:
        self.inner = inner
        self.name = inner.name
        self._metrics = metrics

    async def plan(self, request: StrategyRequest) -> StrategyAnswer:
        try:
            return await self.inner.plan(request)
        except Exception as exc:
            self._metrics.provider_failed(self.name, exc)
            raise

    async def health(self) -> DependencyStatus:
        return await self.inner.health()

    def __getattr__(self, name: str) -> Any:
        # Anything else a provider offers (e.g. aclose) is the inner provider's.
        return getattr(self.inner, name)


class MeteredCatalogue:
    """A ``MusicCatalogue`` that counts failed searches (rate limits, errors)."""

    def __init__(self, inner: MusicCatalogue, metrics: Metrics) -> None:
        self.inner = inner
        self.name = inner.name
        self._metrics = metrics

    async def search(
        self, query: str, *, limit: int = 10, offset: int = 0, target: AudioTarget | None = None
    ) -> list[Track]:
        try:
            return await self.inner.search(query, limit=limit, offset=offset, target=target)
        except Exception as exc:
            self._metrics.provider_failed(f"catalogue:{self.name}", exc)
            raise

    async def health(self) -> DependencyStatus:
        return await self.inner.health()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
