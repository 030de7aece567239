"""Runs chat adapters side by side in one event loop and stops them in reverse order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Sequence
from typing import Protocol

from core.commands import Reply

log = logging.getLogger(__name__)


class ChatAdapter(Protocol):
    """What every chat front end implements (see design.md)."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, conversation: str, reply: Reply) -> None: ...


async def run_adapters(
    adapters: Sequence[ChatAdapter], *, until: Awaitable[None] | None = None
) -> None:
    """Starts ``adapters`` in order, waits for SIGINT/SIGTERM (or ``until``), stops in reverse."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    started: list[ChatAdapter] = []
    try:
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
            log.info("%s started", adapter.name)
        waiters: list[asyncio.Future[object]] = [asyncio.ensure_future(stop.wait())]
        if until is not None:
            waiters.append(asyncio.ensure_future(until))
        done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for task in done:
            task.result()  # surface a crash of the main task
    finally:
        for adapter in reversed(started):
            try:
                await adapter.stop()
                log.info("%s stopped", adapter.name)
            except Exception:
                log.exception("stopping %s failed", adapter.name)
        for sig in installed:
            loop.remove_signal_handler(sig)
