"""The web side behind a reverse proxy (issue 15): who counts as the operator, whose
attempts the OAuth callback limits.

Two relays on 127.0.0.1 stand in for the proxy: ``FaultProxy`` forwards bytes and adds
nothing (nginx's default ``proxy_pass``); ``HeaderRelay`` forwards each request with
headers of its own (a relay that sets ``X-Real-IP``, a CDN's ``True-Client-IP``...).
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web

from adapters.web.server import WebAdapter
from bot.app import App, build_app
from bot.platforms import web_side
from bot.settings import load_settings
from core.models import Conversation
from tests.faults.proxy import FaultProxy
from tests.integration.spotify_support import ALICE, free_port, spotify_world

STATUS_TOKEN = "status-token-0123456789"
METRICS_TOKEN = "metrics-token-0123456789"


class HeaderRelay:
    """An HTTP relay on 127.0.0.1 that adds ``headers`` to every request it forwards."""

    def __init__(self, target: str, headers: Mapping[str, str]) -> None:
        self.target = target
        self.headers = dict(headers)
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.port = 0

    async def __aenter__(self) -> HeaderRelay:
        self._http = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None and self._http is not None
        await self._runner.cleanup()
        await self._http.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() == "authorization"}
        headers.update(self.headers)
        async with self._http.request(request.method, self.target + request.path_qs,
                                      headers=headers, allow_redirects=False) as answer:
            body = await answer.read()
            kept = {k: v for k, v in answer.headers.items() if k.lower() in {"retry-after"}}
            return web.Response(status=answer.status, body=body, headers=kept)


@asynccontextmanager
async def operator_web(tmp_path: Path, **env: str) -> AsyncIterator[tuple[App, WebAdapter]]:
    """The wired bot's web side, built as ``python -m bot serve`` builds it, with metrics."""
    settings = load_settings({
        "DATABASE_FILENAME": str(tmp_path / "echotuner.db"),
        "WEB_PORT": str(free_port()),
        "AI_PROVIDERS": "offline",
        "METRICS_ENABLED": "true",
        **env,
    }, env_file=None)
    async with build_app(settings) as app:
        adapter = web_side(app)
        assert isinstance(adapter, WebAdapter)
        await adapter.start()
        try:
            yield app, adapter
        finally:
            await adapter.stop()


# --- /status and /metrics ---------------------------------------------------------------
async def test_behind_a_plain_relay_an_exposed_web_side_asks_every_visitor_for_the_tokens(
    tmp_path: Path,
) -> None:
    async with (operator_web(tmp_path, PUBLIC_BASE_URL="https://bot.example.org",
                             STATUS_TOKEN=STATUS_TOKEN, METRICS_TOKEN=METRICS_TOKEN) as (_, web),
                FaultProxy(web.port) as relay, aiohttp.ClientSession() as http):
        for path in ("/status", "/metrics"):
            async with http.get(relay.url(path)) as answer:
                assert answer.status == 401, path
        async with http.get(relay.url("/status"),
                            headers={"Authorization": f"Bearer {STATUS_TOKEN}"}) as answer:
            assert answer.status == 200 and "Status" in await answer.text()
        async with http.get(relay.url("/metrics"),
                            headers={"Authorization": f"Bearer {METRICS_TOKEN}"}) as answer:
            assert answer.status == 200 and "echotuner_http_requests" in await answer.text()


def test_a_spotify_redirect_to_a_public_host_or_a_telegram_webhook_counts_as_exposed() -> None:
    spotify = {"SPOTIFY_CLIENT_ID": "id", "SPOTIFY_CLIENT_SECRET": "secret"}
    assert load_settings({**spotify, "SPOTIFY_REDIRECT_URI": "https://bot.example.org/auth/callback"},
                         env_file=None).web_exposed
    assert not load_settings(spotify, env_file=None).web_exposed  # http://127.0.0.1:8080
    assert load_settings({"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook"},
                         env_file=None).web_exposed
    assert not load_settings({"PUBLIC_BASE_URL": "http://127.0.0.1:8080"}, env_file=None).web_exposed


