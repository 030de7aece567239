"""The embedding validator: meaning decides the uncertain middle, the lexical check the rest.

The fake embedder puts texts with a music word on one axis and everything else on
another, so every similarity is 1 or 0 and each decision is unambiguous.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from core.models import DependencyStatus
from core.ports import PromptValidator
from core.semantic_validation import CACHE_NAMESPACE, EMBEDDER_REST_S, SemanticValidator
from data.sqlite_store import SqliteStore

MUSIC_WORDS = {"jazz", "songs", "music", "playlist", "beats", "tunes", "fire", "evening", "sounds"}
REFERENCES = ("relaxing jazz for studying", "songs for a rainy sunday", "music for a road trip")
# Lexically uncertain prompts (scores between the decisive ends), one of each kind:
UNCERTAIN_MUSIC = "something nice for the evening"  # lexically refused (0.33)
UNCERTAIN_OTHER = "play me something nice"  # lexically refused too (0.33)


class AxisEmbedder:
    """Music texts -> (1, 0), others -> (0, 1); scriptable failures; counts what it embeds."""

    name = "axis:v1"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.fail = False
        self.delay = 0.0

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("embedder down")
        return [[1.0, 0.0] if set(t.lower().split()) & MUSIC_WORDS else [0.0, 1.0] for t in texts]

    async def health(self) -> DependencyStatus:
        return DependencyStatus("embeddings", not self.fail)


clock = [0.0]  # the validator's monotonic clock, moved by hand


@pytest.fixture(autouse=True)
def _reset_clock() -> None:
    clock[0] = 0.0


def validator(embedder: AxisEmbedder, store: SqliteStore, *, threshold: float = 0.6,
              timeout_s: float = 1.0) -> SemanticValidator:
    return SemanticValidator(embedder, store, REFERENCES, threshold=threshold, timeout_s=timeout_s,
                             monotonic=lambda: clock[0])


def test_semantic_validator_is_a_prompt_validator(store: SqliteStore) -> None:
    assert isinstance(validator(AxisEmbedder(), store), PromptValidator)


async def test_an_uncertain_music_prompt_is_accepted_by_meaning(store: SqliteStore) -> None:
    result = await validator(AxisEmbedder(), store).validate(UNCERTAIN_MUSIC)
    assert (result.ok, result.method, result.score) == (True, "embedding", 1.0)


async def test_an_uncertain_other_prompt_is_refused_by_meaning(store: SqliteStore) -> None:
    result = await validator(AxisEmbedder(), store).validate(UNCERTAIN_OTHER)
    assert (result.ok, result.method, result.score) == (False, "embedding", 0.0)
    assert "music request" in result.reason


async def test_a_plain_music_prompt_is_accepted_without_embedding(store: SqliteStore) -> None:
    embedder = AxisEmbedder()
    result = await validator(embedder, store).validate("relaxing jazz for studying")
    assert (result.ok, result.method) == (True, "lexical")
    assert embedder.calls == []


async def test_a_plain_other_task_is_refused_without_embedding(store: SqliteStore) -> None:
    embedder = AxisEmbedder()
    result = await validator(embedder, store).validate("what is the capital of France")
    assert (result.ok, result.method) == (False, "lexical")
    assert embedder.calls == []


async def test_reference_embeddings_are_computed_once_and_cached_by_model(store: SqliteStore) -> None:
    first = AxisEmbedder()
    await validator(first, store).validate(UNCERTAIN_MUSIC)
    await validator(first, store).validate(UNCERTAIN_OTHER)
    assert first.calls.count(list(REFERENCES)) == 1  # the second validator read the cache
    restarted = AxisEmbedder()
    assert (await validator(restarted, store).validate(UNCERTAIN_MUSIC)).ok
    assert restarted.calls == [[UNCERTAIN_MUSIC]]
    other_model = AxisEmbedder()
    other_model.name = "axis:v2"
    await validator(other_model, store).validate(UNCERTAIN_MUSIC)
    assert list(REFERENCES) in other_model.calls  # another model: its own references


async def test_cached_references_live_in_the_store(store: SqliteStore) -> None:
    v = validator(AxisEmbedder(), store)
    await v.validate(UNCERTAIN_MUSIC)
    assert await store.cache_get(CACHE_NAMESPACE, v.cache_key, datetime.now(UTC)) is not None


async def test_the_threshold_decides(store: SqliteStore) -> None:
    strict = validator(AxisEmbedder(), store, threshold=1.01)
    assert not (await strict.validate(UNCERTAIN_MUSIC)).ok


async def test_an_embedder_that_is_down_leaves_the_lexical_verdict(store: SqliteStore) -> None:
    embedder = AxisEmbedder()
    embedder.fail = True
    v = validator(embedder, store)
    result = await v.validate("workout")  # lexically a (weak) music request
    assert (result.ok, result.method) == (True, "lexical")
    calls = len(embedder.calls)
    await v.validate("workout")  # resting: not asked again at once
    assert len(embedder.calls) == calls
    clock[0] += EMBEDDER_REST_S + 1
    embedder.fail = False
    assert (await v.validate(UNCERTAIN_MUSIC)).method == "embedding"


async def test_a_slow_embedder_is_cut_off_by_the_timeout(store: SqliteStore) -> None:
    embedder = AxisEmbedder()
    embedder.delay = 5.0
    result = await validator(embedder, store, timeout_s=0.1).validate(UNCERTAIN_OTHER)
    assert (result.ok, result.method) == (False, "lexical")


async def test_concurrent_first_requests_embed_the_references_once(store: SqliteStore) -> None:
    embedder = AxisEmbedder()
    embedder.delay = 0.05
    v = validator(embedder, store)
    results = await asyncio.gather(*(v.validate(UNCERTAIN_MUSIC) for _ in range(5)))
    assert all(r.ok for r in results)
    assert embedder.calls.count(list(REFERENCES)) == 1
    await v.aclose()


async def test_a_model_whose_vector_size_changed_gets_its_references_embedded_again(
    store: SqliteStore,
) -> None:
    embedder = AxisEmbedder()
    v = validator(embedder, store)
    await v.validate(UNCERTAIN_MUSIC)
    wider = AxisEmbedder()  # same name, new vectors of another size

    async def embed3(texts: Sequence[str]) -> list[list[float]]:
        wider.calls.append(list(texts))
        return [[*vector, 0.0] for vector in await AxisEmbedder.embed(embedder, texts)]

    wider.embed = embed3  # type: ignore[method-assign]
    v.embedder = wider
    assert (await v.validate(UNCERTAIN_MUSIC)).method == "lexical"  # this once
    result = await v.validate(UNCERTAIN_MUSIC)
    assert (result.ok, result.method) == (True, "embedding")
    assert list(REFERENCES) in wider.calls
