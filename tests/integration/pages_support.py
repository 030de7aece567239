"""A running bot whose pages the browser tests open (the browser itself: tests/browser.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from adapters.web.server import WebAdapter
from bot.app import App, build_app
from bot.settings import load_settings
from bot.web_wiring import build_web_adapter
from core.models import UserRef
from tests.integration.spotify_support import free_port

USER = UserRef("discord", "1001", "dm")  # whoever asks for the playlists in page tests


@dataclass
class PagesWorld:
    """The wired bot on the demo catalogue, its web side running, PUBLIC_BASE_URL set."""

    app: App
    web: WebAdapter
    http: aiohttp.ClientSession

    @property
    def base_url(self) -> str:
        return self.web.base_url


@asynccontextmanager
async def pages_world(tmp_path: Path, **env: str) -> AsyncIterator[PagesWorld]:
    port = free_port()
    settings = load_settings({
        "DATABASE_FILENAME": str(tmp_path / "echotuner.db"),
        "WEB_PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "AI_PROVIDERS": "offline",
        "MAX_PLAYLISTS_PER_DAY": "100",
        **env,
    }, env_file=None)
    async with build_app(settings) as app, aiohttp.ClientSession() as http:
        web = build_web_adapter(app)
        await web.start()
        try:
            yield PagesWorld(app, web, http)
        finally:
            await web.stop()
