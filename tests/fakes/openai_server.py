"""A fake OpenAI (or OpenAI-compatible) server: ``/v1/chat/completions``,
``/v1/embeddings``, ``/v1/models``, in OpenAI's wire format.

It checks the bearer key when ``api_key`` is set, refuses models it does not list
(404 ``model_not_found``), checks ``response_format`` and answers embeddings as
base64 little-endian float32 when asked (the SDK's default), else as float lists.

With ``context_size`` set it behaves like llama-server started with ``--ctx-size``: a
request whose messages fill the context is refused with llama.cpp's HTTP 400
("the request exceeds the available context size"), and generation stops where the
context is full (``finish_reason: "length"``), as it does at ``max_tokens``.
"""

from __future__ import annotations

import base64
import json
import struct
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from aiohttp import web

from tests.fakes.model_script import (
    Behaviour,
    FakeServer,
    endless_json,
    estimate_tokens,
    output_limit,
    prompt_tokens,
)


def _error(status: int, message: str, kind: str, code: str | None = None,
           headers: dict[str, str] | None = None) -> web.Response:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return FakeServer.json(body, status, headers)


class FakeOpenAI(FakeServer):
    """Scriptable OpenAI; ``chat`` scripts completions, ``embeddings`` the embeddings."""

    def __init__(
        self,
        *,
        api_key: str | None = "sk-test",
        models: tuple[str, ...] = ("gpt-4o-mini", "text-embedding-3-small"),
        context_size: int | None = None,
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.models = list(models)
        self.context_size = context_size

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embeddings)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/v1/models/{model}", self._model)

    def _unauthorised(self, request: web.Request) -> web.Response | None:
        if self.api_key is None:
            return None
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        return None

    def _scripted(self, behaviour: Behaviour, model: str) -> web.Response | None:
        if behaviour.kind == "model_missing" or model not in self.models:
            return _error(404, f"The model `{model}` does not exist or you do not have access to it.",
                          "invalid_request_error", "model_not_found")
        if behaviour.kind == "status":
            kinds = {401: "invalid_request_error", 403: "invalid_request_error", 500: "server_error",
                     503: "server_error"}
            return _error(behaviour.status, str(behaviour.content), kinds.get(behaviour.status, "error"))
        if behaviour.kind == "rate_limited":
            return _error(429, "Rate limit reached for requests", "requests", "rate_limit_exceeded",
                          {"Retry-After": f"{behaviour.retry_after:g}"})
        if behaviour.kind == "malformed_body":
            return self.malformed()
        return None

    async def _body(self, request: web.Request) -> dict[str, Any] | web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "We could not parse the JSON body of your request.", "invalid_request_error")
        if not isinstance(body, dict) or not isinstance(body.get("model"), str):
            return _error(400, "you must provide a model parameter", "invalid_request_error")
        return body

    async def _chat(self, request: web.Request) -> web.Response:
        refused = self._unauthorised(request)
        if refused is not None:
            return refused
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return _error(400, "'messages' must be a non-empty array", "invalid_request_error")
        response_format = body.get("response_format")
        if response_format is not None and (
            response_format.get("type") == "json_schema"
            and not isinstance(response_format.get("json_schema", {}).get("schema"), dict)
        ):
            return _error(400, "Missing required parameter: 'response_format.json_schema.schema'.",
                          "invalid_request_error")
        used = prompt_tokens(*(m.get("content") for m in messages if isinstance(m, dict)))
        if self.context_size is not None and used >= self.context_size:
            # llama-server's answer, word for word (its error has no "code" string).
            return self.json({"error": {
                "code": 400, "message": "the request exceeds the available context size, try "
                "increasing it", "type": "exceed_context_size_error",
                "n_prompt_tokens": used, "n_ctx": self.context_size}}, 400)
        behaviour = self.chat.next()
        await self.wait(self.chat, behaviour)
        failure = self._scripted(behaviour, body["model"])
        if failure is not None:
            return failure
        finish = "stop"
        if behaviour.kind == "endless":
            bound = body.get("max_completion_tokens", body.get("max_tokens"))
            content = endless_json(output_limit(bound, self.context_size, used))
            finish = "length"
        else:
            content = self.text_of(behaviour.content)
        return self.json({
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None,
                            "annotations": []},
                "logprobs": None,
                "finish_reason": finish,
            }],
            "usage": {"prompt_tokens": used, "completion_tokens": estimate_tokens(content),
                      "total_tokens": used + estimate_tokens(content)},
            "system_fingerprint": "fp_fake",
        })

    async def _embeddings(self, request: web.Request) -> web.Response:
        refused = self._unauthorised(request)
        if refused is not None:
            return refused
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        behaviour = self.embeddings.next()
        await self.wait(self.embeddings, behaviour)
        failure = self._scripted(behaviour, body["model"])
        if failure is not None:
            return failure
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else texts
        if not isinstance(texts, list) or not texts:
            return _error(400, "'input' must be a string or a non-empty array", "invalid_request_error")
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        for index, text in enumerate(texts):
            vector = self.embed(str(text))
            encoded: object = (
                base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
                if as_base64 else vector
            )
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        return self.json({"object": "list", "data": data, "model": body["model"],
                          "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)}})

    async def _models(self, request: web.Request) -> web.Response:
        refused = self._unauthorised(request)
        if refused is not None:
            return refused
        return self.json({"object": "list", "data": [
            {"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "fake"} for m in self.models
        ]})

    async def _model(self, request: web.Request) -> web.Response:
        refused = self._unauthorised(request)
        if refused is not None:
            return refused
        model = request.match_info["model"]
        if model not in self.models:
            return _error(404, f"The model `{model}` does not exist", "invalid_request_error",
                          "model_not_found")
        return self.json({"id": model, "object": "model", "created": 1_700_000_000, "owned_by": "fake"})


@pytest_asyncio.fixture
async def openai_server() -> AsyncIterator[FakeOpenAI]:
    """A running fake OpenAI that wants the key ``sk-test`` and serves gpt-4o-mini."""
    async with FakeOpenAI() as server:
        yield server
