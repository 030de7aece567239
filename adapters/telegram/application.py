"""Builds the python-telegram-bot Application: endpoint, defaults, flood limits, handlers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from adapters.telegram.handlers import Handlers

TELEGRAM_API = "https://api.telegram.org"
ALLOWED_UPDATES = ("message", "callback_query")
TEXT_COMMANDS = ("playlist", "refine", "profile", "limits", "status", "save", "taste")

TelegramApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class TelegramConfig:
    """How to reach Telegram and how politely; the defaults are Telegram's published limits."""

    token: str
    api_url: str = TELEGRAM_API
    webhook_url: str = ""  # empty: long polling
    webhook_secret: str = ""
    poll_timeout_s: int = 10
    overall_max_rate: float = 30  # messages per second, whole bot
    group_max_rate: float = 20  # messages per minute, per group
    max_retries: int = 5  # RetryAfter is waited out and retried, not dropped
    progress_interval_s: float = 1.0  # between progress edits in a private chat
    group_progress_interval_s: float = 4.0  # and in a group


def build_requests() -> tuple[HTTPXRequest, HTTPXRequest]:
    """The two HTTP clients (calls, and the long poll), held so they are always closed.

    PTB closes them in ``shutdown()`` only after a successful ``initialize()``; a start
    that fails at getMe (a wrong token) would otherwise leave their sockets open.
    """
    return HTTPXRequest(connection_pool_size=64), HTTPXRequest(connection_pool_size=1)


def build_application(
    config: TelegramConfig, handlers: Handlers, requests: tuple[HTTPXRequest, HTTPXRequest]
) -> TelegramApplication:
    """A configured Application (not yet initialised) with every handler registered."""
    api = config.api_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .request(requests[0])
        .get_updates_request(requests[1])
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .defaults(Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ))
        .rate_limiter(AIORateLimiter(
            overall_max_rate=config.overall_max_rate,
            group_max_rate=config.group_max_rate,
            max_retries=config.max_retries,
        ))
        # One user's playlist (seconds of work) must not hold up everyone else's updates.
        .concurrent_updates(True)
    )
    if config.webhook_url:
        builder = builder.updater(None)
    application: TelegramApplication = builder.build()
    register_handlers(application, handlers)
    return application


def register_handlers(application: TelegramApplication, handlers: Handlers) -> None:
    # New messages only: an edited "/playlist" must not make (and charge) a second playlist.
    new = filters.UpdateType.MESSAGE
    for name in TEXT_COMMANDS:
        application.add_handler(CommandHandler(name, handlers.on_text_command, filters=new))
    application.add_handler(CommandHandler("help", handlers.on_help, filters=new))
    application.add_handler(CommandHandler("start", handlers.on_start, filters=new))
    application.add_handler(CommandHandler("link", handlers.on_link, filters=new))
    application.add_handler(CommandHandler("unlink", handlers.on_unlink, filters=new))
    application.add_handler(CommandHandler("settings", handlers.on_settings, filters=new))
    application.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, handlers.on_message))
    application.add_handler(
        MessageHandler(new & filters.COMMAND & filters.ChatType.PRIVATE, handlers.on_unknown_command)
    )
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_error_handler(handlers.on_error)
