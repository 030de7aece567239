"""What every Telegram handler shares: the conversation layer, the key book, and how a reply goes out.

Handlers turn an update into a call of ``core.actions`` (through ``TextCommands`` for a
line of text) and hand the reply to ``Chat.answer``, which renders it
(``render.render_reply``) and sends it with its buttons.  Errors are the verbs' business:
they answer them as ``TextReply(error=True)``.  Telegram's own failures (a
``TelegramError``) go to the application's error hook (``messages.on_error``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError

from adapters.telegram.keyboards import deep_link_keyboard, playlist_keyboard
from adapters.telegram.keys import KeyBook
from adapters.telegram.messaging import StatusMessage, safe_edit, send_chunks
from adapters.telegram.render import (
    Buttons,
    DeepLinkButton,
    PlaylistButtons,
    render_reply,
    split_html,
)
from core import i18n, wording
from core.actions import Actions, SendPlaylist
from core.commands import Line, TextCommands
from core.errors import DeliveryFailed
from core.models import ProgressCallback, UserRef
from core.replies import PlaylistReply, Reply

log = logging.getLogger(__name__)

#: Slow work: given the progress callback and ``deliver``, returns the reply.
SlowWork = Callable[[ProgressCallback, SendPlaylist], Awaitable[Reply]]


def _never() -> bool:
    return False


@dataclass
class HandlerOptions:
    progress_interval_s: float = 1.0
    # A group may get 20 messages a minute from a bot, edits included.
    group_progress_interval_s: float = 4.0
    # True while Telegram's flood limits have calls queueing: cosmetic calls are skipped.
    congested: Callable[[], bool] = _never

    def interval(self, message: Message) -> float:
        private = message.chat.type == ChatType.PRIVATE
        return self.progress_interval_s if private else self.group_progress_interval_s


def user_ref(user: User, chat_id: int, chat_type: str) -> UserRef:
    """Scope "dm" in a private chat, else "chat:<id>" (limits are per group)."""
    scope = "dm" if chat_type == ChatType.PRIVATE else f"chat:{chat_id}"
    return UserRef("telegram", str(user.id), scope)


def is_private(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


def parts(update: Update) -> tuple[Message, User, UserRef] | None:
    """The message, its sender and the sender as the engine knows them (None: not a message)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    return message, user, user_ref(user, message.chat.id, message.chat.type)


@dataclass
class Chat:
    """The handlers' shared context: the verbs, the key book and the progress options."""

    actions: Actions
    keys: KeyBook
    options: HandlerOptions = field(default_factory=HandlerOptions)
    commands: TextCommands = field(init=False)
    # Background timers (a blend invitation's expiry), cancelled when the adapter stops.
    timers: set[asyncio.Task[Any]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.commands = TextCommands(self.actions)

    async def language(self, update: Update) -> str:
        """The locale to answer ``update`` in: the sender's pinned one, else their app's
        (``language_code``), else English."""
        user = update.effective_user
        if user is None:
            return i18n.DEFAULT_LOCALE
        return await self.actions.language(UserRef("telegram", str(user.id), "dm"),
                                           user.language_code)

    async def say(
        self, bot: Bot, chat_id: int, html_text: str, *, markup: InlineKeyboardMarkup | None = None,
        reply_to: int | None = None,
    ) -> None:
        """HTML the adapter formatted itself (from ``core.wording`` sentences)."""
        await send_chunks(bot, chat_id, split_html(html_text), markup=markup, reply_to=reply_to)

    async def send(
        self, bot: Bot, chat_id: int, reply: Reply, *, user: UserRef | None = None,
        group: bool = False, reply_to: int | None = None, replace: Message | None = None,
    ) -> None:
        """``reply`` rendered, its buttons (keys made for ``user``) under the last message."""
        rendered = render_reply(reply, group=group)
        markup = await self._markup(bot, rendered.buttons, user, chat_id)
        await send_chunks(bot, chat_id, rendered.messages, markup=markup, reply_to=reply_to,
                          replace=replace)

    async def _markup(
        self, bot: Bot, buttons: Buttons, user: UserRef | None, chat_id: int
    ) -> InlineKeyboardMarkup | None:
        if user is None:  # an unprompted message: nobody to make keys for
            return None
        match buttons:
            case PlaylistButtons(playlist=playlist):
                return await playlist_keyboard(self.keys, user, playlist)
            case DeepLinkButton(kind=kind, label=label):
                # A link made from a group links in its scope (a group may have its own app).
                payload = await self.keys.deep_link(user, kind, None if kind == "unlink" else chat_id)
                return deep_link_keyboard(bot.username, payload, label)
        return None

    async def answer(
        self, bot: Bot, message: Message, user: UserRef, reply: Reply,
        status: StatusMessage | None = None,
    ) -> None:
        """The reply to ``message``: in a group it quotes the message (or replaces ``status``)."""
        private = is_private(message)
        reply_to = None if private or (status and status.message) else message.message_id
        await self.send(bot, message.chat.id, reply, user=user, group=not private,
                        reply_to=reply_to, replace=status.message if status else None)

    async def run_slow(
        self, bot: Bot, message: Message, user: UserRef, work: SlowWork,
        first_text: str | None = None,
    ) -> Reply | None:
        """Runs slow ``work`` under a status message; a playlist is sent by ``deliver``, inside
        the engine's charge: if Telegram cannot take it, nothing is charged (and None is
        returned)."""
        reply_to = None if is_private(message) else message.message_id
        delivered = False
        async with StatusMessage(bot, message.chat.id, reply_to=reply_to,
                                 first_text=first_text or wording.WORKING(),
                                 interval_s=self.options.interval(message),
                                 congested=self.options.congested) as status:

            async def deliver(playlist: PlaylistReply) -> None:
                nonlocal delivered
                await status.finish()
                await self.answer(bot, message, user, playlist, status)
                delivered = True

            try:
                reply = await work(status.progress, deliver)
            except DeliveryFailed as exc:
                log.warning("telegram: a playlist could not be sent (%s); nothing was charged",
                            exc.__cause__ or exc)
                if status.message is not None:  # Telegram may answer again already
                    with contextlib.suppress(TelegramError):
                        await safe_edit(bot, message.chat.id, status.message.message_id,
                                        "⚠️ " + wording.undelivered("Telegram"))
                return None
        if not delivered:
            await self.answer(bot, message, user, reply, status)
        return reply

    async def run_line(self, bot: Bot, message: Message, user: UserRef, line: Line | None) -> None:
        """A text command (or a bare prompt), parsed once, through the shared TextCommands."""
        if line is not None and line.slow:
            await self.run_slow(
                bot, message, user,
                lambda progress, deliver: self.commands.handle(user, line, progress, deliver),
            )
        else:
            await self.answer(bot, message, user, await self.commands.handle(user, line))


__all__ = ["Chat", "HandlerOptions", "SlowWork", "is_private", "parts", "user_ref"]
