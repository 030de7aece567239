"""Fake servers in their own thread and event loop, and a meter of event-loop lag.

A benchmark that measures the bot's event loop must not have the fakes' work (parsing
Telegram HTML, searching the catalogue for the fake Spotify) on that same loop: here they
run in a second thread with a loop of their own.  Their switches are plain attributes;
anything that touches their loop (pushing a Telegram update) goes through ``call``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


class FakesThread:
    """An event loop in a daemon thread; ``run`` awaits coroutines there from any thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name="fakes", daemon=True)
        self._closers: list[Callable[[], Awaitable[Any]]] = []

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def __enter__(self) -> FakesThread:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for close in reversed(self._closers):
            self.run(close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)
        self.loop.close()

    def run(self, coroutine: Awaitable[T], timeout: float = 60.0) -> T:
        """Runs ``coroutine`` on the fakes' loop and waits for it (from a thread without a loop)."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)  # type: ignore[arg-type]
        return future.result(timeout)

    async def arun(self, coroutine: Awaitable[T]) -> T:
        """Awaits ``coroutine`` on the fakes' loop from another running loop."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)  # type: ignore[arg-type]
        return await asyncio.wrap_future(future)

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Calls ``fn`` in the fakes' thread (where its loop is running) and returns its result."""
        async def inside() -> T:
            return fn(*args)

        return self.run(inside())

    async def acall(self, fn: Callable[..., T], *args: Any) -> T:
        async def inside() -> T:
            return fn(*args)

        return await self.arun(inside())

    def start(self, server: Any, *, close: str = "close") -> Any:
        """Starts a fake (``await server.start()``) on the fakes' loop; closed on exit."""
        self.run(server.start())
        self._closers.append(getattr(server, close))
        return server


class LoopLag:
    """How late the event loop wakes a sleeper: the worst delay any callback saw."""

    def __init__(self, interval_s: float = 0.005) -> None:
        self.interval_s = interval_s
        self.worst_s = 0.0
        self.samples = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> LoopLag:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-lag")
        return self

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(self.interval_s)
            late = time.perf_counter() - started - self.interval_s
            self.worst_s = max(self.worst_s, late)
            self.samples += 1

    async def stop(self) -> float:
        """Stops measuring; returns the worst lag in milliseconds."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        return round(self.worst_s * 1000, 1)
