"""Composition root: builds every collaborator once and hands them to the engine.

Clients are built here, once, and closed on exit: the store, the model clients, and (with
Spotify credentials) one Spotify HTTP session with its worker pool, shared by the live
catalogue and account linking.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import metadata
from typing import TYPE_CHECKING, Any

from aiohttp import web

from adapters.ai.offline import OfflineStrategyProvider
from bot.health import register_health_checks
from bot.model_chain import ModelClients, build_model_chain, build_validator
from bot.notifier import AdapterNotifier
from bot.settings import Settings, SettingsError
from bot.warmup import WarmUp
from core.actions import Actions
from core.activity import Activity, CountingEngine
from core.blend_invites import Blends, BlendStore
from core.cache import CachingCatalogue
from core.engine import Engine, EngineConfig
from core.identity import UserKeys
from core.linking import Linking
from core.models import AppCredentials, LimitSettings
from core.ports import ChatModel, Cipher, MusicCatalogue, Store
from core.sharing import Sharing
from data import locales
from data.catalogue.demo import shared_catalogue
from data.catalogue.knowledge import shared_knowledge
from data.open_store import make_store

if TYPE_CHECKING:  # spotipy (and requests) are imported only when Spotify is configured
    from adapters.music.spotify_http import SpotifyHttp
if TYPE_CHECKING:  # prometheus-client is imported only when METRICS_ENABLED
    from adapters.web.metrics import Metrics

log = logging.getLogger(__name__)


def _version() -> str:
    try:
        return metadata.version("echotuner")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass
class App:
    """The wired bot: the engine and what it was built from.

    ``linking`` is None when Spotify is not configured.  ``notifier`` sends unprompted
    messages through the chat adapters registered with it.  ``web_routes`` are extra
    routes (REST API, webhooks) the web side mounts when it starts.  ``sharing`` gives
    playlists their page links (``share_url`` is None without PUBLIC_BASE_URL);
    ``activity`` counts today's playlists, refinements and refusals for ``/status``.
    """

    settings: Settings
    engine: Engine
    store: Store
    catalogue: MusicCatalogue
    model: ChatModel
    linking: Linking | None = None
    notifier: AdapterNotifier = field(default_factory=AdapterNotifier)
    web_routes: list[web.AbstractRouteDef] = field(default_factory=list)
    version: str = field(default_factory=_version)
    sharing: Sharing | None = None
    activity: Activity | None = None
    metrics: Metrics | None = None  # METRICS_ENABLED: this process's Prometheus metrics

    @functools.cached_property
    def actions(self) -> Actions:
        """The conversation layer every front end calls."""
        return Actions(self.engine, self.linking, self.sharing, blends=self.blends)

    @functools.cached_property
    def blends(self) -> Blends | None:
        """Playlists of several members' tastes (/blend, POST /blend), kept in the store."""
        if not isinstance(self.store, BlendStore):
            return None
        return Blends(self.engine, self.store, linking=self.linking,
                      window=timedelta(seconds=self.settings.blend_window_seconds))

    def add_web_routes(self, routes: Sequence[web.AbstractRouteDef]) -> None:
        """Routes for the web side (call before it starts); it then starts with the bot."""
        self.web_routes.extend(routes)

    def features(self) -> dict[str, Any]:
        """What this instance offers, for ``GET /health``."""
        settings = self.settings
        return {
            "catalogue": self.catalogue.name,
            "spotify_linking": self.linking is not None,
            "model": self.model.name,
            "search_cache": settings.cache_enabled,
            "platforms": [name for name, on in (("discord", settings.discord_token),
                                                ("telegram", settings.telegram_token)) if on],
            # EchoTuner's own feature flags, for its clients.
            "spotify_search": self.catalogue.name == "spotify",
            "ai_generation": any(p != "offline" for p in settings.provider_chain),
            "rate_limiting": settings.playlist_limit_enabled or settings.refinement_limit_enabled,
        }


def engine_config(settings: Settings) -> EngineConfig:
    return EngineConfig(
        defaults=LimitSettings(
            playlist_limit_enabled=settings.playlist_limit_enabled,
            max_playlists_per_day=settings.max_playlists_per_day,
            refinement_limit_enabled=settings.refinement_limit_enabled,
            max_refinements_per_playlist=settings.max_refinements_per_playlist,
            max_songs=settings.max_songs_per_playlist,
        ),
        default_count=settings.default_playlist_size,
        max_prompt_length=settings.max_prompt_length,
        max_tracks_per_artist=settings.max_tracks_per_artist,
        draft_ttl=timedelta(hours=settings.draft_ttl_hours),
        search_concurrency=settings.search_concurrency,
        reservation_ttl=timedelta(seconds=settings.reservation_ttl_seconds),
        model_judges=any(p != "offline" for p in settings.provider_chain),
    )


def uses_spotify_catalogue(settings: Settings) -> bool:
    """Spotify search when asked for, or (CATALOGUE=auto) whenever its credentials are set."""
    return settings.catalogue == "spotify" or (
        settings.catalogue == "auto" and settings.spotify_configured
    )


