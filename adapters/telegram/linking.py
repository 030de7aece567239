"""Spotify accounts: /link and /unlink, privately or through a one-time deep link from a group.

A bot cannot open a private chat, so in a group /link answers with a button that opens
one and sends ``/start <payload>``; the payload is single use and made for one user.
"""

from __future__ import annotations

from telegram import Bot, Message, Update, User
from telegram.ext import ContextTypes

from adapters.telegram import group_settings
from adapters.telegram.context import Chat, is_private, parts
from adapters.telegram.keyboards import deep_link_keyboard
from adapters.telegram.keys import DeepLinkKind
from adapters.telegram.render import esc
from core import wording
from core.i18n import Message as I18nMessage
from core.models import Conversation, UserRef
from core.replies import TextReply

_LABELS: dict[DeepLinkKind, tuple[str, I18nMessage]] = {
    "link": ("🔗 ", wording.LINK_PRIVATELY),
    "unlink": ("", wording.UNLINK_PRIVATELY),
    "app": ("🔐 ", wording.SET_GROUP_APP),
}


def _label(kind: DeepLinkKind) -> str:
    icon, label = _LABELS[kind]
    return icon + label()


async def on_link(chat: Chat, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _link_or_unlink(chat, update, context, "link")


async def on_unlink(chat: Chat, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _link_or_unlink(chat, update, context, "unlink")


async def _link_or_unlink(
    chat: Chat, update: Update, context: ContextTypes.DEFAULT_TYPE, kind: DeepLinkKind
) -> None:
    found = parts(update)
    if found is None:
        return
    message, _, user = found
    bot = context.bot
    if is_private(message) or not chat.actions.accounts_enabled:
        # Privately the verb answers; without Spotify it says so (in a group too).
        await (link_here(chat, bot, message, user) if kind == "link"
               else unlink_here(chat, bot, message, user))
        return
    await offer_deep_link(chat, bot, message, user, kind, wording.ACCOUNT_LINKS_PRIVATE())


async def offer_deep_link(
    chat: Chat, bot: Bot, message: Message, user: UserRef, kind: DeepLinkKind, text: str
) -> None:
    """``text`` with a button that continues ``kind`` in a private chat (works once, for ``user``)."""
    payload = await chat.keys.deep_link(user, kind, None if kind == "unlink" else message.chat.id)
    await chat.say(bot, message.chat.id, esc(text, limit=1000),
                   markup=deep_link_keyboard(bot.username, payload, _label(kind)),
                   reply_to=message.message_id)


async def link_here(chat: Chat, bot: Bot, message: Message, user: UserRef) -> None:
    """The sign-in link for this private chat; "linked" is announced here too."""
    reply = await chat.actions.link(
        user, Conversation("telegram", str(message.chat.id)), private=is_private(message),
        chat_account=_account_label(message),
    )
    await chat.answer(bot, message, user, reply)


async def unlink_here(chat: Chat, bot: Bot, message: Message, user: UserRef) -> None:
    await chat.answer(bot, message, user, await chat.actions.unlink(user))


async def follow_deep_link(
    chat: Chat, bot: Bot, message: Message, tg_user: User, user: UserRef, payload: str
) -> None:
    """``/start <payload>`` in a private chat: the step a group's button asked for."""
    link = await chat.keys.consume_deep_link(user, payload)
    if link is None:
        await chat.answer(bot, message, user,
                          TextReply(wording.DEEP_LINK_EXPIRED(), error=True, code="expired"))
        return
    if link.kind == "link":
        # Linked in the group's scope, so a group with its own Spotify app uses it.
        scope = user if link.chat_id is None else UserRef(
            user.platform, user.user_id, f"chat:{link.chat_id}"
        )
        await link_here(chat, bot, message, scope)
    elif link.kind == "unlink":
        await unlink_here(chat, bot, message, user)
    elif link.chat_id is not None:
        await group_settings.ask_credentials(chat, bot, message, tg_user, user, link.chat_id)


def _account_label(message: Message) -> str:
    """How Telegram shows the sender: ``@username``, else their name (for the OAuth page)."""
    sender = message.from_user
    if sender is None:
        return ""
    return f"@{sender.username}" if sender.username else sender.full_name


__all__ = ["follow_deep_link", "link_here", "offer_deep_link", "on_link", "on_unlink", "unlink_here"]
