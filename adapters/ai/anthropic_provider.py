"""Anthropic: ``anthropic.AsyncAnthropic`` with the strategy as a forced tool call.

The model must call the one tool, ``playlist_strategy``, whose input schema is the
strategy's JSON schema; its ``input`` is the strategy.  A failing call is answered
with a ``tool_result`` marked as an error (the one repair attempt).  ``max_tokens``
is what the request's plan needs; ``stop_reason: "max_tokens"`` marks an answer cut
there, whose repair sends back a clipped text of it instead of the tool call.
"""

from __future__ import annotations

import json
from typing import Any, cast

import anthropic
from anthropic.types import MessageParam, ToolParam

from adapters.ai.base import (
    REPAIR_ECHO_CHARS,
    Ask,
    Completion,
    Message,
    StructuredProvider,
    answer_text,
    clipped_turn,
)
from adapters.ai.errors import (
    ModelMissing,
    ProviderAuthError,
    ProviderBadOutput,
    ProviderError,
    ProviderRateLimited,
    ProviderRefused,
    ProviderTimeout,
    ProviderTooLong,
    parse_retry_after,
    says_context_full,
)
from core.models import DependencyStatus
from core.prompting import StrategyPrompt, repair_text

NAME = "anthropic"
TOOL_NAME = "playlist_strategy"


def strategy_tool(schema: dict[str, Any]) -> dict[str, Any]:
    """The one tool the model must call, its input being the strategy."""
    return {
        "name": TOOL_NAME,
        "description": "Records the playlist plan. Always call it with the complete plan.",
        "input_schema": schema,
    }


def map_anthropic_error(exc: BaseException, *, provider: str, model: str) -> ProviderError:
    """The router's view of an error raised by the anthropic library."""
    if isinstance(exc, anthropic.APITimeoutError):
        return ProviderTimeout(provider, "timed out")
    if isinstance(exc, anthropic.APIConnectionError):
        return ProviderRefused(provider, "not reachable")
    if isinstance(exc, anthropic.RateLimitError):
        retry_after = parse_retry_after(exc.response.headers.get("retry-after"))
        return ProviderRateLimited(provider, f"rate limited; retry after {retry_after:g} s", retry_after)
    if isinstance(exc, anthropic.AuthenticationError | anthropic.PermissionDeniedError):
        return ProviderAuthError(provider, f"refused the API key (HTTP {exc.status_code})")
    if isinstance(exc, anthropic.NotFoundError):
        return ModelMissing(provider, f"model {model!r} not found")
    if isinstance(exc, anthropic.APIResponseValidationError | json.JSONDecodeError):
        return ProviderBadOutput(provider, "answered with a malformed body")
    if isinstance(exc, anthropic.BadRequestError) and says_context_full(exc.message):
        return ProviderTooLong(provider, "the request and its answer exceed the model's context size")
    if isinstance(exc, anthropic.APIStatusError):
        if exc.status_code == 529:  # overloaded: come back a little later
            return ProviderRateLimited(provider, "overloaded (HTTP 529)", 30.0)
        return ProviderRefused(provider, f"HTTP {exc.status_code}")
    return ProviderRefused(provider, f"failed ({type(exc).__name__})")


class AnthropicProvider(StructuredProvider):
    """``ChatModel`` over ``anthropic.AsyncAnthropic`` (the client is built once, in bot/)."""

    def __init__(self, client: anthropic.AsyncAnthropic, *, model: str, timeout: float) -> None:
        super().__init__(name=NAME, model=model, timeout=timeout)
        self._client = client

    def _first_messages(self, prompt: StrategyPrompt) -> list[Message]:
        return [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}]

    async def _complete(self, messages: list[Message], ask: Ask) -> Completion:
        # The Messages API takes the system text apart from the turns.
        system = "\n".join(m["content"] for m in messages if m["role"] == "system")
        turns = [m for m in messages if m["role"] != "system"]
        try:
            response = await self._client.messages.create(
                model=self.model,
                max_tokens=ask.max_tokens,
                system=system,
                messages=cast("list[MessageParam]", turns),
                tools=[cast("ToolParam", strategy_tool(ask.schema))],
                tool_choice={"type": "tool", "name": TOOL_NAME},
                timeout=self.timeout,
            )
        except Exception as exc:  # the SDK's errors, and a body that is not JSON at all
            raise map_anthropic_error(exc, provider=self.name, model=self.model) from None
        blocks = getattr(response, "content", None)
        if not isinstance(blocks, list):
            raise ProviderBadOutput(self.name, "answered without content")
        cut = getattr(response, "stop_reason", None) == "max_tokens"
        for block in blocks:
            if block.type == "tool_use" and block.name == TOOL_NAME:
                turn = {"role": "assistant", "content": [
                    {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
                ]}
                return Completion(payload=block.input, turn=turn, call_id=block.id, cut=cut)
        # No tool call: whatever text came back is checked (and repaired) like any answer.
        text = "".join(b.text for b in blocks if b.type == "text")
        return Completion(payload=text, turn={"role": "assistant", "content": text or "(no answer)"},
                          cut=cut)

    def _repair_messages(self, completion: Completion, problem: str) -> list[Message]:
        too_big = len(answer_text(completion.payload)) > REPAIR_ECHO_CHARS
        if completion.call_id is None or completion.cut or too_big:
            # A cut or long tool call goes back as clipped text, not whole.
            return [clipped_turn(completion), {"role": "user", "content": repair_text(problem)}]
        result = {
            "type": "tool_result",
            "tool_use_id": completion.call_id,
            "is_error": True,
            "content": repair_text(problem),
        }
        return [completion.turn, {"role": "user", "content": [result]}]

    async def health(self) -> DependencyStatus:
        label = f"model:{self.name}"
        try:
            info = await self._client.models.retrieve(self.model, timeout=self.timeout)
        except Exception as exc:
            error = map_anthropic_error(exc, provider=self.name, model=self.model)
            return DependencyStatus(label, False, error.detail)
        return DependencyStatus(label, True, info.id)
