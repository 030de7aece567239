"""Hostile REST requests get a 4xx with the error shape, never a 500 with a traceback.

Each case once answered 500 (an unhandled RecursionError, ValueError, OverflowError or
UnicodeEncodeError) to a client that had not even authenticated.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram.ext import ApplicationBuilder

from adapters.telegram.webhook import webhook_route
from adapters.web.rest_api import ApiConfig
from tests.integration.rest_support import RawAnswer, post_head, raw_request, rest_server

KEY = "operator-app-key-0123456789"


def assert_error_shape(answer: RawAnswer, status: int) -> None:
    assert answer.status == status, answer.body
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert "Traceback" not in body["error"]["message"]


async def post_raw(port: int, path: str, body: bytes, *headers: str) -> RawAnswer:
    return await raw_request(port, post_head(path, len(body), *headers), [body])


async def test_deeply_nested_json_is_400(tmp_path: Path) -> None:
    depth = 30_000
    body = (b'{"prompt": "jazz", "device_id": "d", "user_context": '
            + b"[" * depth + b"]" * depth + b"}")
    async with rest_server(tmp_path) as server:
        answer = await post_raw(server.port, "/generate-playlist", body)
    assert_error_shape(answer, 400)


async def test_an_integer_past_pythons_digit_limit_is_400(tmp_path: Path) -> None:
    body = b'{"prompt": "jazz", "device_id": "d", "count": 1' + b"0" * 4_400 + b"}"
    async with rest_server(tmp_path) as server:
        answer = await post_raw(server.port, "/generate-playlist", body)
    assert_error_shape(answer, 400)


@pytest.mark.parametrize("playlist_id", [2**63, 2**64, str(2**63), -1, 0, 1.5, "1_0", True])
async def test_playlist_ids_the_store_cannot_hold_are_not_found(
    tmp_path: Path, playlist_id: object
) -> None:
    body = json.dumps({"prompt": "more jazz", "device_id": "d", "playlist_id": playlist_id})
    async with rest_server(tmp_path) as server:
        answer = await post_raw(server.port, "/refine-playlist", body.encode())
    assert_error_shape(answer, 404)


@pytest.mark.parametrize("header", [
    b"X-API-Key: caf\xc3\xa9-key-0123456789",
    b"X-API-Key: \xff\xfe\xfd",
    b"Authorization: Bearer \xc3\xa9\xc3\xa9\xc3\xa9",
    b"Authorization: Bearer \xff\xfe",
])
async def test_non_ascii_credentials_are_401(tmp_path: Path, header: bytes) -> None:
    body = b'{"prompt": "jazz", "device_id": "d"}'
    head = post_head("/generate-playlist", len(body)).replace(
        b"Connection: close\r\n", b"Connection: close\r\n" + header + b"\r\n")
    async with rest_server(tmp_path, ApiConfig(api_keys=(KEY,))) as server:
        answer = await raw_request(server.port, head, [body])
    assert_error_shape(answer, 401)


async def test_a_non_ascii_device_secret_is_401(tmp_path: Path) -> None:
    body = b'{"prompt": "jazz", "device_id": "d"}'
    head = post_head("/generate-playlist", len(body)).replace(
        b"Connection: close\r\n", b"Connection: close\r\nX-Device-Secret: \xc3\xa9\xff\r\n")
    async with rest_server(tmp_path, ApiConfig(device_secrets=True)) as server:
        answer = await raw_request(server.port, head, [body])
    assert_error_shape(answer, 401)


@pytest.fixture
async def webhook_port() -> AsyncIterator[int]:
    application = ApplicationBuilder().token("123:abc").build()
    app = web.Application()
    app.add_routes([webhook_route(application, "/hook", lambda: "s3cret-Token_1")])
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        assert server.port is not None
        yield server.port
    finally:
        await server.close()


async def test_a_non_ascii_telegram_secret_header_is_403(webhook_port: int) -> None:
    body = b'{"update_id": 1}'
    head = post_head("/hook", len(body)).replace(
        b"Connection: close\r\n",
        b"Connection: close\r\nX-Telegram-Bot-Api-Secret-Token: s3cr\xff\xc3\xa9t\r\n")
    answer = await raw_request(webhook_port, head, [body])
    assert answer.status == 403


async def test_deeply_nested_json_to_the_telegram_webhook_is_400(webhook_port: int) -> None:
    body = b"[" * 30_000 + b"]" * 30_000
    answer = await post_raw(webhook_port, "/hook", body,
                            "X-Telegram-Bot-Api-Secret-Token: s3cret-Token_1")
    assert answer.status == 400
