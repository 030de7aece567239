"""The pages over HTTP: headers, the status page's guard and contents, and every place a
playlist's page link appears (REST answer, Discord embed, Telegram message).

What a person sees in a browser is in test_pages_browser.py; this file checks what a
browser is told (headers) and what other clients receive.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from adapters.web.openapi import openapi_document
from bot.platforms import mount_rest_api
from core.sharing import Sharing
from tests.fakes.ollama_server import FakeOllama
from tests.integration.discord_support import ALICE as DISCORD_ALICE
from tests.integration.discord_support import final_message, running_bot
from tests.integration.pages_support import USER, PagesWorld, pages_world
from tests.integration.spotify_support import free_port
from tests.integration.telegram_support import ALICE, ALICE_DM
from tests.integration.telegram_support import running_bot as telegram_bot

TOKEN = "operator-token-0123456789"


@pytest.fixture
async def pages(tmp_path: Path) -> AsyncIterator[PagesWorld]:
    async with pages_world(tmp_path) as world:
        yield world


async def shared_url(pages: PagesWorld, count: int = 5) -> tuple[str, Any]:
    playlist = await pages.app.engine.generate(USER, "calm jazz for studying", count)
    assert pages.app.sharing is not None
    url = await pages.app.sharing.share_url(playlist.draft_id)
    assert url is not None
    return url, playlist


def strict_csp(policy: str) -> None:
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "*" not in policy.split(
        "img-src")[0]


# --- headers ---------------------------------------------------------------------------
async def test_the_playlist_page_is_private_to_its_link_holders(pages: PagesWorld) -> None:
    url, playlist = await shared_url(pages)
    async with pages.http.get(url) as r:
        page = await r.text()
        headers = r.headers
    assert r.status == 200 and all(t.title.replace("&", "&amp;") in page or t.title in page
                                   for t in playlist.tracks)
    assert headers["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex' in page
    assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"
    policy = headers["Content-Security-Policy"]
    strict_csp(policy)
    assert "script-src 'self'" in policy and "img-src 'self' https://i.scdn.co" in policy


async def test_unknown_pages_answer_404_with_the_friendly_page_and_its_headers(
    pages: PagesWorld,
) -> None:
    for path in ("/p/NoSuchPageNoSuchPage00", "/p/1", "/p/%3Cscript%3E", "/p/abc?v=x"):
        async with pages.http.get(pages.base_url + path) as r:
            page = await r.text()
            assert r.status == 404, path
            assert "This playlist page isn" in page and "<script" not in page
            assert r.headers["X-Robots-Tag"].startswith("noindex")
            strict_csp(r.headers["Content-Security-Policy"])


async def test_the_stylesheet_and_script_are_served_by_the_bot_itself(pages: PagesWorld) -> None:
    async with pages.http.get(f"{pages.base_url}/static/pages.css") as r:
        assert r.status == 200 and r.content_type == "text/css"
        css = await r.text()
    assert ":focus-visible" in css and "@import" not in css and "url(" not in css  # no CDN
    async with pages.http.get(f"{pages.base_url}/static/copy.js") as r:
        assert r.status == 200 and "navigator.clipboard" in await r.text()
    async with pages.http.get(f"{pages.base_url}/static/../site.py") as r:
        assert r.status in {403, 404}


# --- the status page ---------------------------------------------------------------------
async def test_status_takes_the_token_as_a_bearer_header_or_a_query(tmp_path: Path) -> None:
    async with pages_world(tmp_path, STATUS_TOKEN=TOKEN) as world:
        url = f"{world.base_url}/status"
        async with world.http.get(url) as r:
            assert r.status == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
            assert TOKEN not in await r.text()
        async with world.http.get(url, headers={"Authorization": "Bearer nope-nope-nope-nope"}) as r:
            assert r.status == 401
        async with world.http.get(url, headers={"Authorization": f"Bearer {TOKEN}"}) as r:
            assert r.status == 200 and "Status:" in await r.text()
            assert r.headers["Cache-Control"] == "no-store"
            strict_csp(r.headers["Content-Security-Policy"])
        async with world.http.get(url, params={"token": TOKEN}) as r:
            assert r.status == 200


async def test_without_a_token_status_answers_only_loopback_visitors_not_proxied_ones(
    pages: PagesWorld,
) -> None:
    url = f"{pages.base_url}/status"
    async with pages.http.get(url) as r:
        assert r.status == 200
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        async with pages.http.get(url, headers={header: "203.0.113.9"}) as r:
            assert r.status == 403, header
            assert "for the bot's operator" in html.unescape(await r.text())


async def test_status_shows_each_provider_with_its_recent_error_and_the_embedder(
    tmp_path: Path, ollama_server: FakeOllama,
) -> None:
    closed = free_port()  # nothing listens here: the "custom" endpoint is down
    async with pages_world(
        tmp_path, AI_PROVIDERS="custom,offline", CUSTOM_AI_BASE_URL=f"http://127.0.0.1:{closed}/v1",
        EMBEDDING_PROVIDER="ollama", OLLAMA_BASE_URL=ollama_server.base_url,
    ) as world:
        await world.app.engine.generate(USER, "calm jazz for studying", 5)
        with pytest.raises(Exception):  # noqa: B017  (any refusal will do)
            await world.app.engine.generate(USER, "what is the capital of France", 5)
        async with world.http.get(f"{world.base_url}/status") as r:
            page = await r.text()
        assert r.status == 200
    rows = {name: page.split(f'data-name="{name}"', 1)[1].split("</tr>", 1)[0]
            for name in ("custom", "offline", "Catalogue", "Database")}
    # State, the health check's detail, and the failure of the request just made.
    assert "✗</span> down" in rows["custom"] and rows["custom"].count("<td>not reachable</td>") == 2
    assert "ok" in rows["offline"] and "—" in rows["offline"]
    assert "ok" in rows["Database"] and "demo" in rows["Catalogue"]
    assert "Embedder (" in page and "nomic-embed-text" in page
    assert 'id="count-playlists">1<' in page and 'id="count-refusals">1<' in page
    assert "something is down" in page


# --- where the link appears --------------------------------------------------------------
async def test_the_rest_answer_carries_the_share_url_that_opens_the_page(pages: PagesWorld) -> None:
    mount_rest_api(pages.app)
    await pages.web.stop()
    await pages.web.start()  # routes are mounted at start
    # PUBLIC_BASE_URL is set and there are no API_KEYS: the device registers first.
    async with pages.http.post(f"{pages.base_url}/register-device") as r:
        device = await r.json()
    secret = {"X-Device-Secret": device["device_secret"]}
    body = {"prompt": "calm jazz for studying", "device_id": device["device_id"], "count": 8}
    async with pages.http.post(f"{pages.base_url}/generate-playlist", json=body,
                               headers=secret) as r:
        answer = await r.json()
    doc = openapi_document()
    schema = doc["paths"]["/generate-playlist"]["post"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    jsonschema.validate(answer, {**schema, "components": doc["components"]})
    assert answer["share_url"].startswith(f"{pages.base_url}/p/")
    async with pages.http.get(answer["share_url"]) as r:
        page = await r.text()
    assert r.status == 200 and all(s["spotify_id"] in page for s in answer["songs"])
    refine = {"prompt": "more piano", "device_id": device["device_id"],
              "playlist_id": answer["playlist_id"]}
    async with pages.http.post(f"{pages.base_url}/refine-playlist", json=refine,
                               headers=secret) as r:
        refined = await r.json()
    assert refined["share_url"] == answer["share_url"]  # one page per playlist, all versions


async def test_without_a_public_base_url_the_rest_answer_has_no_share_url(tmp_path: Path) -> None:
    async with pages_world(tmp_path, PUBLIC_BASE_URL="") as world:
        mount_rest_api(world.app)
        await world.web.stop()
        await world.web.start()
        body = {"prompt": "calm jazz for studying", "device_id": "phone-1", "count": 5}
        async with world.http.post(f"{world.base_url}/generate-playlist", json=body) as r:
            answer = await r.json()
    assert r.status == 200 and "share_url" not in answer


async def test_the_discord_playlist_embed_links_its_page(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as harness:
        harness.adapter.services.actions.sharing = Sharing(harness.store, "https://bot.example.org")
        exchange = await harness.playlist(DISCORD_ALICE, "relaxing jazz for studying", 10)
        description = final_message(exchange)["embeds"][0]["description"]
        assert harness.adapter.connected  # what /status shows for Discord
    assert "[Open the playlist page](https://bot.example.org/p/" in description
    assert not harness.adapter.connected


async def test_the_telegram_playlist_message_links_its_page(tmp_path: Path) -> None:
    async with telegram_bot(tmp_path, public_base_url="https://bot.example.org") as bot:
        await bot.say(ALICE_DM, ALICE, "relaxing jazz for studying")
        answer = bot.playlist_message(ALICE_DM)
        # What /status and the OAuth landing page learn from the running adapter.
        assert bot.adapter.connected
        assert bot.adapter.chat_url == f"https://t.me/{bot.adapter.bot.username}"
    assert not bot.adapter.connected
    assert "Open the playlist page" in answer.text
    assert any(link.startswith("https://bot.example.org/p/") for link in answer.links)
