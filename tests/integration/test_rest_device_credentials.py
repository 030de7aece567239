"""Who may speak for a device id: the key holder, the device with its secret, or (loopback
only) anyone; and an API session is valid only through its own completed sign-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from adapters.web.openapi import openapi_document
from adapters.web.rest_api import ApiConfig
from core.models import UserRef
from tests.integration.rest_support import RestServer, rest_server
from tests.integration.spotify_support import World, spotify_world

DOC = openapi_document()
EXPOSED = ApiConfig(device_secrets=True)
KEY = "operator-app-key-0123456789"


def check(body: Any, path: str, method: str, status: int) -> None:
    spec = DOC["paths"][path][method]["responses"][str(status)]
    schema = {**spec["content"]["application/json"]["schema"], "components": DOC["components"]}
    jsonschema.validate(body, schema)


async def register(server: RestServer, **headers: str) -> dict[str, str]:
    response = await server.client.post("/register-device", json={"platform": "android"},
                                        headers=headers)
    body = await response.json()
    assert response.status == 201, body
    check(body, "/register-device", "post", 201)
    return body  # type: ignore[no-any-return]


async def generate(server: RestServer, device_id: str, secret: str | None = None) -> Any:
    headers = {"X-Device-Secret": secret} if secret is not None else {}
    return await server.client.post("/generate-playlist", headers=headers, json={
        "prompt": "calm jazz", "device_id": device_id, "count": 5})


async def test_an_exposed_api_without_keys_refuses_a_bare_device_id(tmp_path: Path) -> None:
    async with rest_server(tmp_path, EXPOSED) as server:
        made = await generate(server, "my-phone")
        status = await server.client.get("/rate-limit-status/my-phone")
        init = await server.client.get("/auth/init", params={"device_id": "my-phone"})
        validate = await server.client.post("/auth/validate", json={
            "device_id": "my-phone", "session_id": "1b4e28ba-2fa1-41d2-883f-0016d3cca427"})
        for response, path, method in ((made, "/generate-playlist", "post"),
                                       (status, "/rate-limit-status/{device_id}", "get"),
                                       (validate, "/auth/validate", "post")):
            assert response.status == 401
            body = await response.json()
            check(body, path, method, 401)
            assert body["error"]["code"] == "device_unauthorized"
        assert init.status == 401


async def test_a_registered_device_works_with_its_secret(tmp_path: Path) -> None:
    async with rest_server(tmp_path, EXPOSED) as server:
        device = await register(server)
        made = await generate(server, device["device_id"], device["device_secret"])
        assert made.status == 200
        refined = await server.client.post(
            "/refine-playlist", headers={"X-Device-Secret": device["device_secret"]},
            json={"prompt": "more sax", "device_id": device["device_id"],
                  "playlist_id": (await made.json())["playlist_id"]})
        assert refined.status == 200
        status = await server.client.get(f"/rate-limit-status/{device['device_id']}",
                                         headers={"X-Device-Secret": device["device_secret"]})
        assert status.status == 200 and (await status.json())["requests_made_today"] == 1


async def test_registrations_hand_out_different_ids_and_secrets(tmp_path: Path) -> None:
    async with rest_server(tmp_path, EXPOSED) as server:
        first, second = await register(server), await register(server)
    assert first["device_id"] != second["device_id"]
    assert first["device_secret"] != second["device_secret"]
    assert len(first["device_secret"]) >= 32


async def test_one_devices_secret_does_not_open_another_device(tmp_path: Path) -> None:
    async with rest_server(tmp_path, EXPOSED) as server:
        mine, victim = await register(server), await register(server)
        made = await generate(server, victim["device_id"], mine["device_secret"])
        assert made.status == 401
        wrong = await generate(server, victim["device_id"], victim["device_secret"][:-1] + "x")
        assert wrong.status == 401


async def test_the_key_holder_vouches_for_its_device_ids(tmp_path: Path) -> None:
    config = ApiConfig(api_keys=(KEY,), device_secrets=True)
    async with rest_server(tmp_path, config) as server:
        assert (await generate(server, "my-phone")).status == 401  # no key
        made = await server.client.post("/generate-playlist", headers={"X-API-Key": KEY},
                                        json={"prompt": "calm jazz", "device_id": "my-phone"})
        assert made.status == 200


async def test_on_loopback_with_nothing_set_the_device_id_is_enough(tmp_path: Path) -> None:
    async with rest_server(tmp_path) as server:
        assert (await generate(server, "my-phone")).status == 200


@pytest.mark.parametrize(("env", "bare_status"), [
    ({"PUBLIC_BASE_URL": "https://bot.example.org"}, 401),
    ({"PUBLIC_BASE_URL": "https://bot.example.org", "API_KEYS": KEY}, 401),
    ({}, 200),
])
async def test_the_bot_picks_the_mode_from_its_settings(
    tmp_path: Path, env: dict[str, str], bare_status: int
) -> None:
    async with spotify_world(tmp_path, REST_API_ENABLED="true", **env) as world:
        url = world.web.base_url + "/generate-playlist"
        body = {"prompt": "relaxing jazz", "device_id": "my-phone", "count": 5}
        async with world.http.post(url, json=body) as bare:
            assert bare.status == bare_status
        if "API_KEYS" in env:
            async with world.http.post(url, json=body, headers={"X-API-Key": KEY}) as keyed:
                assert keyed.status == 200  # the key vouches; no device secret needed


# --- sessions ---------------------------------------------------------------------------


async def call(world: World, method: str, path: str, **kwargs: Any) -> Any:
    async with world.http.request(method, world.web.base_url + path, **kwargs) as response:
        body = await response.json()
        check(body, path, method.lower(), response.status)
        return body


async def test_a_session_whose_own_sign_in_never_completed_is_not_valid(tmp_path: Path) -> None:
    async with spotify_world(tmp_path, REST_API_ENABLED="true") as world:
        # Someone who knows the device id starts a session and never signs in ...
        stranger = await call(world, "GET", "/auth/init", params={"device_id": "phone-1"})
        # ... and the device's owner then links through a session of their own.
        owner = await call(world, "GET", "/auth/init", params={"device_id": "phone-1"})
        world.fake.login_as = "alice"
        assert (await world.authorize(owner["auth_url"]))[0] == 200
        theirs = await call(world, "POST", "/auth/validate",
                            json={"session_id": stranger["session_id"], "device_id": "phone-1"})
        own = await call(world, "POST", "/auth/validate",
                         json={"session_id": owner["session_id"], "device_id": "phone-1"})
    assert theirs == {"valid": False, "spotify_user_id": None, "expires_at": None}
    assert own["valid"] is True and own["spotify_user_id"]


async def test_a_device_linked_another_way_does_not_make_a_session_valid(tmp_path: Path) -> None:
    async with spotify_world(tmp_path, REST_API_ENABLED="true") as world:
        session = await call(world, "GET", "/auth/init", params={"device_id": "phone-1"})
        await world.link(UserRef("api", "phone-1", "api"), "alice")
        checked = await call(world, "POST", "/auth/validate",
                             json={"session_id": session["session_id"], "device_id": "phone-1"})
    assert checked["valid"] is False and checked["spotify_user_id"] is None


async def test_a_session_stops_being_valid_once_the_device_unlinks(tmp_path: Path) -> None:
    async with spotify_world(tmp_path, REST_API_ENABLED="true") as world:
        session = await call(world, "GET", "/auth/init", params={"device_id": "phone-1"})
        world.fake.login_as = "alice"
        await world.authorize(session["auth_url"])
        await world.linking.unlink(UserRef("api", "phone-1", "api"))
        checked = await call(world, "POST", "/auth/validate",
                             json={"session_id": session["session_id"], "device_id": "phone-1"})
    assert checked["valid"] is False

