"""The discord.py client: an ``AutoShardedBot`` that only speaks application commands.

No privileged intents and no message intents: slash commands, buttons and modals
arrive as interactions whatever the intents, so the bot asks only for ``guilds``
(which discord.py's state needs).  Every
message it sends suppresses mentions (``AllowedMentions.none()`` on the client
applies to interaction responses, followups, edits and channel messages alike).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.admin import AdminCommands
from adapters.discord.blend import BlendButton, BlendCommands
from adapters.discord.commands import EveryoneCommands
from adapters.discord.interact import on_failure
from adapters.discord.services import Services
from adapters.discord.translator import Translator
from adapters.discord.views import DraftButton, on_modal_submit

log = logging.getLogger(__name__)


class EchoTunerBot(commands.AutoShardedBot):
    """Sharding-ready bot; ``echotuner`` holds the services every handler uses."""

    def __init__(
        self,
        services: Services,
        *,
        guild_ids: Sequence[int] = (),
        sync_commands: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=True, private_channel=False
            ),
            allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            max_messages=None,
            **options,
        )
        self.echotuner = services
        self.guild_ids = tuple(guild_ids)
        self.sync_commands = sync_commands
        self.tree.error(self._on_tree_error)

    async def setup_hook(self) -> None:
        """After login, before the gateway: commands in every language, persistent buttons, sync."""
        await self.tree.set_translator(Translator())
        await self.add_cog(EveryoneCommands())
        await self.add_cog(BlendCommands())
        self.tree.add_command(AdminCommands())
        self.add_dynamic_items(DraftButton, BlendButton)
        self.add_listener(on_modal_submit, "on_interaction")
        if self.sync_commands:
            await self._sync()

    async def _sync(self) -> None:
        # Guild commands update at once (development); global ones can take a while.
        try:
            if self.guild_ids:
                for guild_id in self.guild_ids:
                    guild = discord.Object(id=guild_id)
                    self.tree.copy_global_to(guild=guild)
                    synced = await self.tree.sync(guild=guild)
                    log.info("synced %d commands to guild %s", len(synced), guild_id)
            else:
                synced = await self.tree.sync()
                log.info("synced %d global commands", len(synced))
        except discord.HTTPException as exc:
            # The bot still answers commands Discord already knows; say what went wrong.
            log.error("command sync failed (%s %s): %s", exc.status, exc.code, exc.text)

    async def _on_tree_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        """discord.py's error hook for every command: the adapter's one (``on_failure``)."""
        await on_failure(interaction, error)

    async def on_ready(self) -> None:
        log.info("Discord: ready as %s (id %s) on %s shard(s)",
                 self.user, self.user.id if self.user else "?", self.shard_count)
