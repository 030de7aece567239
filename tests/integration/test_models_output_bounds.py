"""Every planning call is bounded in output, and an answer too long is not a server failure.

Issue 14 (6): a small local model behind llama.cpp listed songs until its 4096-token
context was full, the repair sent that whole answer back and was refused with HTTP
400, and the bot fell to the offline planner after more than a minute.  Here the
fakes play that model (``endless``: valid-looking JSON cut at the request's bound, or
where the context is full) and llama-server's refusal of an oversized request.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import anthropic
import ollama
import openai
import pytest

from adapters.ai.anthropic_provider import AnthropicProvider
from adapters.ai.base import REPAIR_ECHO_CHARS, output_token_bound
from adapters.ai.errors import ProviderTooLong
from adapters.ai.offline import OfflineStrategyProvider
from adapters.ai.ollama_provider import OllamaProvider, OllamaPuller
from adapters.ai.openai_provider import COMPATIBLE_SAMPLING, OpenAIProvider
from bot.model_chain import ModelClients, build_model_chain
from bot.settings import load_settings
from core.engine import Engine
from core.errors import ProviderUnavailable
from core.identity import UserKeys
from core.models import StrategyRequest, UserRef
from core.prompting import suggestion_target
from core.validation import LexicalValidator
from data.catalogue.demo import DemoCatalogue
from data.sqlite_store import SqliteStore
from tests.fakes import model_script as ms
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI

REQUEST = StrategyRequest(prompt="songs like Radiohead", count=10)
ALICE = UserRef("console", "alice", "console")


@pytest.fixture
async def llama_server() -> AsyncIterator[FakeOpenAI]:
    """llama-server with a small instruct model, ``--ctx-size 4096``, no key."""
    async with FakeOpenAI(api_key=None, models=("smollm2-1.7b-instruct",), context_size=4096) as server:
        yield server


@pytest.fixture
async def custom(llama_server: FakeOpenAI) -> AsyncIterator[OpenAIProvider]:
    client = openai.AsyncOpenAI(api_key="no-key", base_url=f"{llama_server.base_url}/v1",
                                max_retries=0, timeout=10)
    yield OpenAIProvider(client, name="custom", model="", timeout=10, sampling=COMPATIBLE_SAMPLING)
    await client.close()


def chat_bodies(server: FakeOpenAI) -> list[dict[str, object]]:
    return [r.body for r in server.requests_to("/v1/chat/completions")]


# --- the bound each service receives -------------------------------------------------------
@pytest.mark.parametrize("count", [10, 50])
def test_the_output_bound_grows_with_the_count_and_stays_far_below_a_small_context(count: int) -> None:
    bound = output_token_bound(StrategyRequest(prompt="x", count=count))
    assert bound >= suggestion_target(count) * 20  # room for every song asked for
    assert output_token_bound(StrategyRequest(prompt="x", count=count + 10)) > bound
    assert output_token_bound(StrategyRequest(prompt="x", count=10)) < 2048


async def test_a_compatible_server_gets_max_tokens_and_a_song_bound_in_the_schema(
    custom: OpenAIProvider, llama_server: FakeOpenAI
) -> None:
    await custom.plan(REQUEST)
    body = chat_bodies(llama_server)[0]
    assert body["max_tokens"] == output_token_bound(REQUEST)
    schema = body["response_format"]["json_schema"]["schema"]  # type: ignore[index]
    assert schema["properties"]["songs"]["maxItems"] == suggestion_target(10)
    assert schema["properties"]["queries"]["maxItems"] <= 10
    assert schema["properties"]["songs"]["items"]["properties"]["title"]["maxLength"] <= 200


async def test_ollama_gets_num_predict_and_the_bounded_schema(ollama_server: FakeOllama) -> None:
    client = ollama.AsyncClient(host=ollama_server.base_url, timeout=5)
    provider = OllamaProvider(client, model="llama3.2:3b", timeout=5,
                              puller=OllamaPuller(client, timeout_s=5, enabled=False))
    await provider.plan(REQUEST)
    await client.close()
    body = ollama_server.requests_to("/api/chat")[0].body
    assert body["options"]["num_predict"] == output_token_bound(REQUEST)
    assert body["options"]["temperature"] == 0.7
    assert body["format"]["properties"]["songs"]["maxItems"] == suggestion_target(10)


async def test_anthropic_gets_max_tokens_as_the_bound(anthropic_server: FakeAnthropic) -> None:
    client = anthropic.AsyncAnthropic(api_key="sk-ant-test", base_url=anthropic_server.base_url,
                                      max_retries=0, timeout=5)
    await AnthropicProvider(client, model="claude-haiku-4-5", timeout=5).plan(REQUEST)
    await client.close()
    body = anthropic_server.requests_to("/v1/messages")[0].body
    assert body["max_tokens"] == output_token_bound(REQUEST)
    assert body["tools"][0]["input_schema"]["properties"]["songs"]["maxItems"] == suggestion_target(10)


# --- an answer cut at the bound --------------------------------------------------------------
async def test_an_answer_cut_at_the_bound_is_repaired_without_sending_it_back_whole(
    custom: OpenAIProvider, llama_server: FakeOpenAI
) -> None:
    llama_server.chat.push(ms.endless(), ms.good())
    answer = await custom.plan(REQUEST)
    assert answer.provider == "custom" and answer.strategy.title == "Late Night Jazz"
    first, repair = chat_bodies(llama_server)
    assert repair["max_tokens"] == first["max_tokens"] == output_token_bound(REQUEST)
    messages = repair["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]  # type: ignore[index, union-attr]
    echoed = messages[2]["content"]  # type: ignore[index]
    assert len(echoed) <= REPAIR_ECHO_CHARS + 20 and echoed.endswith("[cut]")
    assert "cut off" in messages[3]["content"]  # type: ignore[index]


async def test_an_answer_cut_twice_is_too_long_not_a_server_failure(
    custom: OpenAIProvider, llama_server: FakeOpenAI
) -> None:
    llama_server.chat.always(ms.endless())
    with pytest.raises(ProviderTooLong, match="cut off"):
        await custom.plan(REQUEST)
    # Both asks fitted the 4096-token context: the repair was not refused with a 400.
    assert len(chat_bodies(llama_server)) == 2
    assert all(len(json.dumps(b["messages"])) < 4 * 4096 // 2 for b in chat_bodies(llama_server))


async def test_ollama_cut_at_num_predict_is_repaired(ollama_server: FakeOllama) -> None:
    ollama_server.chat.push(ms.endless(), ms.good())
    client = ollama.AsyncClient(host=ollama_server.base_url, timeout=5)
    provider = OllamaProvider(client, model="llama3.2:3b", timeout=5,
                              puller=OllamaPuller(client, timeout_s=5, enabled=False))
    assert (await provider.plan(REQUEST)).strategy.title == "Late Night Jazz"
    await client.close()
    repair = ollama_server.requests_to("/api/chat")[1].body["messages"]
    assert len(repair[2]["content"]) <= REPAIR_ECHO_CHARS + 20 and "cut off" in repair[3]["content"]


async def test_anthropic_cut_at_max_tokens_is_repaired_as_text(anthropic_server: FakeAnthropic) -> None:
    anthropic_server.chat.push(ms.endless(), ms.good())
    client = anthropic.AsyncAnthropic(api_key="sk-ant-test", base_url=anthropic_server.base_url,
                                      max_retries=0, timeout=5)
    answer = await AnthropicProvider(client, model="claude-haiku-4-5", timeout=5).plan(REQUEST)
    await client.close()
    assert answer.strategy.title == "Late Night Jazz"
    repair = anthropic_server.requests_to("/v1/messages")[1].body["messages"]
    assert [m["role"] for m in repair] == ["user", "assistant", "user"]
    assert "cut off" in json.dumps(repair[2]["content"])


async def test_anthropic_cut_twice_is_too_long(anthropic_server: FakeAnthropic) -> None:
    anthropic_server.chat.always(ms.endless())
    client = anthropic.AsyncAnthropic(api_key="sk-ant-test", base_url=anthropic_server.base_url,
                                      max_retries=0, timeout=5)
    with pytest.raises(ProviderTooLong):
        await AnthropicProvider(client, model="claude-haiku-4-5", timeout=5).plan(REQUEST)
    await client.close()


# --- a context-size refusal -----------------------------------------------------------------
async def test_llama_cpps_context_size_refusal_is_an_answer_too_long(
    llama_server: FakeOpenAI, custom: OpenAIProvider
) -> None:
    llama_server.context_size = 300  # smaller than the prompt itself
    with pytest.raises(ProviderTooLong, match="context size"):
        await custom.plan(REQUEST)


async def test_openais_context_length_exceeded_is_an_answer_too_long(openai_server: FakeOpenAI) -> None:
    openai_server.context_size = 300
    client = openai.AsyncOpenAI(api_key="sk-test", base_url=f"{openai_server.base_url}/v1",
                                max_retries=0, timeout=5)
    provider = OpenAIProvider(client, name="openai", model="gpt-4o-mini", timeout=5)
    with pytest.raises(ProviderTooLong):
        await provider.plan(REQUEST)
    await client.close()


# --- through the chain ------------------------------------------------------------------------
@pytest.fixture
async def engine_for(
    llama_server: FakeOpenAI,
) -> AsyncIterator[Callable[[str], Engine]]:
    store = SqliteStore(":memory:")
    await store.open()
    pools: list[ModelClients] = []

    def make(providers: str) -> Engine:
        settings = load_settings({"AI_PROVIDERS": providers,
                                  "CUSTOM_AI_BASE_URL": f"{llama_server.base_url}/v1",
                                  "CUSTOM_AI_TIMEOUT": "10"}, env_file=None)
        pool = ModelClients(settings)
        pools.append(pool)
        model = build_model_chain(settings, offline=OfflineStrategyProvider(), clients=pool)
        return Engine(store=store, model=model, catalogue=DemoCatalogue(), validator=LexicalValidator(),
                      keys=UserKeys(b"k" * 32))
    yield make
    for pool in pools:
        await pool.aclose()
    await store.close()


async def test_an_endless_local_model_hands_over_to_offline_after_two_bounded_asks(
    engine_for: Callable[[str], Engine], llama_server: FakeOpenAI
) -> None:
    llama_server.chat.always(ms.endless())
    playlist = await engine_for("custom,offline").generate(ALICE, "relaxing jazz for studying", 10)
    assert playlist.provider == "offline" and len(playlist.tracks) == 10
    assert [b["max_tokens"] for b in chat_bodies(llama_server)] == [output_token_bound(REQUEST)] * 2


async def test_an_endless_sole_local_model_says_the_answer_was_too_long(
    engine_for: Callable[[str], Engine], llama_server: FakeOpenAI
) -> None:
    llama_server.chat.always(ms.endless())
    with pytest.raises(ProviderUnavailable, match="cut off") as caught:
        await engine_for("custom").generate(ALICE, "songs like Radiohead", 10)
    assert "HTTP 400" not in caught.value.user_message
    assert len(chat_bodies(llama_server)) == 2


async def test_a_provider_built_without_a_token_field_is_still_bounded(
    llama_server: FakeOpenAI,
) -> None:
    client = openai.AsyncOpenAI(api_key="no-key", base_url=f"{llama_server.base_url}/v1",
                                max_retries=0, timeout=10)
    provider = OpenAIProvider(client, name="custom", model="", timeout=10, sampling={"temperature": 0.2})
    await provider.plan(REQUEST)
    await client.close()
    assert chat_bodies(llama_server)[0]["max_tokens"] == output_token_bound(REQUEST)
