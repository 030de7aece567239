"""Shared set-up for the Discord tests: the real bot, the real engine, a fake Discord.

``running_bot`` starts the adapter exactly as ``python -m bot`` does (login, command
sync, gateway, READY) against ``tests.fakes.discord_server.FakeDiscord``, with the
real engine on a SQLite file, the offline planner and an in-memory catalogue whose
tracks the tests choose.  ``Harness.run`` sends one interaction and returns when
the bot has finished with it, so a test reads: do this, then see that.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.ai.offline import OfflineStrategyProvider
from adapters.discord.adapter import DiscordAdapter, DiscordConfig
from adapters.discord.services import Notices, Services
from core.actions import Actions
from core.blend_invites import Blends
from core.engine import Engine, EngineConfig
from core.identity import UserKeys
from core.linking import Linking
from core.models import LimitSettings, Track
from core.validation import LexicalValidator
from data.scratch import StoreScratch
from data.sqlite_store import SqliteStore
from tests.fakes.catalogue import FakeCatalogue
from tests.fakes.discord_server import (
    TOKEN,
    Exchange,
    FakeDiscord,
    Interactions,
    Person,
    buttons,
)

ALICE = Person(1_500_000_000_000_000_011, "alice")
BOB = Person(1_500_000_000_000_000_022, "bob")
GENRES = ("jazz", "rock", "pop", "hip-hop", "soul")


def make_track(n: int, title: str, artists: Sequence[str], genre: str, **extra: Any) -> Track:
    """A track with a valid (22 character) Spotify-style id."""
    return Track(id=f"{n:022d}", title=title, artists=tuple(artists), album=f"{title} LP",
                 duration_ms=200_000, popularity=60 - n % 50, genres=(genre,), energy=0.5, **extra)


def everyday_tracks() -> list[Track]:
    """40 tracks in each of a few genres, some with markdown and mentions in their names."""
    tracks = []
    n = 0
    for genre in GENRES:
        for i in range(40):
            n += 1
            title = f"{genre.title()} Song {i}"
            if i == 3:
                title = f"*Bold* _claim_ `{genre}` ~~{i}~~ || spoiler ||"
            if i == 4:
                title = f"@everyone listen {i}"
            tracks.append(make_track(n, title, [f"{genre.title()} Artist {i % 13}"], genre))
    return tracks


@dataclass
class Harness:
    """The running bot, its fake Discord and the engine behind it."""

    fake: FakeDiscord
    adapter: DiscordAdapter
    engine: Engine
    store: Any
    catalogue: Any
    guild: Interactions = field(default_factory=Interactions)

    @property
    def services(self) -> Services:
        return self.adapter.services

    async def run(self, payload: dict[str, Any], wait_s: float = 15.0) -> Exchange:
        """Sends one interaction and waits until the bot has completely handled it."""
        exchange = await self.fake.send(payload)
        await self.fake.wait_for(lambda: bool(exchange.callbacks), wait_s)
        await self.idle(wait_s)
        return exchange

    async def idle(self, wait_s: float = 15.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while self.services.inflight:
            if loop.time() > deadline:
                raise TimeoutError("the bot is still busy")
            await asyncio.sleep(0.005)

    async def command(self, person: Person, name: str, options: Mapping[str, Any] | None = None,
                      *, sub: str | None = None, dm: bool = False) -> Exchange:
        return await self.run(self.guild.command(person, name, options, sub=sub, dm=dm))

    async def click(self, person: Person, message: Mapping[str, Any], label: str,
                    *, dm: bool = False) -> Exchange:
        """Presses the button labelled ``label`` on ``message``."""
        found = [b for b in buttons(message) if b.get("label") == label]
        assert found, f"no {label!r} button on the message: {[b.get('label') for b in buttons(message)]}"
        return await self.run(self.guild.click(person, message, found[0]["custom_id"], dm=dm))

    async def playlist(self, person: Person, prompt: str = "relaxing jazz for studying",
                       count: int | None = 10, *, dm: bool = False) -> Exchange:
        return await self.command(person, "playlist", {"prompt": prompt, "count": count}, dm=dm)


def final_message(exchange: Exchange) -> dict[str, Any]:
    """The last message of an answer (the one with the buttons, for a playlist)."""
    messages = exchange.messages()
    assert messages, "the bot answered nothing visible"
    return messages[-1]


def track_lines(exchange: Exchange) -> list[str]:
    """Numbered track lines across every embed of a playlist answer."""
    lines = []
    for message in exchange.messages():
        for embed in message.get("embeds") or []:
            texts = [embed.get("description") or ""]
            texts += [f.get("value") or "" for f in embed.get("fields") or []]
            for text in texts:
                lines += [line for line in text.splitlines() if line.startswith("`")]
    return lines


async def build_harness(
    tmp_path: Path,
    *,
    tracks: Iterable[Track] | None = None,
    linking_factory: Callable[[Engine], Linking] | None = None,
    defaults: LimitSettings | None = None,
    services_options: Mapping[str, Any] | None = None,
    fake: FakeDiscord | None = None,
    api_url: str | None = None,
    blend_window: timedelta = timedelta(minutes=5),
    store_path: Path | None = None,
) -> tuple[Harness, Callable[[], Any]]:
    """Starts everything; returns the harness and an async function that stops it.

    ``api_url`` points the bot's REST calls elsewhere than the fake (a fault proxy in
    front of it); the gateway is still the fake's own.  ``store_path``: the database file
    (a second bot process shares the first one's); ``blend_window``: how long a /blend
    invitation stays open.
    """
    fake = fake or FakeDiscord()
    if not fake.port:  # a test may have started it already (to put a proxy in front)
        await fake.start()
    store = SqliteStore(store_path or tmp_path / "echotuner.db")
    await store.open()
    catalogue = FakeCatalogue(everyday_tracks() if tracks is None else tracks)
    engine = Engine(
        store=store, model=OfflineStrategyProvider(), catalogue=catalogue,
        validator=LexicalValidator(), keys=UserKeys(b"discord-tests-secret-key-32bytes"),
        config=EngineConfig(defaults=defaults or LimitSettings(), default_count=10),
    )
    linking = linking_factory(engine) if linking_factory else None
    blends = Blends(engine, store, linking=linking, window=blend_window)
    services = Services(
        actions=Actions(engine, linking, blends=blends),
        notices=Notices(StoreScratch(store, "discord"), engine.keys),
        max_feedback_length=engine.config.max_feedback_length, progress_interval_s=0.0,
        **dict(services_options or {}))
    adapter = DiscordAdapter(services, DiscordConfig(
        TOKEN, api_url=api_url or fake.api_url, ready_timeout_s=10,
        client_options={"guild_ready_timeout": 0.05}))
    engine.add_health_check("discord", adapter.health)  # as bot/discord_wiring.py does
    before = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    try:
        await adapter.start()
    except BaseException:
        await fake.close()
        await store.close()
        raise
    harness = Harness(fake, adapter, engine, store, catalogue)

    async def stop() -> None:
        try:
            await harness.adapter.stop()  # the one running now (a test may restart it)
        finally:
            await fake.close()
            await store.close()
            # discord.py's REST base and gateway are process-wide: the adapter puts them back.
            assert (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY) == before
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = before

    return harness, stop


@asynccontextmanager
async def running_bot(tmp_path: Path, **options: Any) -> AsyncIterator[Harness]:
    """The bot on the everyday catalogue (or ``options``); fails on any spec problem."""
    harness, stop = await build_harness(tmp_path, **options)
    try:
        yield harness
    finally:
        await stop()
    assert harness.fake.spec_errors == [], "\n".join(harness.fake.spec_errors[:10])
