"""Embedders through their real clients, and the whole model area wired by bot.app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import ollama
import openai
import pytest

from adapters.ai.base import output_token_bound
from adapters.ai.embedders import EmbedderError, OllamaEmbedder, OpenAIEmbedder
from adapters.ai.offline import OfflineStrategyProvider
from adapters.ai.ollama_provider import OllamaPuller
from adapters.ai.reference_phrases import load_all_reference_phrases
from bot.app import build_app
from bot.model_chain import ModelClients, build_provider
from bot.settings import load_settings
from core.models import StrategyRequest, UserRef
from core.semantic_validation import SemanticValidator
from tests.fakes import model_script as ms
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI

ALICE = UserRef("console", "alice", "console")


def axis(text: str) -> list[float]:
    """The reference phrases and texts naming the evening are music, the rest is not."""
    music = text in load_all_reference_phrases() or "evening" in text.lower()
    return [1.0, 0.0, 0.0] if music else [0.0, 1.0, 0.0]


@pytest.fixture
async def ollama_client(ollama_server: FakeOllama) -> AsyncIterator[ollama.AsyncClient]:
    client = ollama.AsyncClient(host=ollama_server.base_url, timeout=5)
    yield client
    await client.close()


def ollama_embedder(client: ollama.AsyncClient, server: FakeOllama) -> OllamaEmbedder:
    return OllamaEmbedder(client, model="nomic-embed-text",
                          puller=OllamaPuller(client, timeout_s=5, enabled=False))


async def test_ollama_embeds_a_batch_through_api_embed(
    ollama_client: ollama.AsyncClient, ollama_server: FakeOllama
) -> None:
    vectors = await ollama_embedder(ollama_client, ollama_server).embed(["calm jazz", "tax forms"])
    assert vectors == [ms.hashed_embedding("calm jazz"), ms.hashed_embedding("tax forms")]
    assert ollama_server.requests_to("/api/embed")[0].body["input"] == ["calm jazz", "tax forms"]


async def test_an_old_ollama_without_api_embed_is_asked_through_api_embeddings(
    ollama_client: ollama.AsyncClient, ollama_server: FakeOllama
) -> None:
    ollama_server.embeddings.push(ms.status(404, "404 page not found"))
    vectors = await ollama_embedder(ollama_client, ollama_server).embed(["a", "b"])
    assert vectors == [ms.hashed_embedding("a"), ms.hashed_embedding("b")]
    assert len(ollama_server.requests_to("/api/embeddings")) == 2


async def test_a_missing_embedding_model_is_an_embedder_error(
    ollama_client: ollama.AsyncClient, ollama_server: FakeOllama
) -> None:
    ollama_server.models = ["llama3.2:3b"]
    with pytest.raises(EmbedderError, match="ollama pull nomic-embed-text"):
        await ollama_embedder(ollama_client, ollama_server).embed(["a"])


async def test_openai_embeddings_arrive_as_base64_float32_and_are_decoded(
    openai_server: FakeOpenAI,
) -> None:
    client = openai.AsyncOpenAI(api_key="sk-test", base_url=f"{openai_server.base_url}/v1", max_retries=0)
    embedder = OpenAIEmbedder(client, provider="openai", model="text-embedding-3-small", timeout=5)
    vectors = await embedder.embed(["calm jazz", "tax forms"])
    status = await embedder.health()
    await client.close()
    assert openai_server.requests_to("/v1/embeddings")[0].body["encoding_format"] == "base64"
    assert vectors[0] == pytest.approx(ms.hashed_embedding("calm jazz"), abs=1e-6)
    assert len(vectors) == 2 and status.ok


async def test_the_app_validates_by_embedding_and_caches_references_across_restarts(
    ollama_server: FakeOllama, tmp_path: Path
) -> None:
    ollama_server.embed = axis
    settings = load_settings({
        "AI_PROVIDERS": "ollama,offline", "EMBEDDING_PROVIDER": "ollama",
        "OLLAMA_BASE_URL": ollama_server.base_url, "DATABASE_FILENAME": str(tmp_path / "bot.db"),
    }, env_file=None)
    async with build_app(settings) as app:
        assert isinstance(app.engine.validator, SemanticValidator)
        # lexically this prompt is too vague to pass; its meaning is close to the references
        playlist = await app.engine.generate(ALICE, "something nice for the evening", 10)
        assert playlist.provider == "ollama"
    first_run = len(ollama_server.requests_to("/api/embed"))
    assert first_run == 2  # the references once, then the prompt
    async with build_app(settings) as app:
        verdict = await app.engine.validator.validate("play me something nice")
        assert not verdict.ok and verdict.method == "embedding"
    assert len(ollama_server.requests_to("/api/embed")) == first_run + 1  # only the prompt


async def test_the_app_falls_back_to_the_lexical_check_when_embeddings_are_down(
    ollama_server: FakeOllama, tmp_path: Path
) -> None:
    ollama_server.embeddings.always(ms.status(500))
    settings = load_settings({
        "AI_PROVIDERS": "ollama,offline", "EMBEDDING_PROVIDER": "ollama",
        "OLLAMA_BASE_URL": ollama_server.base_url, "DATABASE_FILENAME": str(tmp_path / "bot.db"),
    }, env_file=None)
    async with build_app(settings) as app:
        verdict = await app.engine.validator.validate("workout")
        assert verdict.ok and verdict.method == "lexical"
        health = await app.engine.health()
    model = next(d for d in health.dependencies if d.name == "model")
    assert model.ok and "ollama: ok" in model.detail


async def test_openai_gets_max_completion_tokens_and_compatible_servers_max_tokens(
    openai_server: FakeOpenAI,
) -> None:
    settings = load_settings({
        "AI_PROVIDERS": "openai,custom", "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": f"{openai_server.base_url}/v1",
        "CUSTOM_AI_BASE_URL": f"{openai_server.base_url}/v1", "CUSTOM_AI_API_KEY": "sk-test",
        "CUSTOM_AI_MODEL": "gpt-4o-mini", "CUSTOM_AI_HEADERS": '{"HTTP-Referer": "https://echotuner.example"}',
    }, env_file=None)
    clients = ModelClients(settings)
    request = StrategyRequest(prompt="calm jazz", count=10)
    for name in ("openai", "custom"):
        answer = await build_provider(name, settings, clients, OfflineStrategyProvider()).plan(request)
        assert answer.provider == name
    await clients.aclose()
    to_openai, to_custom = openai_server.requests_to("/v1/chat/completions")
    # Both bounded by what a 10-track plan needs (issue 14), each in its own field.
    bound = output_token_bound(request)
    assert to_openai.body["max_completion_tokens"] == bound and "temperature" not in to_openai.body
    assert "max_tokens" not in to_openai.body
    assert to_custom.body["max_tokens"] == bound and to_custom.body["temperature"] == 0.7
    assert "max_completion_tokens" not in to_custom.body
    assert to_custom.headers["HTTP-Referer"] == "https://echotuner.example"
    assert "HTTP-Referer" not in to_openai.headers
