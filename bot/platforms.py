"""Which adapters ``python -m bot`` starts, from what the settings configure.

Each platform's package is imported only when it is configured, so an unused SDK
costs no start-up time or memory.
"""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.runner import ChatAdapter


def mount_rest_api(app: App) -> None:
    """Adds the REST API's routes to the web side (before it starts)."""
    from adapters.web.rest_api import ApiConfig, RestApi

    settings = app.settings
    config = ApiConfig(
        api_keys=settings.api_keys,
        max_body_bytes=settings.max_request_bytes,
        session_ttl=timedelta(hours=settings.session_timeout),
    )
    app.add_web_routes(RestApi(app.engine, config, app.linking).routes())


def configured_adapters(app: App) -> list[ChatAdapter]:
    """The web side first (OAuth callbacks must work before chats send links), then chats."""
    settings = app.settings
    adapters: list[ChatAdapter] = []
    if settings.discord_token:
        from adapters.discord.bot import build_discord_adapter

        adapters.append(build_discord_adapter(app))
    if settings.telegram_token:
        from adapters.telegram.bot import build_telegram_adapter

        adapters.append(build_telegram_adapter(app))
    if settings.rest_api_enabled or settings.api_keys:
        mount_rest_api(app)
    for adapter in adapters:  # unprompted messages ("your Spotify account is linked")
        app.notifier.register(adapter)
    if adapters and (app.linking is not None or app.web_routes):
        from adapters.web.server import build_web_adapter

        adapters.insert(0, build_web_adapter(app))
    return adapters
