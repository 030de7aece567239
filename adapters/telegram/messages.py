"""Plain messages and failures: answers to the bot's questions, prompts, mentions, the error hook.

Private chats: every plain message is a prompt.  Groups: mentions of the bot and
replies to its questions only (with privacy mode on, Telegram sends a bot nothing
else anyway).
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import MessageEntityType
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from adapters.telegram import buttons, group_settings
from adapters.telegram.context import Chat, is_private, parts
from adapters.telegram.render import esc, formatted
from core import i18n, wording
from core.commands import parse_line

log = logging.getLogger(__name__)


def telegram_failed(error: object) -> bool:
    """Whether ``error`` says Telegram itself failed (unreachable, 5xx, 429, an unreadable
    answer), as opposed to refusing what we sent (a 400 is our bug, or the user's doing)."""
    if isinstance(error, NetworkError | RetryAfter):
        return True
    return isinstance(error, TelegramError) and "invalid server response" in error.message.lower()


def mention_text(message: Message, username: str) -> str | None:
    """The text without the bot's @mention when it mentions the bot, else None."""
    text = message.text or ""
    mentioned = False
    for value in message.parse_entities([MessageEntityType.MENTION]).values():
        if value.lstrip("@").lower() == username.lower():
            mentioned = True
            text = text.replace(value, " ")
    return " ".join(text.split()) if mentioned else None


async def on_message(chat: Chat, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers to the bot's questions; in private any text is a prompt; in groups mentions."""
    found = parts(update)
    if found is None or not found[0].text:
        return
    message, tg_user, user = found
    bot = context.bot
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        pending = await chat.keys.pending(message.chat.id, replied.message_id)
        if pending is not None:
            if pending.owner_key != chat.keys.owner(user):
                return  # someone else answering a question that wasn't theirs
            if pending.kind == "refine" and pending.draft_id is not None:
                await buttons.refine_by_reply(chat, bot, message, user, pending, replied.message_id)
            elif pending.kind == "app_credentials":
                await group_settings.receive_credentials(chat, bot, message, tg_user, user,
                                                         pending, replied.message_id)
            return
    if is_private(message):
        await chat.run_line(bot, message, user, parse_line(message.text or ""))
        return
    prompt = mention_text(message, bot.username)
    if prompt is None:
        return
    if not prompt:
        example = f"<code>@{esc(bot.username)} {esc(wording.MENTION_EXAMPLE())}</code>"
        await chat.say(bot, message.chat.id, formatted(wording.mention_hint, example),
                       reply_to=message.message_id)
        return
    await chat.run_line(bot, message, user, parse_line(prompt))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Telegram's own failures (the verbs answer theirs): logged, and the user told, never raising."""
    if telegram_failed(context.error):
        # Telegram itself is unreachable or failing: expected, and not our bug.
        log.warning("telegram: a handler could not reach Telegram (%s: %s)",
                    type(context.error).__name__, context.error)
    else:
        log.error("telegram handler failed", exc_info=context.error)
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        try:
            await update.callback_query.answer()
        except TelegramError:
            pass  # already answered, or too old
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return
    language = i18n.negotiate(user.language_code if user is not None else None)
    try:
        with i18n.speaking(language):
            text = "⚠️ " + esc(wording.DELIVERY_FAULT())
        await context.bot.send_message(chat.id, text)
    except TelegramError:
        log.warning("could not tell the user about the failure", exc_info=True)


__all__ = ["mention_text", "on_error", "on_message", "telegram_failed"]
