"""Faults of Discord's REST API, seen through the real discord.py adapter.

Interactions arrive on the gateway (straight from the fake), the bot answers over REST
(through a fault proxy).  When REST fails the bot cannot say anything, so the promises
are: nothing is charged for a playlist that was not delivered, the bot is not stuck,
health says "discord" is down, and the user's next try works once Discord is back.  A
429 is waited out by discord.py and the answer delivered.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from core.models import DependencyStatus, UserRef
from tests.fakes.discord_server import FakeDiscord, Person, buttons
from tests.faults.cells import Cell, cells
from tests.faults.proxy import FaultProxy
from tests.faults.support import assert_no_tracebacks, eventually
from tests.integration.discord_support import ALICE, BOB, Harness, build_harness

REST_TIMEOUT_S = 0.5
ORIGINAL = r"/messages/@original$"
WEBHOOKS = r"^/api/v10/webhooks/"


def user(person: Person, harness: Harness) -> UserRef:
    return UserRef("discord", str(person.id), f"guild:{harness.guild.guild_id}")


async def used(harness: Harness, person: Person) -> int:
    return (await harness.engine.limits_status(user(person, harness))).playlists_used_today


async def discord_health(harness: Harness) -> DependencyStatus:
    health = await harness.engine.health()
    return next(d for d in health.dependencies if d.name == "discord")


def got_playlist(harness: Harness, person: Person) -> bool:
    return any(buttons(m) for e in harness.fake.exchanges.values() if e.user_id == person.id
               for m in e.messages())


@asynccontextmanager
async def discord_faults(tmp_path: Path) -> AsyncIterator[tuple[Harness, FaultProxy]]:
    fake = FakeDiscord()
    await fake.start()
    async with FaultProxy(fake.port) as proxy:
        harness, stop = await build_harness(
            tmp_path, fake=fake, api_url=proxy.url("/api/v10"),
            services_options={"rest_timeout_s": REST_TIMEOUT_S},
        )
        try:
            yield harness, proxy
        finally:
            await stop()


async def ask(harness: Harness, person: Person) -> None:
    """``person`` asks for a playlist; returns once the bot is done with it (answered or not)."""
    await harness.fake.send(harness.guild.command(person, "playlist",
                                                  {"prompt": "relaxing jazz for studying", "count": 10}))
    await asyncio.sleep(0.05)  # the gateway delivers it
    await harness.idle(wait_s=20)


@pytest.mark.parametrize("cell", cells("discord_rest"))
async def test_discord_rest_failure(cell: Cell, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with discord_faults(tmp_path) as (harness, proxy):
        fake = harness.fake
        await ask(harness, BOB)
        assert got_playlist(harness, BOB)
        assert (await discord_health(harness)).ok

        if cell.failure == "429":
            fake.rate_limit_next("PATCH", ORIGINAL, retry_after=0.2, times=1)
            await ask(harness, ALICE)
            assert got_playlist(harness, ALICE)
            assert await used(harness, ALICE) == 1
            assert harness.adapter.monitor.failures >= 1
            assert (await discord_health(harness)).ok
            assert_no_tracebacks(caplog)
            return

        if cell.failure == "refused":
            await proxy.refuse()
        elif cell.failure == "hang":
            proxy.hang()
        elif cell.failure == "slow_body":
            proxy.slow()
        else:  # every answer after the deferral (edits and followups) fails
            for method in ("PATCH", "POST"):
                if cell.failure == "5xx":
                    fake.fail_next(method, WEBHOOKS, 500, 0, "500: Internal Server Error",
                                   times=1000)
                else:
                    fake.malformed_next(method, WEBHOOKS, times=1000)
        await ask(harness, ALICE)
        assert not got_playlist(harness, ALICE)
        assert await used(harness, ALICE) == 0  # not delivered: not charged
        # The engine behind the adapter is not stuck.
        status = await asyncio.wait_for(harness.engine.limits_status(user(BOB, harness)), 2)
        assert status.playlists_used_today == 1

        async def down() -> bool:
            return not (await discord_health(harness)).ok

        assert await eventually(down, within_s=5)

        fake.heal()
        await proxy.restore()
        await ask(harness, ALICE)
        assert got_playlist(harness, ALICE)
        assert await used(harness, ALICE) == 1

        async def up() -> bool:
            return (await discord_health(harness)).ok

        assert await eventually(up, within_s=10)
    assert_no_tracebacks(caplog)
