"""The web side wired from the settings: its config, its pages and the REST API.

The composition root's half of ``adapters.web``: the adapter knows nothing of ``App``
or ``Settings``; it receives a ``WebConfig`` and the collaborators it serves.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from adapters.web.client_address import parse_networks
from adapters.web.pages import Pages, StatusCollector
from adapters.web.rest_api import SESSION_NAMESPACE, ApiConfig, RestApi
from adapters.web.server import WebAdapter, WebConfig
from bot.app import App
from bot.settings import Settings
from data.scratch import StoreScratch

__all__ = ["api_config", "build_pages", "build_web_adapter", "mount_rest_api", "web_config"]

log = logging.getLogger(__name__)


def web_config(app: App) -> WebConfig:
    """Where the web side listens and how it guards itself, from the app's settings."""
    settings = app.settings
    public = settings.public_base_url or f"http://{settings.web_host}:{settings.web_port}"
    return WebConfig(
        host=settings.web_host,
        port=settings.web_port,
        version=app.version,
        features=app.features(),
        secure_headers=settings.secure_headers,
        hsts=public.startswith("https://"),
        max_auth_attempts=settings.max_auth_attempts_per_ip,
        auth_window_s=settings.auth_attempt_window_minutes * 60.0,
        trusted_proxies=parse_networks(settings.trusted_proxies),
        keepalive_timeout=settings.web_keepalive_timeout,
        private_paths=_private_paths(settings),
    )


def _private_paths(settings: Settings) -> dict[str, str]:
    """Paths the access log shows by a label: the Telegram webhook's may carry a secret."""
    url = settings.telegram_webhook_url
    return {urlsplit(url).path or "/": "<telegram webhook>"} if url else {}


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
                 draft_ttl=engine.config.draft_ttl,
                 trusted=parse_networks(settings.trusted_proxies))


def build_web_adapter(app: App) -> WebAdapter:
    """The web side of the wired app: OAuth callback, /health, pages and mounted routes."""
    return WebAdapter(
        web_config(app),
        health=app.engine.health,
        linking=app.linking,
        routes=lambda: app.web_routes,
        pages=build_pages(app),
        middlewares=[app.metrics.middleware] if app.metrics is not None else [],
    )


def api_config(settings: Settings) -> ApiConfig:
    """How the REST API is guarded, from the settings."""
    # Without API_KEYS on a server others can reach, a device id alone proves nothing:
    # devices then register and send their secret (README, "Device credentials").
    return ApiConfig(
        api_keys=settings.api_keys,
        max_body_bytes=settings.max_request_bytes,
        session_ttl=timedelta(hours=settings.session_timeout),
        device_secrets=settings.web_exposed and not settings.api_keys,
        trusted_proxies=parse_networks(settings.trusted_proxies),
        generations_per_client_per_day=settings.api_client_generations_per_day,
        signins_per_client_per_day=settings.api_client_signins_per_day,
    )


def mount_rest_api(app: App) -> None:
    """Adds the REST API's routes to the web side (before it starts)."""
    config = api_config(app.settings)
    if config.device_secrets:
        log.info("REST API: reachable beyond this machine without API_KEYS, so devices must "
                 "register (POST /register-device) and send X-Device-Secret")
    api = RestApi(app.engine, config, app.linking, sharing=app.sharing, actions=app.actions,
                  sessions=StoreScratch(app.store, SESSION_NAMESPACE), blends=app.blends)
    app.add_web_routes(api.routes())
