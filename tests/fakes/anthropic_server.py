"""A fake Anthropic server: ``/v1/messages`` and ``/v1/models``, in Anthropic's wire format.

It checks the ``anthropic-version`` header and the key (``x-api-key``, or
``Authorization: Bearer`` as some SDK builds send it), the conversation's shape
(roles alternate, every ``tool_result`` answers an earlier ``tool_use``) and a forced
``tool_choice`` naming a declared tool.  A dict answer comes back as a ``tool_use``
block of the forced (or first) tool; a str answer as a text block.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from aiohttp import web

from tests.fakes.model_script import Behaviour, FakeServer, endless_json, output_limit, prompt_tokens

_ERROR_TYPES = {
    400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
    404: "not_found_error", 429: "rate_limit_error", 500: "api_error", 529: "overloaded_error",
}


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    body = {"type": "error", "error": {"type": _ERROR_TYPES.get(status, "api_error"), "message": message},
            "request_id": "req_fake"}
    return FakeServer.json(body, status, headers)


class FakeAnthropic(FakeServer):
    """Scriptable Anthropic Messages API; ``chat`` scripts /v1/messages."""

    def __init__(self, *, api_key: str = "sk-ant-test",
                 models: tuple[str, ...] = ("claude-haiku-4-5",)) -> None:
        super().__init__()
        self.api_key = api_key
        self.models = list(models)

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_get("/v1/models", self._list_models)
        app.router.add_get("/v1/models/{model}", self._model)

    def _refused(self, request: web.Request) -> web.Response | None:
        if not request.headers.get("anthropic-version"):
            return _error(400, "anthropic-version: header is required")
        key = request.headers.get("x-api-key")
        bearer = request.headers.get("Authorization", "")
        if key != self.api_key and bearer != f"Bearer {self.api_key}":
            return _error(401, "invalid x-api-key")
        return None

    @staticmethod
    def _shape_problem(body: dict[str, Any]) -> str | None:
        if not isinstance(body.get("model"), str):
            return "model: Field required"
        if not isinstance(body.get("max_tokens"), int):
            return "max_tokens: Field required"
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return "messages: at least one message is required"
        tool_uses: set[str] = set()
        for n, message in enumerate(messages):
            expected = "user" if n % 2 == 0 else "assistant"
            if message.get("role") != expected:
                return f"messages.{n}.role: roles must alternate between user and assistant"
            content = message.get("content")
            for block in content if isinstance(content, list) else []:
                if block.get("type") == "tool_use":
                    tool_uses.add(block.get("id"))
                if block.get("type") == "tool_result" and block.get("tool_use_id") not in tool_uses:
                    return f"messages.{n}: tool_result block(s) without a matching tool_use"
        choice = body.get("tool_choice")
        names = [t.get("name") for t in body.get("tools", [])]
        if choice and choice.get("type") == "tool" and choice.get("name") not in names:
            return "tool_choice: names a tool that is not declared"
        for tool in body.get("tools", []):
            if not isinstance(tool.get("input_schema"), dict):
                return "tools: input_schema is required"
        return None

    def _scripted(self, behaviour: Behaviour, model: str) -> web.Response | None:
        if behaviour.kind == "model_missing" or model not in self.models:
            return _error(404, f"model: {model}")
        if behaviour.kind == "status":
            return _error(behaviour.status, str(behaviour.content))
        if behaviour.kind == "rate_limited":
            return _error(429, "Number of requests has exceeded your rate limit",
                          {"retry-after": f"{behaviour.retry_after:g}"})
        if behaviour.kind == "malformed_body":
            return self.malformed()
        return None

    async def _messages(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "invalid JSON body")
        problem = self._shape_problem(body) if isinstance(body, dict) else "body must be an object"
        if problem:
            return _error(400, problem)
        behaviour = self.chat.next()
        await self.wait(self.chat, behaviour)
        failure = self._scripted(behaviour, body["model"])
        if failure is not None:
            return failure
        content: list[dict[str, Any]]
        if behaviour.kind == "endless":
            # Cut at max_tokens inside the forced tool call: its input never completed.
            used = prompt_tokens(body.get("system"), *(m.get("content") for m in body["messages"]))
            cut = endless_json(output_limit(body["max_tokens"], self.context_size, used))
            choice = body.get("tool_choice") or {}
            if choice.get("name"):
                content = [{"type": "tool_use", "id": f"toolu_{len(self.requests):04d}",
                            "name": choice["name"], "input": {}}]
            else:
                content = [{"type": "text", "text": cut}]
            stop = "max_tokens"
        elif isinstance(behaviour.content, dict):
            choice = body.get("tool_choice") or {}
            tools = body.get("tools") or [{"name": "answer"}]
            name = choice.get("name") or tools[0]["name"]
            content = [{"type": "tool_use", "id": f"toolu_{len(self.requests):04d}", "name": name,
                        "input": behaviour.content}]
            stop = "tool_use"
        else:
            content = [{"type": "text", "text": self.text_of(behaviour.content)}]
            stop = "end_turn"
        return self.json({
            "id": f"msg_{len(self.requests):04d}", "type": "message", "role": "assistant",
            "model": body["model"], "content": content, "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": 300, "output_tokens": 200},
        })

    def _info(self, model: str) -> dict[str, Any]:
        return {"type": "model", "id": model, "display_name": model.replace("-", " ").title(),
                "created_at": "2025-10-01T00:00:00Z"}

    async def _list_models(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        data = [self._info(m) for m in self.models]
        return self.json({"data": data, "has_more": False,
                          "first_id": data[0]["id"] if data else None,
                          "last_id": data[-1]["id"] if data else None})

    async def _model(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        model = request.match_info["model"]
        if model not in self.models:
            return _error(404, f"model: {model}")
        return self.json(self._info(model))


@pytest_asyncio.fixture
async def anthropic_server() -> AsyncIterator[FakeAnthropic]:
    """A running fake Anthropic that wants the key ``sk-ant-test`` and serves claude-haiku-4-5."""
    async with FakeAnthropic() as server:
        yield server
