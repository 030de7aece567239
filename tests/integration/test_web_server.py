"""The web side: /health, secure headers, per-IP callback limits, and `python -m bot serve`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from adapters.web.server import WebAdapter
from bot.app import build_app
from bot.settings import load_settings
from tests.integration.spotify_support import free_port, spotify_world

ROOT = Path(__file__).resolve().parents[2]


async def test_health_reports_status_version_dependencies_and_features(tmp_path: Path) -> None:
    async with spotify_world(tmp_path) as world, world.http.get(f"{world.web.base_url}/health") as r:
        body = await r.json()
        headers = r.headers
    assert r.status == 200 and body["status"] == "healthy"  # EchoTuner's word for it
    assert body["services"]["database"] is True and body["services"]["rate_limiter"] is True
    assert body["version"] and set(body["dependencies"]) >= {"database", "catalogue"}
    assert body["dependencies"]["catalogue"]["detail"].startswith("spotify")
    assert body["features"]["spotify_linking"] is True and body["features"]["catalogue"] == "spotify"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


async def test_callback_attempts_are_limited_per_ip(tmp_path: Path) -> None:
    async with spotify_world(tmp_path, MAX_AUTH_ATTEMPTS_PER_IP="3") as world:
        statuses = [(await world.callback(state="x" * 20, code="y"))[0] for _ in range(4)]
        async with world.http.get(world.redirect_uri) as r:
            retry_after = r.headers.get("Retry-After")
    assert statuses == [400, 400, 400, 429]
    assert retry_after is not None and int(retry_after) > 0


async def test_secure_headers_can_be_switched_off_but_the_callback_keeps_its_own(
    tmp_path: Path,
) -> None:
    async with spotify_world(tmp_path, SECURE_HEADERS="false") as world:
        async with world.http.get(f"{world.web.base_url}/health") as r:
            assert "X-Frame-Options" not in r.headers
        async with world.http.get(world.redirect_uri) as r:
            assert r.headers["Cache-Control"] == "no-store"
            assert r.headers["Referrer-Policy"] == "no-referrer"


async def test_without_spotify_the_callback_says_linking_is_not_set_up(tmp_path: Path) -> None:
    settings = load_settings({"DATABASE_FILENAME": str(tmp_path / "db.sqlite"),
                              "WEB_PORT": str(free_port())}, env_file=None)
    async with build_app(settings) as app, aiohttp.ClientSession() as http:
        assert app.linking is None
        routes = web.RouteTableDef()

        @routes.get("/extra")
        async def extra(request: web.Request) -> web.Response:
            return web.Response(text="mounted")

        app.add_web_routes(list(routes))
        from adapters.web.server import build_web_adapter

        adapter: WebAdapter = build_web_adapter(app)
        await adapter.start()
        try:
            async with http.get(f"{adapter.base_url}/auth/callback?state=x&code=y") as r:
                assert r.status == 404 and "isn" in await r.text()
            async with http.get(f"{adapter.base_url}/extra") as r:
                assert await r.text() == "mounted"
            async with http.get(f"{adapter.base_url}/health") as r:
                body = await r.json()
            assert body["features"]["catalogue"] == "demo"
        finally:
            await adapter.stop()


@pytest.mark.slow
def test_python_m_bot_serve_starts_the_web_side_alone(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"PYTHONPATH": str(ROOT), "WEB_PORT": str(port), "LOG_LEVEL": "WARNING"})
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        import urllib.request

        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
