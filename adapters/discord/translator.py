"""Slash command descriptions from ``core.wording``, in every language the bot speaks.

Each description is a ``locale_str`` whose text is the English (what Discord shows when it
has no translation) and whose ``key`` names its entry in ``wording.DISCORD_COMMANDS``.
"""

from __future__ import annotations

from discord import app_commands

from core import wording
from core.engine import HARD_MAX_SONGS
from core.guard import MIN_SONGS

#: The numbers the descriptions' placeholders stand for.
BOUNDS = {"min_songs": MIN_SONGS, "max_songs": HARD_MAX_SONGS}


def described(key: str) -> app_commands.locale_str:
    """The description of the command or option at ``key`` ("profile set genres")."""
    return app_commands.locale_str(wording.DISCORD_COMMANDS[key].msgid.format(**BOUNDS), key=key)
