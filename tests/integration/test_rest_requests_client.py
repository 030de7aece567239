"""A plain `requests` client against a running `python -m bot serve`, as EchoTuner's README shows.

The demo configuration (no account anywhere): the calls of the README's REST section,
made exactly as a script would make them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import requests

from tests.integration.scale_support import ServeProcess, common_settings, free_port


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[str]:
    settings = common_settings(WEB_PORT=free_port(), DATABASE_FILENAME=str(tmp_path / "bot.db"))
    process = ServeProcess("serve", tmp_path / "serve", settings)
    async with aiohttp.ClientSession() as http:
        process.start()
        try:
            await process.wait_ready(http)
            yield process.base_url
        finally:
            process.stop()


async def test_the_readme_calls_work_with_requests(server: str) -> None:
    def script() -> None:
        made = requests.post(f"{server}/generate-playlist", json={
            "prompt": "upbeat indie rock for a morning workout", "device_id": "my-phone",
            "count": 20}, timeout=30)
        assert made.status_code == 200, made.text
        playlist = made.json()
        assert playlist["total_count"] == 20 and len(playlist["songs"]) == 20
        refined = requests.post(f"{server}/refine-playlist", json={
            "prompt": "more energetic, no ballads", "device_id": "my-phone",
            "playlist_id": playlist["playlist_id"]}, timeout=30)
        assert refined.status_code == 200 and refined.json()["is_refinement"] is True
        status = requests.get(f"{server}/rate-limit-status/my-phone", timeout=10).json()
        assert status["requests_made_today"] == 1 and status["refinements_used"] == 1
        spec = requests.get(f"{server}/openapi.json", timeout=10).json()
        assert "/generate-playlist" in spec["paths"]
        linking = requests.get(f"{server}/auth/init",
                               params={"device_id": "my-phone", "platform": "android"}, timeout=10)
        assert linking.status_code == 503  # the demo configuration has no Spotify app
        assert linking.json()["error"]["code"] == "spotify_not_configured"
        refused = requests.post(f"{server}/generate-playlist", json={
            "prompt": "what is the capital of France", "device_id": "my-phone"}, timeout=30)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "not_about_music"

    await asyncio.to_thread(script)  # requests blocks: keep it off the test's event loop
