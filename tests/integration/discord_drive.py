"""Runs the real ``python -m bot`` with a Discord token against the fake Discord and drives it.

It plays two people in a server, Alice (who manages it) and Bob, types slash commands,
presses buttons and prints what each of them would see, then stops the bot with
SIGTERM as a service manager would.  Nothing is mocked inside the bot: it reads
``DISCORD_TOKEN`` and ``DISCORD_API_URL`` from its environment like in production.

By hand::

    .venv/bin/python tests/integration/discord_drive.py

``tests/integration/test_discord_bot_process.py`` runs the same and checks the transcript.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from tests.fakes.discord_server import (  # noqa: E402
    EPHEMERAL,
    LOADING,
    TOKEN,
    Exchange,
    FakeDiscord,
    Interactions,
    Person,
    buttons,
)

ALICE = Person(1_500_000_000_000_000_011, "alice").as_admin()
BOB = Person(1_500_000_000_000_000_022, "bob")


@dataclass
class Run:
    """What happened: the transcript, the bot's exit code and its log."""

    transcript: list[str] = field(default_factory=list)
    returncode: int | None = None
    log: str = ""
    spec_errors: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.transcript.append(line)
        print(line, flush=True)


def show(message: Mapping[str, Any]) -> list[str]:
    """A message as its reader sees it, as plain lines."""
    prefix = "(only you) " if message["flags"] & EPHEMERAL else ""
    lines: list[str] = []
    if message.get("content"):
        lines += (prefix + message["content"]).splitlines()
        prefix = ""
    for embed in message.get("embeds") or []:
        if embed.get("title"):
            lines.append(f"{prefix}## {embed['title']}")
            prefix = ""
        lines += (embed.get("description") or "").splitlines()
        for f in embed.get("fields") or []:
            lines.append(f"{f['name']}: {f['value']}")
        if (embed.get("footer") or {}).get("text"):
            lines.append(f"-- {embed['footer']['text']}")
    labels = [f"[{b.get('label')}]" for b in buttons(message)]
    if labels:
        lines.append(" ".join(labels))
    return lines


def _settled(exchange: Exchange) -> bool:
    messages = exchange.messages()
    return bool(exchange.callbacks) and bool(messages) and not any(
        m["flags"] & LOADING for m in messages)


def _has_buttons(exchange: Exchange) -> bool:
    return any(buttons(m) for m in exchange.messages())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _act(fake: FakeDiscord, run: Run, who: str, what: str, payload: dict[str, Any],
               done: Callable[[Exchange], bool] = _settled, wait_s: float = 60) -> Exchange:
    run.say(f"\n{who}> {what}")
    exchange = await fake.send(payload)
    await fake.wait_for(lambda: done(exchange), wait_s)
    await asyncio.sleep(0.2)  # anything sent right after (a notice) arrives too
    for message in exchange.messages():
        for line in show(message):
            run.say(f"  {line}")
    return exchange


async def drive(workdir: Path) -> Run:
    """Starts the bot process against a fresh fake Discord, drives it, stops it."""
    run = Run()
    async with FakeDiscord() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SPOTIFY_"))}
        env.update({
            "PYTHONPATH": str(ROOT),
            "DISCORD_TOKEN": TOKEN,
            "DISCORD_API_URL": fake.api_url,
            "DATABASE_FILENAME": str(workdir / "echotuner.db"),
            "WEB_PORT": str(free_port()),
            "LOG_LEVEL": "INFO",
            "AI_PROVIDERS": "offline",
        })
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=workdir, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        log = bytearray()

        async def collect() -> None:
            assert process.stdout is not None
            while chunk := await process.stdout.read(4096):
                log.extend(chunk)

        reader = asyncio.create_task(collect())
        try:
            await fake.wait_identified(wait_s=60)
            run.say(f"(the bot logged in, synced {len(fake.commands.get(None, []))} commands "
                    "and connected to the gateway)")
            server = Interactions()
            made = await _act(fake, run, "alice", "/playlist prompt:relaxing jazz for studying count:10",
                              server.command(ALICE, "playlist",
                                             {"prompt": "relaxing jazz for studying", "count": 10}),
                              _has_buttons)
            playlist = made.messages()[-1]
            ids = {b["label"]: b["custom_id"] for b in buttons(playlist)}
            await _act(fake, run, "alice", "presses [Show URIs]",
                       server.click(ALICE, playlist, ids["Show URIs"]))
            await _act(fake, run, "bob", "presses [Regenerate] under Alice's playlist",
                       server.click(BOB, playlist, ids["Regenerate"]))
            opened = await _act(fake, run, "alice", "presses [Refine]",
                                server.click(ALICE, playlist, ids["Refine"]),
                                lambda e: bool(e.callbacks))
            if opened.modal is not None:
                run.say(f"  (a form opens: {opened.modal['title']})")
                await _act(fake, run, "alice", "types 'more upbeat, some vocals' and submits",
                           server.submit(ALICE, opened.modal["custom_id"],
                                         {"feedback": "more upbeat, some vocals"}),
                           _has_buttons)
            await _act(fake, run, "bob", "/playlist prompt:@everyone party hip hop count:5",
                       server.command(BOB, "playlist", {"prompt": "@everyone party hip hop",
                                                         "count": 5}), _has_buttons)
            await _act(fake, run, "bob", "/admin limits daily_playlists:100",
                       server.command(BOB, "admin", {"daily_playlists": 100}, sub="limits"))
            await _act(fake, run, "alice", "/admin limits daily_playlists:3 max_songs:25",
                       server.command(ALICE, "admin", {"daily_playlists": 3, "max_songs": 25},
                                      sub="limits"))
            await _act(fake, run, "bob", "/limits", server.command(BOB, "limits"))
            await _act(fake, run, "bob", "/profile set genres:jazz, soul discovery:deep",
                       server.command(BOB, "profile", {"genres": "jazz, soul", "discovery": "deep"},
                                      sub="set"))
            await _act(fake, run, "bob", "/link", server.command(BOB, "link"))
            await _act(fake, run, "bob", "/playlist prompt:what is the capital of France",
                       server.command(BOB, "playlist", {"prompt": "what is the capital of France"}))
            await _act(fake, run, "bob", "/status", server.command(BOB, "status"))
            run.say("\n(SIGTERM)")
            process.send_signal(signal.SIGTERM)
            run.returncode = await asyncio.wait_for(process.wait(), 30)
            run.say(f"(the bot exited with code {run.returncode})")
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(reader, 5)
            run.log = log.decode("utf-8", "replace")
            run.spec_errors = list(fake.spec_errors)
    return run


def main() -> int:
    with tempfile.TemporaryDirectory() as workdir:
        run = asyncio.run(drive(Path(workdir)))
    for problem in run.spec_errors:
        print("spec:", problem, file=sys.stderr)
    return 0 if run.returncode == 0 and not run.spec_errors else 1


if __name__ == "__main__":
    sys.exit(main())