@pytest.mark.parametrize("header", ["X-Real-IP", "True-Client-IP", "CF-Connecting-IP",
                                    "X-Client-IP", "Via"])
async def test_status_and_metrics_refuse_a_visitor_a_relay_names_in_any_proxy_header(
    tmp_path: Path, header: str,
) -> None:
    value = "1.1 relay" if header == "Via" else "203.0.113.7"
    async with (operator_web(tmp_path) as (_, web),
                HeaderRelay(web.base_url, {header: value}) as relay,
                aiohttp.ClientSession() as http):
        for path in ("/status", "/metrics"):
            async with http.get(relay.url(path)) as answer:
                assert answer.status == 403, (path, header)
        async with http.get(f"{web.base_url}/metrics") as answer:  # the operator, on this machine
            assert answer.status == 200


async def test_a_trusted_relay_that_forwards_a_local_client_lets_the_operator_in(
    tmp_path: Path,
) -> None:
    async with (operator_web(tmp_path, TRUSTED_PROXIES="127.0.0.1") as (_, web),
                HeaderRelay(web.base_url, {"X-Real-IP": "127.0.0.1"}) as local,
                HeaderRelay(web.base_url, {"X-Real-IP": "203.0.113.7"}) as remote,
                aiohttp.ClientSession() as http):
        async with http.get(local.url("/metrics")) as answer:
            assert answer.status == 200
        async with http.get(remote.url("/metrics")) as answer:
            assert answer.status == 403


# --- the OAuth callback's limiter ----------------------------------------------------------
JUNK_STATE = "j" * 43


async def test_twenty_junk_callbacks_do_not_stop_a_real_sign_in_from_linking(tmp_path: Path) -> None:
    async with spotify_world(tmp_path) as world:
        for _ in range(20):
            assert (await world.callback(state=JUNK_STATE, code="junk"))[0] == 400
        assert (await world.callback(state=JUNK_STATE, code="junk"))[0] == 429
        world.fake.login_as = "alice"
        url = await world.linking.link_start(ALICE, Conversation("chat", "alice-dm"))
        status, page = await world.authorize(url)
    assert status == 200 and "Linked to Spotify as Alice" in page


async def test_behind_a_trusted_proxy_one_clients_junk_does_not_block_another(
    tmp_path: Path,
) -> None:
    async with spotify_world(tmp_path, TRUSTED_PROXIES="127.0.0.1",
                             MAX_AUTH_ATTEMPTS_PER_IP="3") as world:
        callback = f"{world.redirect_uri}?state={JUNK_STATE}&code=junk"

        async def status_from(client: str) -> int:
            async with world.http.get(callback, headers={"X-Forwarded-For": client}) as answer:
                return answer.status

        assert [await status_from("203.0.113.1") for _ in range(4)] == [400, 400, 400, 429]
        assert await status_from("203.0.113.2") == 400


async def test_the_callback_wait_is_shorter_than_a_sign_in_links_life(tmp_path: Path) -> None:
    async with spotify_world(tmp_path, MAX_AUTH_ATTEMPTS_PER_IP="2") as world:
        for _ in range(2):
            await world.callback(state=JUNK_STATE, code="junk")
        async with world.http.get(world.redirect_uri,
                                  params={"state": JUNK_STATE, "code": "junk"}) as answer:
            retry_after = int(answer.headers["Retry-After"])
            page = html.unescape(await answer.text())
    assert answer.status == 429 and "Too many sign-in attempts" in page
    state_life_s = world.linking.state_ttl.total_seconds()
    assert 0 < retry_after < state_life_s


async def test_a_declined_consent_is_not_counted_as_a_guess(tmp_path: Path) -> None:
    async with spotify_world(tmp_path, MAX_AUTH_ATTEMPTS_PER_IP="1") as world:
        url = await world.linking.link_start(ALICE, Conversation("chat", "alice-dm"))
        state = parse_qs(urlsplit(url).query)["state"][0]
        assert (await world.callback(state=state, error="access_denied"))[0] == 400
        assert (await world.callback(state=JUNK_STATE, code="junk"))[0] == 400  # the first guess
        assert (await world.callback(state=JUNK_STATE, code="junk"))[0] == 429
