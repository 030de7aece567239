"""Faults of Spotify's two services: the accounts service (linking) and the Web API (search).

The fake Spotify sits behind two fault proxies, one per service, so each can be refused,
hung or slowed on its own; its ``fail(where, kind)`` switch gives the HTTP-level faults.
The bot is wired from settings as in production (``CATALOGUE=spotify``), with
``SPOTIFY_TIMEOUT`` a fraction of a second and one retry.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest

from bot.app import App
from bot.web_wiring import build_web_adapter
from core.models import Conversation, UserRef
from core.replies import is_error
from data.catalogue.demo import shared_catalogue
from tests.fakes.spotify_server import FakeSpotify
from tests.faults.cells import Cell, cells
from tests.faults.proxy import FaultProxy
from tests.faults.support import (
    ALICE,
    BOB,
    TIMEOUT_S,
    ask,
    assert_clear,
    assert_no_tracebacks,
    assert_playlist,
    becomes,
    eventually,
    served_meanwhile,
    used,
    wired,
)
from tests.integration.spotify_support import CLIENT_ID, CLIENT_SECRET, free_port


@dataclass
class SpotifyFaults:
    fake: FakeSpotify
    accounts: FaultProxy
    api: FaultProxy
    app: App
    redirect_uri: str
    browser: aiohttp.ClientSession

    async def inject(self, where: str, failure: str) -> None:
        proxy = self.accounts if where == "accounts" else self.api
        if failure == "refused":
            await proxy.refuse()
        elif failure == "slow_body":
            proxy.slow()
        else:
            self.fake.fail(where, {"hang": "hang", "5xx": "5xx", "429": "429",
                                   "malformed": "malformed"}[failure],
                           retry_after=60 if where == "api" else 1)

    async def clear(self) -> None:
        self.fake.heal()
        await self.accounts.restore()
        await self.api.restore()

    async def link(self, user: UserRef, spotify_user: str) -> tuple[int, str]:
        """The whole dance: /link, consent at Spotify, the browser back at our callback."""
        assert self.app.linking is not None
        self.fake.login_as = spotify_user
        url = await self.app.linking.link_start(user, Conversation("chat", user.user_id))
        # The browser talks to Spotify itself (not through our proxies).
        query = urlparse(url).query
        async with self.browser.get(f"{self.fake.base}/authorize?{query}",
                                    allow_redirects=False) as response:
            location = response.headers["Location"]
        back = parse_qs(urlparse(location).query)
        async with self.browser.get(self.redirect_uri, params={
            "state": back["state"][0], "code": back["code"][0],
        }) as response:
            return response.status, html.unescape(await response.text())


@asynccontextmanager
async def spotify_faults(tmp_path: Path) -> AsyncIterator[SpotifyFaults]:
    fake = FakeSpotify(shared_catalogue())
    await fake.start()
    port = int(fake.base.rsplit(":", 1)[1])
    web_port = free_port()
    redirect = f"http://127.0.0.1:{web_port}/auth/callback"
    spotify_app = fake.add_app(CLIENT_ID, CLIENT_SECRET, (redirect,))
    for name in ("alice", "bob"):
        fake.add_user(name, name.title(), allow_in=spotify_app)
    try:
        async with FaultProxy(port) as accounts, FaultProxy(port) as api, wired(
            tmp_path, SPOTIFY_CLIENT_ID=CLIENT_ID, SPOTIFY_CLIENT_SECRET=CLIENT_SECRET,
            SPOTIFY_REDIRECT_URI=redirect, SPOTIFY_ACCOUNTS_URL=accounts.url("/"),
            SPOTIFY_API_URL=api.url("/v1/"), SPOTIFY_TIMEOUT=str(TIMEOUT_S),
            SPOTIFY_MAX_RETRIES="1", CATALOGUE="spotify", CACHE_ENABLED="false",
            AI_PROVIDERS="offline", WEB_PORT=str(web_port),
        ) as app, aiohttp.ClientSession() as browser:
            web = build_web_adapter(app)
            await web.start()
            try:
                yield SpotifyFaults(fake, accounts, api, app, redirect, browser)
            finally:
                await web.stop()
    finally:
        await fake.close()


@pytest.mark.parametrize("cell", cells("spotify_accounts"))
async def test_spotify_accounts_failure(
    cell: Cell, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with spotify_faults(tmp_path) as world:
        app = world.app
        assert app.linking is not None
        status, _ = await world.link(BOB, "bob")
        assert status == 200
        await becomes(app, "spotify accounts", True)
        await world.inject("accounts", cell.failure)

        status, page = await world.link(ALICE, "alice")
        assert status >= 400 and cell.answer in page, page
        assert "Something went wrong on our side" not in page
        assert await app.linking.linked_account(ALICE) is None  # nothing half-written
        assert await used(app, ALICE) == 0
        await served_meanwhile(app)
        await becomes(app, "spotify accounts", False)

        await world.clear()
        status, page = await world.link(ALICE, "alice")
        assert status == 200, page
        assert await app.linking.linked_account(ALICE) is not None
        await becomes(app, "spotify accounts", True)
    assert_no_tracebacks(caplog)


@pytest.mark.parametrize("cell", cells("spotify_api"))
async def test_spotify_api_failure(cell: Cell, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with spotify_faults(tmp_path) as world:
        app = world.app
        assert_playlist(await ask(app, BOB))
        await becomes(app, "catalogue", True)
        await world.inject("api", cell.failure)

        reply = await ask(app, ALICE)
        assert_clear(reply, cell.answer)
        assert await used(app, ALICE) == 0
        await served_meanwhile(app)
        await becomes(app, "catalogue", False)

        await world.clear()

        async def playlist_again() -> bool:
            return not is_error(await ask(app, ALICE))

        assert await eventually(playlist_again, within_s=5, every_s=0.2)
        assert await used(app, ALICE) == 1
        await becomes(app, "catalogue", True)
    assert_no_tracebacks(caplog)
