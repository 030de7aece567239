"""The replies to one interaction: deferring, progress edits, private and public answers.

Every REST call is bounded (``bounded``): discord.py retries a 5xx for about 25 s and
aiohttp waits minutes for an answer that trickles in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import aiohttp
import discord

from adapters.discord import render
from adapters.discord.services import Services
from core import wording
from core.models import Progress

log = logging.getLogger(__name__)

T = TypeVar("T")

# Discord error codes the adapter reacts to.
UNKNOWN_WEBHOOK = 10015
INVALID_WEBHOOK_TOKEN = 50027


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
            note = wording.LATE_ANSWER() if n == 0 else None
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
