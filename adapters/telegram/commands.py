"""Text commands: /playlist, /refine, /profile, /limits, /status, /save, /taste, /help, /start.

Each line is parsed once (``core.commands.parse_line``) and handed to the shared
``TextCommands``; /start with a payload is a deep link (``linking.follow_deep_link``).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from adapters.telegram import linking
from adapters.telegram.context import Chat, is_private, parts
from adapters.telegram.messaging import send_chunks
from adapters.telegram.render import esc, formatted, render_help
from core import wording
from core.commands import parse_line


async def on_text_command(chat: Chat, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/playlist, /refine, /profile, /limits, /status, /save, /taste: the shared TextCommands."""
    found = parts(update)
    if found is None or not found[0].text:
        return
    message, _, user = found
    await chat.run_line(context.bot, message, user, parse_line(message.text or ""))


async def on_unknown_command(chat: Chat, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a private chat an unknown /command gets the shared "unknown command" answer."""
    found = parts(update)
    if found is None or not found[0].text:
        return
    message, _, user = found
    reply = await chat.commands.handle(user, parse_line(message.text or ""))
    await chat.answer(context.bot, message, user, reply)


async def send_help(chat: Chat, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    help_messages = render_help(chat.actions.help_text(), [line() for line in wording.TELEGRAM_HELP_LINES])
    await send_chunks(context.bot, message.chat.id, help_messages)


async def on_start(chat: Chat, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: a welcome, or (with a deep-link payload) the private half of /link etc."""
    found = parts(update)
    if found is None:
        return
    message, tg_user, user = found
    payload = context.args[0] if context.args else ""
    if payload and is_private(message):
        await linking.follow_deep_link(chat, context.bot, message, tg_user, user, payload)
        return
    example = f"<code>{esc(wording.WELCOME_EXAMPLE())}</code>"
    private = is_private(message)
    welcome = f"👋 {esc(wording.WELCOME())} " + formatted(
        lambda shown: wording.welcome_try(shown, private=private), example)
    await chat.say(context.bot, message.chat.id, welcome)
    await send_help(chat, update, context)


__all__ = ["on_start", "on_text_command", "on_unknown_command", "send_help"]
