"""The Discord adapter: starts and stops the bot inside the runner's event loop.

``start()`` logs in (which syncs the slash commands), starts the gateway connection
in a task and returns once the bot is ready (or, after ``ready_timeout_s``, while it
keeps connecting in that task); ``stop()`` lets in-flight commands finish for a
moment, then closes the gateway and the HTTP session.  It never owns the loop: this
is discord.py's ``async with bot: await bot.start(token)`` split in two, so the
runner can stop every adapter in reverse order on SIGINT/SIGTERM.

Conversations for ``send`` (unprompted messages, e.g. "your Spotify account is
linked") are ``dm:<user id>`` (a direct message; when the user's DMs are closed the
text is shown on their next command instead) or ``channel:<channel id>``.

``DISCORD_API_URL`` redirects discord.py: REST goes to that base (``Route.BASE``)
and, when it is not Discord's own, the gateway address is the one that base's
``GET /gateway/bot`` answers (also set as ``DiscordWebSocket.DEFAULT_GATEWAY`` for
reconnects).  Both are process-wide in discord.py, so they are restored on stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord import render
from adapters.discord.client import EchoTunerBot
from adapters.discord.interact import Services, send_dm
from core.commands import Reply

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://discord.com/api/v10"


class ApiRedirect:
    """Points discord.py's REST base (and gateway) elsewhere; ``restore`` undoes it."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url.rstrip("/")
        self._saved: tuple[str, yarl.URL] | None = None

    @property
    def custom(self) -> bool:
        return self.api_url != DEFAULT_API_URL

    def apply(self) -> None:
        if self._saved is None:
            self._saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
        Route.BASE = self.api_url

    def set_gateway(self, url: str) -> None:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    def restore(self) -> None:
        if self._saved is not None:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None


class DiscordAdapter:
    """The chat-adapter protocol (``bot.runner.ChatAdapter``) for Discord."""

    name = "discord"

    def __init__(
        self,
        services: Services,
        token: str,
        *,
        guild_ids: Sequence[int] = (),
        api_url: str = DEFAULT_API_URL,
        ready_timeout_s: float = 60.0,
        drain_timeout_s: float = 10.0,
        bot_options: dict[str, Any] | None = None,
    ) -> None:
        self.services = services
        self._token = token
        self.guild_ids = tuple(guild_ids)
        self.redirect = ApiRedirect(api_url)
        self.ready_timeout_s = ready_timeout_s
        self.drain_timeout_s = drain_timeout_s
        self._bot_options = bot_options or {}
        self.bot: EchoTunerBot | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Logs in, syncs commands, connects; returns when ready or connecting in a task."""
        self.redirect.apply()
        bot = EchoTunerBot(self.services, guild_ids=self.guild_ids, **self._bot_options)
        self.bot = bot
        try:
            await bot.__aenter__()
            try:
                await bot.login(self._token)
            except discord.LoginFailure:
                log.error("Discord refused DISCORD_TOKEN: check the bot token")
                raise
            if self.redirect.custom:
                _, gateway, _ = await bot.http.get_bot_gateway()
                self.redirect.set_gateway(gateway)
            self._task = asyncio.create_task(bot.connect(reconnect=True), name="discord-gateway")
            await self._wait_until_ready()
        except BaseException:
            await self._shut_down()
            raise

    async def _wait_until_ready(self) -> None:
        assert self.bot is not None and self._task is not None
        ready = asyncio.create_task(self.bot.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._task}, timeout=self.ready_timeout_s, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ready
        if self._task in done:
            self._task.result()  # the gateway failed: raise why
            raise RuntimeError("the Discord gateway closed before the bot was ready")
        if ready not in done:
            log.warning("Discord is not ready after %.0f s; still connecting", self.ready_timeout_s)

    async def stop(self) -> None:
        """Lets running commands finish (briefly), then closes the connection."""
        inflight = set(self.services.inflight)
        if inflight:
            log.info("waiting for %d Discord command(s) to finish", len(inflight))
            _, pending = await asyncio.wait(inflight, timeout=self.drain_timeout_s)
            for task in pending:
                task.cancel()  # the engine refunds what an interrupted command reserved
            if pending:
                await asyncio.wait(pending, timeout=5)
        await self._shut_down()

    async def _shut_down(self) -> None:
        bot, task = self.bot, self._task
        self._task = None
        try:
            if bot is not None:
                await bot.close()
            if task is not None:
                try:
                    await asyncio.wait_for(task, timeout=10)
                except (asyncio.CancelledError, TimeoutError):
                    pass
                except Exception:
                    log.warning("the Discord gateway task ended with an error", exc_info=True)
        finally:
            self.redirect.restore()

    async def send(self, conversation: str, reply: Reply) -> None:
        """Says something unprompted in ``dm:<user id>`` or ``channel:<channel id>``."""
        bot = self.bot
        if bot is None or bot.is_closed():
            raise RuntimeError("the Discord adapter is not running")
        kind, _, raw = conversation.partition(":")
        if not raw.isdigit():
            raise ValueError(f"not a Discord conversation: {conversation!r}")
        content, embeds = render.reply_content(reply)
        if kind == "dm":
            user_id = int(raw)
            if not await send_dm(bot, user_id, content, embeds=embeds) and reply.text:
                await self.services.remember_notice(user_id, reply.text)
        elif kind == "channel":
            await bot.get_partial_messageable(int(raw)).send(content, embeds=embeds)
        else:
            raise ValueError(f"not a Discord conversation: {conversation!r}")


def build_discord_adapter(app: App, *, bot_options: dict[str, Any] | None = None) -> DiscordAdapter:
    """The adapter ``bot/platforms.py`` starts when ``DISCORD_TOKEN`` is set.

    ``bot_options`` go to discord.py's client (e.g. ``shard_count``, ``guild_ready_timeout``).
    """
    settings = app.settings
    services = Services(engine=app.engine, linking=app.linking)
    return DiscordAdapter(
        services,
        settings.discord_token,
        guild_ids=[int(g) for g in settings.discord_guild_ids],
        api_url=settings.discord_api_url,
        bot_options=bot_options,
    )
