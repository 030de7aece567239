"""The slash commands everyone can use: methods of one cog, each one verb of ``core.actions``.

A cog instance copies its commands when it is made, so two bots (or two tests) never
share state through a module-level command.  Errors are not handled here: a verb
answers its own, and what is left goes to the one hook (``interact.on_failure``).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.answer import Answer
from adapters.discord.interact import link_view, send_dm, session
from adapters.discord.services import PLATFORM, services_of, user_ref
from adapters.discord.translator import described
from adapters.discord.views import make_playlist, save_draft, show
from core import i18n, wording
from core.actions import Actions
from core.engine import HARD_MAX_SONGS
from core.guard import MIN_SONGS
from core.models import Conversation
from core.replies import TextReply
from core.vocabulary.genres import CATALOGUE_GENRES

log = logging.getLogger(__name__)

_CLEAR_WORDS = {"none", "-", "clear", "nothing"}
AUTOCOMPLETE_CHOICES = 25
CHOICE_LIMIT = 100

Discovery = Literal["popular", "balanced", "deep"]
Count = app_commands.Range[int, MIN_SONGS, HARD_MAX_SONGS]
Energy = app_commands.Range[float, 0.0, 1.0]
#: Each language by its own name; 🌐 (auto) follows the Discord client's language again.
LANGUAGE_CHOICES = [
    app_commands.Choice(name="🌐 Discord", value="auto"),
    *(app_commands.Choice(name=i18n.NATIVE_NAMES[code], value=code) for code in i18n.SUPPORTED_LOCALES),
]


def genre_choices(current: str) -> list[app_commands.Choice[str]]:
    """Completes the last genre of a comma-separated list ("jazz, so" -> "jazz, soul")."""
    head, comma, last = current.rpartition(",")
    chosen = [g.strip().lower() for g in head.split(",") if g.strip()] if comma else []
    prefix = "".join(f"{g}, " for g in chosen)
    word = last.strip().lower()
    starts = [g for g in CATALOGUE_GENRES if g.startswith(word) and g not in chosen]
    inside = [g for g in CATALOGUE_GENRES if word and word in g and g not in starts and g not in chosen]
    choices: list[app_commands.Choice[str]] = []
    for genre in (*starts, *inside):
        value = prefix + genre
        if len(value) > CHOICE_LIMIT:
            continue
        choices.append(app_commands.Choice(name=value, value=value))
        if len(choices) == AUTOCOMPLETE_CHOICES:
            break
    return choices


def _list_change(value: str | None) -> str | None:
    if value is None:
        return None
    return "" if value.strip().lower() in _CLEAR_WORDS else value


def _actions(interaction: discord.Interaction[Any]) -> Actions:
    return services_of(interaction).actions


def profile_changes(
    genres: str | None, artists: str | None, disliked: str | None, energy: float | None,
    discovery: str | None, explicit: bool | None, language: str | None = None,
) -> dict[str, str]:
    """The options given to /profile set as ``core.profile_edit`` changes (others stay)."""
    changes: dict[str, str] = {}
    for key, value in (("genres", genres), ("artists", artists), ("disliked", disliked)):
        text = _list_change(value)
        if text is not None:
            changes[key] = text
    if energy is not None:
        changes["energy"] = str(energy)
    if discovery is not None:
        changes["discovery"] = discovery
    if explicit is not None:
        changes["explicit"] = "yes" if explicit else "no"
    if language is not None:
        changes["language"] = language
    return changes


class EveryoneCommands(commands.Cog, name="EchoTuner"):
    """The commands every member (and every DM) can use."""

    @app_commands.command(name="playlist", description=described("playlist"))
    @app_commands.describe(
        prompt=described("playlist prompt"), count=described("playlist count"),
    )
    async def playlist(
        self, interaction: discord.Interaction[Any], prompt: str, count: Count | None = None
    ) -> None:
        actions, user = _actions(interaction), user_ref(interaction)
        async with session(interaction) as answer:
            await make_playlist(answer, lambda progress, deliver: actions.playlist(
                user, prompt, count, progress=progress, deliver=deliver))

    @app_commands.command(name="refine", description=described("refine"))
    @app_commands.describe(feedback=described("refine feedback"))
    async def refine(self, interaction: discord.Interaction[Any], feedback: str) -> None:
        actions, user = _actions(interaction), user_ref(interaction)
        async with session(interaction) as answer:
            await make_playlist(answer, lambda progress, deliver: actions.refine(
                user, feedback, progress=progress, deliver=deliver))

    @app_commands.command(name="link", description=described("link"))
    async def link(self, interaction: discord.Interaction[Any]) -> None:
        async with session(interaction) as answer:
            await _send_link(answer)

    @app_commands.command(name="unlink", description=described("unlink"))
    async def unlink(self, interaction: discord.Interaction[Any]) -> None:
        async with session(interaction) as answer:
            await show(answer, await _actions(interaction).unlink(user_ref(interaction)))

    @app_commands.command(name="save", description=described("save"))
    async def save(self, interaction: discord.Interaction[Any]) -> None:
        async with session(interaction) as answer:
            await save_draft(answer, None)

    @app_commands.command(name="taste", description=described("taste"))
    async def taste(self, interaction: discord.Interaction[Any]) -> None:
        actions = _actions(interaction)
        async with session(interaction) as answer:
            if actions.accounts_enabled:
                await answer.defer(ephemeral=True)  # Spotify may take a few seconds
            await show(answer, await actions.import_taste(user_ref(interaction)))

    profile = app_commands.Group(name="profile", description=described("profile"))

    @profile.command(name="show", description=described("profile show"))
    async def show_profile(self, interaction: discord.Interaction[Any]) -> None:
        async with session(interaction) as answer:
            await show(answer, await _actions(interaction).profile_show(user_ref(interaction)))

    @profile.command(name="set", description=described("profile set"))
    @app_commands.describe(
        genres=described("profile set genres"),
        artists=described("profile set artists"),
        disliked=described("profile set disliked"),
        energy=described("profile set energy"),
        discovery=described("profile set discovery"),
        explicit=described("profile set explicit"),
        language=described("profile set language"),
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    async def set_profile(
        self,
        interaction: discord.Interaction[Any],
        genres: str | None = None,
        artists: str | None = None,
        disliked: str | None = None,
        energy: Energy | None = None,
        discovery: Discovery | None = None,
        explicit: bool | None = None,
        language: app_commands.Choice[str] | None = None,
    ) -> None:
        changes = profile_changes(genres, artists, disliked, energy, discovery, explicit,
                                  language.value if language is not None else None)
        async with session(interaction) as answer:
            await show(answer, await _actions(interaction).profile_set(user_ref(interaction),
                                                                         changes))

    @set_profile.autocomplete("genres")
    async def genres_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return genre_choices(current)

    @profile.command(name="reset", description=described("profile reset"))
    async def reset_profile(self, interaction: discord.Interaction[Any]) -> None:
        async with session(interaction) as answer:
            await show(answer, await _actions(interaction).profile_reset(user_ref(interaction)))

    @app_commands.command(name="limits", description=described("limits"))
    async def limits(self, interaction: discord.Interaction[Any]) -> None:
        async with session(interaction) as answer:
            await show(answer, await _actions(interaction).limits(user_ref(interaction)))

    @app_commands.command(name="status", description=described("status"))
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        async with session(interaction) as answer:
            await answer.defer(ephemeral=True)  # each check may take a few seconds
            await show(answer, await _actions(interaction).status())


async def _send_link(answer: Answer) -> None:
    """A sign-in link by direct message; with DMs closed, in a reply only this user sees."""
    interaction = answer.interaction
    actions = answer.services.actions
    if actions.accounts_enabled:
        await answer.defer(ephemeral=True)
    reply = await actions.link(
        user_ref(interaction), Conversation(PLATFORM, f"dm:{interaction.user.id}"),
        private=True, chat_account=f"@{interaction.user.name}",
    )
    if not isinstance(reply, TextReply) or reply.error or reply.link is None:
        await show(answer, reply)
        return
    url = reply.link
    view = link_view(url, reply.link_label)
    text = reply.text if view is not None else f"{reply.text}\n{url}"
    if await send_dm(interaction.client, interaction.user.id, text, view=view):
        await show(answer, TextReply(wording.LINK_SENT_BY_DM()))
        return
    # DMs closed (50007): the link goes in a reply only this user can see.
    await show(answer, TextReply(wording.LINK_DMS_CLOSED(), link=url, link_label=reply.link_label))
