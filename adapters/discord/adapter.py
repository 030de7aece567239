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

Health: ``health()`` says whether the gateway is up and Discord's REST API answers;
the composition root (``bot/``) registers it with the engine.

``DISCORD_API_URL`` redirects discord.py: REST goes to that base (``Route.BASE``)
and, when it is not Discord's own, the gateway address is the one that base's
``GET /gateway/bot`` answers (also set as ``DiscordWebSocket.DEFAULT_GATEWAY`` for
reconnects).  Both are process-wide in discord.py, so they are restored on stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord import render
from adapters.discord.answer import bounded
from adapters.discord.client import EchoTunerBot
from adapters.discord.interact import send_dm
from adapters.discord.services import Services
from core.health import DependencyMonitor
from core.models import DependencyStatus
from core.replies import Reply, TextReply

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


@dataclass(frozen=True)
class DiscordConfig:
    """How to reach Discord and which share of the bot this process runs."""

    token: str
    api_url: str = DEFAULT_API_URL
    guild_ids: tuple[int, ...] = ()  # sync commands to these servers only (development)
    sync_commands: bool = True  # false: another process registers the slash commands
    shard_count: int | None = None  # with shard_ids: this process runs those shards
    shard_ids: tuple[int, ...] = ()
    ready_timeout_s: float = 60.0
    drain_timeout_s: float = 10.0
    # More discord.py client options (e.g. ``guild_ready_timeout``).
    client_options: dict[str, Any] = field(default_factory=dict)

    def bot_options(self) -> dict[str, Any]:
        """discord.py options for this process's share of the bot."""
        options: dict[str, Any] = {"sync_commands": self.sync_commands}
        if self.shard_count:
            options["shard_count"] = self.shard_count
            if self.shard_ids:
                options["shard_ids"] = list(self.shard_ids)
        return {**options, **self.client_options}


class DiscordAdapter:
    """The chat-adapter protocol (``bot.runner.ChatAdapter``) for Discord."""

    name = "discord"

    def __init__(self, services: Services, config: DiscordConfig) -> None:
        self.services = services
        self.config = config
        self.guild_ids = config.guild_ids
        self.redirect = ApiRedirect(config.api_url)
        self.ready_timeout_s = config.ready_timeout_s
        self.drain_timeout_s = config.drain_timeout_s
        # Every REST request tells the health monitor how it ended (an aiohttp trace).
        self.monitor = services.monitor
        self._bot_options = {"http_trace": monitor_trace(self.monitor), **config.bot_options()}
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
                await bot.login(self.config.token)
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
        for timer in list(self.services.timers):  # a blend's expiry: the store expires it too
            timer.cancel()
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

    async def health(self) -> DependencyStatus:
        """Down when the gateway is not ready or the bot's latest REST call failed."""
        bot = self.bot
        if bot is None or bot.is_closed():
            return DependencyStatus("discord", False, "not connected")
        if not bot.is_ready():
            return DependencyStatus("discord", False, "connecting to the gateway")
        services = self.services
        return await self.monitor.status(
            "connected", probe=lambda: bounded(services, bot.application_info())
        )

    @property
    def connected(self) -> bool:
        """Logged in, the gateway session ready and open (for the status page)."""
        bot = self.bot
        return bot is not None and not bot.is_closed() and bot.is_ready()

    @property
    def chat_url(self) -> str:
        """Where the OAuth landing page sends a Discord user back to."""
        return "https://discord.com/app"

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
            sent = await send_dm(bot, user_id, content, embeds=embeds)
            notices = self.services.notices
            if not sent and isinstance(reply, TextReply) and notices is not None:
                await notices.remember(user_id, reply.text)
        elif kind == "channel":
            await bot.get_partial_messageable(int(raw)).send(content, embeds=embeds)
        else:
            raise ValueError(f"not a Discord conversation: {conversation!r}")


def monitor_trace(monitor: DependencyMonitor) -> aiohttp.TraceConfig:
    """An aiohttp trace telling ``monitor`` how each request to Discord ended.

    5xx and 429 answers and connection errors are failures; any other answer is Discord
    answering (a 404 for an expired interaction token is not an outage).
    """
    trace = aiohttp.TraceConfig()

    async def on_end(session: Any, context: Any, params: aiohttp.TraceRequestEndParams) -> None:
        status = params.response.status
        if status >= 500 or status == 429:
            monitor.failed(f"HTTP {status} from {params.url.path}")
        else:
            monitor.succeeded()

    async def on_exception(
        session: Any, context: Any, params: aiohttp.TraceRequestExceptionParams
    ) -> None:
        if not isinstance(params.exception, asyncio.CancelledError):
            monitor.failed(type(params.exception).__name__)

    trace.on_request_end.append(on_end)
    trace.on_request_exception.append(on_exception)
    return trace
