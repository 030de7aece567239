"""``/admin limits`` and ``/admin spotify-app``: per-server settings for server admins.

The group is registered with ``default_member_permissions`` = Manage Server, but a
server can override who sees a command, so every handler checks the member's
permissions again at run time (``interaction.permissions``, which Discord resolves
for the channel) before changing anything.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import discord
from discord import app_commands

from adapters.discord import render
from adapters.discord.interact import Answer, handle
from core.engine import HARD_MAX_SONGS
from core.guard import MIN_SONGS
from core.models import LimitSettings

NEEDS_MANAGE_SERVER = (
    "Only members with the Manage Server permission can change EchoTuner's settings here."
)
SERVER_ONLY = "Server settings can only be changed in a server."

DailyPlaylists = app_commands.Range[int, 0, 10_000]
Refinements = app_commands.Range[int, 0, 1_000]
MaxSongs = app_commands.Range[int, MIN_SONGS, HARD_MAX_SONGS]


def may_administer(interaction: discord.Interaction[Any]) -> bool:
    """Manage Server (or Administrator) in this server, checked at run time."""
    if interaction.guild_id is None:
        return False
    permissions = interaction.permissions
    return permissions.manage_guild or permissions.administrator


async def _refused(answer: Answer) -> bool:
    interaction = answer.interaction
    if interaction.guild_id is None:
        await answer.private(SERVER_ONLY)
        return True
    if not may_administer(interaction):
        await answer.private(NEEDS_MANAGE_SERVER)
        return True
    return False


def _where(interaction: discord.Interaction[Any]) -> str:
    guild = interaction.guild
    name = guild.name if guild is not None and getattr(guild, "name", None) else None
    return render.escape(render.clip(name, 100)) if name else "this server"


def build_admin_group() -> app_commands.Group:
    """A fresh ``/admin`` group (server only, Manage Server by default)."""
    group = app_commands.Group(
        name="admin",
        description="EchoTuner settings for this server (Manage Server)",
        guild_only=True,
        # Explicit, because the bot's default contexts (servers and DMs) would win otherwise.
        allowed_contexts=app_commands.AppCommandContext(
            guild=True, dm_channel=False, private_channel=False
        ),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @group.command(name="limits", description="Show or change this server's limits")
    @app_commands.describe(
        daily_playlists="Playlists per user per day (UTC)",
        refinements="Refinements per playlist",
        max_songs=f"Most songs in a playlist ({MIN_SONGS}-{HARD_MAX_SONGS})",
        playlist_limit="Switch the daily playlist limit on or off",
        refinement_limit="Switch the refinement limit on or off",
    )
    async def limits(
        interaction: discord.Interaction[Any],
        daily_playlists: DailyPlaylists | None = None,
        refinements: Refinements | None = None,
        max_songs: MaxSongs | None = None,
        playlist_limit: bool | None = None,
        refinement_limit: bool | None = None,
    ) -> None:
        async def run(answer: Answer) -> None:
            if await _refused(answer):
                return
            engine = answer.services.engine
            scope = f"guild:{interaction.guild_id}"
            current = await engine.limit_settings(scope)
            changes: dict[str, Any] = {
                name: value
                for name, value in (
                    ("max_playlists_per_day", daily_playlists),
                    ("max_refinements_per_playlist", refinements),
                    ("max_songs", max_songs),
                    ("playlist_limit_enabled", playlist_limit),
                    ("refinement_limit_enabled", refinement_limit),
                )
                if value is not None
            }
            if changes:
                settings: LimitSettings = dataclasses.replace(current, **changes)
                current = await engine.set_limits(scope, settings)
            await answer.private(
                embeds=[render.limit_settings_embed(current, where=_where(interaction),
                                                    changed=bool(changes))]
            )

        await handle(interaction, run, what="/admin limits")

    @group.command(name="spotify-app", description="Use this server's own Spotify app for linking")
    @app_commands.describe(
        client_id="Client ID from your app on developer.spotify.com",
        client_secret="Client secret of that app (stored encrypted, never shown)",
    )
    async def spotify_app(
        interaction: discord.Interaction[Any], client_id: str, client_secret: str
    ) -> None:
        async def run(answer: Answer) -> None:
            if await _refused(answer):
                return
            linking = answer.services.linking
            if linking is None:
                await answer.private(
                    "Spotify accounts are not set up on this bot, so a server app would not be used."
                )
                return
            await linking.set_scope_app(f"guild:{interaction.guild_id}", client_id, client_secret)
            shown = render.escape(client_id.strip()[-4:])
            await answer.private(
                f"Saved. Spotify links made in {_where(interaction)} now use the app whose client "
                f"ID ends in …{shown}."
            )

        await handle(interaction, run, what="/admin spotify-app")

    return group
