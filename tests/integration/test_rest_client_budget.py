"""Each client address has a daily budget of generations and sign-ins, whatever device ids
it sends: rotating ids gains nothing, and past the budget nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiosqlite

from adapters.web.client_address import parse_networks
from adapters.web.rest_api import ApiConfig
from tests.integration.rest_support import rest_server
from tests.integration.spotify_support import spotify_world

BUDGET = ApiConfig(generations_per_client_per_day=3, signins_per_client_per_day=2)


async def test_rotating_device_ids_from_one_address_are_refused_past_the_budget(
    tmp_path: Path,
) -> None:
    async with rest_server(tmp_path, BUDGET, limit=10) as server:
        statuses = []
        for n in range(5):
            response = await server.client.post("/generate-playlist", json={
                "prompt": "calm jazz", "device_id": f"rotating-{n}", "count": 5})
            statuses.append(response.status)
        body = await response.json()
        fresh = await (await server.client.get("/rate-limit-status/rotating-4")).json()
    assert statuses == [200, 200, 200, 429, 429]
    assert body["error"]["code"] == "client_limit"
    assert 0 < int(response.headers["Retry-After"]) <= 24 * 3600
    assert fresh["requests_made_today"] == 0  # refused before any work: nothing charged


async def test_refinements_count_against_the_same_budget(tmp_path: Path) -> None:
    async with rest_server(tmp_path, BUDGET) as server:
        made = await (await server.client.post("/generate-playlist", json={
            "prompt": "calm jazz", "device_id": "d", "count": 5})).json()
        statuses = [(await server.client.post("/refine-playlist", json={
            "prompt": "more sax", "device_id": "d", "playlist_id": made["playlist_id"]})).status
            for _ in range(3)]
    assert statuses == [200, 200, 429]


async def test_device_registrations_are_limited_per_address(tmp_path: Path) -> None:
    async with rest_server(tmp_path, ApiConfig(device_secrets=True,
                                               signins_per_client_per_day=2)) as server:
        statuses = [(await server.client.post("/register-device")).status for _ in range(3)]
    assert statuses == [201, 201, 429]


async def test_a_forged_forwarded_for_from_an_untrusted_peer_buys_no_budget(
    tmp_path: Path,
) -> None:
    async with rest_server(tmp_path, BUDGET) as server:
        statuses = [(await server.client.post(
            "/generate-playlist", headers={"X-Forwarded-For": f"203.0.113.{n}"},
            json={"prompt": "calm jazz", "device_id": f"d{n}", "count": 5})).status
            for n in range(4)]
    assert statuses == [200, 200, 200, 429]


async def test_behind_a_trusted_proxy_each_client_has_its_own_budget(tmp_path: Path) -> None:
    config = ApiConfig(generations_per_client_per_day=1,
                       trusted_proxies=parse_networks(["127.0.0.1"]))
    async with rest_server(tmp_path, config) as server:
        async def as_client(address: str, device: str) -> int:
            response = await server.client.post(
                "/generate-playlist", headers={"X-Forwarded-For": address},
                json={"prompt": "calm jazz", "device_id": device, "count": 5})
            return response.status

        first = [await as_client("203.0.113.1", "a"), await as_client("203.0.113.1", "b")]
        second = await as_client("203.0.113.2", "c")
    assert first == [200, 429] and second == 200


async def _rows(path: Path) -> dict[str, Any]:
    async with aiosqlite.connect(path) as db:
        states = await (await db.execute("SELECT COUNT(*) FROM oauth_states")).fetchone()
        sessions = await (await db.execute(
            "SELECT COUNT(*) FROM cache WHERE namespace = 'api-session'")).fetchone()
    assert states is not None and sessions is not None
    return {"states": states[0], "sessions": sessions[0]}


async def test_auth_init_past_the_budget_writes_no_rows(tmp_path: Path) -> None:
    async with spotify_world(tmp_path, REST_API_ENABLED="true",
                             API_CLIENT_SIGNINS_PER_DAY="3") as world:
        statuses = []
        for n in range(6):
            async with world.http.get(world.web.base_url + "/auth/init",
                                      params={"device_id": f"rotating-{n}"}) as response:
                statuses.append(response.status)
                if response.status == 429:
                    assert (await response.json())["error"]["code"] == "client_limit"
                    assert int(response.headers["Retry-After"]) > 0
        rows = await _rows(tmp_path / "echotuner.db")
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert rows == {"states": 3, "sessions": 3}
