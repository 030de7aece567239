"""A group's settings: /settings (its limits) and the dialogue that sets its own Spotify app.

Admins are checked with ``getChatMember`` at run time, every time (a command menu is
only a hint to clients).  App credentials are secret, so they are asked for in a
private chat (a deep link from the group) and the message holding them is deleted.
"""

from __future__ import annotations

import logging
import re

from telegram import Bot, ForceReply, Message, Update, User
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from adapters.telegram.admin import GROUP_TYPES, apply_limit_changes, is_admin, message_from_admin
from adapters.telegram.context import Chat, parts
from adapters.telegram.keyboards import deep_link_keyboard
from adapters.telegram.keys import Pending
from adapters.telegram.render import esc, formatted, render_settings
from core import wording
from core.actions import error_reply
from core.errors import InvalidInput
from core.models import UserRef
from core.replies import Reply, SettingsReply, TextReply

log = logging.getLogger(__name__)

_CREDENTIALS = re.compile(r"^\s*([A-Za-z0-9]{16,64})\s+([A-Za-z0-9]{16,64})\s*$")


def _refusal(text: str) -> TextReply:
    return TextReply(text, error=True, code="forbidden")


async def on_settings(chat: Chat, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/settings [reset | spotify | key=value ...], group admins only, checked now."""
    found = parts(update)
    if found is None:
        return
    message, _, user = found
    bot = context.bot
    if message.chat.type not in GROUP_TYPES:
        await chat.answer(bot, message, user, TextReply(wording.SETTINGS_IN_GROUP_ONLY()))
        return
    if not await message_from_admin(bot, message):
        await chat.answer(bot, message, user, _refusal(wording.SETTINGS_ADMINS_ONLY()))
        return
    args = " ".join(context.args or ()).strip()
    if args.lower() == "spotify":
        await _offer_credentials_link(chat, bot, message, user)
        return
    where = message.chat.title or wording.THIS_GROUP()
    if args.lower() == "reset":
        reply = await chat.actions.settings_reset(user.scope, where)
        if isinstance(reply, SettingsReply):  # said as a reset rather than as "Saved."
            await chat.say(bot, message.chat.id, esc(wording.SETTINGS_RESET()) + "\n"
                           + render_settings(reply.settings, reply.where),
                           reply_to=message.message_id)
            return
    else:
        reply = await _show_or_change(chat, user.scope, where, args)
    await chat.answer(bot, message, user, reply)


async def _show_or_change(chat: Chat, scope: str, where: str, args: str) -> Reply:
    """The settings, changed first when ``args`` asks for it (``playlists=5 songs=30``)."""
    actions = chat.actions
    if not args:
        return await actions.settings_show(scope, where)
    current = await actions.settings_show(scope, where)
    if not isinstance(current, SettingsReply):
        return current
    try:
        changed = apply_limit_changes(current.settings, args)
    except InvalidInput as exc:  # a malformed line, before any verb ran
        return error_reply(exc, "settings")
    return await actions.settings_set(scope, where, changed)


async def _offer_credentials_link(chat: Chat, bot: Bot, message: Message, user: UserRef) -> None:
    if not chat.actions.accounts_enabled:
        await chat.answer(bot, message, user, TextReply(wording.GROUP_APP_NOT_SET_UP(), error=True,
                                                        code="not_configured"))
        return
    if message.sender_chat is not None:
        await chat.answer(bot, message, user, _refusal(wording.GROUP_APP_ANONYMOUS()))
        return
    payload = await chat.keys.deep_link(user, "app", message.chat.id)
    await chat.say(bot, message.chat.id, esc(wording.GROUP_APP_PRIVATE(), limit=1000),
                   markup=deep_link_keyboard(bot.username, payload, "🔐 " + wording.SET_GROUP_APP()),
                   reply_to=message.message_id)


async def ask_credentials(
    chat: Chat, bot: Bot, message: Message, tg_user: User, user: UserRef, group_id: int
) -> None:
    """In the admin's private chat: asks for the app's id and secret (a ForceReply question)."""
    if not await is_admin(bot, group_id, tg_user.id):
        await chat.answer(bot, message, user, _refusal(wording.NO_LONGER_ADMIN()))
        return
    question = await bot.send_message(
        message.chat.id,
        formatted(wording.group_app_question, f"<b>{esc(wording.GROUP_APP_CLIENT_ID())}</b>",
                  f"<b>{esc(wording.GROUP_APP_CLIENT_SECRET())}</b>"),
        reply_markup=ForceReply(selective=True, input_field_placeholder="client_id client_secret"),
    )
    await chat.keys.expect_reply(message.chat.id, question.message_id, Pending(
        kind="app_credentials", owner_key=chat.keys.owner(user), scope=f"chat:{group_id}",
    ))


async def receive_credentials(
    chat: Chat, bot: Bot, message: Message, tg_user: User, user: UserRef, pending: Pending,
    question_id: int,
) -> None:
    """The answer to ``ask_credentials``: deleted first, then checked and stored."""
    # Whatever happens next, the secret must not stay in the chat history.
    try:
        await bot.delete_message(message.chat.id, message.message_id)
    except TelegramError:
        log.warning("could not delete the message holding credentials")
    scope = pending.scope or ""
    if not scope.startswith("chat:") or not chat.actions.accounts_enabled:
        return
    group_id = int(scope.removeprefix("chat:"))
    match = _CREDENTIALS.match(message.text or "")
    if match is None:
        reply: Reply = TextReply(wording.GROUP_APP_MALFORMED(), error=True, code="invalid_input")
    elif not await is_admin(bot, group_id, tg_user.id):
        reply = _refusal(wording.NO_LONGER_ADMIN())
    else:
        reply = await chat.actions.set_group_app(scope, match.group(1), match.group(2))
        if not (isinstance(reply, TextReply) and reply.error):
            await chat.keys.answered(message.chat.id, question_id)
    await chat.answer(bot, message, user, reply)


__all__ = ["ask_credentials", "on_settings", "receive_credentials"]
