"""OpenAI and any OpenAI-compatible endpoint (llama.cpp's server, vLLM, LM Studio, OpenRouter).

One class, two names: ``openai`` (api.openai.com or OPENAI_BASE_URL) and ``custom``
(CUSTOM_AI_BASE_URL with its own model, key and extra headers).  Structured output
goes through ``response_format`` with the strategy's JSON schema; the schema is sent
non-strict because OpenAI's strict mode refuses optional fields and length bounds,
and every answer is checked by ``read_strategy`` anyway.  Each call's output is capped
(``max_completion_tokens`` for OpenAI, ``max_tokens`` for compatible servers) at what
the request's plan needs; ``finish_reason: "length"`` marks an answer cut there, and a
context-size refusal (llama.cpp's HTTP 400, OpenAI's ``context_length_exceeded``) is an
answer too long, not a server failure.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any, cast

import openai
from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema

from adapters.ai.base import Ask, Completion, Message, StructuredProvider
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
from core.prompting import StrategyPrompt

# The ceiling of any call's output tokens; each call asks for less (``Ask.max_tokens``).
MAX_OUTPUT_TOKENS = 8192
TOKEN_FIELDS = ("max_completion_tokens", "max_tokens")
# OpenAI's newer models take only max_completion_tokens and the default temperature;
# compatible servers (llama.cpp, vLLM, older proxies) know max_tokens.
OPENAI_SAMPLING: dict[str, object] = {"max_completion_tokens": MAX_OUTPUT_TOKENS}
COMPATIBLE_SAMPLING: dict[str, object] = {"max_tokens": MAX_OUTPUT_TOKENS, "temperature": 0.7}


def response_format(schema: dict[str, Any]) -> dict[str, Any]:
    """``response_format`` for ``schema`` (non-strict: see the module's docstring)."""
    return {"type": "json_schema",
            "json_schema": {"name": "playlist_strategy", "strict": False, "schema": schema}}


def bounded_sampling(sampling: Mapping[str, object], max_tokens: int) -> dict[str, object]:
    """``sampling`` with its token field (whichever it has, else ``max_tokens``) capped at
    ``max_tokens``: no call goes out unbounded."""
    out = dict(sampling)
    if not any(field in out for field in TOKEN_FIELDS):
        out["max_tokens"] = max_tokens
    for field in TOKEN_FIELDS:
        ceiling = out.get(field)
        if field in out:
            out[field] = min(ceiling, max_tokens) if isinstance(ceiling, int) else max_tokens
    return out


def map_openai_error(exc: BaseException, *, provider: str, model: str) -> ProviderError:
    """The router's view of an error raised by the openai library."""
    if isinstance(exc, openai.APITimeoutError):
        return ProviderTimeout(provider, "timed out")
    if isinstance(exc, openai.APIConnectionError):
        return ProviderRefused(provider, "not reachable")
    if isinstance(exc, openai.RateLimitError):
        retry_after = parse_retry_after(exc.response.headers.get("retry-after"))
        return ProviderRateLimited(provider, f"rate limited; retry after {retry_after:g} s", retry_after)
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ProviderAuthError(provider, f"refused the API key (HTTP {exc.status_code})")
    if isinstance(exc, openai.NotFoundError):
        return ModelMissing(provider, f"model {model!r} not found")
    if isinstance(exc, openai.APIResponseValidationError | json.JSONDecodeError):
        return ProviderBadOutput(provider, "answered with a malformed body")
    if isinstance(exc, openai.BadRequestError) and says_context_full(exc.code, exc.type, exc.message):
        return ProviderTooLong(provider, "the request and its answer exceed the model's context size")
    if isinstance(exc, openai.APIStatusError):
        return ProviderRefused(provider, f"HTTP {exc.status_code}")
    return ProviderRefused(provider, f"failed ({type(exc).__name__})")


class OpenAIProvider(StructuredProvider):
    """``ChatModel`` over ``openai.AsyncOpenAI`` (the client is built once, in bot/).

    With an empty ``model`` (a custom endpoint serving one model, like llama.cpp's
    server) the first model the endpoint lists is used.
    """

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        *,
        name: str,
        model: str,
        timeout: float,
        sampling: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(name=name, model=model, timeout=timeout)
        self._client = client
        self._sampling = dict(COMPATIBLE_SAMPLING if sampling is None else sampling)
        self._model_lock = asyncio.Lock()

    def _first_messages(self, prompt: StrategyPrompt) -> list[Message]:
        return [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}]

    async def _complete(self, messages: list[Message], ask: Ask) -> Completion:
        try:
            model = await self._model_name()
            response = await self._client.chat.completions.create(
                model=model,
                messages=cast("list[ChatCompletionMessageParam]", messages),
                response_format=cast("ResponseFormatJSONSchema", response_format(ask.schema)),
                extra_body=bounded_sampling(self._sampling, ask.max_tokens),
                timeout=self.timeout,
            )
        except ProviderError:
            raise
        except Exception as exc:  # the SDK's errors, and a body that is not JSON at all
            raise map_openai_error(exc, provider=self.name, model=self.model) from None
        choices = getattr(response, "choices", None)
        if not isinstance(choices, list) or not choices:
            raise ProviderBadOutput(self.name, "answered without a choice")
        message = choices[0].message
        if message.refusal:
            raise ProviderBadOutput(self.name, "the model refused to answer")
        content = message.content or ""
        cut = choices[0].finish_reason == "length"
        return Completion(payload=content, turn={"role": "assistant", "content": content}, cut=cut)

    async def _model_name(self) -> str:
        if self.model:
            return self.model
        async with self._model_lock:
            if not self.model:
                page = await self._client.models.list()
                if not page.data:
                    raise ModelMissing(self.name, "the endpoint lists no model; set its name")
                self.model = page.data[0].id
        return self.model

    async def health(self) -> DependencyStatus:
        label = f"model:{self.name}"
        try:
            page = await self._client.models.list(timeout=self.timeout)
        except openai.NotFoundError:
            # Some compatible servers have no model list; answering at all is reachable.
            return DependencyStatus(label, True, self.model or "reachable (no model list)")
        except Exception as exc:
            error = map_openai_error(exc, provider=self.name, model=self.model)
            return DependencyStatus(label, False, error.detail)
        listed = [m.id for m in page.data]
        if not self.model:
            if not listed:
                return DependencyStatus(label, False, "the endpoint lists no model")
            return DependencyStatus(label, True, listed[0])
        if self.model in listed:
            return DependencyStatus(label, True, self.model)
        return DependencyStatus(label, False, f"model {self.model!r} not offered")
