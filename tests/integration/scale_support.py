"""Real ``python -m bot serve`` processes for the scale tests and the scale benchmark.

``ServeProcess`` starts one bot process exactly as an operator would (a subprocess with
its own environment and working directory), waits until ``/health`` answers, and stops
it by its process id: SIGTERM first, SIGKILL when it does not exit in time.
``serve_processes`` starts several at once and stops every one of them on the way
out, whatever happened in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import aiohttp

from bot.settings import Settings, env_name

__all__ = ["ServeProcess", "free_port", "serve_processes"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _clean_environ() -> dict[str, str]:
    """This process's environment without any EchoTuner setting (a child gets only ours)."""
    names = {env_name(f) for f in dataclasses.fields(Settings)}
    return {k: v for k, v in os.environ.items() if k not in names}


class ServeProcess:
    """One ``python -m bot serve`` with the given settings, in its own working directory."""

    def __init__(self, name: str, folder: Path, settings: Mapping[str, str]) -> None:
        self.name = name
        self.folder = folder
        self.port = int(settings["WEB_PORT"])
        self.settings = dict(settings)
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = folder / "serve.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "--env-file", str(self.folder / "none.env"), "serve"],
                cwd=self.folder, env={**_clean_environ(), **self.settings},
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )
        finally:
            log.close()  # the child has its own copy of the descriptor

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    async def wait_ready(self, http: aiohttp.ClientSession, within_s: float = 45.0) -> None:
        """Until ``GET /health`` answers; fails with the process's log if it exits or hangs."""
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited ({self.process.returncode}):\n{self.log()}")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with http.get(self.base_url + "/health",
                                    timeout=aiohttp.ClientTimeout(total=5)) as response:
                    if response.status in (200, 503):
                        return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} did not answer /health in {within_s:g} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as when the machine or the OOM killer ends it."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self, grace_s: float = 15.0) -> int | None:
        """SIGTERM (the bot's graceful stop), then SIGKILL after ``grace_s``; the exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(grace_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        return process.returncode


@contextlib.asynccontextmanager
async def serve_processes(
    root: Path, settings: Sequence[Mapping[str, str]], http: aiohttp.ClientSession
) -> AsyncIterator[list[ServeProcess]]:
    """Starts one ``serve`` per settings mapping (all at once) and waits until each is ready.

    Every process is stopped on exit, even when starting or the test failed.
    """
    processes = [ServeProcess(f"serve-{i}", root / f"serve-{i}", s) for i, s in enumerate(settings)]
    try:
        for process in processes:
            process.start()
        await asyncio.gather(*(p.wait_ready(http) for p in processes))
        yield processes
    finally:
        await asyncio.gather(*(asyncio.to_thread(p.stop) for p in processes))


def common_settings(**extra: Any) -> dict[str, str]:
    """What every process of one deployment shares (the rest is per process)."""
    values = {
        "AI_PROVIDERS": "offline",
        "LOG_LEVEL": "INFO",
        "REST_API_ENABLED": "true",
        "HOUSEKEEPING_INTERVAL_SECONDS": "1",
        # Every simulated client comes from 127.0.0.1: no per-address budget for the load.
        "API_CLIENT_GENERATIONS_PER_DAY": "0",
    }
    values.update({k: str(v) for k, v in extra.items()})
    return values