def build_spotify_http(settings: Settings) -> SpotifyHttp:
    from adapters.music.spotify_http import SpotifyHttp

    return SpotifyHttp(
        api_url=settings.spotify_api_url,
        accounts_url=settings.spotify_accounts_url,
        timeout_s=settings.spotify_timeout,
        pool_size=settings.spotify_pool_size,
        max_retries=settings.spotify_max_retries,
    )


def operator_app(settings: Settings) -> AppCredentials:
    return AppCredentials(settings.spotify_client_id, settings.spotify_client_secret)


def build_catalogue(
    settings: Settings, http: SpotifyHttp | None = None, metrics: Metrics | None = None
) -> MusicCatalogue:
    """Spotify (with credentials and a client) or the bundled demo catalogue, cached.

    With ``metrics``, failed searches are counted (below the cache: real calls only).
    """
    catalogue: MusicCatalogue
    if http is not None and uses_spotify_catalogue(settings):
        from adapters.music.spotify_catalogue import SpotifyCatalogue

        catalogue = SpotifyCatalogue(http, operator_app(settings), market=settings.spotify_market)
    else:
        catalogue = shared_catalogue()  # one copy per process (read-only, 80 MB)
    if metrics is not None:
        from adapters.web.metrics import MeteredCatalogue

        catalogue = MeteredCatalogue(catalogue, metrics)
    if settings.cache_enabled:
        catalogue = CachingCatalogue(catalogue, ttl_s=settings.cache_ttl_seconds)
    return catalogue


def build_linking(
    settings: Settings, engine: Engine, http: SpotifyHttp, notifier: AdapterNotifier,
    cipher: Cipher | None,
) -> Linking:
    """Account linking with tokens encrypted by the store's token key.

    That is TOKEN_ENCRYPTION_KEY, or with SQLite the key file beside the database.  With
    PostgreSQL the key must be set: processes on other hosts must decrypt the same tokens.
    """
    from adapters.music.spotify_account import SpotifyAccounts

    if cipher is None:
        raise SettingsError(
            "Spotify linking with DATABASE_URL needs TOKEN_ENCRYPTION_KEY, the same in every "
            "process (an older version generated "
            f"{settings.database_filename}.key: put its contents there to keep linked accounts)"
        )
    return Linking(
        engine=engine,
        accounts=SpotifyAccounts(http, redirect_uri=settings.spotify_redirect_uri),
        cipher=cipher,
        default_app=operator_app(settings),
        notifier=notifier,
    )


def build_metrics(settings: Settings) -> Metrics | None:
    """This process's metrics (its own registry) when METRICS_ENABLED, else None."""
    if not settings.metrics_enabled:
        return None
    from adapters.web.client_address import parse_networks
    from adapters.web.metrics import Metrics

    return Metrics(token=settings.metrics_token, trusted=parse_networks(settings.trusted_proxies))


@asynccontextmanager
async def build_app(settings: Settings, *, warm_up: bool = False) -> AsyncIterator[App]:
    """Opens the store, derives the user-key secret and wires the engine; closes on exit.

    ``warm_up`` (the long-running bot) loads the catalogue in the background at once, so the
    first request does not wait for it (``bot.warmup``).
    """
    locales.install()  # every sentence in the user's language from here on (core.i18n)
    store = make_store(settings)
    await store.open()
    clients = ModelClients(settings)  # model clients, built on first use; closed below
    http = build_spotify_http(settings) if settings.spotify_configured else None
    metrics = build_metrics(settings)
    try:
        # Sealed by the store with the token key: a copy of the database alone cannot
        # reverse the user-id hashes.
        secret = settings.secret_key or await store.set_meta_if_absent(
            "user_key_secret", secrets.token_hex(32)
        )
        catalogue = build_catalogue(settings, http, metrics)
        # The dataset's artists and features: the ranking and the offline planner read it
        # for the demo catalogue and live Spotify alike (it says nothing of what it lacks).
        knowledge = shared_knowledge()
        model = build_model_chain(
            settings, offline=OfflineStrategyProvider(knowledge), clients=clients,
            wrap=None if metrics is None else metrics.metered_model,
        )
        activity = Activity()
        engine = CountingEngine(
            activity=activity,
            store=store,
            model=model,
            catalogue=catalogue,
            validator=build_validator(settings, store, clients=clients),
            keys=UserKeys(secret.encode()),
            config=engine_config(settings),
            observer=metrics,
            knowledge=knowledge,
        )
        notifier = AdapterNotifier()
        linking = (build_linking(settings, engine, http, notifier, store.cipher)
                   if http is not None else None)
        app = App(settings=settings, engine=engine, store=store, catalogue=catalogue, model=model,
                  linking=linking, notifier=notifier,
                  sharing=Sharing(store, settings.public_base_url), activity=activity,
                  metrics=metrics)
        if metrics is not None:
            app.add_web_routes(metrics.routes())
        register_health_checks(engine, linking)
        warm = WarmUp(catalogue) if warm_up else None  # loads while the adapters start
        try:
            yield app
        finally:
            if warm is not None:
                await warm.aclose()
    finally:
        await clients.aclose()
        if http is not None:
            await http.close()
        await store.close()
