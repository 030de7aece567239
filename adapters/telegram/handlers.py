"""Which handler answers which update: the modules by concern, bound to one shared ``Chat``.

``commands`` (text commands, /help, /start), ``linking`` (/link, /unlink, deep links),
``group_settings`` (/settings and a group's Spotify app), ``buttons`` (callback queries,
refine-by-reply) and ``messages`` (plain messages, mentions, the error hook).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from adapters.telegram import blend, buttons, commands, group_settings, linking, messages
from adapters.telegram.context import Chat
from core import i18n

#: The commands answered by the shared ``TextCommands``.
TEXT_COMMANDS = ("playlist", "refine", "profile", "limits", "status", "save", "taste")

Handler = Callable[[Chat, Update, Any], Coroutine[Any, Any, None]]


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any], chat: Chat) -> None:
    """Every handler, each bound to ``chat``; new messages only (an edited "/playlist" must
    not make, and charge, a second playlist)."""

    def bound(handler: Handler) -> Callable[[Update, Any], Coroutine[Any, Any, None]]:
        @functools.wraps(handler)
        async def in_their_language(update: Update, context: Any) -> None:
            # The one place an update enters: everything below speaks the sender's language.
            with i18n.speaking(await chat.language(update)):
                await handler(chat, update, context)

        return in_their_language

    new = filters.UpdateType.MESSAGE
    for name in TEXT_COMMANDS:
        application.add_handler(CommandHandler(name, bound(commands.on_text_command), filters=new))
    application.add_handler(CommandHandler("help", bound(commands.send_help), filters=new))
    application.add_handler(CommandHandler("start", bound(commands.on_start), filters=new))
    application.add_handler(CommandHandler("link", bound(linking.on_link), filters=new))
    application.add_handler(CommandHandler("unlink", bound(linking.on_unlink), filters=new))
    application.add_handler(CommandHandler("settings", bound(group_settings.on_settings),
                                           filters=new))
    application.add_handler(CommandHandler("blend", bound(blend.on_blend), filters=new))
    application.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND,
                                           bound(messages.on_message)))
    application.add_handler(MessageHandler(new & filters.COMMAND & filters.ChatType.PRIVATE,
                                           bound(commands.on_unknown_command)))
    # Before the playlist buttons' handler, which answers every other callback query.
    application.add_handler(CallbackQueryHandler(bound(blend.on_blend_button),
                                                 pattern=blend.BUTTON_PATTERN))
    application.add_handler(CallbackQueryHandler(bound(buttons.on_button)))
    application.add_error_handler(messages.on_error)


__all__ = ["TEXT_COMMANDS", "register_handlers"]
