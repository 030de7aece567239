"""The Telegram chat adapter: life cycle, commands menu, unprompted messages, webhook route.

Built by ``bot/telegram_wiring.py`` (which gives it the conversation layer, its scratch
space and the webhook secret, and registers its health check) and started by ``bot/``
beside the other adapters in one event loop, so it never calls ``run_polling()`` (that
owns the loop): ``initialize``, ``start``, ``updater.start_polling`` (or ``setWebhook``),
and the reverse on stop.

Several processes, one bot:

* Long polling is for one process.  When another process polls with the same token,
  Telegram ends this one's long poll with 409 Conflict: the adapter then logs one line
  saying so and stops polling (without the final getUpdates PTB would send, which
  would cut the other process's poll too), and the other process carries on.
* Webhook mode runs in any number of ``python -m bot serve`` workers behind a load
  balancer.  They share the webhook secret (TELEGRAM_WEBHOOK_SECRET, or one generated
  once and kept in the database, looked up by ``bot/``), and only a worker with TELEGRAM_SET_WEBHOOK
  registers the webhook and the command menu.
* Every update is claimed in shared scratch space before it is handled
  (``Scratch.claim``), so an update Telegram delivers twice (it redelivers when
  a webhook answer is slow, possibly to another worker) is answered once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

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
from adapters.telegram.context import Chat, HandlerOptions
from adapters.telegram.keyboards import ADMIN_COMMANDS, USER_COMMANDS, bot_commands
from adapters.telegram.keys import KeyBook
from adapters.telegram.webhook import webhook_path, webhook_route
from core import i18n
from core.actions import Actions
from core.health import DependencyMonitor
from core.models import DependencyStatus
from core.ports import Scratch
from core.replies import Reply

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
        config: TelegramConfig,
        actions: Actions,
        keys: KeyBook,
        updates: Scratch,
        *,
        webhook_secret: Callable[[], Awaitable[str]] | None = None,
    ) -> None:
        """``updates`` claims update ids (one answer per update across processes);
        ``webhook_secret`` gives the shared secret when the operator set none."""
        self.config = config
        self.keys = keys
        # Telegram's flood limits, and a gauge of how backed up they are (under a flood the
        # cosmetic calls are skipped so the answers go out sooner).
        self.flood = flood_gauge(config)
        self.chat = Chat(actions, keys, HandlerOptions(
            progress_interval_s=config.progress_interval_s,
            group_progress_interval_s=config.group_progress_interval_s,
            congested=self.flood.congested,
        ))
        # Telegram's health as the bot's own calls see it: sending (probed with getMe while
        # down) and receiving (the long poll, which retries all the time by itself).
        self.monitor = DependencyMonitor("telegram", probe=lambda: self.bot.get_me())
        self.updates_monitor = DependencyMonitor("telegram updates")
        self._requests = build_requests(config, self.monitor, self.updates_monitor)
        self.application: TelegramApplication = build_application(
            config, self.chat, self._requests, self.flood
        )
        # Telegram proves webhook calls with this; when the operator set none, start()
        # asks ``webhook_secret`` (one generated once, shared by every worker).
        self.webhook_secret = config.webhook_secret
        self._secret_source = webhook_secret
        self._updates = updates
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
            if webhook and not self.webhook_secret and self._secret_source is not None:
                self.webhook_secret = await self._secret_source()
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
        """The command menu in every language the bot speaks: the default (English) for
        clients in any other language, and one per ``language_code``.  Admin-only commands
        are shown to admins; handlers still check at run time.  The calls go out together:
        one after another, 15 languages x 2 scopes would hold start-up for 30 round trips."""
        calls = []
        for locale in i18n.available():
            # Telegram takes a two-letter language code: "pt" for pt_BR, "zh" for zh_Hans.
            language = None if locale == i18n.DEFAULT_LOCALE else locale.split("_", 1)[0]
            with i18n.speaking(locale):
                users, admins = bot_commands(USER_COMMANDS), bot_commands(ADMIN_COMMANDS)
            calls.append(self.bot.set_my_commands(users, scope=BotCommandScopeDefault(),
                                                  language_code=language))
            calls.append(self.bot.set_my_commands(
                admins, scope=BotCommandScopeAllChatAdministrators(), language_code=language))
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, TelegramError):
                log.warning("telegram: setMyCommands failed; the command menu may be stale",
                            exc_info=outcome)
                break
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, TelegramError):
                raise outcome

    async def _claim_update(self, update: object, context: Any) -> None:
        """First handler of every update: claims it, or stops a redelivery."""
        if not isinstance(update, Update):
            return
        try:
            fresh = await self._updates.claim(update.update_id, CLAIM_TTL)
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
        for timer in list(self.chat.timers):  # a blend's expiry: the store expires it too
            timer.cancel()
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
        await self.chat.send(self.bot, int(conversation), reply)

    def web_routes(self) -> list[web.RouteDef]:
        """The webhook route for the web side's server; none in polling mode."""
        if not self.config.webhook_url:
            return []
        return [webhook_route(self.application, webhook_path(self.config.webhook_url),
                              lambda: self.webhook_secret)]


class _DropRecords(logging.Filter):
    """Drops log records whose message starts with ``prefix``."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefix)
