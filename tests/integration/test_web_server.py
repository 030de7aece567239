"""The web side: /health, secure headers, per-IP callback limits, and `python -m bot serve`."""

from __future__ import annotations

import asyncio
import html
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from adapters.web.server import WebAdapter
from bot.app import build_app
from bot.settings import load_settings
from core import wording
from core.errors import StoreUnavailable
from core.models import LinkOutcome
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
        from bot.web_wiring import build_web_adapter

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


# --- slow and idle connections (issue 15) -------------------------------------------------
@asynccontextmanager
async def plain_web(tmp_path: Path, **env: str) -> AsyncIterator[WebAdapter]:
    """The wired bot's web side (REST API included) on the demo catalogue, with ``env``."""
    settings = load_settings({"DATABASE_FILENAME": str(tmp_path / "db.sqlite"),
                              "WEB_PORT": str(free_port()), "AI_PROVIDERS": "offline", **env},
                             env_file=None)
    async with build_app(settings) as app:
        from bot.platforms import mount_rest_api
        from bot.web_wiring import build_web_adapter

        mount_rest_api(app)
        adapter = build_web_adapter(app)
        await adapter.start()
        try:
            yield adapter
        finally:
            await adapter.stop()


async def closed_within(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        seconds: float) -> float:
    """Reads until the server closes the connection; how long that took."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(seconds):
            while await reader.read(4096):
                pass
        return time.monotonic() - started
    finally:
        writer.close()
        await writer.wait_closed()


async def test_a_client_that_stalls_inside_its_request_line_is_cut_off(tmp_path: Path) -> None:
    async with plain_web(tmp_path, WEB_KEEPALIVE_TIMEOUT="1") as web:
        reader, writer = await asyncio.open_connection("127.0.0.1", web.port)
        writer.write(b"GET /hea")  # and nothing more, ever
        await writer.drain()
        waited = await closed_within(reader, writer, 5)
    assert waited < 3


async def test_an_idle_keep_alive_connection_is_closed_after_the_timeout(tmp_path: Path) -> None:
    async with plain_web(tmp_path, WEB_KEEPALIVE_TIMEOUT="1") as web:
        reader, writer = await asyncio.open_connection("127.0.0.1", web.port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 "), head
        waited = await closed_within(reader, writer, 5)
    assert 0.5 < waited < 3  # kept open for the next request, then closed


def test_idle_connections_are_kept_seconds_not_an_hour_by_default() -> None:
    assert load_settings({}, env_file=None).web_keepalive_timeout <= 60


# --- the access log (issue 15) ------------------------------------------------------------
async def raw_get(port: int, target: bytes) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    await writer.drain()
    await reader.read()
    writer.close()
    await writer.wait_closed()


def access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]


async def test_encoded_newlines_and_nuls_in_a_path_cannot_forge_access_log_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    async with plain_web(tmp_path) as web:
        await raw_get(web.port, b"/x%0aFAKE%20LINE")
        await raw_get(web.port, b"/y%00z%0d%0a")
    lines = access_lines(caplog)
    assert len(lines) == 2
    assert not any(c in line for line in lines for c in "\n\r\x00")
    assert lines[0].startswith("GET /x%0aFAKE%20LINE 404")


async def test_share_ids_device_ids_oauth_queries_and_the_webhook_path_stay_out_of_info_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    share_id = "Sh4reId-0123456789abcdef"
    device_id = "device-0123456789abcdef"
    hook = "/telegram/hook-5ecret-5egment"
    async with plain_web(tmp_path, TELEGRAM_WEBHOOK_URL=f"https://bot.example.org{hook}",
                         STATUS_TOKEN="status-token-0123456789") as web:
        await raw_get(web.port, f"/p/{share_id}".encode())
        await raw_get(web.port, f"/rate-limit-status/{device_id}".encode())
        await raw_get(web.port, b"/auth/callback?state=st4te-value&code=c0de-value")
        await raw_get(web.port, hook.encode())
    text = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    lines = access_lines(caplog)
    assert len(lines) == 4 and lines[0].startswith("GET /p/~")
    assert "<telegram webhook>" in lines[3]
    for secret in (share_id, device_id, "st4te-value", "c0de-value", "5ecret"):
        assert secret not in text


async def test_a_callback_that_fails_unexpectedly_apologises_once_and_links_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*args: object) -> LinkOutcome:
        raise RuntimeError("secret-ish detail of a bug")

    async with spotify_world(tmp_path) as world:
        monkeypatch.setattr(world.linking, "link_finish", broken)
        with caplog.at_level(logging.INFO):
            async with world.http.get(f"{world.web.base_url}/auth/callback?state=s&code=c") as r:
                page = await r.text()
    assert r.status == 500 and html.escape(wording.SIGN_IN_FAILED(), quote=True) in page
    assert "secret-ish" not in page
    logged = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(logged) == 1 and logged[0].exc_info is not None


async def test_a_callback_refused_by_a_known_failure_says_why_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    async def store_down(*args: object) -> LinkOutcome:
        raise StoreUnavailable("The database is not answering; nothing was linked.")

    async with spotify_world(tmp_path) as world:
        monkeypatch.setattr(world.linking, "link_finish", store_down)
        with caplog.at_level(logging.INFO):
            async with world.http.get(f"{world.web.base_url}/auth/callback?state=s&code=c") as r:
                page = await r.text()
    assert r.status == 500 and "The database is not answering; nothing was linked." in page
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR or rec.exc_info]
