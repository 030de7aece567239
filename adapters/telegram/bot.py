"""The Telegram chat adapter: life cycle, commands menu, unprompted messages, webhook route.

Started by ``bot/`` beside the other adapters in one event loop, so it never calls
``run_polling()`` (that owns the loop): ``initialize``, ``start``,
``updater.start_polling`` (or ``setWebhook``), and the reverse on stop.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

from aiohttp import web
from telegram import Bot, BotCommandScopeAllChatAdministrators, BotCommandScopeDefault
from telegram.error import TelegramError

from adapters.telegram.application import (
    ALLOWED_UPDATES,
    TelegramApplication,
    TelegramConfig,
    build_application,
    build_requests,
)
from adapters.telegram.handlers import HandlerOptions, Handlers
from adapters.telegram.keyboards import ADMIN_COMMANDS, USER_COMMANDS, bot_commands
from adapters.telegram.keys import KeyBook
from adapters.telegram.webhook import webhook_path, webhook_route
from core.commands import Reply
from core.engine import Engine
from core.linking import Linking

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


class TelegramAdapter:
    """Implements the runner's ChatAdapter protocol for Telegram."""

    name = "telegram"

    def __init__(
        self,
        engine: Engine,
        config: TelegramConfig,
        *,
        linking: Linking | None = None,
    ) -> None:
        self.config = config
        self.keys = KeyBook(engine.store, engine.keys)
        self.handlers = Handlers(
            engine, self.keys, linking=linking,
            options=HandlerOptions(progress_interval_s=config.progress_interval_s,
                                   group_progress_interval_s=config.group_progress_interval_s),
        )
        self._requests = build_requests()
        self.application: TelegramApplication = build_application(
            config, self.handlers, self._requests
        )
        # Telegram proves webhook calls with this; generated when the operator set none.
        self.webhook_secret = config.webhook_secret or secrets.token_urlsafe(32)

    @property
    def bot(self) -> Bot:
        bot: Bot = self.application.bot
        return bot

    async def start(self) -> None:
        """getMe, the command menus, then long polling or the webhook."""
        application = self.application
        try:
            await application.initialize()
            await self._set_commands()
            await application.start()
            if self.config.webhook_url:
                await self.bot.set_webhook(
                    self.config.webhook_url, secret_token=self.webhook_secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                )
                log.info("telegram: webhook set for @%s", self.bot.username)
            elif application.updater is not None:
                await application.updater.start_polling(
                    timeout=self.config.poll_timeout_s, allowed_updates=list(ALLOWED_UPDATES),
                )
                log.info("telegram: polling as @%s", self.bot.username)
        except BaseException:
            await self.stop()
            raise

    async def _set_commands(self) -> None:
        # Admin-only commands are shown to admins; handlers still check at run time.
        try:
            await self.bot.set_my_commands(bot_commands(USER_COMMANDS), scope=BotCommandScopeDefault())
            await self.bot.set_my_commands(
                bot_commands(ADMIN_COMMANDS), scope=BotCommandScopeAllChatAdministrators()
            )
        except TelegramError:
            log.warning("telegram: setMyCommands failed; the command menu may be stale", exc_info=True)

    async def stop(self) -> None:
        """Stops fetching, lets running handlers finish, releases the HTTP pools."""
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        for request in self._requests:  # already closed unless start-up failed half-way
            await request.shutdown()

    async def send(self, conversation: str, reply: Reply) -> None:
        """An unprompted message (e.g. "your Spotify account is linked") to a chat id."""
        await self.handlers.send_reply(self.bot, int(conversation), reply)

    def web_routes(self) -> list[web.RouteDef]:
        """The webhook route for the web side's server; none in polling mode."""
        if not self.config.webhook_url:
            return []
        return [webhook_route(self.application, webhook_path(self.config.webhook_url),
                              self.webhook_secret)]


def build_telegram_adapter(app: App) -> TelegramAdapter:
    """The adapter ``bot/platforms.py`` starts when TELEGRAM_TOKEN is set.

    In webhook mode it hands its route to the web side (``App.add_web_routes``), which
    serves it on WEB_HOST:WEB_PORT behind the operator's https proxy.
    """
    settings = app.settings
    config = TelegramConfig(
        token=settings.telegram_token,
        api_url=settings.telegram_api_url,
        webhook_url=settings.telegram_webhook_url,
        webhook_secret=settings.telegram_webhook_secret,
    )
    adapter = TelegramAdapter(app.engine, config, linking=app.linking)
    app.add_web_routes(adapter.web_routes())
    return adapter
