"""Three real ``python -m bot serve`` processes on one PostgreSQL: every promise holds across them.

The issue's check, end to end: the processes are started as an operator would, share
nothing but the database (and the settings every replica of a deployment shares),
and are spoken to over HTTP only.  Spotify is the fake on 127.0.0.1 (in a thread of
its own, so its work does not wait on this test's event loop).
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import aiohttp
import asyncpg
import pytest
from cryptography.fernet import Fernet

from data.catalogue.demo import DemoCatalogue
from tests.fakes.spotify_server import FakeSpotify, FakeSpotifyThread
from tests.integration.scale_support import ServeProcess, common_settings, free_port, serve_processes
from tests.integration.spotify_support import CLIENT_ID, CLIENT_SECRET
from tests.postgres_server import PostgresServer

pytestmark = pytest.mark.slow

DAILY_LIMIT = 5
REQUESTS = 60
async def eventually(read: Callable[[], Awaitable[object]], expected: object) -> object:
    """The value ``read`` returns once it equals ``expected`` (or the last one after 5 s)."""
    value = await read()
    for _ in range(50):
        if value == expected:
            break
        await asyncio.sleep(0.1)
        value = await read()
    return value


SHORT_TTL_S = 8  # the process killed later reserves with this; the others keep the default


@pytest.fixture
async def database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A fresh database on the session's server, dropped afterwards."""
    name = await postgres_server.create_database()
    try:
        yield postgres_server.dsn(name)
    finally:
        await postgres_server.drop_database(name)


