"""Which adapters ``python -m bot`` starts, from what the settings configure.

Each platform's package is imported only when it is configured, so an unused SDK
costs no start-up time or memory.
"""

from __future__ import annotations

from bot.app import App
from bot.runner import ChatAdapter


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
    return adapters
