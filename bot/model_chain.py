"""Builds the model clients, the fallback chain (AI_PROVIDERS) and the prompt validator.

``ModelClients`` builds each service's client once, on first use (one HTTP session
per service, shared by its chat model and its embedder), with the SDK's own retries
off: the router decides what happens after a failure.  It also closes everything
built from it, so the composition root needs one ``aclose`` for the whole area.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from adapters.ai.errors import display_host
from adapters.ai.router import ModelRouter
from bot.settings import Settings, parse_headers
from core.ports import ChatModel, Embedder, PromptValidator
from core.semantic_validation import EmbeddingCache
from core.validation import LexicalValidator

# The SDKs are imported when a provider that needs them is built: the anthropic and
# openai packages take a second to import, which a bot that uses neither need not pay.
if TYPE_CHECKING:
    import anthropic
    import ollama
    import openai

    from adapters.ai.ollama_provider import OllamaPuller

log = logging.getLogger(__name__)

OPENAI_URL = "https://api.openai.com/v1"
ANTHROPIC_URL = "https://api.anthropic.com"
CONNECT_TIMEOUT_S = 5.0  # an address that does not answer fails fast, whatever the read timeout
# llama-server and most local servers accept any key; the SDK insists on having one.
NO_KEY = "no-key"


class _Closeable(Protocol):
    async def aclose(self) -> None: ...


class ModelClients:
    """The model services' clients, built lazily from settings, and everything to close."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ollama: ollama.AsyncClient | None = None
        self._puller: OllamaPuller | None = None
        self._openai: openai.AsyncOpenAI | None = None
        self._custom: openai.AsyncOpenAI | None = None
        self._anthropic: anthropic.AsyncAnthropic | None = None
        self._owned: list[_Closeable] = []

    def ollama_client(self) -> ollama.AsyncClient:
        if self._ollama is None:
            import httpx
            import ollama

            timeout = self.settings.ollama_timeout
            from adapters.ai.ollama_provider import remember_retry_after

            self._ollama = ollama.AsyncClient(
                host=self.settings.ollama_base_url,
                timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT_S, timeout)),
                event_hooks={"response": [remember_retry_after]},  # a 429's Retry-After
            )
        return self._ollama

    def ollama_puller(self) -> OllamaPuller:
        if self._puller is None:
            from adapters.ai.ollama_provider import OllamaPuller

            self._puller = OllamaPuller(
                self.ollama_client(), timeout_s=self.settings.ollama_model_pull_timeout,
                enabled=self.settings.ollama_auto_pull,
            )
        return self._puller

    def openai_client(self) -> openai.AsyncOpenAI:
        if self._openai is None:
            import openai

            s = self.settings
            self._openai = openai.AsyncOpenAI(
                api_key=s.openai_api_key, base_url=s.openai_base_url or OPENAI_URL,
                timeout=s.openai_timeout, max_retries=0,
            )
        return self._openai

    def custom_client(self) -> openai.AsyncOpenAI:
        if self._custom is None:
            import openai

            s = self.settings
            self._custom = openai.AsyncOpenAI(
                api_key=s.custom_ai_api_key or NO_KEY, base_url=s.custom_ai_base_url,
                default_headers=parse_headers(s.custom_ai_headers) or None,
                timeout=s.custom_ai_timeout, max_retries=0,
            )
        return self._custom

    def anthropic_client(self) -> anthropic.AsyncAnthropic:
        if self._anthropic is None:
            import anthropic

            s = self.settings
            self._anthropic = anthropic.AsyncAnthropic(
                api_key=s.anthropic_api_key, base_url=s.anthropic_base_url or ANTHROPIC_URL,
                timeout=s.anthropic_timeout, max_retries=0,
            )
        return self._anthropic

    def adopt(self, closeable: _Closeable) -> None:
        """Closes ``closeable`` (a router, a validator) before the clients it uses."""
        self._owned.append(closeable)

    async def aclose(self) -> None:
        """Stops background work, then closes every client that was built."""
        owned, self._owned = self._owned, []
        for item in reversed(owned):
            await item.aclose()
        if self._puller is not None:
            await self._puller.aclose()
        if self._ollama is not None:
            await self._ollama.close()  # type: ignore[no-untyped-call]  # untyped in ollama
        for client in (self._openai, self._custom, self._anthropic):
            if client is not None:
                await client.close()
        self._ollama = self._openai = self._custom = self._anthropic = None
        self._puller = None


