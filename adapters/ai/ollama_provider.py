"""Ollama (the default model): ``ollama.AsyncClient`` with the strategy's JSON schema.

Structured output goes through ``format=<JSON schema>``.  A model that is not pulled
yet is a clear message ("run `ollama pull llama3.2:3b`") and, when the operator
allows it, a background pull bounded by ``OLLAMA_MODEL_PULL_TIMEOUT``; requests never
wait for a pull, the router hands them to the next provider meanwhile.  Each call's
output is capped by ``options.num_predict`` at what the request's plan needs;
``done_reason: "length"`` marks an answer cut there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

import httpx
import ollama
import pydantic

from adapters.ai.base import Ask, Completion, Message, StructuredProvider
from adapters.ai.errors import (
    ModelMissing,
    ProviderAuthError,
    ProviderBadOutput,
    ProviderError,
    ProviderRateLimited,
    ProviderRefused,
    ProviderTimeout,
    parse_retry_after,
)
from core.models import DependencyStatus
from core.prompting import StrategyPrompt

log = logging.getLogger(__name__)

NAME = "ollama"

# ollama's ResponseError keeps the status and the message but not the headers, so a 429's
# Retry-After is kept by an httpx response hook, in the context of the request's task.
_retry_after: ContextVar[float | None] = ContextVar("ollama_retry_after", default=None)


async def remember_retry_after(response: httpx.Response) -> None:
    """httpx response hook for the Ollama client: keeps a 429's Retry-After for the mapping."""
    if response.status_code == 429:
        _retry_after.set(parse_retry_after(response.headers.get("Retry-After")))


def same_model(wanted: str, listed: str) -> bool:
    """Ollama lists "nomic-embed-text:latest" for a model asked for as "nomic-embed-text"."""
    def full(name: str) -> str:
        return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"

    return full(wanted) == full(listed)


def pull_hint(model: str) -> str:
    return f"model {model!r} is not pulled; run `ollama pull {model}`"


def map_ollama_error(exc: BaseException, *, provider: str, model: str) -> ProviderError:
    """The router's view of an error raised by the ollama library."""
    if isinstance(exc, ollama.ResponseError):
        status, text = exc.status_code, str(exc.error)[:200]
        if status == 404 and "not found" in text.lower():
            return ModelMissing(provider, pull_hint(model))
        if status == 429:
            retry_after = _retry_after.get()
            _retry_after.set(None)
            wait = 30.0 if retry_after is None else retry_after
            return ProviderRateLimited(provider, f"rate limited; retry after {wait:g} s", wait)
        if status in (401, 403):
            return ProviderAuthError(provider, f"refused the credentials (HTTP {status})")
        return ProviderRefused(provider, f"HTTP {status}: {text}")
    if isinstance(exc, httpx.TimeoutException):
        return ProviderTimeout(provider, "timed out")
    if isinstance(exc, ConnectionError | httpx.TransportError):
        return ProviderRefused(provider, "not reachable")
    if isinstance(exc, json.JSONDecodeError | pydantic.ValidationError):
        return ProviderBadOutput(provider, "answered with a malformed body")
    return ProviderRefused(provider, f"failed ({type(exc).__name__})")


class OllamaPuller:
    """Pulls missing models in the background, one task per model, bounded in time."""

    def __init__(self, client: ollama.AsyncClient, *, timeout_s: float, enabled: bool) -> None:
        self._client = client
        self._timeout_s = timeout_s
        self.enabled = enabled
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self.progress: dict[str, str] = {}

    def start(self, model: str) -> bool:
        """Starts pulling ``model`` unless disabled or already under way; True when pulling."""
        if not self.enabled:
            return False
        task = self._tasks.get(model)
        if task is not None and not task.done():
            return True
        self._tasks[model] = asyncio.get_running_loop().create_task(
            self._pull(model), name=f"ollama-pull-{model}"
        )
        return True

    def pulling(self, model: str) -> bool:
        task = self._tasks.get(model)
        return task is not None and not task.done()

    async def _pull(self, model: str) -> None:
        log.warning("Ollama model %r is missing: pulling it (up to %g s)", model, self._timeout_s)
        self.progress[model] = "starting"
        try:
            async with asyncio.timeout(self._timeout_s):
                stream = await self._client.pull(model, stream=True)
                async for part in stream:
                    if part.total and part.completed is not None:
                        self.progress[model] = f"{part.status} {100 * part.completed // part.total}%"
                    else:
                        self.progress[model] = str(part.status or "")
            self.progress[model] = "pulled"
            log.warning("Ollama model %r pulled", model)
        except TimeoutError:
            self.progress[model] = f"pull timed out after {self._timeout_s:g} s"
            log.warning("pulling Ollama model %r took longer than %g s; gave up", model, self._timeout_s)
        except Exception as exc:  # a failed pull is reported, never raised into a request
            self.progress[model] = f"pull failed ({type(exc).__name__})"
            log.warning("pulling Ollama model %r failed: %s", model, exc)

    async def aclose(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()


async def model_status(
    client: ollama.AsyncClient, puller: OllamaPuller, *, model: str, label: str
) -> DependencyStatus:
    """Reachable, and ``model`` pulled (shared by the chat model and the embedder)."""
    try:
        listed = await client.list()
    except Exception as exc:
        error = map_ollama_error(exc, provider=NAME, model=model)
        return DependencyStatus(label, False, error.detail)
    names: Iterable[str] = (m.model or "" for m in listed.models)
    if any(same_model(model, name) for name in names):
        return DependencyStatus(label, True, model)
    if puller.start(model) or puller.pulling(model):
        return DependencyStatus(label, False, f"pulling {model} ({puller.progress.get(model, '')})")
    return DependencyStatus(label, False, pull_hint(model))


class OllamaProvider(StructuredProvider):
    """``ChatModel`` backed by a local (or remote) Ollama server."""

    def __init__(
        self,
        client: ollama.AsyncClient,
        *,
        model: str,
        timeout: float,
        puller: OllamaPuller,
        options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(name=NAME, model=model, timeout=timeout)
        self._client = client
        self._puller = puller
        self._options = options or {"temperature": 0.7}

    def _first_messages(self, prompt: StrategyPrompt) -> list[Message]:
        return [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}]

    async def _complete(self, messages: list[Message], ask: Ask) -> Completion:
        try:
            response = await self._client.chat(
                model=self.model, messages=messages, format=ask.schema, stream=False,
                options={**self._options, "num_predict": ask.max_tokens},
            )
        except Exception as exc:
            error = self._error(exc)
            raise error from None
        content = response.message.content or ""
        cut = response.done_reason == "length"
        return Completion(payload=content, turn={"role": "assistant", "content": content}, cut=cut)

    def _error(self, exc: BaseException) -> ProviderError:
        error = map_ollama_error(exc, provider=self.name, model=self.model)
        if isinstance(error, ModelMissing) and self._puller.start(self.model):
            error = ModelMissing(self.name, f"{error.detail} (pulling it now in the background)")
        return error

    async def health(self) -> DependencyStatus:
        return await model_status(
            self._client, self._puller, model=self.model, label=f"model:{self.name}"
        )