async def post(http: aiohttp.ClientSession, process: ServeProcess, path: str,
               body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with http.post(process.base_url + path, json=body) as response:
        return response.status, await response.json()


async def get_json(http: aiohttp.ClientSession, process: ServeProcess, path: str) -> dict[str, Any]:
    async with http.get(process.base_url + path) as response:
        assert response.status == 200, await response.text()
        body: dict[str, Any] = await response.json()
        return body


async def until(predicate: Any, within_s: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while loop.time() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_three_processes_on_one_postgresql_keep_every_promise(
    database: str, tmp_path: Path
) -> None:
    fake = FakeSpotify(DemoCatalogue())
    with FakeSpotifyThread(fake) as spotify:
        ports = [free_port() for _ in range(3)]
        redirect = f"http://127.0.0.1:{ports[0]}/auth/callback"
        spotify_app = spotify.add_app(CLIENT_ID, CLIENT_SECRET, (redirect,))
        spotify.add_user("alice", "Alice", [("Miles Davis", ["jazz"])], allow_in=spotify_app)
        shared = common_settings(
            DATABASE_URL=database,
            MAX_PLAYLISTS_PER_DAY=DAILY_LIMIT,
            SPOTIFY_CLIENT_ID=CLIENT_ID,
            SPOTIFY_CLIENT_SECRET=CLIENT_SECRET,
            SPOTIFY_REDIRECT_URI=redirect,
            SPOTIFY_API_URL=spotify.api_url,
            SPOTIFY_ACCOUNTS_URL=spotify.accounts_url,
            # Tokens one replica encrypts, another decrypts: the key is deployment-wide.
            TOKEN_ENCRYPTION_KEY=Fernet.generate_key().decode(),
            DB_POOL_MAX_SIZE=5,
        )
        settings = [{**shared, "WEB_PORT": str(port)} for port in ports]
        settings[2]["RESERVATION_TTL_SECONDS"] = str(SHORT_TTL_S)
        db = await asyncpg.connect(database)
        async with aiohttp.ClientSession() as http:
            try:
                async with serve_processes(tmp_path, settings, http) as processes:
                    await _check(processes, http, db, spotify)
            finally:
                await db.close()


async def _check(processes: list[ServeProcess], http: aiohttp.ClientSession,
                 db: asyncpg.Connection, spotify: FakeSpotify) -> None:
    first, second, third = processes

    # --- 60 concurrent requests for one device, spread over the three: exactly 5 pass.
    async def generate(i: int) -> tuple[int, dict[str, Any], ServeProcess]:
        process = processes[i % 3]
        status, body = await post(http, process, "/generate-playlist", {
            "device_id": "phone-1", "prompt": "upbeat indie rock for a morning run", "count": 5,
        })
        return status, body, process

    answers = await asyncio.gather(*(generate(i) for i in range(REQUESTS)))
    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [200] * DAILY_LIMIT + [429] * (REQUESTS - DAILY_LIMIT), statuses
    refused = [body for status, body, _ in answers if status == 429]
    assert all(b["error"]["code"] == "quota_exceeded" for b in refused)
    assert "used all 5 playlists" in refused[0]["error"]["message"]
    assert await eventually(lambda: db.fetchval("SELECT sum(used) FROM quota_counters"),
                            DAILY_LIMIT)
    assert await db.fetchval("SELECT count(*) FROM quota_reservations") == 0
    status_seen = await get_json(http, third, "/rate-limit-status/phone-1")
    assert status_seen["requests_made_today"] == DAILY_LIMIT
    assert status_seen["can_make_request"] is False

    # --- a draft generated through one process is refined through another.
    made_by, draft = next((p, b) for s, b, p in answers if s == 200)
    # Not the short-TTL process: its reservations may be swept while a slow machine works.
    elsewhere = next(p for p in processes[:2] if p is not made_by)
    status, refined = await post(http, elsewhere, "/refine-playlist", {
        "device_id": "phone-1", "playlist_id": draft["playlist_id"], "prompt": "more energetic",
    })
    assert status == 200, refined
    assert (refined["playlist_id"], refined["version"], refined["is_refinement"]) == (
        draft["playlist_id"], 2, True)
    # The answer is written inside the charge (a client gone by then is not charged), so
    # the confirmation commits a moment after the client has read it.
    assert await eventually(lambda: db.fetchval(
        "SELECT refinements_used FROM drafts WHERE id = $1", int(draft["playlist_id"])), 1)

    # --- an OAuth state issued by one process: accepted once by another, refused by the third.
    spotify.login_as = "alice"
    started = await get_json(http, first, "/auth/init?device_id=phone-1")
    async with http.get(started["auth_url"], allow_redirects=False) as consent:
        location = consent.headers["Location"]
    query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
    assert query["state"] == started["state"]
    async with http.get(second.base_url + "/auth/callback", params=query) as accepted:
        assert accepted.status == 200, html.unescape(await accepted.text())
    async with http.get(third.base_url + "/auth/callback", params=query) as replayed:
        assert replayed.status == 400
    assert await db.fetchval("SELECT count(*) FROM linked_accounts") == 1
    status, session = await post(http, third, "/auth/validate",
                                 {"device_id": "phone-1", "session_id": started["session_id"]})
    assert status == 200 and session["valid"] is True and session["spotify_user_id"]

    # --- a process killed with SIGKILL in the middle of a request: nothing stays charged.
    spotify.search_latency = 20.0  # the killed process's request hangs in the catalogue
    crashed = asyncio.create_task(post(http, third, "/generate-playlist", {
        "device_id": "phone-2", "prompt": "calm jazz for a rainy evening", "count": 5,
    }))

    async def reserved() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM quota_reservations"))

    await until(reserved, 15, "the request's reservation")
    third.kill()
    with pytest.raises(aiohttp.ClientError):
        await crashed
    spotify.search_latency = 0.0
    # Until it expires, the orphaned reservation holds its slot (it might still be working).
    pending = await get_json(http, first, "/rate-limit-status/phone-2")
    assert pending["requests_made_today"] == 1

    async def swept() -> bool:
        return not await reserved()

    # It expires after SHORT_TTL_S; the surviving processes sweep every second.
    await until(swept, SHORT_TTL_S + 15, "the expired reservation to be swept")
    after = await get_json(http, second, "/rate-limit-status/phone-2")
    assert after["requests_made_today"] == 0 and after["can_make_request"] is True
    assert await eventually(lambda: db.fetchval("SELECT sum(used) FROM quota_counters"),
                            DAILY_LIMIT)
    status, body = await post(http, first, "/generate-playlist", {
        "device_id": "phone-2", "prompt": "calm jazz for a rainy evening", "count": 5,
    })
    assert status == 200, body
    assert await eventually(lambda: db.fetchval("SELECT sum(used) FROM quota_counters"),
                            DAILY_LIMIT) + 1
    assert (await get_json(http, second, "/rate-limit-status/phone-1"))["requests_made_today"] == 5

    # The survivors stop cleanly on SIGTERM.
    assert [p.stop() for p in (first, second)] == [0, 0]
