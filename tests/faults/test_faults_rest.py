"""Faults on the REST side's own connection: a client that goes away in the middle of its
request body, or that trickles it in.  Nothing is charged, nothing logs a traceback, and the
server goes on answering."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest

from adapters.web.rest_api import ApiConfig
from tests.integration.rest_support import post_head, raw_request, rest_server


def body() -> bytes:
    return json.dumps({"prompt": "calm jazz", "device_id": "phone-1", "count": 5}).encode()


async def test_a_client_that_leaves_half_way_through_its_body_is_charged_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    whole = body()
    async with rest_server(tmp_path) as server:
        with caplog.at_level(logging.INFO):
            _reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(post_head("/generate-playlist", len(whole)) + whole[: len(whole) // 2])
            await writer.drain()
            await asyncio.sleep(0.2)
            writer.close()
            await writer.wait_closed()
            await asyncio.sleep(0.3)
        status = await (await server.client.get("/rate-limit-status/phone-1")).json()
        after = await raw_request(server.port, post_head("/generate-playlist", len(whole)), [whole])
    assert status["requests_made_today"] == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert after.status == 200  # and the server goes on


async def test_a_body_trickled_in_small_pieces_is_read_whole(tmp_path: Path) -> None:
    whole = body()
    pieces = [whole[i:i + 7] for i in range(0, len(whole), 7)]
    async with rest_server(tmp_path, ApiConfig(max_body_bytes=1024)) as server:
        answer = await raw_request(server.port, post_head("/generate-playlist", len(whole)),
                                   pieces, pause=0.01)
    assert answer.status == 200, answer.body
