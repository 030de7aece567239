"""Request bodies are read to their end under the size limit, however the network splits them."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.web.rest_api import ApiConfig
from tests.integration.rest_support import post_head, raw_request, rest_server

LIMIT = ApiConfig(max_body_bytes=16 * 1024)


def generate_body(padding: int) -> bytes:
    """A valid generate request of about ``padding`` bytes (unknown context keys are ignored)."""
    return json.dumps({"prompt": "calm jazz for studying", "device_id": "phone-1", "count": 5,
                       "user_context": {"note": "x" * padding}}).encode()


def chunked(*pieces: bytes) -> list[bytes]:
    return [f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces] + [b"0\r\n\r\n"]


async def test_a_body_sent_in_two_writes_with_a_pause_is_read_whole(tmp_path: Path) -> None:
    body = generate_body(3_500)
    assert 3_500 < len(body) < 3_700
    async with rest_server(tmp_path, LIMIT) as server:
        answer = await raw_request(server.port, post_head("/generate-playlist", len(body)),
                                   [body[:1_000], body[1_000:]], pause=0.3)
    assert answer.status == 200, answer.body
    assert answer.json()["total_count"] == 5


async def test_a_chunked_body_in_several_writes_is_read_whole(tmp_path: Path) -> None:
    body = generate_body(3_500)
    head = (b"POST /generate-playlist HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    async with rest_server(tmp_path, LIMIT) as server:
        answer = await raw_request(server.port, head, chunked(body[:10], body[10:2000], body[2000:]),
                                   pause=0.2)
    assert answer.status == 200, answer.body


async def test_a_valid_first_chunk_followed_by_too_much_more_is_413(tmp_path: Path) -> None:
    # No Content-Length: only a running count can see that the body is over the limit.
    first = generate_body(100)
    head = (b"POST /generate-playlist HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    rest = [b" " * 10_000] * 31  # 310 KB of (valid JSON) white space after the object
    async with rest_server(tmp_path, LIMIT) as server:
        answer = await raw_request(server.port, head, chunked(first, *rest), pause=0.01)
        status = await (await server.client.get("/rate-limit-status/phone-1")).json()
    assert answer.status == 413
    assert answer.json()["error"]["code"] == "too_large"
    assert status["requests_made_today"] == 0


async def test_a_content_length_over_the_limit_is_413_before_the_body_is_read(
    tmp_path: Path,
) -> None:
    async with rest_server(tmp_path, LIMIT) as server:
        answer = await raw_request(server.port, post_head("/generate-playlist", 300_000))
    assert answer.status == 413


async def test_data_after_the_json_value_is_400(tmp_path: Path) -> None:
    async with rest_server(tmp_path, LIMIT) as server:
        for body in (generate_body(10) + b'{"device_id": "other"}', generate_body(10) + b" x"):
            response = await server.client.post("/generate-playlist", data=body,
                                                headers={"Content-Type": "application/json"})
            assert response.status == 400
            assert (await response.json())["error"]["code"] == "bad_json"
