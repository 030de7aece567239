"""``/admin limits`` and ``/admin spotify-app``: per-server settings for server admins.

The group is registered with ``default_member_permissions`` = Manage Server, but a
server can override who sees a command, so the group's ``interaction_check`` checks
the member's permissions again at run time (``interaction.permissions``, which Discord
resolves for the channel) before any handler runs; a refusal reaches the one error
hook as ``Refused``, with its sentence.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import discord
from discord import app_commands

from adapters.discord import render
from adapters.discord.interact import Refused, session
from adapters.discord.services import services_of
from adapters.discord.translator import described
from adapters.discord.views import show
from core import wording
from core.engine import HARD_MAX_SONGS
from core.guard import MIN_SONGS
from core.replies import SettingsReply, TextReply

DailyPlaylists = app_commands.Range[int, 0, 10_000]
Refinements = app_commands.Range[int, 0, 1_000]
MaxSongs = app_commands.Range[int, MIN_SONGS, HARD_MAX_SONGS]
BlendMembers = app_commands.Range[int, 2, 10]


def may_administer(interaction: discord.Interaction[Any]) -> bool:
    """Manage Server (or Administrator) in this server, checked at run time."""
    if interaction.guild_id is None:
        return False
    permissions = interaction.permissions
    return permissions.manage_guild or permissions.administrator


def _where(interaction: discord.Interaction[Any]) -> str:
    guild = interaction.guild
    name = guild.name if guild is not None and getattr(guild, "name", None) else None
    return render.escape(render.clip(name, 100)) if name else wording.THIS_SERVER()


class AdminCommands(
    app_commands.Group,
    name="admin",
    description=described("admin"),
    guild_only=True,
    default_permissions=discord.Permissions(manage_guild=True),
):
    """The ``/admin`` group (server only, Manage Server by default, checked again at run time)."""

    def __init__(self) -> None:
        # Explicit, because the bot's default contexts (servers and DMs) would win otherwise.
        super().__init__(allowed_contexts=app_commands.AppCommandContext(
            guild=True, dm_channel=False, private_channel=False
        ))

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Server only, and only for members who may manage it (whatever the server shows)."""
        if interaction.guild_id is None:
            raise Refused(wording.SERVER_ONLY)
        if not may_administer(interaction):
            raise Refused(wording.NEEDS_MANAGE_SERVER)
        return True

    @app_commands.command(name="limits", description=described("admin limits"))
    @app_commands.describe(
        daily_playlists=described("admin limits daily_playlists"),
        refinements=described("admin limits refinements"),
        max_songs=described("admin limits max_songs"),
        playlist_limit=described("admin limits playlist_limit"),
        refinement_limit=described("admin limits refinement_limit"),
        blends=described("admin limits blends"),
        blend_members=described("admin limits blend_members"),
    )
    async def limits(
        self,
        interaction: discord.Interaction[Any],
        daily_playlists: DailyPlaylists | None = None,
        refinements: Refinements | None = None,
        max_songs: MaxSongs | None = None,
        playlist_limit: bool | None = None,
        refinement_limit: bool | None = None,
        blends: bool | None = None,
        blend_members: BlendMembers | None = None,
    ) -> None:
        changes: dict[str, Any] = {
            name: value
            for name, value in (
                ("max_playlists_per_day", daily_playlists),
                ("max_refinements_per_playlist", refinements),
                ("max_songs", max_songs),
                ("playlist_limit_enabled", playlist_limit),
                ("refinement_limit_enabled", refinement_limit),
                ("blends_enabled", blends),
                ("max_blend_members", blend_members),
            )
            if value is not None
        }
        actions = services_of(interaction).actions
        scope, where = f"guild:{interaction.guild_id}", _where(interaction)
        async with session(interaction) as answer:
            reply = await actions.settings_show(scope, where)
            if changes and isinstance(reply, SettingsReply):
                settings = dataclasses.replace(reply.settings, **changes)
                reply = await actions.settings_set(scope, where, settings)
            await show(answer, reply)

    @app_commands.command(name="spotify-app", description=described("admin spotify-app"))
    @app_commands.describe(
        client_id=described("admin spotify-app client_id"),
        client_secret=described("admin spotify-app client_secret"),
    )
    async def spotify_app(
        self, interaction: discord.Interaction[Any], client_id: str, client_secret: str
    ) -> None:
        linking = services_of(interaction).actions.linking
        async with session(interaction) as answer:
            if linking is None:
                await show(answer, TextReply(wording.SERVER_APP_NOT_SET_UP(), error=True,
                                             code="not_configured"))
                return
            # A malformed id or secret is an InvalidInput: the error hook shows its message.
            await linking.set_scope_app(f"guild:{interaction.guild_id}", client_id, client_secret)
            shown = render.escape(client_id.strip()[-4:])
            await show(answer, TextReply(wording.server_app_saved(_where(interaction), shown)))