def build_provider(name: str, settings: Settings, clients: ModelClients, offline: ChatModel) -> ChatModel:
    """One link of the chain, by its AI_PROVIDERS name."""
    s = settings
    if name == "ollama":
        from adapters.ai.ollama_provider import OllamaProvider

        return OllamaProvider(
            clients.ollama_client(), model=s.ollama_generation_model, timeout=s.ollama_timeout,
            puller=clients.ollama_puller(),
        )
    if name in ("openai", "custom"):
        from adapters.ai.openai_provider import OPENAI_SAMPLING, OpenAIProvider

        if name == "openai":
            return OpenAIProvider(clients.openai_client(), name="openai", model=s.openai_model,
                                  timeout=s.openai_timeout, sampling=OPENAI_SAMPLING)
        return OpenAIProvider(clients.custom_client(), name="custom", model=s.custom_ai_model,
                              timeout=s.custom_ai_timeout)
    if name == "anthropic":
        from adapters.ai.anthropic_provider import AnthropicProvider

        return AnthropicProvider(clients.anthropic_client(), model=s.anthropic_model,
                                 timeout=s.anthropic_timeout)
    if name == "offline":
        return offline
    raise ValueError(f"unknown model provider {name!r}")


def build_model_chain(
    settings: Settings,
    *,
    offline: ChatModel,
    clients: ModelClients,
    wrap: Callable[[ChatModel], ChatModel] | None = None,
) -> ModelRouter:
    """The router over ``settings.provider_chain``, in order (offline only where it is named).

    ``clients.aclose()`` closes the router with the clients.  ``wrap`` decorates each
    provider (the metrics count their failures).
    """
    providers = [build_provider(n, settings, clients, offline) for n in settings.provider_chain]
    router = ModelRouter([wrap(p) for p in providers] if wrap is not None else providers,
                         rest_s=settings.model_rest_seconds)
    clients.adopt(router)
    # Where each provider runs goes to the operator's log only: replies never name hosts.
    log.info("model chain: %s", " -> ".join(_where(n, settings) for n in settings.provider_chain))
    return router


def _where(name: str, s: Settings) -> str:
    places = {
        "ollama": (s.ollama_base_url, s.ollama_generation_model),
        "openai": (s.openai_base_url or OPENAI_URL, s.openai_model),
        "anthropic": (s.anthropic_base_url or ANTHROPIC_URL, s.anthropic_model),
        "custom": (s.custom_ai_base_url, s.custom_ai_model or "its first model"),
    }
    if name not in places:
        return name
    url, model = places[name]
    return f"{name} ({model} at {display_host(url)})"


def build_embedder(settings: Settings, clients: ModelClients) -> Embedder | None:
    """The embedder EMBEDDING_PROVIDER names, or None for the lexical check alone."""
    from adapters.ai.embedders import OllamaEmbedder, OpenAIEmbedder

    s = settings
    if s.embedding_provider == "ollama":
        return OllamaEmbedder(clients.ollama_client(), model=s.ollama_validation_model,
                              puller=clients.ollama_puller())
    if s.embedding_provider == "openai":
        return OpenAIEmbedder(clients.openai_client(), provider="openai", model=s.openai_embedding_model,
                              timeout=s.prompt_validation_timeout)
    if s.embedding_provider == "custom":
        return OpenAIEmbedder(clients.custom_client(), provider="custom",
                              model=s.custom_embedding_model or s.custom_ai_model,
                              timeout=s.prompt_validation_timeout)
    return None


def build_validator(settings: Settings, store: EmbeddingCache, *, clients: ModelClients) -> PromptValidator:
    """The embedding validator (lexical check in front and as fallback), or the lexical one.

    Reference embeddings are cached in ``store``.  ``clients`` is the chain's, so both
    share one client per service; ``clients.aclose()`` closes the validator too.
    """
    lexical = LexicalValidator()
    if settings.embedding_provider == "none":
        return lexical
    from adapters.ai.reference_phrases import load_all_reference_phrases
    from core.semantic_validation import SemanticValidator

    embedder = build_embedder(settings, clients)
    if embedder is None:
        return lexical
    validator = SemanticValidator(
        embedder, store, load_all_reference_phrases(), threshold=settings.prompt_validation_threshold,
        timeout_s=settings.prompt_validation_timeout, lexical=lexical,
        rest_s=settings.embedder_rest_seconds,
    )
    clients.adopt(validator)
    return validator
