"""Slash command descriptions from ``core.wording``, in every language the bot speaks.

Each description is a ``locale_str`` whose text is the English (what Discord shows when it
has no translation) and whose ``key`` names its entry in ``wording.DISCORD_COMMANDS``.
``Translator`` (set on the tree in ``setup_hook``) gives discord.py the same sentence from
the gettext catalogues for each of Discord's locales when the commands are synced, so
each client shows the descriptions in its own language.  Command and option names stay
as they are: they are what people type and what the help and the docs name, in every
language.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from core import i18n, wording
from core.engine import HARD_MAX_SONGS
from core.guard import MIN_SONGS

log = logging.getLogger(__name__)

#: The numbers the descriptions' placeholders stand for.
BOUNDS = {"min_songs": MIN_SONGS, "max_songs": HARD_MAX_SONGS}
#: Discord's longest command or option description.
DESCRIPTION_LIMIT = 100
_DESCRIPTIONS = frozenset({
    app_commands.TranslationContextLocation.command_description,
    app_commands.TranslationContextLocation.group_description,
    app_commands.TranslationContextLocation.parameter_description,
})


def described(key: str) -> app_commands.locale_str:
    """The description of the command or option at ``key`` ("profile set genres")."""
    return app_commands.locale_str(wording.DISCORD_COMMANDS[key].msgid.format(**BOUNDS), key=key)


def description(key: str, locale: str) -> str:
    """The description at ``key`` in ``locale`` (a ``core.i18n`` locale)."""
    return i18n.translate(wording.DISCORD_COMMANDS[key].msgid, locale).format(**BOUNDS)


class Translator(app_commands.Translator):
    """discord.py's hook for localised commands: descriptions from our catalogues."""

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        if context.location not in _DESCRIPTIONS or not isinstance(key, str) \
                or key not in wording.DISCORD_COMMANDS:
            return None  # names, choices and anything not ours: as registered
        ours = i18n.negotiate(locale.value)
        if ours == i18n.DEFAULT_LOCALE:
            return None  # English is the default Discord already has
        text = description(key, ours)
        if text == string.message:
            return None
        if len(text) > DESCRIPTION_LIMIT:
            log.warning("the %s description of %r is over %d characters; English is sent",
                        ours, key, DESCRIPTION_LIMIT)
            return None
        return text
