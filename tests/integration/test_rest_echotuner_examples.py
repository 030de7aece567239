"""EchoTuner's own documented examples work as written: counts from 1, its /health shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest

from adapters.web.openapi import openapi_document
from adapters.web.server import WebAdapter, WebConfig
from core.engine import Engine
from core.errors import InvalidInput
from core.models import DependencyStatus, Health, UserRef
from tests.integration.rest_support import rest_server

DOC = openapi_document()


def check(body: Any, path: str, method: str, status: int) -> None:
    spec = DOC["paths"][path][method]["responses"][str(status)]
    schema = {**spec["content"]["application/json"]["schema"], "components": DOC["components"]}
    jsonschema.validate(body, schema)


async def test_the_readme_generate_example_with_count_1_gets_one_song(tmp_path: Path) -> None:
    async with rest_server(tmp_path) as server:
        response = await server.client.post("/generate-playlist", json={
            "prompt": "I need upbeat indie rock for a morning workout",
            "device_id": "unique_device_identifier", "count": 1,
            "user_context": {"favorite_genres": ["indie", "rock", "alternative"],
                             "favorite_artists": ["Arctic Monkeys", "The Strokes"],
                             "energy_preference": "high"},
        })
        body = await response.json()
    assert response.status == 200, body
    check(body, "/generate-playlist", "post", 200)
    assert body["total_count"] == 1 and len(body["songs"]) == 1
    assert body["is_refinement"] is False


async def test_refine_accepts_a_count_of_1(tmp_path: Path) -> None:
    async with rest_server(tmp_path) as server:
        made = await (await server.client.post("/generate-playlist", json={
            "prompt": "calm jazz", "device_id": "d1", "count": 10})).json()
        response = await server.client.post("/refine-playlist", json={
            "prompt": "just the best one", "device_id": "d1",
            "playlist_id": made["playlist_id"], "count": 1})
        body = await response.json()
    assert response.status == 200 and body["total_count"] == 1


@pytest.mark.parametrize("count", [0, -1, 31])
async def test_counts_outside_1_to_the_operators_maximum_are_refused(
    tmp_path: Path, count: int
) -> None:
    async with rest_server(tmp_path, max_songs=30) as server:
        response = await server.client.post("/generate-playlist", json={
            "prompt": "calm jazz", "device_id": "d1", "count": count})
        body = await response.json()
    assert response.status == 422
    check(body, "/generate-playlist", "post", 422)
    assert "1 to 30" in body["error"]["message"]


async def test_chats_keep_their_minimum_of_5_songs(tmp_path: Path) -> None:
    async with rest_server(tmp_path) as server:
        engine: Engine = server.api.engine
        with pytest.raises(InvalidInput, match="5 to 50"):
            await engine.generate(UserRef("discord", "1", "dm"), "calm jazz", 1)


async def _health(dependencies: tuple[DependencyStatus, ...]) -> tuple[int, Any]:
    async def health() -> Health:
        return Health(dependencies)

    adapter = WebAdapter(WebConfig(host="127.0.0.1", port=0, version="9.9.9",
                                   features={"spotify_search": True}), health=health)
    await adapter.start()
    try:
        async with aiohttp.ClientSession() as http, http.get(adapter.base_url + "/health") as r:
            return r.status, await r.json()
    finally:
        await adapter.stop()


async def test_health_answers_in_echotuners_shape_when_everything_is_up() -> None:
    status, body = await _health((DependencyStatus("database", True, "sqlite", 0.5),
                                  DependencyStatus("model", True), DependencyStatus("catalogue", True),
                                  DependencyStatus("embeddings", True)))
    assert status == 200
    check(body, "/health", "get", 200)
    assert body["status"] == "healthy" and body["version"] == "9.9.9"
    assert body["services"] == {"prompt_validator": True, "playlist_generator": True,
                                "rate_limiter": True, "database": True, "model": True,
                                "catalogue": True, "embeddings": True}
    assert body["features"]["spotify_search"] is True
    assert body["dependencies"]["database"] == {"ok": True, "detail": "sqlite", "latency_ms": 0.5}


async def test_health_is_degraded_but_serving_when_an_optional_dependency_is_down() -> None:
    status, body = await _health((DependencyStatus("database", True),
                                  DependencyStatus("catalogue", True),
                                  DependencyStatus("telegram", False, "no answer in time")))
    assert status == 200 and body["status"] == "degraded"
    check(body, "/health", "get", 200)
    assert body["services"]["telegram"] is False


async def test_health_is_unhealthy_and_503_when_the_database_is_down() -> None:
    status, body = await _health((DependencyStatus("database", False, "OperationalError"),
                                  DependencyStatus("catalogue", True)))
    assert status == 503 and body["status"] == "unhealthy"
    check(body, "/health", "get", 503)
    assert body["services"]["rate_limiter"] is False
