"""The Spotify test world: the fake Spotify, the wired bot (bot.app) pointed at it, the web side.

Everything real runs: spotipy against the fake over HTTP, the aiohttp web server, the
SQLite store with encrypted tokens.  A chat "adapter" that records what it is sent stands in
for Discord/Telegram (it implements our own ChatAdapter protocol).
"""

from __future__ import annotations

import html
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import aiohttp

from adapters.web.server import WebAdapter
from bot.app import App, build_app
from bot.platforms import mount_rest_api
from bot.settings import load_settings
from bot.web_wiring import build_web_adapter
from core.commands import Reply
from core.linking import Linking
from core.models import Conversation, UserRef
from data.catalogue.demo import DemoCatalogue
from tests.fakes.spotify_server import FakeApp, FakeSpotify

CATALOGUE = DemoCatalogue()  # loaded once per test process (real Spotify tracks)

ALICE = UserRef("chat", "alice", "dm")
BOB = UserRef("chat", "bob", "dm")
CLIENT_ID = "c0ffee00c0ffee00c0ffee00c0ffee00"
CLIENT_SECRET = "5ec2e75ec2e75ec2e75ec2e75ec2e75e"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RecordingChat:
    """A chat adapter that keeps what the bot says unprompted."""

    name: str = "chat"
    sent: list[tuple[str, Reply]] = field(default_factory=list)

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, conversation: str, reply: Reply) -> None:
        self.sent.append((conversation, reply))


@dataclass
class World:
    fake: FakeSpotify
    spotify_app: FakeApp
    app: App
    web: WebAdapter
    chat: RecordingChat
    http: aiohttp.ClientSession
    redirect_uri: str

    @property
    def linking(self) -> Linking:
        assert self.app.linking is not None
        return self.app.linking

    async def authorize(self, url: str) -> tuple[int, str]:
        """The user's browser: opens the URL, follows redirects to the callback page."""
        async with self.http.get(url, allow_redirects=True) as response:
            return response.status, html.unescape(await response.text())

    async def code_for(self, url: str) -> tuple[str, str]:
        """Consent at the fake without following the redirect: (state, code)."""
        async with self.http.get(url, allow_redirects=False) as response:
            location = response.headers["Location"]
        query = parse_qs(urlparse(location).query)
        return query["state"][0], query["code"][0]

    async def callback(self, **params: str) -> tuple[int, str]:
        async with self.http.get(self.redirect_uri, params=params) as response:
            return response.status, html.unescape(await response.text())

    async def link(self, user: UserRef, spotify_user: str) -> None:
        self.fake.login_as = spotify_user
        url = await self.linking.link_start(user, Conversation("chat", user.user_id))
        status, page = await self.authorize(url)
        assert status == 200, page


@asynccontextmanager
async def spotify_world(tmp_path: Path, **env: str) -> AsyncIterator[World]:
    fake = FakeSpotify(CATALOGUE)
    await fake.start()
    port = free_port()
    redirect = f"http://127.0.0.1:{port}/auth/callback"
    spotify_app = fake.add_app(CLIENT_ID, CLIENT_SECRET, (redirect,))
    for name in ("alice", "bob"):
        fake.add_user(name, name.title(), [("Miles Davis", ["jazz", "bebop"]),
                                          ("Nina Simone", ["soul", "jazz"])], allow_in=spotify_app)
    settings = load_settings({
        "SPOTIFY_CLIENT_ID": CLIENT_ID,
        "SPOTIFY_CLIENT_SECRET": CLIENT_SECRET,
        "SPOTIFY_REDIRECT_URI": redirect,
        "SPOTIFY_API_URL": fake.api_url,
        "SPOTIFY_ACCOUNTS_URL": fake.accounts_url,
        "DATABASE_FILENAME": str(tmp_path / "echotuner.db"),
        "WEB_PORT": str(port),
        "MAX_PLAYLISTS_PER_DAY": "100",
        **env,
    }, env_file=None)
    try:
        async with build_app(settings) as app, aiohttp.ClientSession() as http:
            chat = RecordingChat()
            app.notifier.register(chat)
            if settings.rest_api_enabled:
                mount_rest_api(app)
            web = build_web_adapter(app)
            await web.start()
            try:
                yield World(fake, spotify_app, app, web, chat, http, redirect)
            finally:
                await web.stop()
    finally:
        await fake.close()
