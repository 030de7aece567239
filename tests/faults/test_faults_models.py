"""Faults of the language model and of the embedder (both served by the fake Ollama).

The model family runs the chain ``AI_PROVIDERS=ollama`` alone, so a failure reaches the
user (with ``offline`` behind it the user would just get the offline plan, which
``test_models_router.py`` covers).  The embedder family validates a vague prompt, which
only the embedding can judge; when the embedder fails the lexical check must answer,
so the user still gets a playlist and is never charged twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.replies import is_error
from tests.fakes.model_script import endless, hang, malformed_body, rate_limited, status
from tests.fakes.ollama_server import FakeOllama
from tests.faults.cells import Cell, cells
from tests.faults.proxy import FaultProxy
from tests.faults.support import (
    ALICE,
    BOB,
    TIMEOUT_S,
    ask,
    assert_clear,
    assert_no_tracebacks,
    assert_playlist,
    becomes,
    eventually,
    served_meanwhile,
    used,
    wired,
)

VAGUE = "/playlist something nice for a quiet evening 10"


async def _inject(failure: str, script: object, proxy: FaultProxy) -> None:
    from tests.fakes.model_script import Script

    assert isinstance(script, Script)
    if failure == "refused":
        await proxy.refuse()
    elif failure == "hang":
        script.always(hang())
    elif failure == "5xx":
        script.always(status(500, "internal server error"))
    elif failure == "429":
        script.always(rate_limited(1))
    elif failure == "malformed":
        script.always(malformed_body())
    elif failure == "slow_body":
        proxy.slow()


async def _clear(script: object, default: object, proxy: FaultProxy) -> None:
    from tests.fakes.model_script import Behaviour, Script

    assert isinstance(script, Script) and isinstance(default, Behaviour)
    script.always(default)
    await proxy.restore()


@pytest.mark.parametrize("cell", cells("model"))
async def test_model_failure(cell: Cell, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with FakeOllama() as ollama, FaultProxy(ollama.port) as proxy, wired(
        tmp_path, AI_PROVIDERS="ollama", OLLAMA_BASE_URL=proxy.url(), OLLAMA_TIMEOUT=str(TIMEOUT_S),
        MODEL_REST_SECONDS="0.5",
    ) as app:
        assert_playlist(await ask(app, BOB))
        await becomes(app, "model", True)
        default = ollama.chat.default
        await _inject(cell.failure, ollama.chat, proxy)

        reply = await ask(app, ALICE)
        assert_clear(reply, cell.answer)
        assert await used(app, ALICE) == 0
        await served_meanwhile(app)
        down = await becomes(app, "model", False)
        assert "ollama" in down.detail

        await _clear(ollama.chat, default, proxy)

        async def playlist_again() -> bool:
            again = await ask(app, ALICE)
            return not is_error(again)

        assert await eventually(playlist_again, within_s=5, every_s=0.2)
        assert await used(app, ALICE) == 1
        await becomes(app, "model", True)
    assert_no_tracebacks(caplog)


async def test_a_sole_model_that_never_stops_is_an_answer_too_long(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Outside the matrix (issue 14): the model lists songs until cut at num_predict."""
    async with FakeOllama() as ollama, wired(
        tmp_path, AI_PROVIDERS="ollama", OLLAMA_BASE_URL=ollama.base_url, OLLAMA_TIMEOUT="5",
        MODEL_REST_SECONDS="0.5",
    ) as app:
        default = ollama.chat.default
        ollama.chat.always(endless())
        reply = await ask(app, ALICE)
        assert_clear(reply, "No language model could plan this playlist right now")
        assert "cut off" in reply.text
        assert await used(app, ALICE) == 0
        await served_meanwhile(app)
        bounds = [r.body["options"]["num_predict"] for r in ollama.requests_to("/api/chat")]
        assert len(bounds) == 2 and bounds[0] == bounds[1] < 4096

        ollama.chat.always(default)
        assert_playlist(await ask(app, ALICE))
        assert await used(app, ALICE) == 1
    assert_no_tracebacks(caplog)


@pytest.mark.parametrize("cell", cells("embedder"))
async def test_embedder_failure(cell: Cell, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with FakeOllama() as ollama, FaultProxy(ollama.port) as proxy, wired(
        tmp_path, AI_PROVIDERS="offline", EMBEDDING_PROVIDER="ollama",
        OLLAMA_BASE_URL=proxy.url(), PROMPT_VALIDATION_TIMEOUT=str(TIMEOUT_S),
        EMBEDDER_REST_SECONDS="0.5",
    ) as app:
        ollama.embed = lambda text: [1.0, 0.0]  # every vague prompt is close to the references
        assert_playlist(await ask(app, BOB, VAGUE))
        await becomes(app, "embeddings", True)
        default = ollama.embeddings.default
        await _inject(cell.failure, ollama.embeddings, proxy)

        # The lexical check answers instead: a vague prompt is given the benefit of the doubt.
        reply = await ask(app, ALICE, VAGUE)
        assert_playlist(reply)
        assert await used(app, ALICE) == 1
        await served_meanwhile(app)
        down = await becomes(app, "embeddings", False)
        assert down.detail  # says why: not reachable, no answer in time, the HTTP error...

        await _clear(ollama.embeddings, default, proxy)
        await becomes(app, "embeddings", True)
        assert_playlist(await ask(app, ALICE, VAGUE))
        assert await used(app, ALICE) == 2
    assert_no_tracebacks(caplog)
