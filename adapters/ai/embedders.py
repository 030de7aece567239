"""Embedders for prompt validation: Ollama, OpenAI or an OpenAI-compatible endpoint.

Each implements ``core.ports.Embedder``; ``name`` includes the model, so cached
reference embeddings are keyed by it.  Failures raise ``EmbedderError`` and the
semantic validator falls back to the lexical check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ollama

from adapters.ai.errors import ProviderError
from adapters.ai.ollama_provider import OllamaPuller, map_ollama_error, model_status
from core.models import DependencyStatus

if TYPE_CHECKING:  # the openai package (a second to import) only where it is used
    import openai


class EmbedderError(Exception):
    """The embedder could not answer (unreachable, missing model, bad answer)."""


def _checked(vectors: Sequence[Sequence[float]], texts: Sequence[str], name: str) -> list[list[float]]:
    if len(vectors) != len(texts) or any(len(v) == 0 for v in vectors):
        raise EmbedderError(f"{name}: expected {len(texts)} vectors, got {len(vectors)}")
    width = len(vectors[0])
    if any(len(v) != width for v in vectors):
        raise EmbedderError(f"{name}: vectors of different lengths")
    return [[float(x) for x in v] for v in vectors]


class OllamaEmbedder:
    """``Embedder`` over Ollama's ``/api/embed`` (``/api/embeddings`` on old servers)."""

    def __init__(
        self, client: ollama.AsyncClient, *, model: str, puller: OllamaPuller
    ) -> None:
        self.name = f"ollama:{model}"
        self.model = model
        self._client = client
        self._puller = puller
        self._legacy = False

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order."""
        try:
            if not self._legacy:
                try:
                    response = await self._client.embed(model=self.model, input=list(texts))
                    return _checked(response.embeddings, texts, self.name)
                except ollama.ResponseError as exc:
                    # Servers before /api/embed answer 404 "page not found" (not "model ... not found").
                    if exc.status_code != 404 or "model" in str(exc.error).lower():
                        raise
                    self._legacy = True
            answers = await asyncio.gather(
                *(self._client.embeddings(model=self.model, prompt=text) for text in texts)
            )
            return _checked([a.embedding for a in answers], texts, self.name)
        except EmbedderError:
            raise
        except Exception as exc:
            error = map_ollama_error(exc, provider=self.name, model=self.model)
            if error.kind == "model missing":
                self._puller.start(self.model)
            raise EmbedderError(str(error)) from None

    async def health(self) -> DependencyStatus:
        return await model_status(
            self._client, self._puller, model=self.model, label="embeddings"
        )


class OpenAIEmbedder:
    """``Embedder`` over ``/v1/embeddings`` of OpenAI or a compatible endpoint."""

    def __init__(self, client: openai.AsyncOpenAI, *, provider: str, model: str, timeout: float) -> None:
        self.name = f"{provider}:{model}"
        self.model = model
        self._provider = provider
        self._client = client
        self._timeout = timeout

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order (the SDK decodes the base64 wire format)."""
        try:
            response = await self._client.embeddings.create(
                model=self.model, input=list(texts), timeout=self._timeout
            )
        except Exception as exc:  # the SDK's errors, and a body that is not JSON at all
            from adapters.ai.openai_provider import map_openai_error

            error: ProviderError = map_openai_error(
                exc, provider=self.name, model=self.model
            )
            raise EmbedderError(str(error)) from None
        ordered = sorted(response.data, key=lambda item: item.index)
        return _checked([item.embedding for item in ordered], texts, self.name)

    async def health(self) -> DependencyStatus:
        try:
            await self.embed(["music"])
        except EmbedderError as exc:
            return DependencyStatus("embeddings", False, str(exc))
        return DependencyStatus("embeddings", True, self.name)
