"""POST /blend: one playlist from several devices' tastes, each device proven."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from adapters.ai.offline import OfflineStrategyProvider
from adapters.web.openapi import openapi_document
from adapters.web.rest_api import ApiConfig, RestApi
from core.blend_invites import Blends
from core.engine import Engine, EngineConfig
from core.identity import UserKeys
from core.models import LimitSettings, Profile, UserRef
from core.validation import LexicalValidator
from data.sqlite_store import SqliteStore
from tests.fakes.catalogue import FakeCatalogue
from tests.integration.discord_support import everyday_tracks

DOC = openapi_document()


@dataclass
class Server:
    client: TestClient[Any, Any]
    engine: Engine


@asynccontextmanager
async def blend_server(tmp_path: Path, config: ApiConfig | None = None) -> AsyncIterator[Server]:
    store = SqliteStore(tmp_path / "blend-api.db")
    await store.open()
    engine = Engine(
        store=store, model=OfflineStrategyProvider(), catalogue=FakeCatalogue(everyday_tracks()),
        validator=LexicalValidator(), keys=UserKeys(b"b" * 32),
        config=EngineConfig(defaults=LimitSettings(max_playlists_per_day=3)),
    )
    api = RestApi(engine, config or ApiConfig(), blends=Blends(engine, store))
    app = web.Application()
    app.add_routes(api.routes())
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield Server(client, engine)
    finally:
        await client.close()
        await store.close()


async def checked(response: ClientResponse) -> Any:
    """The JSON body, validated against the OpenAPI document for that status."""
    body = await response.json()
    spec = DOC["paths"]["/blend"]["post"]["responses"][str(response.status)]
    schema = {**spec["content"]["application/json"]["schema"], "components": DOC["components"]}
    jsonschema.validate(body, schema)
    return body


def device(name: str) -> UserRef:
    return UserRef("api", name, "api")


async def used(server: Server, name: str) -> int:
    return (await server.engine.limits_status(device(name))).playlists_used_today


async def test_a_blend_of_three_devices_credits_each_song_and_charges_the_starter_once(
    tmp_path: Path,
) -> None:
    async with blend_server(tmp_path) as server:
        for name, genre in (("phone-a", "jazz"), ("phone-b", "rock"), ("phone-c", "soul")):
            await server.engine.set_profile(device(name), Profile(favourite_genres=(genre,)))
        response = await server.client.post("/blend", json={
            "device_id": "phone-a", "name": "Ann",
            "members": [{"device_id": "phone-b", "name": "Ben"}, {"device_id": "phone-c"}],
            "prompt": "road trip", "count": 12,
        })
        assert response.status == 200
        body = await checked(response)

        assert body["total_count"] == len(body["songs"]) == len(body["credits"]) == 12
        assert body["summary"].startswith("3 people · ")
        named = {n for credit in body["credits"] for n in ("Ann", "Ben", "Member 3") if n in credit}
        assert named == {"Ann", "Ben", "Member 3"}
        assert (await used(server, "phone-a"), await used(server, "phone-b")) == (1, 0)


async def test_every_member_device_must_prove_itself_where_devices_have_secrets(
    tmp_path: Path,
) -> None:
    async with blend_server(tmp_path, ApiConfig(device_secrets=True)) as server:
        client = server.client
        first = await (await client.post("/register-device", json={})).json()
        second = await (await client.post("/register-device", json={})).json()
        headers = {"X-Device-Secret": first["device_secret"]}
        body = {"device_id": first["device_id"], "members": [{"device_id": second["device_id"]}]}

        refused = await client.post("/blend", json=body, headers=headers)
        assert refused.status == 401
        assert (await checked(refused))["error"]["code"] == "device_unauthorized"
        forged = {**body, "members": [{"device_id": second["device_id"],
                                       "device_secret": first["device_secret"]}]}
        assert (await client.post("/blend", json=forged, headers=headers)).status == 401
        assert await used(server, first["device_id"]) == 0

        proven = {**body, "members": [{"device_id": second["device_id"],
                                       "device_secret": second["device_secret"]}]}
        response = await client.post("/blend", json=proven, headers=headers)
        assert response.status == 200
        assert (await checked(response))["summary"].startswith("2 people")


async def test_a_blend_needs_one_to_nine_other_devices(tmp_path: Path) -> None:
    async with blend_server(tmp_path) as server:
        for members in ([], [{"device_id": f"d{n}"} for n in range(10)], "phone-b"):
            response = await server.client.post("/blend", json={"device_id": "a", "members": members})
            assert response.status == 422
            assert (await checked(response))["error"]["code"] == "invalid_input"
        bad = await server.client.post("/blend", json={"device_id": "a", "members": [{"x": 1}]})
        assert bad.status == 422 and (await bad.json())["error"]["code"] == "invalid_device_id"
