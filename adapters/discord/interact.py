"""What every Discord handler shares: who is asking, progress, replies, DMs, the error hook.

A handler turns one interaction into one call of the conversation layer
(``core.actions``), whose verbs answer every refusal and failure of their own as a
``TextReply(error=True)``; Discord shows those only to the asker.  ``session`` tracks
the work for a graceful shutdown and, afterwards, shows a notice that could not be sent
earlier (the user's DMs were closed when their Spotify link completed).  What can still
go wrong is Discord's own: ``on_failure`` is the one place that answers it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import aiohttp
import discord
from discord import app_commands

from adapters.discord import render
from core import wording
from core.actions import Actions, error_reply
from core.errors import DeliveryFailed
from core.health import DependencyMonitor
from core.identity import UserKeys
from core.models import Progress, UserRef
from core.ports import Scratch

log = logging.getLogger(__name__)

T = TypeVar("T")

PLATFORM = "discord"
REST_TIMEOUT_S = 10.0
# Discord error codes the adapter reacts to.
CANNOT_DM = 50007  # "Cannot send messages to this user" (DMs closed, or no shared server)
UNKNOWN_WEBHOOK = 10015
INVALID_WEBHOOK_TOKEN = 50027
# Interaction tokens live 15 minutes; past this the answer goes out as a channel message.
INTERACTION_TTL_S = 14 * 60
NOTICE_TTL = timedelta(days=7)
ANSWER = "echotuner-answer"  # the key of an interaction's Answer in ``Interaction.extras``


class Notices:
    """Messages we could not DM (closed DMs), kept to show on the user's next command.

    Keyed by the user's hashed id in the adapter's ``Scratch`` (never the raw Discord id);
    ``take`` is single use, so two processes never show one notice twice.
    """

    def __init__(self, scratch: Scratch, keys: UserKeys) -> None:
        self._scratch = scratch
        self._keys = keys

    def _key(self, user_id: int) -> str:
        return "notice:" + self._keys.key(UserRef(PLATFORM, str(user_id)))

    async def remember(self, user_id: int, text: str) -> None:
        await self._scratch.put(self._key(user_id), text, NOTICE_TTL)

    async def take(self, user_id: int) -> str | None:
        return await self._scratch.take(self._key(user_id)) or None


@dataclass
class Services:
    """What the handlers need, reachable from any interaction through its client."""

    actions: Actions
    notices: Notices | None = None  # None: a closed DM's notice is only logged
    max_feedback_length: int = 500  # the refine form's limit (the engine's own)
    interaction_ttl_s: float = INTERACTION_TTL_S
    progress_interval_s: float = 1.0
    monotonic: Callable[[], float] = time.monotonic
    inflight: set[asyncio.Task[Any]] = field(default_factory=set)
    # One REST call (retries included) may take this long: discord.py retries a 5xx for
    # about 25 s and aiohttp waits minutes for an answer that trickles in.
    rest_timeout_s: float = REST_TIMEOUT_S
    # Discord's REST API as the bot's own calls see it (fed by an aiohttp trace).
    monitor: DependencyMonitor = field(default_factory=lambda: DependencyMonitor("discord"))


class RestTimeout(Exception):
    """A Discord REST call did not finish within ``Services.rest_timeout_s``."""


# Discord could not be reached or did not answer in time (aiohttp's connection errors are
# OSErrors; discord.py lets them through).
UNREACHABLE: tuple[type[Exception], ...] = (RestTimeout, aiohttp.ClientError, OSError)
NOT_SHOWN: tuple[type[Exception], ...] = (discord.HTTPException, *UNREACHABLE)
SERVER_TROUBLE: tuple[type[Exception], ...] = (discord.DiscordServerError, *UNREACHABLE)


async def bounded(services: Services, call: Awaitable[T]) -> T:
    """Awaits one Discord REST call within ``services.rest_timeout_s``."""
    try:
        async with asyncio.timeout(services.rest_timeout_s):
            return await call
    except TimeoutError:
        services.monitor.failed("no complete answer in time")
        raise RestTimeout(f"Discord did not answer within {services.rest_timeout_s:g} s") from None


def services_of(interaction: discord.Interaction[Any]) -> Services:
    """The services of the bot that received ``interaction`` (its ``echotuner`` attribute)."""
    client = interaction.client
    services = getattr(client, "echotuner", None)
    if not isinstance(services, Services):
        raise RuntimeError("this interaction's client is not an EchoTuner bot")
    return services


def user_ref(interaction: discord.Interaction[Any]) -> UserRef:
    """The platform-neutral user: ``guild:<id>`` in a server, ``dm`` in a private chat."""
    scope = f"guild:{interaction.guild_id}" if interaction.guild_id else "dm"
    return UserRef(PLATFORM, str(interaction.user.id), scope)


def is_code(exc: discord.HTTPException, *codes: int) -> bool:
    return exc.code in codes


class ProgressDisplay:
    """Shows the latest progress text by editing a message, at most once per interval.

    The engine reports progress often ("searching 3/40"); edits go out in the
    background so a slow edit never slows the playlist, and ``close`` waits for an
    edit in flight so a late progress edit cannot overwrite the final answer.
    """

    def __init__(self, edit: Callable[[str], Awaitable[object]], interval_s: float) -> None:
        self._edit = edit
        self._interval = interval_s
        self._latest = ""
        self._shown = ""
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._closed = False
        self._task: asyncio.Task[None] | None = None

    def show(self, text: str) -> None:
        if self._closed:
            return
        self._latest = text
        self._wake.set()
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="discord-progress")

    async def _run(self) -> None:
        while not self._closed:
            await self._wake.wait()
            self._wake.clear()
            async with self._lock:
                if self._closed:
                    return
                text = self._latest
                if text != self._shown:
                    try:
                        await self._edit(text)
                    except NOT_SHOWN:
                        log.debug("a progress edit failed", exc_info=True)
                    self._shown = text
            await asyncio.sleep(self._interval)

    async def close(self) -> None:
        self._closed = True
        task = self._task
        if task is None:
            return
        async with self._lock:  # an edit in flight finishes first
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class Answer:
    """The replies to one interaction, whatever state the interaction is in.

    Knows whether the response was deferred publicly or privately, when the token
    expires, and how to fall back to a channel message once it has.
    """

    def __init__(self, interaction: discord.Interaction[Any], services: Services) -> None:
        self.interaction = interaction
        self.services = services
        self.started = services.monotonic()
        # What the deferred reply is waiting for: None (not deferred), "public" or "private"
        # (a "thinking" message to fill in), "done" (filled in or removed: use followups).
        self.pending: str | None = None
        self._progress: ProgressDisplay | None = None
        self._progress_stopped = False  # the answer is (being) shown: no progress from now on

    # --- state ------------------------------------------------------------------
    @property
    def token_fresh(self) -> bool:
        return self.services.monotonic() - self.started < self.services.interaction_ttl_s

    @property
    def responded(self) -> bool:
        return self.interaction.response.is_done()

    async def _rest(self, call: Awaitable[T]) -> T:
        return await bounded(self.services, call)

    async def defer(self, *, ephemeral: bool) -> None:
        """Acknowledges at once (Discord's 3-second rule) with a "thinking" message."""
        await self._rest(self.interaction.response.defer(ephemeral=ephemeral, thinking=True))
        self.pending = "private" if ephemeral else "public"

    # --- progress -----------------------------------------------------------------
    async def progress(self, event: Progress) -> None:
        """The engine's progress callback: edits the deferred reply."""
        if not self.token_fresh or self._progress_stopped:
            return
        if self._progress is None:
            self._progress = ProgressDisplay(self._edit_progress, self.services.progress_interval_s)
        self._progress.show(wording.working(event.describe()))

    async def _edit_progress(self, text: str) -> None:
        if self.token_fresh:
            await self._rest(self.interaction.edit_original_response(content=text))

    async def stop_progress(self) -> None:
        """Ends progress edits for good, waiting for one in flight (one writer per message)."""
        self._progress_stopped = True
        if self._progress is not None:
            await self._progress.close()

    # --- answers --------------------------------------------------------------------
    async def private(
        self,
        text: str | None = None,
        *,
        embeds: Sequence[discord.Embed] = (),
        view: discord.ui.View | None = None,
    ) -> None:
        """A message only this user sees."""
        content = render.content_text(text) if text else None
        response = self.interaction.response
        if not response.is_done():
            if view is None:
                await self._rest(response.send_message(content, embeds=list(embeds), ephemeral=True))
            else:
                await self._rest(response.send_message(content, embeds=list(embeds), view=view,
                                                        ephemeral=True))
            return
        if not self.token_fresh:
            log.info("an interaction token expired before a private answer could be sent")
            return
        if self.pending == "private":
            # The deferred reply is already private: fill it in.
            await self.stop_progress()
            await self._rest(self.interaction.edit_original_response(
                content=content, embeds=list(embeds), view=view
            ))
            self.pending = "done"
            return
        if self.pending == "public":
            # A public "thinking" message is waiting: remove it so the answer stays private
            # (a followup would otherwise fill that public message in).
            await self.stop_progress()
            with contextlib.suppress(discord.HTTPException):
                await self._rest(self.interaction.delete_original_response())
            self.pending = "done"
        if view is None:
            await self._rest(self.interaction.followup.send(content or "", embeds=list(embeds),
                                                            ephemeral=True))
        else:
            await self._rest(self.interaction.followup.send(
                content or "", embeds=list(embeds), view=view, ephemeral=True
            ))

    async def publish(
        self, messages: Sequence[Sequence[discord.Embed]], view: discord.ui.View | None
    ) -> None:
        """Fills the deferred reply with ``messages`` (more as followups); ``view`` under the last.

        Past the token's lifetime, or when Discord says the token is gone, the rest goes
        to the channel as ordinary messages.
        """
        await self.stop_progress()
        pending = list(messages)
        while pending and self.token_fresh:
            embeds = list(pending[0])
            last = len(pending) == 1
            try:
                if self.pending in {"public", "private"}:
                    await self._rest(self.interaction.edit_original_response(
                        content=None, embeds=embeds, view=view if last else None
                    ))
                    self.pending = "done"
                elif last and view is not None:
                    await self._rest(self.interaction.followup.send(embeds=embeds, view=view,
                                                                    wait=True))
                else:
                    await self._rest(self.interaction.followup.send(embeds=embeds, wait=True))
            except discord.HTTPException as exc:
                if exc.status == 401 or is_code(exc, UNKNOWN_WEBHOOK, INVALID_WEBHOOK_TOKEN):
                    log.info("interaction token no longer valid; answering in the channel")
                    break
                raise
            pending.pop(0)
        if pending:
            await self._to_channel(pending, view)

    async def _to_channel(
        self, messages: Sequence[Sequence[discord.Embed]], view: discord.ui.View | None
    ) -> None:
        channel = self.interaction.channel
        channel_id = channel.id if channel is not None else None
        if channel_id is None:
            log.warning("a late answer had no channel to go to")
            return
        target = self.interaction.client.get_partial_messageable(
            channel_id, guild_id=self.interaction.guild_id
        )
        for n, embeds in enumerate(messages):
            note = wording.LATE_ANSWER if n == 0 else None
            if n == len(messages) - 1 and view is not None:
                await self._rest(target.send(note, embeds=list(embeds), view=view))
            else:
                await self._rest(target.send(note, embeds=list(embeds)))

    async def fail(self, text: str) -> None:
        """An error, shown only to this user."""
        try:
            if self.token_fresh or not self.responded:
                await self.private(text)
                return
        except NOT_SHOWN as exc:
            log.warning("could not show an error to the user (%s: %s)", type(exc).__name__, exc)
            return
        log.info("an interaction token expired before its error could be shown")


@contextlib.asynccontextmanager
async def session(interaction: discord.Interaction[Any]) -> AsyncIterator[Answer]:
    """One handler's run: its ``Answer``, shutdown tracking, then any pending notice.

    A shutdown (the task cancelled) is told to the user here; every other failure
    propagates to ``on_failure`` (through discord.py's ``tree.on_error`` for commands).
    """
    services = services_of(interaction)
    answer = Answer(interaction, services)
    interaction.extras[ANSWER] = answer
    task = asyncio.current_task()
    if task is not None:
        services.inflight.add(task)
    try:
        yield answer
    except asyncio.CancelledError:
        # The bot is shutting down mid-command; the engine refunds what it reserved.
        await answer.stop_progress()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(answer.fail(wording.RESTARTING), 5)
        raise
    else:
        await deliver_notice(answer)
    finally:
        if task is not None:
            services.inflight.discard(task)


class Refused(app_commands.CheckFailure):
    """A run-time check said no; ``user_message`` says why (shown privately)."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


async def on_failure(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """The one error hook: what went wrong answering ``interaction``, told to its user.

    The verbs already answered every failure of the engine; what arrives here is
    Discord's (refused, down, too slow, a token gone), a command the tree could not run
    as registered, or a bug, which ``core.actions.error_reply`` logs and apologises for.
    """
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    answer = interaction.extras.get(ANSWER)
    if not isinstance(answer, Answer):  # failed before a handler ran
        answer = Answer(interaction, services_of(interaction))
    what = _what(interaction)
    await answer.stop_progress()
    await answer.fail(_failure_text(error, what))
    await deliver_notice(answer)


def _failure_text(error: BaseException, what: str) -> str:
    if isinstance(error, Refused):
        return error.user_message
    if isinstance(error, app_commands.TransformerError | app_commands.CheckFailure):
        log.warning("app command error: %s", error)
        return wording.OPTIONS_UNREADABLE
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        log.warning("app command error: %s", error)
        return wording.COMMAND_CHANGED
    if isinstance(error, DeliveryFailed):
        log.warning("discord: a playlist could not be sent (%s); nothing was charged",
                    error.__cause__ or error)
        return wording.undelivered("Discord")
    if isinstance(error, SERVER_TROUBLE):
        # Discord is down or failing: expected, not our bug; one line in the log.
        log.warning("Discord failed while handling %s (%s: %s)", what, type(error).__name__, error)
        return wording.SORRY
    if isinstance(error, discord.HTTPException):
        log.error("Discord refused a request while handling %s", what, exc_info=error)
        return wording.SORRY
    return error_reply(error, what).text


def _what(interaction: discord.Interaction[Any]) -> str:
    command = interaction.command
    if command is not None:
        return f"/{command.qualified_name}"
    data: Mapping[str, Any] = interaction.data or {}
    custom_id = str(data.get("custom_id", ""))[:40]
    return f"interaction {custom_id or interaction.type.name}"


async def deliver_notice(answer: Answer) -> None:
    """Shows a notice kept for this user (their DMs were closed), once."""
    response = answer.interaction.response
    notices = answer.services.notices
    if notices is None or response.type not in {
        discord.InteractionResponseType.channel_message,
        discord.InteractionResponseType.deferred_channel_message,
    } or not answer.token_fresh:
        return
    try:
        notice = await notices.take(answer.interaction.user.id)
        if notice:
            await bounded(answer.services, answer.interaction.followup.send(
                render.content_text(notice), ephemeral=True))
    except Exception:
        log.warning("could not show a pending notice", exc_info=True)


def link_view(url: str, label: str) -> discord.ui.View | None:
    """A view with one link button, or None when the URL is too long for a button."""
    if len(url) > render.LINK_BUTTON_URL_LIMIT:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(style=discord.ButtonStyle.link,
                                    label=render.clip(label, render.BUTTON_LABEL_LIMIT), url=url))
    return view


async def send_dm(
    client: discord.Client,
    user_id: int,
    content: str | None,
    *,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
) -> bool:
    """Sends a direct message; False when the user's DMs are closed (error 50007)."""
    try:
        channel = await client.create_dm(discord.Object(id=user_id))
        if view is None:
            await channel.send(content, embeds=list(embeds))
        else:
            await channel.send(content, embeds=list(embeds), view=view)
    except discord.Forbidden as exc:
        if is_code(exc, CANNOT_DM):
            return False
        raise
    return True
