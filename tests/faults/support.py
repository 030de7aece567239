"""What every fault test shares: the wired bot on fakes, and the four promises of a cell.

``wired`` builds the bot exactly as ``python -m bot`` does (``bot.app.build_app`` from
settings), pointed at fakes, with timeouts of a fraction of a second.  A user talks to it
through the shared text commands, so a reply is what a Telegram or console user reads.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_app
from bot.settings import load_settings
from core.commands import TextCommands
from core.models import DependencyStatus, UserRef
from core.replies import LimitsReply, PlaylistReply, Reply, TextReply

ALICE = UserRef("faults", "alice", "dm")
BOB = UserRef("faults", "bob", "dm")
CAROL = UserRef("faults", "carol", "dm")
PROMPT = "/playlist relaxing jazz for studying 10"
GENERIC = "Something went wrong on our side"
# Fast enough that a cell takes well under a second, slow enough for a loaded 2-core CI box.
TIMEOUT_S = 0.3


@asynccontextmanager
async def wired(tmp_path: Path, **env: str) -> AsyncIterator[App]:
    """The bot's App from settings ``env`` (plus a fresh database in ``tmp_path``)."""
    settings = load_settings({
        "DATABASE_FILENAME": str(tmp_path / "echotuner.db"),
        "MAX_PLAYLISTS_PER_DAY": "5",
        **env,
    }, env_file=None)
    async with build_app(settings) as app:
        yield app


async def ask(app: App, user: UserRef, line: str = PROMPT, within_s: float = 15.0) -> Reply:
    """What ``user`` reads after typing ``line`` (bounded: a cell must never hang a user)."""
    commands = TextCommands(app.actions)
    return await asyncio.wait_for(commands.handle(user, line), within_s)


async def used(app: App, user: UserRef) -> int:
    """Playlists counted today for ``user`` in their scope."""
    return (await app.engine.limits_status(user)).playlists_used_today


async def dependency(app: App, name: str) -> DependencyStatus:
    """One dependency of ``/status`` (the engine's health, as every front end shows it)."""
    health = await app.engine.health()
    found = [d for d in health.dependencies if d.name == name]
    assert found, f"no {name!r} in health: {[d.name for d in health.dependencies]}"
    return found[0]


async def eventually(check: Callable[[], Awaitable[bool]], within_s: float = 5.0,
                     every_s: float = 0.05) -> bool:
    """Polls ``check`` until it holds (True) or time runs out (False)."""
    deadline = time.monotonic() + within_s
    while True:
        if await check():
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(every_s)


async def becomes(app: App, name: str, ok: bool, within_s: float = 5.0) -> DependencyStatus:
    """Waits until health shows ``name`` as ``ok``; fails the test with the last status."""
    last: list[DependencyStatus] = []

    async def check() -> bool:
        status = await dependency(app, name)
        last[:] = [status]
        return status.ok is ok

    if not await eventually(check, within_s):
        pytest.fail(f"health never showed {name} as {'up' if ok else 'down'}: {last}")
    return last[0]


def assert_clear(reply: Reply, expected: str) -> None:
    """An error the user can act on: the dependency's own message, not the generic apology."""
    assert isinstance(reply, TextReply) and reply.error, f"expected a refusal, got: {reply}"
    assert GENERIC not in reply.text, reply.text
    assert expected in reply.text, reply.text


def assert_playlist(reply: Reply, count: int = 10) -> None:
    assert isinstance(reply, PlaylistReply), reply
    assert len(reply.playlist.tracks) == count, reply.playlist.note


OUR_LOGGERS = ("core", "adapters", "bot", "data")


def assert_no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    """An expected failure is logged by our code as a line, never as an unexpected exception.

    (Libraries log as they please: python-telegram-bot logs an unreadable answer at ERROR.)
    """
    unexpected = [r for r in caplog.records if r.exc_info and r.levelno >= logging.ERROR
                  and r.name.split(".")[0] in OUR_LOGGERS]
    assert not unexpected, [f"{r.name}: {r.getMessage()}" for r in unexpected]


async def served_meanwhile(app: App, user: UserRef = CAROL, within_s: float = 2.0) -> None:
    """Another user is answered quickly while the fault lasts (the process is not stuck)."""
    started = time.monotonic()
    reply = await ask(app, user, "/limits", within_s=within_s)
    assert isinstance(reply, LimitsReply), reply
    assert time.monotonic() - started < within_s


def tasks_left() -> list[Any]:
    """Tasks still running besides the test's own (a cell must not leave work behind)."""
    current = asyncio.current_task()
    return [t for t in asyncio.all_tasks() if t is not current and not t.done()]
