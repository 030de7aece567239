"""The real ``python -m bot`` as a child process: started from settings, read, stopped or killed.

Used by the crash test, the secrets-in-logs test, the benchmark and the soak script: each
runs the bot exactly as an operator would (its own environment, its own working folder)
against fakes on 127.0.0.1 in the calling process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of a process now, in MiB (Linux /proc)."""
    return _status_kb(pid, "VmRSS") / 1024


def peak_rss_mb(pid: int) -> float:
    """The highest resident memory the process has had, in MiB."""
    return _status_kb(pid, "VmHWM") / 1024


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class BotProcess:
    """One ``python -m bot`` (or another command) with ``env`` on top of a clean environment."""

    def __init__(self, workdir: Path, env: Mapping[str, str], *args: str) -> None:
        self.workdir = workdir
        self.env = dict(env)
        self.args = args
        self.process: asyncio.subprocess.Process | None = None
        self.log = bytearray()
        self._reader: asyncio.Task[None] | None = None
        self.started_at = 0.0

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def text(self) -> str:
        return self.log.decode("utf-8", "replace")

    async def start(self) -> BotProcess:
        # Nothing of the developer's settings or paths leaks in; only what the test sets.
        env = {k: v for k, v in os.environ.items()
               if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}}
        env.update({"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **self.env})
        self.started_at = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *self.args, cwd=self.workdir, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._collect())
        return self

    async def _collect(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        while chunk := await self.process.stdout.read(65536):
            self.log.extend(chunk)

    async def wait_http(self, url: str, within_s: float = 60.0) -> float:
        """Waits until ``url`` answers (any status); returns seconds since start."""
        deadline = time.monotonic() + within_s
        async with aiohttp.ClientSession() as session:
            while True:
                self._check_alive()
                try:
                    async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as response:
                        await response.read()
                        return time.perf_counter() - self.started_at
                except (aiohttp.ClientError, OSError, TimeoutError):
                    if time.monotonic() > deadline:
                        raise AssertionError(f"{url} never answered; log:\n{self.text[-3000:]}") from None
                    await asyncio.sleep(0.05)

    def _check_alive(self) -> None:
        assert self.process is not None
        if self.process.returncode is not None:
            raise AssertionError(f"the bot exited with {self.process.returncode}:\n{self.text[-3000:]}")

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def stop(self, within_s: float = 30.0) -> int:
        """SIGTERM, as a service manager stops it; returns the exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), within_s)
        finally:
            await self.close()
        return code

    async def close(self) -> None:
        """Makes sure the process is gone and its output read."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)
