"""Inline keyboards and the bot's command lists."""

from __future__ import annotations

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup

from adapters.telegram.keys import Action, KeyBook
from core import wording
from core.i18n import Message
from core.models import Playlist, UserRef

BUTTON_LABELS: dict[Action, tuple[str, Message]] = {
    "refine": ("✏️ ", wording.BUTTON_REFINE),
    "regenerate": ("🔄 ", wording.BUTTON_REGENERATE),
    "save": ("💾 ", wording.BUTTON_SAVE),
    "uris": ("📋 ", wording.BUTTON_URIS_SHORT),
}

USER_COMMANDS: tuple[tuple[str, Message], ...] = (*wording.COMMAND_MENU, wording.BLEND_MENU_ENTRY)
ADMIN_COMMANDS: tuple[tuple[str, Message], ...] = (*USER_COMMANDS, wording.SETTINGS_MENU_ENTRY)


def bot_commands(pairs: tuple[tuple[str, Message], ...]) -> list[BotCommand]:
    """The command menu in the current language (``core.i18n``)."""
    return [BotCommand(name, description()) for name, description in pairs]


async def playlist_keyboard(keys: KeyBook, user: UserRef, playlist: Playlist) -> InlineKeyboardMarkup:
    """Refine / Regenerate / Save / URIs, each button an opaque key valid as long as the draft.

    Each acts on the version this playlist is (a later Refine makes a new message, and
    this one's buttons must not start acting on tracks it does not list).
    """
    buttons = {
        action: InlineKeyboardButton(
            icon + label(),
            callback_data=await keys.button(user, playlist.draft_id, action, playlist.expires_at,
                                            playlist.version),
        )
        for action, (icon, label) in BUTTON_LABELS.items()
    }
    return InlineKeyboardMarkup([
        [buttons["refine"], buttons["regenerate"]],
        [buttons["save"], buttons["uris"]],
    ])


def deep_link_keyboard(bot_username: str, payload: str, label: str) -> InlineKeyboardMarkup:
    """One button that opens a private chat with the bot and sends ``/start <payload>``."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        label, url=f"https://t.me/{bot_username}?start={payload}"
    )]])
