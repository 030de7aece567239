"""REST sign-in: /auth/init hands out a Spotify link and a device-bound session; /auth/validate checks it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema

from adapters.web.openapi import openapi_document
from adapters.web.rest_api import SESSION_NAMESPACE
from tests.integration.spotify_support import World, spotify_world

DOC = openapi_document()


async def call(world: World, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with world.http.request(method, world.web.base_url + path, **kwargs) as response:
        body = await response.json()
        spec = DOC["paths"][path.split("?")[0]][method.lower()]["responses"][str(response.status)]
        schema = {**spec["content"]["application/json"]["schema"], "components": DOC["components"]}
        jsonschema.validate(body, schema)
        return response.status, body


async def test_a_session_becomes_valid_once_the_device_has_linked_spotify(tmp_path: Path) -> None:
    async with spotify_world(tmp_path, REST_API_ENABLED="true") as world:
        status, init = await call(world, "GET", "/auth/init",
                                  params={"device_id": "phone-1", "platform": "android"})
        assert status == 200 and init["state"] in init["auth_url"]
        session = {"session_id": init["session_id"], "device_id": "phone-1"}
        assert (await call(world, "POST", "/auth/validate", json=session))[1]["valid"] is False
        world.fake.login_as = "alice"
        page_status, _ = await world.authorize(init["auth_url"])
        assert page_status == 200
        status, checked = await call(world, "POST", "/auth/validate", json=session)
        assert checked["valid"] is True and checked["spotify_user_id"]
        assert checked["expires_at"] == init["expires_at"]


async def test_another_device_gets_valid_false_for_the_same_session(tmp_path: Path) -> None:
    async with spotify_world(tmp_path, REST_API_ENABLED="true") as world:
        _, init = await call(world, "GET", "/auth/init", params={"device_id": "phone-1"})
        world.fake.login_as = "alice"
        await world.authorize(init["auth_url"])
        _, other = await call(world, "POST", "/auth/validate",
                              json={"session_id": init["session_id"], "device_id": "phone-2"})
        assert other == {"valid": False, "spotify_user_id": None, "expires_at": None}


async def test_made_up_sessions_are_not_valid(tmp_path: Path) -> None:
    async with spotify_world(tmp_path, REST_API_ENABLED="true") as world:
        for session_id in ("not-a-uuid", "1b4e28ba-2fa1-41d2-883f-0016d3cca427"):
            _, body = await call(world, "POST", "/auth/validate",
                                 json={"session_id": session_id, "device_id": "phone-1"})
            assert body["valid"] is False


async def test_generate_and_health_answer_on_the_same_server(tmp_path: Path) -> None:
    async with spotify_world(tmp_path, REST_API_ENABLED="true") as world:
        status, body = await call(world, "POST", "/generate-playlist",
                                  json={"prompt": "relaxing jazz for studying",
                                        "device_id": "phone-1", "count": 10})
        assert status == 200 and body["total_count"] == 10
        async with world.http.get(world.web.base_url + "/health") as health:
            assert health.status in {200, 503}


async def test_a_session_is_kept_in_the_apis_own_slice_of_the_store_until_it_expires(
    tmp_path: Path,
) -> None:
    async with spotify_world(tmp_path, REST_API_ENABLED="true", SESSION_TIMEOUT="2") as world:
        _, init = await call(world, "GET", "/auth/init", params={"device_id": "phone-1"})
        store, now = world.app.store, datetime.now(UTC)
        assert await store.cache_get(SESSION_NAMESPACE, init["session_id"], now) is not None
        expires = datetime.fromisoformat(init["expires_at"])
        assert timedelta(hours=2) - timedelta(minutes=1) < expires - now <= timedelta(hours=2)
        after = expires + timedelta(seconds=1)
        assert await store.cache_get(SESSION_NAMESPACE, init["session_id"], after) is None
