"""The Telegram chat adapter: life cycle, commands menu, unprompted messages, webhook route.

Started by ``bot/`` beside the other adapters in one event loop, so it never calls
``run_polling()`` (that owns the loop): ``initialize``, ``start``,
``updater.start_polling`` (or ``setWebhook``), and the reverse on stop.

Several processes, one bot:

* Long polling is for one process.  When another process polls with the same token,
  Telegram ends this one's long poll with 409 Conflict: the adapter then logs one line
  saying so and stops polling (without the final getUpdates PTB would send, which
  would cut the other process's poll too), and the other process carries on.
* Webhook mode runs in any number of ``python -m bot serve`` workers behind a load
  balancer.  They share the webhook secret (TELEGRAM_WEBHOOK_SECRET, or one generated
  once and kept in the database), and only a worker with TELEGRAM_SET_WEBHOOK
  registers the webhook and the command menu.
* Every update is claimed in the shared store before it is handled
  (``Store.claim_update``), so an update Telegram delivers twice (it redelivers when
  a webhook answer is slow, possibly to another worker) is answered once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from telegram import Bot, BotCommandScopeAllChatAdministrators, BotCommandScopeDefault, Update
from telegram.error import Conflict, TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from adapters.telegram.application import (
    ALLOWED_UPDATES,
    TelegramApplication,
    TelegramConfig,
    build_application,
    build_requests,
    flood_gauge,
)
from adapters.telegram.handlers import HandlerOptions, Handlers
from adapters.telegram.keyboards import ADMIN_COMMANDS, USER_COMMANDS, bot_commands
from adapters.telegram.keys import KeyBook
from adapters.telegram.webhook import webhook_path, webhook_route
from core.commands import Reply
from core.engine import Engine
from core.health import DependencyMonitor
from core.linking import Linking
from core.models import DependencyStatus
from core.sharing import Sharing

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

# Telegram keeps an undelivered update for 24 hours, so a claim must outlive that.
CLAIM_TTL = timedelta(hours=24)
CONFLICT_MESSAGE = (
    "telegram: another process is polling with this TELEGRAM_TOKEN (Telegram answered 409 "
    "Conflict). Long polling runs in one process only, so this one stops polling; to run "
    "several workers, set TELEGRAM_WEBHOOK_URL and start them with `python -m bot serve`."
)


class TelegramAdapter:
    """Implements the runner's ChatAdapter protocol for Telegram."""

    name = "telegram"

    def __init__(
        self,
        engine: Engine,
        config: TelegramConfig,
        *,
        linking: Linking | None = None,
        sharing: Sharing | None = None,
    ) -> None:
        self.config = config
        self.keys = KeyBook(engine.store, engine.keys)
        # Telegram's flood limits, and a gauge of how backed up they are (under a flood the
        # cosmetic calls are skipped so the answers go out sooner).
        self.flood = flood_gauge(config)
        self.handlers = Handlers(
            engine, self.keys, linking=linking, sharing=sharing,
            options=HandlerOptions(progress_interval_s=config.progress_interval_s,
                                   group_progress_interval_s=config.group_progress_interval_s,
                                   congested=self.flood.congested),
        )
        # Telegram's health as the bot's own calls see it: sending (probed with getMe while
        # down) and receiving (the long poll, which retries all the time by itself).
        self.monitor = DependencyMonitor("telegram", probe=lambda: self.bot.get_me())
        self.updates_monitor = DependencyMonitor("telegram updates")
        self._requests = build_requests(config, self.monitor, self.updates_monitor)
        engine.add_health_check("telegram", self.health)
        self.application: TelegramApplication = build_application(
            config, self.handlers, self._requests, self.flood
        )
        # Telegram proves webhook calls with this; when the operator set none, start()
        # takes the one kept in the store (generated once, shared by every worker).
        self.webhook_secret = config.webhook_secret
        self._store = engine.store
        # Updates are numbered per bot: the bot id (the token's first part) names the series.
        self.update_source = f"telegram:{config.token.partition(':')[0]}"
        self.application.add_handler(TypeHandler(Update, self._claim_update), group=-1)
        self.polling_conflict = False
        self._conflict_stop: asyncio.Task[None] | None = None

    @property
    def bot(self) -> Bot:
        bot: Bot = self.application.bot
        return bot

    async def start(self) -> None:
        """getMe, the command menus, then long polling or the webhook."""
        application = self.application
        webhook = bool(self.config.webhook_url)
        try:
            await application.initialize()
            if webhook and not self.webhook_secret:
                self.webhook_secret = await self._store.set_meta_if_absent(
                    f"{self.update_source}:webhook_secret", secrets.token_urlsafe(32)
                )
            if not webhook or self.config.set_webhook:
                await self._set_commands()
            await application.start()
            if webhook and self.config.set_webhook:
                await self.bot.set_webhook(
                    self.config.webhook_url, secret_token=self.webhook_secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                )
                log.info("telegram: webhook set for @%s", self.bot.username)
            elif webhook:
                log.info("telegram: webhook worker for @%s (TELEGRAM_SET_WEBHOOK is off: another "
                         "process registers the webhook)", self.bot.username)
            elif application.updater is not None:
                await application.updater.start_polling(
                    timeout=self.config.poll_timeout_s, allowed_updates=list(ALLOWED_UPDATES),
                    error_callback=self._polling_error,
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

    async def _claim_update(self, update: object, context: Any) -> None:
        """First handler of every update: claims it in the store, or stops a redelivery."""
        if not isinstance(update, Update):
            return
        try:
            fresh = await self._store.claim_update(
                self.update_source, update.update_id, datetime.now(UTC) + CLAIM_TTL
            )
        except Exception as exc:
            # Better to risk answering a redelivery twice than to drop a message.
            log.warning("telegram: could not claim update %d (%s); handling it anyway",
                        update.update_id, getattr(exc, "user_message", type(exc).__name__))
            return
        if not fresh:
            log.info("telegram: update %d was already taken (a redelivery); skipped",
                     update.update_id)
            raise ApplicationHandlerStop

    def _polling_error(self, error: TelegramError) -> None:
        """PTB's polling loop hit an error; it retries by itself unless we stop it."""
        if isinstance(error, Conflict):
            if not self.polling_conflict:
                self.polling_conflict = True
                log.error(CONFLICT_MESSAGE)
                self._conflict_stop = asyncio.get_running_loop().create_task(
                    self._stop_polling_quietly(), name="telegram-conflict"
                )
            return
        log.warning("telegram: polling failed (%s: %s); retrying", type(error).__name__, error)

    async def _stop_polling_quietly(self) -> None:
        updater = self.application.updater
        if updater is None or not updater.running:
            return
        # PTB ends polling with one more getUpdates (to confirm the last offset); here it
        # would end the other process's long poll too.  A skipped confirmation is harmless:
        # updates fetched again are claimed already and dropped.
        with contextlib.suppress(AttributeError):  # a private name: PTB may rename it
            setattr(updater, "_Updater__polling_cleanup_cb", None)  # noqa: B010
        quiet = _DropRecords("No polling cleanup callback")
        ptb_log = logging.getLogger("telegram.ext.Updater")
        ptb_log.addFilter(quiet)
        try:
            await updater.stop()
        finally:
            ptb_log.removeFilter(quiet)

    async def health(self) -> DependencyStatus:
        """Down while the bot's latest Bot API call failed (the long poll retries all the time)."""
        if not self.application.running:
            return DependencyStatus("telegram", False, "not started")
        receiving = await self.updates_monitor.status()
        if not receiving.ok:
            return DependencyStatus("telegram", False, f"receiving updates: {receiving.detail}")
        sending = await self.monitor.status("answering")
        if not sending.ok:
            return DependencyStatus("telegram", False, f"sending: {sending.detail}")
        return sending

    async def stop(self) -> None:
        """Stops fetching, lets running handlers finish, releases the HTTP pools."""
        application = self.application
        if self._conflict_stop is not None:
            with contextlib.suppress(Exception):
                await self._conflict_stop
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        for request in self._requests:  # already closed unless start-up failed half-way
            await request.shutdown()

    @property
    def connected(self) -> bool:
        """Started and receiving updates (polling, or the webhook set) (for the status page)."""
        application = self.application
        if not application.running:
            return False
        updater = application.updater
        return bool(self.config.webhook_url) or (updater is not None and updater.running)

    @property
    def chat_url(self) -> str | None:
        """``https://t.me/<bot>`` once the bot knows its name (after start), for the landing page."""
        try:
            username = self.bot.username
        except RuntimeError:  # not initialised yet: getMe has not answered
            return None
        return f"https://t.me/{username}" if username else None

    async def send(self, conversation: str, reply: Reply) -> None:
        """An unprompted message (e.g. "your Spotify account is linked") to a chat id."""
        await self.handlers.send_reply(self.bot, int(conversation), reply)

    def web_routes(self) -> list[web.RouteDef]:
        """The webhook route for the web side's server; none in polling mode."""
        if not self.config.webhook_url:
            return []
        return [webhook_route(self.application, webhook_path(self.config.webhook_url),
                              lambda: self.webhook_secret)]


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
        set_webhook=settings.telegram_set_webhook,
        timeout_s=settings.telegram_timeout,
        concurrent_updates=settings.telegram_concurrent_updates,
    )
    adapter = TelegramAdapter(app.engine, config, linking=app.linking, sharing=app.sharing)
    app.add_web_routes(adapter.web_routes())
    return adapter


class _DropRecords(logging.Filter):
    """Drops log records whose message starts with ``prefix``."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefix)
