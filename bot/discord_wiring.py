"""The Discord front end, wired: its config from the settings, its services from the app.

``adapters.discord`` knows nothing of ``bot.*``; this is where the settings become a
``DiscordConfig``, the conversation layer and a scratch slice of the store become the
adapter's ``Services``, and the adapter's health check is registered with the engine.
"""

from __future__ import annotations

import logging
from typing import Any

from adapters.discord.adapter import DiscordAdapter, DiscordConfig
from adapters.discord.services import Notices, Services
from bot.app import App
from bot.settings import Settings
from data.scratch import StoreScratch

log = logging.getLogger(__name__)

#: The adapter's namespace in the store's short-lived values (closed-DM notices).
SCRATCH_NAMESPACE = "discord"


def discord_config(settings: Settings, *, client_options: dict[str, Any] | None = None) -> DiscordConfig:
    """DISCORD_* settings as the adapter's config.

    DISCORD_SHARD_COUNT and DISCORD_SHARD_IDS make this process run those shards of one
    ``AutoShardedBot`` whose shards are spread over several processes (each identifies
    only its own); DISCORD_SYNC_COMMANDS=false leaves registering the slash commands to
    the one process that has it on.  ``client_options`` go to discord.py's client.
    """
    shard_ids = tuple(settings.discord_shard_id_list) if settings.discord_shard_count else ()
    return DiscordConfig(
        token=settings.discord_token,
        api_url=settings.discord_api_url,
        guild_ids=tuple(int(g) for g in settings.discord_guild_ids),
        sync_commands=settings.discord_sync_commands,
        shard_count=settings.discord_shard_count or None,
        shard_ids=shard_ids,
        client_options=dict(client_options or {}),
    )


def build_discord_adapter(app: App, *, bot_options: dict[str, Any] | None = None) -> DiscordAdapter:
    """The adapter ``bot/platforms.py`` starts when ``DISCORD_TOKEN`` is set.

    ``bot_options`` go to discord.py's client (e.g. ``guild_ready_timeout``), over the
    sharding options the settings give.
    """
    settings = app.settings
    config = discord_config(settings, client_options=bot_options)
    if config.shard_ids:
        log.info("Discord: this process runs shards %s of %d",
                 ",".join(str(i) for i in config.shard_ids), config.shard_count)
    services = Services(
        actions=app.actions,
        notices=Notices(StoreScratch(app.store, SCRATCH_NAMESPACE), app.engine.keys),
        max_feedback_length=app.engine.config.max_feedback_length,
        rest_timeout_s=settings.discord_timeout,
    )
    adapter = DiscordAdapter(services, config)
    app.engine.add_health_check("discord", adapter.health)
    return adapter


__all__ = ["SCRATCH_NAMESPACE", "build_discord_adapter", "discord_config"]
