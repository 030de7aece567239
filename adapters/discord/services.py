"""What the Discord handlers need, reachable from any interaction through its client.

``Services`` is built by the composition root (``bot/discord_wiring.py``): the
conversation layer, the closed-DM notices over the adapter's ``Scratch`` and the
timings; ``services_of`` and ``user_ref`` read an interaction.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import discord

from core.actions import Actions
from core.health import DependencyMonitor
from core.identity import UserKeys
from core.models import UserRef
from core.ports import Scratch

PLATFORM = "discord"
REST_TIMEOUT_S = 10.0
# Interaction tokens live 15 minutes; past this the answer goes out as a channel message.
INTERACTION_TTL_S = 14 * 60
NOTICE_TTL = timedelta(days=7)


class Notices:
    """Messages we could not DM (closed DMs), kept to show on the user's next command.

    Keyed by the user's hashed id in the adapter's ``Scratch`` (never the raw Discord id);
    ``take`` is single use, so two processes never show one notice twice.
    """

    def __init__(self, scratch: Scratch, keys: UserKeys) -> None:
        self._scratch = scratch
        self._keys = keys

    def _key(self, user_id: int) -> str:
        return "notice:" + self._keys.key(UserRef(PLATFORM, str(user_id)))

    async def remember(self, user_id: int, text: str) -> None:
        await self._scratch.put(self._key(user_id), text, NOTICE_TTL)

    async def take(self, user_id: int) -> str | None:
        return await self._scratch.take(self._key(user_id)) or None


@dataclass
class Services:
    """What the handlers need, reachable from any interaction through its client."""

    actions: Actions
    notices: Notices | None = None  # None: a closed DM's notice is only logged
    max_feedback_length: int = 500  # the refine form's limit (the engine's own)
    interaction_ttl_s: float = INTERACTION_TTL_S
    progress_interval_s: float = 1.0
    monotonic: Callable[[], float] = time.monotonic
    inflight: set[asyncio.Task[Any]] = field(default_factory=set)
    # Background timers (a blend invitation's expiry), cancelled when the adapter stops.
    timers: set[asyncio.Task[Any]] = field(default_factory=set)
    # One REST call (retries included) may take this long: discord.py retries a 5xx for
    # about 25 s and aiohttp waits minutes for an answer that trickles in.
    rest_timeout_s: float = REST_TIMEOUT_S
    # Discord's REST API as the bot's own calls see it (fed by an aiohttp trace).
    monitor: DependencyMonitor = field(default_factory=lambda: DependencyMonitor("discord"))


def services_of(interaction: discord.Interaction[Any]) -> Services:
    """The services of the bot that received ``interaction`` (its ``echotuner`` attribute)."""
    client = interaction.client
    services = getattr(client, "echotuner", None)
    if not isinstance(services, Services):
        raise RuntimeError("this interaction's client is not an EchoTuner bot")
    return services


def user_ref(interaction: discord.Interaction[Any]) -> UserRef:
    """The platform-neutral user: ``guild:<id>`` in a server, ``dm`` in a private chat."""
    scope = f"guild:{interaction.guild_id}" if interaction.guild_id else "dm"
    return UserRef(PLATFORM, str(interaction.user.id), scope)
