"""Group administration: who counts as an admin, and how ``/settings`` arguments read.

Permissions are checked with ``getChatMember`` every time a setting changes, never
trusted from how a command was registered (a command list is only a hint to clients).
"""

from __future__ import annotations

import dataclasses
import logging
import re

from telegram import Bot, Message
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from core import wording
from core.errors import InvalidInput
from core.models import LimitSettings
from core.profile_edit import parse_assignments

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})

_NUMBERS = {
    "playlists": "max_playlists_per_day",
    "daily": "max_playlists_per_day",
    "max_playlists_per_day": "max_playlists_per_day",
    "refinements": "max_refinements_per_playlist",
    "max_refinements_per_playlist": "max_refinements_per_playlist",
    "songs": "max_songs",
    "max_songs": "max_songs",
    "blend_members": "max_blend_members",
    "max_blend_members": "max_blend_members",
}
_SWITCHES = {
    "playlist_limit": "playlist_limit_enabled",
    "playlist_limit_enabled": "playlist_limit_enabled",
    "refinement_limit": "refinement_limit_enabled",
    "refinement_limit_enabled": "refinement_limit_enabled",
    "blends": "blends_enabled",
    "blends_enabled": "blends_enabled",
}
_ON = {"on", "yes", "true", "1", "enabled"}
_OFF = {"off", "no", "false", "0", "disabled"}


async def is_admin(bot: Bot, chat_id: int, user_id: int) -> bool:
    """Whether the user is the group's creator or one of its administrators right now."""
    try:
        member = await bot.get_chat_member(chat_id=chat_id, user_id=user_id)
    except TelegramError:
        log.warning("getChatMember failed; treating the user as not an admin", exc_info=True)
        return False
    return member.status in ADMIN_STATUSES


async def message_from_admin(bot: Bot, message: Message) -> bool:
    """Whether a group message was sent by an admin, anonymous admins included.

    An anonymous admin posts as the group itself (``sender_chat`` is the chat), and
    only admins can do that, so no getChatMember call is needed (or possible) then.
    """
    chat = message.chat
    if chat.type not in GROUP_TYPES:
        return False
    if message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    if message.from_user is None:
        return False
    return await is_admin(bot, chat.id, message.from_user.id)


def apply_limit_changes(current: LimitSettings, args: str) -> LimitSettings:
    """Reads ``playlists=5 refinements=2 songs=30 playlist_limit=off`` onto ``current``."""
    pairs = parse_assignments(args)
    changes: dict[str, int | bool] = {}
    for key, raw in pairs.items():
        value = raw.strip().lower()
        if key in _NUMBERS:
            if not re.fullmatch(r"\d{1,6}", value):
                raise InvalidInput(wording.setting_not_a_number(key, raw))
            changes[_NUMBERS[key]] = int(value)
        elif key in _SWITCHES:
            if value not in _ON | _OFF:
                raise InvalidInput(wording.setting_not_a_switch(key, raw))
            changes[_SWITCHES[key]] = value in _ON
        else:
            known = ", ".join(sorted({"playlists", "refinements", "songs", "playlist_limit",
                                      "refinement_limit", "blends", "blend_members"}))
            raise InvalidInput(wording.unknown_setting(key, known))
    return dataclasses.replace(current, **changes)  # type: ignore[arg-type]
