"""The REST API over a real aiohttp server: EchoTuner's shapes, stable errors, quotas that hold."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from adapters.ai.offline import OfflineStrategyProvider
from adapters.web.openapi import openapi_document
from adapters.web.rest_api import ApiConfig, RestApi
from core.engine import Engine, EngineConfig
from core.identity import UserKeys
from core.models import LimitSettings, UserRef
from core.validation import LexicalValidator
from data.sqlite_store import SqliteStore
from tests.fakes.catalogue import FakeCatalogue, make_track

DOC = openapi_document()


def catalogue() -> FakeCatalogue:
    return FakeCatalogue(
        make_track(a * 10 + s, f"Tune {a}-{s}", f"Artist {a}", "jazz") for a in range(20) for s in range(4)
    )


async def api_client(tmp_path: Path, *, keys: tuple[str, ...] = (), limit: int = 3,
                     max_body: int = 64 * 1024) -> AsyncIterator[TestClient[Any, Any]]:
    store = SqliteStore(tmp_path / "api.db")
    await store.open()
    engine = Engine(
        store=store, model=OfflineStrategyProvider(), catalogue=catalogue(),
        validator=LexicalValidator(), keys=UserKeys(b"a" * 32),
        config=EngineConfig(defaults=LimitSettings(max_playlists_per_day=limit)),
    )
    app = web.Application()
    app.add_routes(RestApi(engine, ApiConfig(api_keys=keys, max_body_bytes=max_body)).routes())
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
        await store.close()


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    async for c in api_client(tmp_path):
        yield c


async def checked(response: ClientResponse, path: str, method: str = "post") -> Any:
    """The JSON body, validated against the OpenAPI document for that status."""
    body = await response.json()
    spec = DOC["paths"][path][method]["responses"][str(response.status)]
    schema = {**spec["content"]["application/json"]["schema"], "components": DOC["components"]}
    jsonschema.validate(body, schema)
    return body


async def generate(client: TestClient[Any, Any], **body: Any) -> ClientResponse:
    payload = {"prompt": "calm jazz for studying", "device_id": "phone-1", "count": 10, **body}
    return await client.post("/generate-playlist", json=payload)


async def test_generate_answers_in_echotuners_shape(client: TestClient[Any, Any]) -> None:
    response = await generate(client)
    assert response.status == 200
    body = await checked(response, "/generate-playlist")
    assert body["total_count"] == len(body["songs"]) == 10
    assert body["is_refinement"] is False and body["generated_from"] == "calm jazz for studying"


async def test_refine_by_playlist_id_is_a_refinement(client: TestClient[Any, Any]) -> None:
    made = await (await generate(client)).json()
    response = await client.post("/refine-playlist", json={
        "prompt": "more energetic", "device_id": "phone-1", "playlist_id": made["playlist_id"],
    })
    body = await checked(response, "/refine-playlist")
    assert response.status == 200 and body["is_refinement"] is True
    assert body["playlist_id"] == made["playlist_id"]


async def test_refine_from_current_songs_needs_no_playlist_id(client: TestClient[Any, Any]) -> None:
    songs = [{"title": f"Tune {a}-0", "artist": f"Artist {a}", "album": "",
              "spotify_id": make_track(a * 10, "x", "y").id} for a in range(5)]
    response = await client.post("/refine-playlist", json={
        "prompt": "more jazz", "device_id": "phone-1", "current_songs": songs, "count": 5,
    })
    body = await checked(response, "/refine-playlist")
    assert response.status == 200 and body["is_refinement"] and body["total_count"] == 5


def current_songs(n: int = 5) -> list[dict[str, str]]:
    return [{"title": f"Tune {a}-0", "artist": f"Artist {a}", "album": "",
             "spotify_id": make_track(a * 10, "x", "y").id} for a in range(n)]


async def test_refining_current_songs_costs_one_playlist(client: TestClient[Any, Any]) -> None:
    response = await client.post("/refine-playlist", json={
        "prompt": "more jazz", "device_id": "phone-1", "current_songs": current_songs(),
    })
    assert response.status == 200
    status = await (await client.get("/rate-limit-status/phone-1")).json()
    assert status["requests_made_today"] == 1 and status["refinements_used"] == 0


async def test_a_device_at_its_daily_limit_is_refused_current_songs_as_generate_is(
    tmp_path: Path,
) -> None:
    async for client in api_client(tmp_path, limit=1):
        made = await (await generate(client)).json()
        refused_generate = await generate(client)
        for _ in range(3):  # the loop that used to hand out free playlists
            response = await client.post("/refine-playlist", json={
                "prompt": "more jazz", "device_id": "phone-1", "current_songs": current_songs(),
            })
            assert response.status == refused_generate.status == 429
            assert int(response.headers["Retry-After"]) > 0
            body = await checked(response, "/refine-playlist")
            assert body["error"]["code"] == (await refused_generate.json())["error"]["code"]
        status = await (await client.get("/rate-limit-status/phone-1")).json()
        assert status["requests_made_today"] == 1
    keys, device = UserKeys(b"a" * 32), UserRef("api", "phone-1", "api")
    async with SqliteStore(tmp_path / "api.db") as store:  # no draft was kept for the refusals
        latest = await store.latest_draft(keys.key(device), keys.scope_key("api"), datetime.now(UTC))
    assert latest is not None and str(latest.id) == made["playlist_id"]


async def test_current_songs_with_a_request_not_about_music_is_refused_as_generate_is(
    client: TestClient[Any, Any],
) -> None:
    question = "what is the capital of France?"
    refused_generate = await generate(client, prompt=question)
    response = await client.post("/refine-playlist", json={
        "prompt": question, "device_id": "phone-1", "current_songs": current_songs(),
    })
    assert response.status == refused_generate.status == 422
    body = await checked(response, "/refine-playlist")
    assert body["error"]["code"] == "not_about_music"
    status = await (await client.get("/rate-limit-status/phone-1")).json()
    assert status["requests_made_today"] == 0


async def test_another_devices_playlist_is_not_found(client: TestClient[Any, Any]) -> None:
    made = await (await generate(client)).json()
    response = await client.post("/refine-playlist", json={
        "prompt": "more energetic", "device_id": "phone-2", "playlist_id": made["playlist_id"],
    })
    assert response.status == 404
    assert (await checked(response, "/refine-playlist"))["error"]["code"] == "not_found"


async def test_rate_limit_status_counts_and_hashes_the_device(client: TestClient[Any, Any]) -> None:
    await generate(client)
    response = await client.get("/rate-limit-status/phone-1")
    body = await checked(response, "/rate-limit-status/{device_id}", "get")
    assert body["requests_made_today"] == 1 and body["max_requests_per_day"] == 3
    assert body["can_make_request"] and body["can_refine"]
    assert "phone-1" not in body["device_id"]


async def test_concurrent_requests_for_one_device_grant_exactly_the_limit(
    client: TestClient[Any, Any],
) -> None:
    responses = await asyncio.gather(*(generate(client) for _ in range(20)))
    statuses = sorted(r.status for r in responses)
    assert statuses == [200] * 3 + [429] * 17
    refused = next(r for r in responses if r.status == 429)
    assert int(refused.headers["Retry-After"]) > 0
    await checked(refused, "/generate-playlist")


async def test_non_music_prompt_is_422_and_not_charged(client: TestClient[Any, Any]) -> None:
    response = await generate(client, prompt="what is the capital of France")
    assert response.status == 422
    assert (await checked(response, "/generate-playlist"))["error"]["code"] == "not_about_music"
    status = await (await client.get("/rate-limit-status/phone-1")).json()
    assert status["requests_made_today"] == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [({"prompt": "jazz", "device_id": "phone-1", "count": "ten"}, 422),
     ({"prompt": "jazz", "device_id": "../../etc/passwd"}, 422),
     ({"device_id": "phone-1"}, 422),
     ({"prompt": "", "device_id": "phone-1"}, 422)],
)
async def test_invalid_bodies_get_a_stable_error(
    client: TestClient[Any, Any], body: dict[str, Any], status: int
) -> None:
    response = await client.post("/generate-playlist", json=body)
    assert response.status == status
    await checked(response, "/generate-playlist")


async def test_malformed_json_is_400(client: TestClient[Any, Any]) -> None:
    response = await client.post("/generate-playlist", data=b"{not json",
                                 headers={"Content-Type": "application/json"})
    assert response.status == 400
    await checked(response, "/generate-playlist")


async def test_bodies_over_the_bound_are_413(tmp_path: Path) -> None:
    async for client in api_client(tmp_path, max_body=1024):
        response = await generate(client, prompt="jazz " * 1000)
        assert response.status == 413
        await checked(response, "/generate-playlist")


async def test_api_keys_are_required_when_configured(tmp_path: Path) -> None:
    async for client in api_client(tmp_path, keys=("k-123", "k-456")):
        assert (await generate(client)).status == 401
        ok = await client.post("/generate-playlist", json={
            "prompt": "calm jazz", "device_id": "d", "count": 5}, headers={"X-API-Key": "k-456"})
        assert ok.status == 200
        bearer = await client.get("/rate-limit-status/d",
                                  headers={"Authorization": "Bearer k-123"})
        assert bearer.status == 200


async def test_the_openapi_document_describes_every_mounted_route(
    client: TestClient[Any, Any],
) -> None:
    served = await (await client.get("/openapi.json")).json()
    assert served == DOC
    mounted = {(r.method.lower(), r.resource.canonical) for r in client.app.router.routes()
               if r.resource is not None and r.method != "HEAD"}
    described = {(m, p) for p, ops in DOC["paths"].items() for m in ops}
    assert mounted <= described
