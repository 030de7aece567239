"""A TCP forwarder on 127.0.0.1 that puts connection-level faults in front of any fake server.

The real client library talks to the proxy exactly as it would to the service; the proxy
forwards bytes to the fake behind it until told to misbehave:

* ``refuse()``: the port is closed and open connections are cut, so every connect is
  refused (the service is down);
* ``hang()``: connections are accepted and requests read, but nothing is forwarded in
  either direction (the service hangs past any timeout);
* ``slow()``: answers trickle back a few bytes at a time, each read succeeding, the whole
  taking far longer than a client's timeout (a slow body);
* ``restore()``: back to forwarding on the same port; connections that were hanging are
  cut, so a late answer cannot surface after the fault has been cleared.

HTTP-level faults (5xx, 429 with Retry-After, malformed bodies) are the fakes' own switches.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

Mode = Literal["pass", "refuse", "hang", "slow"]


class FaultProxy:
    """Forwards ``127.0.0.1:<port>`` to ``127.0.0.1:<target_port>``; ``async with`` or start/close."""

    def __init__(self, target_port: int, *, trickle_bytes: int = 8, trickle_delay_s: float = 0.05) -> None:
        self.target_port = target_port
        self.trickle_bytes = trickle_bytes
        self.trickle_delay_s = trickle_delay_s
        self.mode: Mode = "pass"
        self.port = 0
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._hung: set[asyncio.StreamWriter] = set()
        self._released = asyncio.Event()
        self._released.set()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- life cycle -------------------------------------------------------------------
    async def start(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port,
                                                  reuse_address=True)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def close(self) -> None:
        self._released.set()
        await self._stop_listening()
        self._cut(self._open)
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def __aenter__(self) -> FaultProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # --- faults -----------------------------------------------------------------------
    async def refuse(self) -> None:
        """Connection refused from now on; open connections are cut."""
        self.mode = "refuse"
        await self._stop_listening()
        self._cut(self._open)

    def hang(self) -> None:
        """Accept, read, forward nothing."""
        self.mode = "hang"
        self._released.clear()

    def slow(self) -> None:
        """Answers trickle back ``trickle_bytes`` every ``trickle_delay_s``."""
        self.mode = "slow"
        self._released.set()

    async def restore(self) -> None:
        """Forward normally again, on the same port."""
        hung = set(self._hung) if self.mode == "hang" else set()
        self.mode = "pass"
        self._cut(hung)
        self._released.set()
        if self._server is None:
            await self.start()

    # --- plumbing ---------------------------------------------------------------------
    async def _stop_listening(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1)

    def _cut(self, writers: set[asyncio.StreamWriter]) -> None:
        for writer in list(writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "refuse":
            writer.transport.abort()
            return
        self.connections += 1
        self._open.add(writer)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            self._open.discard(writer)
            writer.transport.abort()
            return
        self._open.add(upstream_writer)
        pumps = [
            asyncio.create_task(self._pump(reader, upstream_writer, writer, downstream=False)),
            asyncio.create_task(self._pump(upstream_reader, writer, writer, downstream=True)),
        ]
        for task in pumps:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pumps:
                task.cancel()
            for w in (writer, upstream_writer):
                self._open.discard(w)
                self._hung.discard(w)
                with contextlib.suppress(Exception):
                    w.close()

    async def _pump(self, source: asyncio.StreamReader, target: asyncio.StreamWriter,
                    client: asyncio.StreamWriter, *, downstream: bool) -> None:
        try:
            while True:
                data = await source.read(65536)
                if not data:
                    return
                if self.mode == "hang":
                    self._hung.add(client)
                    await self._released.wait()
                    if client in self._hung:  # cut by restore(): drop what was held back
                        return
                if downstream and self.mode == "slow":
                    for start in range(0, len(data), self.trickle_bytes):
                        target.write(data[start:start + self.trickle_bytes])
                        await target.drain()
                        await asyncio.sleep(self.trickle_delay_s)
                else:
                    target.write(data)
                    await target.drain()
        except (ConnectionError, OSError):
            return
