"""Sending, editing and progress display that survive Telegram's everyday failures.

An edit of a message that did not change, or of one somebody deleted, is normal in a
chat and must never crash a handler; RetryAfter is handled by the rate limiter
(retried after the wait), not here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from types import TracebackType

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, TelegramError

from adapters.telegram.render import esc
from core import wording
from core.models import Progress, Stage

log = logging.getLogger(__name__)

TYPING_REFRESH_S = 4.5  # a chat action shows for five seconds


async def safe_edit(
    bot: Bot, chat_id: int, message_id: int, text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Edits a message; True when it now shows ``text`` (also when it already did)."""
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return True
        # Deleted, too old, or not ours any more: the caller sends a new message instead.
        log.info("edit of message %s failed: %s", message_id, exc.message)
        return False
    except Forbidden as exc:
        log.info("edit refused: %s", exc.message)
        return False
    return True


async def send_chunks(
    bot: Bot,
    chat_id: int,
    chunks: Sequence[str],
    *,
    markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
    replace: Message | None = None,
) -> list[Message | None]:
    """Sends ``chunks`` in order, the keyboard under the last one.

    With ``replace`` the first chunk takes the place of that message (the status
    message becomes the answer); if the edit fails the chunk is sent anew.
    """
    sent: list[Message | None] = []
    for n, chunk in enumerate(chunks):
        last = n == len(chunks) - 1
        keyboard = markup if last else None
        if n == 0 and replace is not None and await safe_edit(
            bot, chat_id, replace.message_id, chunk, keyboard
        ):
            sent.append(None)
            continue
        parameters = (
            ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
            if n == 0 and reply_to is not None else None
        )
        sent.append(await bot.send_message(
            chat_id, chunk, reply_markup=keyboard, reply_parameters=parameters
        ))
    return sent


class StatusMessage:
    """A "typing" action kept alive and one status message edited as progress arrives.

    Edits run beside the work, one at a time, latest text wins: the engine never waits for
    Telegram (whose flood limits allow a group only 20 messages a minute).  While those limits have
    calls queueing (``congested``), all of it is skipped: the answer then comes as a new
    message, sooner than it would behind everyone's progress edits.
    """

    def __init__(
        self, bot: Bot, chat_id: int, *, reply_to: int | None = None, interval_s: float = 1.0,
        first_text: str | None = None, congested: Callable[[], bool] = lambda: False,
    ) -> None:
        self._bot = bot
        self._chat_id = chat_id
        self._reply_to = reply_to
        self._interval = interval_s
        self._first_text = first_text or wording.WORKING()
        self._typing: asyncio.Task[None] | None = None
        self._editor: asyncio.Task[None] | None = None
        self.message: Message | None = None
        self._shown = ""
        self._wanted = ""
        self._last_stage: Stage | None = None
        self._last_edit = 0.0
        self._congested = congested
        self.message_final = False  # the answer is (being) shown: no more progress edits

    async def __aenter__(self) -> StatusMessage:
        if self._congested():
            return self  # no status message: the answer will be a new message
        self._typing = asyncio.create_task(self._keep_typing())
        try:
            parameters = (
                ReplyParameters(message_id=self._reply_to, allow_sending_without_reply=True)
                if self._reply_to is not None else None
            )
            self.message = await self._bot.send_message(
                self._chat_id, self._first_text, reply_parameters=parameters
            )
            self._shown = self._wanted = self._first_text
        except TelegramError:
            # No status message is a cosmetic loss; the answer is still sent.
            log.warning("could not send the status message", exc_info=True)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.finish()

    async def finish(self) -> None:
        """Stops typing and progress edits (before the answer replaces the status message).

        One writer per message: an edit already sent cannot be called back (cancelling its
        task only stops us listening, and Telegram may apply it after the answer's edit,
        which travels on another connection), so the edit in flight is awaited, never
        cancelled, and no new one starts.  Then the answer is the last edit to arrive.
        """
        self.message_final = True
        typing, self._typing = self._typing, None
        if typing is not None:  # a chat action does not touch the message
            typing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await typing
        editor, self._editor = self._editor, None
        if editor is not None:
            try:
                await editor  # it stops after the edit in flight (see _edit_until_current)
            except Exception:  # a progress display's failure must not cost the answer
                log.warning("a progress edit failed", exc_info=True)

    async def progress(self, event: Progress) -> None:
        """The engine's progress callback (see ``_progress``); silent once finished."""
        if self.message_final:
            return
        await self._progress(event)

    async def _keep_typing(self) -> None:
        while True:
            if not self._congested():
                try:
                    await self._bot.send_chat_action(self._chat_id, ChatAction.TYPING)
                except TelegramError:
                    log.info("chat action failed", exc_info=True)
            await asyncio.sleep(TYPING_REFRESH_S)

    async def _progress(self, event: Progress) -> None:
        """Schedules an edit of the status message, throttled."""
        if self.message is None or event.stage is Stage.DONE or self._congested():
            return
        text = f"⏳ {esc(event.describe())}…"
        now = time.monotonic()
        same_stage = event.stage is self._last_stage
        if text == self._wanted or (same_stage and now - self._last_edit < self._interval):
            return
        self._wanted, self._last_stage, self._last_edit = text, event.stage, now
        if self._editor is None or self._editor.done():
            self._editor = asyncio.create_task(self._edit_until_current())

    async def _edit_until_current(self) -> None:
        """Edits until the message shows the latest progress, or the answer is due."""
        while self.message is not None and not self.message_final and self._shown != self._wanted:
            text = self._wanted
            try:
                await safe_edit(self._bot, self._chat_id, self.message.message_id, text)
            except TelegramError:
                log.info("progress edit failed", exc_info=True)
            self._shown = text
