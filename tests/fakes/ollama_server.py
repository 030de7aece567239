"""A fake Ollama server: ``/api/tags``, ``/api/chat``, ``/api/generate``, ``/api/embed``,
``/api/embeddings``, ``/api/pull``, in Ollama's wire format.

Models must be "pulled" (listed in ``models``) to answer, as with real Ollama: asking
for another one is a 404 ``model "x" not found, try pulling it first``; ``/api/pull``
streams NDJSON progress and then lists the model.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest_asyncio
from aiohttp import web

from tests.fakes.model_script import (
    Behaviour,
    FakeServer,
    Script,
    answer,
    endless_json,
    output_limit,
    prompt_tokens,
)


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class FakeOllama(FakeServer):
    """Scriptable Ollama: ``chat`` scripts /api/chat and /api/generate, ``embeddings`` the
    embeds, ``tags`` the model list."""

    def __init__(self, models: tuple[str, ...] = ("llama3.2:3b", "nomic-embed-text:latest")) -> None:
        super().__init__()
        self.models = list(models)
        self.tags = Script(default=answer(None))  # /api/tags: latency, hang, errors
        self.pull_steps = 3
        self.pull_step_delay = 0.0
        self.pull_fails = False

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/api/tags", self._tags)
        app.router.add_post("/api/chat", self._chat)
        app.router.add_post("/api/generate", self._generate)
        app.router.add_post("/api/embed", self._embed)
        app.router.add_post("/api/embeddings", self._embeddings)
        app.router.add_post("/api/pull", self._pull)

    # --- helpers ----------------------------------------------------------------------
    def _has(self, model: str) -> bool:
        full = model if ":" in model else f"{model}:latest"
        return any(m == full or m == model for m in self.models)

    @staticmethod
    def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
        return FakeServer.json({"error": message}, status, headers)

    async def _body(self, request: web.Request) -> dict[str, Any] | web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return self._error(400, "invalid JSON")
        if not isinstance(body, dict) or not body.get("model"):
            return self._error(400, "model is required")
        return body

    async def _scripted(self, behaviour: Behaviour, model: str) -> web.Response | None:
        """The response for a non-answer behaviour (or a missing model), else None."""
        if behaviour.kind == "model_missing" or not self._has(model):
            return self._error(404, f'model "{model}" not found, try pulling it first')
        if behaviour.kind == "status":
            return self._error(behaviour.status, str(behaviour.content))
        if behaviour.kind == "rate_limited":
            return self._error(429, "too many requests", {"Retry-After": f"{behaviour.retry_after:g}"})
        if behaviour.kind == "malformed_body":
            return self.malformed()
        return None

    def _timings(self, model: str) -> dict[str, Any]:
        return {
            "model": model, "created_at": _now(), "done": True, "done_reason": "stop",
            "total_duration": 1_000_000, "load_duration": 1000, "prompt_eval_count": 50,
            "prompt_eval_duration": 1000, "eval_count": 100, "eval_duration": 1000,
        }

    # --- endpoints --------------------------------------------------------------------
    async def _tags(self, request: web.Request) -> web.Response:
        behaviour = self.tags.next()
        await self.wait(self.tags, behaviour)
        if behaviour.kind == "status":
            return self._error(behaviour.status, str(behaviour.content))
        return self.json({"models": [
            {"name": m, "model": m, "modified_at": _now(), "size": 2_019_393_189,
             "digest": "a80c4f17acd5" + "0" * 52,
             "details": {"format": "gguf", "family": "llama", "parameter_size": "3.2B",
                         "quantization_level": "Q4_K_M"}}
            for m in self.models
        ]})

    async def _chat(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        if not isinstance(body.get("messages"), list):
            return self._error(400, "messages must be a list")
        behaviour = self.chat.next()
        await self.wait(self.chat, behaviour)
        failure = await self._scripted(behaviour, body["model"])
        if failure is not None:
            return failure
        if behaviour.kind == "endless":  # cut at options.num_predict, as Ollama does
            used = prompt_tokens(*(m.get("content") for m in body["messages"] if isinstance(m, dict)))
            options = body.get("options") or {}
            content = endless_json(output_limit(options.get("num_predict"), self.context_size, used))
            return self.json({**self._timings(body["model"]), "done_reason": "length",
                              "message": {"role": "assistant", "content": content}})
        content = await self.content_for(behaviour, body)
        return self.json({**self._timings(body["model"]),
                          "message": {"role": "assistant", "content": content}})

    async def _generate(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        behaviour = self.chat.next()
        await self.wait(self.chat, behaviour)
        failure = await self._scripted(behaviour, body["model"])
        if failure is not None:
            return failure
        return self.json({**self._timings(body["model"]), "response": self.text_of(behaviour.content),
                          "context": [1, 2, 3]})

    async def _embedding_failure(self, model: str) -> web.Response | None:
        behaviour = self.embeddings.next()
        await self.wait(self.embeddings, behaviour)
        return await self._scripted(behaviour, model)

    async def _embed(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        failure = await self._embedding_failure(body["model"])
        if failure is not None:
            return failure
        texts = body.get("input", "")
        texts = [texts] if isinstance(texts, str) else texts
        return self.json({"model": body["model"], "embeddings": [self.embed(t) for t in texts],
                          "total_duration": 1000, "load_duration": 10, "prompt_eval_count": len(texts)})

    async def _embeddings(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        failure = await self._embedding_failure(body["model"])
        if failure is not None:
            return failure
        return self.json({"embedding": self.embed(str(body.get("prompt", "")))})

    async def _pull(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        model = str(body.get("model") or body.get("name") or "")
        if self.pull_fails:
            return self._error(500, f"pull model manifest: file does not exist for {model}")
        if body.get("stream") is False:
            await asyncio.sleep(self.pull_step_delay * self.pull_steps)
            self.models.append(model if ":" in model else f"{model}:latest")
            return self.json({"status": "success"})
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        total = 1000
        await response.write(b'{"status":"pulling manifest"}\n')
        for step in range(1, self.pull_steps + 1):
            await asyncio.sleep(self.pull_step_delay)
            line = {"status": "pulling a80c4f17acd5", "digest": "sha256:a80c4f17acd5",
                    "total": total, "completed": total * step // self.pull_steps}
            await response.write(json.dumps(line).encode() + b"\n")
        self.models.append(model if ":" in model else f"{model}:latest")
        await response.write(b'{"status":"success"}\n')
        await response.write_eof()
        return response


@pytest_asyncio.fixture
async def ollama_server() -> AsyncIterator[FakeOllama]:
    """A running fake Ollama with llama3.2:3b and nomic-embed-text pulled."""
    async with FakeOllama() as server:
        yield server
