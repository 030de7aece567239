"""Which adapters ``python -m bot`` starts, from what the settings configure.

Each platform's package is imported only when it is configured, so an unused SDK
costs no start-up time or memory.
"""

from __future__ import annotations

import logging

from bot.app import App
from bot.runner import ChatAdapter
from bot.settings import check_operator_tokens
from core.engine import Swept

log = logging.getLogger(__name__)


def mount_rest_api(app: App) -> None:
    """Adds the REST API's routes to the web side (before it starts): ``bot.web_wiring``."""
    from bot.web_wiring import mount_rest_api as mount

    mount(app)


def configured_adapters(app: App) -> list[ChatAdapter]:
    """The web side first (OAuth callbacks must work before chats send links), then chats."""
    settings = app.settings
    adapters: list[ChatAdapter] = []
    if settings.discord_token:
        from bot.discord_wiring import build_discord_adapter

        adapters.append(build_discord_adapter(app))
    if settings.telegram_token:
        from bot.telegram_wiring import build_telegram_adapter

        adapters.append(build_telegram_adapter(app))
    if settings.rest_api_enabled or settings.api_keys:
        mount_rest_api(app)
    for adapter in adapters:  # unprompted messages ("your Spotify account is linked")
        app.notifier.register(adapter)
    # Shared playlist pages need the web side too, when PUBLIC_BASE_URL says where it is.
    if adapters and (app.linking is not None or app.web_routes or settings.public_base_url):
        adapters.insert(0, web_side(app))
    return adapters


def web_side(app: App) -> ChatAdapter:
    """The web side, once the settings allow it: exposed, it needs its operator tokens."""
    check_operator_tokens(app.settings)
    from bot.web_wiring import build_web_adapter

    return build_web_adapter(app)


def serve_adapters(app: App) -> list[ChatAdapter]:
    """What ``python -m bot serve`` runs: any number of these may sit behind a load balancer.

    The web side (OAuth callback, /health, the REST API, /metrics when enabled) and, with
    TELEGRAM_TOKEN and TELEGRAM_WEBHOOK_URL, Telegram's webhook route; never long polling,
    which Telegram allows one process only (``python -m bot run``).
    """
    settings = app.settings
    mount_rest_api(app)
    adapters: list[ChatAdapter] = []
    if settings.telegram_token and settings.telegram_webhook_url:
        from bot.telegram_wiring import build_telegram_adapter

        telegram = build_telegram_adapter(app)
        app.notifier.register(telegram)
        adapters.append(telegram)
    elif settings.telegram_token:
        log.info("serve: Telegram is served here only in webhook mode (set TELEGRAM_WEBHOOK_URL); "
                 "long polling runs in one `python -m bot run` process")
    adapters.insert(0, web_side(app))  # the webhook route must answer before setWebhook
    return adapters


def with_housekeeping(app: App, adapters: list[ChatAdapter]) -> list[ChatAdapter]:
    """``adapters`` and, last, the periodic housekeeping sweep (expired drafts, reservations...)."""
    from bot.housekeeping import Housekeeper

    async def sweep_all() -> Swept:
        swept = await app.engine.housekeeping()
        if app.blends is not None:  # blends whose playlist is gone, a day after their window
            await app.blends.housekeeping()
        return swept

    sweep = Housekeeper(sweep_all, app.settings.housekeeping_interval_seconds)
    return [*adapters, sweep]
