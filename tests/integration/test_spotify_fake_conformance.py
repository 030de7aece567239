"""The fake Spotify answers in the shapes of Spotify's published OpenAPI document (2026)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.integration.spotify_support import ALICE, World, spotify_world

SPEC = Path("/work/shared/specs/spotify-openapi.yml")
if not SPEC.exists():  # the specs sit beside the checkout in CI too; skip where they do not
    pytest.skip("Spotify's OpenAPI document is not available", allow_module_level=True)


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 -> JSON Schema: ``nullable`` becomes a null type; discriminators dropped."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k not in {"discriminator", "example"}}
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@pytest.fixture(scope="module")
def components() -> dict[str, Any]:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return {"components": _json_schema(copy.deepcopy(spec["components"]))}


def check(components: dict[str, Any], schema: str, body: Any) -> None:
    jsonschema.validate(body, {**components, "$ref": f"#/components/schemas/{schema}"})


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with spotify_world(tmp_path) as w:
        yield w


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


async def test_every_answer_the_bot_gets_matches_spotifys_schemas(
    world: World, components: dict[str, Any]
) -> None:
    await world.link(ALICE, "alice")
    playlist = await world.app.engine.generate(ALICE, "relaxing jazz for studying", 12)
    await world.linking.save(ALICE, playlist.draft_id)
    account = await world.linking.linked_account(ALICE)
    assert account is not None
    [saved] = world.fake.playlists_of("alice")
    user_token = next(t for t, v in world.fake._tokens.items() if v.user_id == "alice")
    app_token = next(t for t, v in world.fake._tokens.items() if v.kind == "app")

    async def get(path: str, token: str) -> Any:
        async with world.http.get(world.fake.api_url + path,
                                  headers={"Authorization": f"Bearer {token}"}) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    search = await get('search?q=genre:"jazz"&type=track&limit=10', app_token)
    check(components, "PagingTrackObject", search["tracks"])
    for item in search["tracks"]["items"]:
        check(components, "TrackObject", item)
    check(components, "TrackObject", await get(f"tracks/{playlist.tracks[0].id}", app_token))
    me = await get("me", user_token)
    check(components, "PrivateUserObject", me)
    assert not {"country", "email", "product", "followers"} & set(me)
    top = await get("me/top/artists", user_token)
    check(components, "PagingArtistObject", top)
    check(components, "PlaylistObject", await get(f"playlists/{saved.id}", user_token))
    items = await get(f"playlists/{saved.id}/items", user_token)
    check(components, "PagingPlaylistTrackObject", items)
    everything = [search, top, items]
    assert not {"popularity", "followers"} & _keys(everything)


async def test_errors_are_spotifys_error_object(world: World, components: dict[str, Any]) -> None:
    async with world.http.get(world.fake.api_url + "search?q=x&type=track&limit=11",
                              headers={"Authorization": "Bearer nope"}) as response:
        body = await response.json()
    assert response.status == 401
    check(components, "ErrorObject", body["error"])
    await asyncio.sleep(0)
