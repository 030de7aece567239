"""The slash commands everyone can use; each is one engine (or linking) call.

``build_commands()`` makes fresh command objects every time, so two bots (or two
tests) never share state through a module-level command.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import discord
from discord import app_commands

from adapters.discord import render
from adapters.discord.admin import build_admin_group
from adapters.discord.interact import (
    PLATFORM,
    Answer,
    handle,
    link_view,
    send_dm,
    user_ref,
)
from adapters.discord.views import deliver_playlist, save_draft
from core.engine import HARD_MAX_SONGS
from core.errors import InvalidInput
from core.guard import MIN_SONGS
from core.models import Conversation, Profile
from core.profile_edit import apply_changes
from core.vocabulary.genres import CATALOGUE_GENRES

log = logging.getLogger(__name__)

SPOTIFY_NOT_SET_UP = (
    "Spotify accounts are not set up on this bot, so there is nothing to link. Every playlist "
    "still comes with Spotify links and a Show URIs button to paste into Spotify desktop."
)
LINK_TEXT = (
    "Open this link to connect your Spotify account to EchoTuner. It works once, within "
    "10 minutes; I'll tell you here when the link is made."
)
_CLEAR_WORDS = {"none", "-", "clear", "nothing"}
AUTOCOMPLETE_CHOICES = 25
CHOICE_LIMIT = 100

Discovery = Literal["popular", "balanced", "deep"]
Count = app_commands.Range[int, MIN_SONGS, HARD_MAX_SONGS]
Energy = app_commands.Range[float, 0.0, 1.0]


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


def build_commands() -> list[app_commands.Command[Any, Any, Any] | app_commands.Group]:
    """Every slash command, fresh objects each call."""

    @app_commands.command(name="playlist", description="Make a Spotify playlist from a sentence")
    @app_commands.describe(
        prompt="What to play, e.g. upbeat indie rock for a morning run",
        count=f"How many songs ({MIN_SONGS} to the server's maximum)",
    )
    async def playlist(
        interaction: discord.Interaction[Any], prompt: str, count: Count | None = None
    ) -> None:
        async def run(answer: Answer) -> None:
            engine = answer.services.engine
            user = user_ref(interaction)
            await deliver_playlist(answer, lambda progress, deliver: engine.generate(
                user, prompt, count, progress, deliver=deliver))

        await handle(interaction, run, what="/playlist")

    @app_commands.command(name="refine", description="Change your latest playlist here")
    @app_commands.describe(feedback="What to change, e.g. more energetic, no ballads")
    async def refine(interaction: discord.Interaction[Any], feedback: str) -> None:
        async def run(answer: Answer) -> None:
            engine = answer.services.engine
            user = user_ref(interaction)
            await deliver_playlist(answer, lambda progress, deliver: engine.refine(
                user, feedback, None, progress, deliver=deliver))

        await handle(interaction, run, what="/refine")

    @app_commands.command(name="link", description="Connect your Spotify account (the link comes by DM)")
    async def link(interaction: discord.Interaction[Any]) -> None:
        async def run(answer: Answer) -> None:
            linking = answer.services.linking
            if linking is None:
                await answer.private(SPOTIFY_NOT_SET_UP)
                return
            await answer.defer(ephemeral=True)
            url = await linking.link_start(
                user_ref(interaction), Conversation(PLATFORM, f"dm:{interaction.user.id}"),
                chat_account=f"@{interaction.user.name}",
            )
            view = link_view(url)
            text = LINK_TEXT if view is not None else f"{LINK_TEXT}\n{url}"
            if await send_dm(interaction.client, interaction.user.id, text, view=view):
                await answer.private("I've sent you a direct message with the link.")
                return
            # DMs closed (50007): the link goes in a reply only this user can see.
            closed = "Your direct messages are closed, so here is your link (only you can see it)."
            await answer.private(closed if view is not None else f"{closed}\n{url}", view=view)

        await handle(interaction, run, what="/link")

    @app_commands.command(name="unlink", description="Disconnect your Spotify account")
    async def unlink(interaction: discord.Interaction[Any]) -> None:
        async def run(answer: Answer) -> None:
            linking = answer.services.linking
            if linking is None:
                await answer.private(SPOTIFY_NOT_SET_UP)
                return
            removed = await linking.unlink(user_ref(interaction))
            await answer.private(
                "Your Spotify account is unlinked; its tokens are deleted."
                if removed else "No Spotify account was linked."
            )

        await handle(interaction, run, what="/unlink")

    @app_commands.command(name="save", description="Save your latest playlist here to your Spotify")
    async def save(interaction: discord.Interaction[Any]) -> None:
        async def run(answer: Answer) -> None:
            draft = await answer.services.engine.own_draft(user_ref(interaction), None)
            await save_draft(answer, draft.id)

        await handle(interaction, run, what="/save")

    @app_commands.command(name="taste", description="Import your top Spotify artists into your profile")
    async def taste(interaction: discord.Interaction[Any]) -> None:
        async def run(answer: Answer) -> None:
            linking = answer.services.linking
            if linking is None:
                await answer.private(SPOTIFY_NOT_SET_UP)
                return
            await answer.defer(ephemeral=True)
            profile = await linking.import_taste(user_ref(interaction))
            await answer.private(embeds=[render.profile_embed(profile, heading="Imported from Spotify")])

        await handle(interaction, run, what="/taste")

    profile = app_commands.Group(name="profile", description="Your taste profile")

    @profile.command(name="show", description="Show your taste profile")
    async def profile_show(interaction: discord.Interaction[Any]) -> None:
        async def run(answer: Answer) -> None:
            current = await answer.services.engine.get_profile(user_ref(interaction))
            await answer.private(embeds=[render.profile_embed(current)])

        await handle(interaction, run, what="/profile show")

    @profile.command(name="set", description="Change your taste profile (options left out stay)")
    @app_commands.describe(
        genres="Favourite genres, comma separated (none clears)",
        artists="Favourite artists, comma separated (none clears)",
        disliked="Artists to leave out, comma separated (none clears)",
        energy="0 calm ... 1 intense",
        discovery="Popular hits, a balance, or deep cuts",
        explicit="Allow explicit tracks",
    )
    async def profile_set(
        interaction: discord.Interaction[Any],
        genres: str | None = None,
        artists: str | None = None,
        disliked: str | None = None,
        energy: Energy | None = None,
        discovery: Discovery | None = None,
        explicit: bool | None = None,
    ) -> None:
        async def run(answer: Answer) -> None:
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
            if not changes:
                raise InvalidInput("Give at least one option to change, e.g. genres:jazz, soul.")
            engine = answer.services.engine
            user = user_ref(interaction)
            updated = apply_changes(await engine.get_profile(user), changes)
            saved = await engine.set_profile(user, updated)
            await answer.private(embeds=[render.profile_embed(saved, heading="Profile saved")])

        await handle(interaction, run, what="/profile set")

    @profile_set.autocomplete("genres")
    async def genres_autocomplete(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return genre_choices(current)

    @profile.command(name="reset", description="Forget your taste profile")
    async def profile_reset(interaction: discord.Interaction[Any]) -> None:
        async def run(answer: Answer) -> None:
            saved = await answer.services.engine.set_profile(user_ref(interaction), Profile())
            await answer.private(embeds=[render.profile_embed(saved, heading="Profile reset")])

        await handle(interaction, run, what="/profile reset")

    @app_commands.command(name="limits", description="Playlists and refinements you have left")
    async def limits(interaction: discord.Interaction[Any]) -> None:
        async def run(answer: Answer) -> None:
            status = await answer.services.engine.limits_status(user_ref(interaction))
            await answer.private(embeds=[render.limits_embed(status)])

        await handle(interaction, run, what="/limits")

    @app_commands.command(name="status", description="Health of the model, the catalogue and the database")
    async def status(interaction: discord.Interaction[Any]) -> None:
        async def run(answer: Answer) -> None:
            await answer.defer(ephemeral=True)  # each check may take a few seconds
            health = await answer.services.engine.health()
            await answer.private(embeds=[render.health_embed(health)])

        await handle(interaction, run, what="/status")

    return [playlist, refine, link, unlink, save, taste, profile, limits, status, build_admin_group()]
