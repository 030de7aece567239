"""Runs chat adapters side by side in one event loop and stops them in reverse order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from core.replies import Reply

log = logging.getLogger(__name__)


class ChatAdapter(Protocol):
    """What every chat front end implements: name, start, stop, and send (unprompted messages)."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, conversation: str, reply: Reply) -> None: ...


async def run_adapters(
    adapters: Sequence[ChatAdapter],
    *,
    until: Awaitable[None] | None = None,
    on_change: Callable[[str, bool], None] | None = None,
) -> None:
    """Starts ``adapters``, waits for SIGINT/SIGTERM (or ``until``), stops them in reverse order.

    The first adapter (the web side, when there is one: OAuth callbacks must work before a
    chat sends a link) starts alone; the others then start side by side, so a platform that
    takes seconds to be ready (Discord waits for its servers) holds up no other.  If one
    fails to start, those started are stopped and its error raised.  ``on_change(name,
    running)`` hears each start and stop (the metrics' adapter gauge).
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    started: list[ChatAdapter] = []

    async def start(adapter: ChatAdapter) -> None:
        await adapter.start()
        started.append(adapter)
        log.info("%s started", adapter.name)
        if on_change is not None:
            on_change(adapter.name, True)

    try:
        if adapters:
            await start(adapters[0])
        outcomes = await asyncio.gather(*(start(a) for a in adapters[1:]), return_exceptions=True)
        # Stopped in reverse of the order given, whatever order they finished starting in.
        started.sort(key=lambda a: next(i for i, b in enumerate(adapters) if b is a))
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                if asyncio.iscoroutine(until):
                    until.close()  # never to be awaited now
                raise outcome
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
            if on_change is not None:
                on_change(adapter.name, False)
        for sig in installed:
            loop.remove_signal_handler(sig)
