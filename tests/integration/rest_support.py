"""A REST API over a real aiohttp server with a given ApiConfig, and a raw HTTP/1.1 client.

The raw client writes bytes exactly as given, in as many writes as asked, with pauses:
what a slow network or a hostile client does and aiohttp's own client never would.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.ai.offline import OfflineStrategyProvider
from adapters.web.rest_api import ApiConfig, RestApi
from core.engine import Engine, EngineConfig
from core.identity import UserKeys
from core.models import LimitSettings
from core.validation import LexicalValidator
from data.sqlite_store import SqliteStore
from tests.fakes.catalogue import FakeCatalogue, make_track


def catalogue() -> FakeCatalogue:
    """Jazz, indie and rock: ten artists of four songs each."""
    return FakeCatalogue(
        make_track(a * 10 + s, f"Tune {a}-{s}", f"Artist {a}", ("jazz", "indie", "rock")[a // 10])
        for a in range(30) for s in range(4)
    )


@dataclass
class RestServer:
    client: TestClient[Any, Any]
    api: RestApi
    store: SqliteStore

    @property
    def port(self) -> int:
        port = self.client.port
        assert port is not None
        return port


@asynccontextmanager
async def rest_server(tmp_path: Path, config: ApiConfig | None = None, *,
                      limit: int = 100, max_songs: int = 50) -> AsyncIterator[RestServer]:
    store = SqliteStore(tmp_path / "rest.db")
    await store.open()
    engine = Engine(
        store=store, model=OfflineStrategyProvider(), catalogue=catalogue(),
        validator=LexicalValidator(), keys=UserKeys(b"r" * 32),
        config=EngineConfig(defaults=LimitSettings(max_playlists_per_day=limit,
                                                   max_songs=max_songs)),
    )
    api = RestApi(engine, config or ApiConfig())
    app = web.Application()
    app.add_routes(api.routes())
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield RestServer(client, api, store)
    finally:
        await client.close()
        await store.close()


@dataclass
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


async def raw_request(port: int, head: bytes, parts: Sequence[bytes] = (), *,
                      pause: float = 0.0) -> RawAnswer:
    """Sends ``head`` (request line and headers, CRLF-terminated) then each of ``parts`` as a
    separate write, ``pause`` seconds apart; reads the answer until the server closes or
    the body announced by Content-Length is complete."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head)
        await writer.drain()
        for part in parts:
            if pause:
                await asyncio.sleep(pause)
            try:
                writer.write(part)
                await writer.drain()
            except ConnectionError:
                break  # the server answered early and closed: read what it said
        return await asyncio.wait_for(_read_answer(reader), 10)
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass


async def _read_answer(reader: asyncio.StreamReader) -> RawAnswer:
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return RawAnswer(status, headers, body)


def post_head(path: str, length: int, *extra: str) -> bytes:
    """The head of a JSON POST with this Content-Length (and extra header lines)."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {length}", "Connection: close", *extra, "", ""]
    return "\r\n".join(lines).encode("latin-1")
