"""A language model judges what the lexical check is unsure of, in its one planning call.

The real ollama and openai clients against the fake servers: the request carries the
verdict fields, a "not music" answer refuses with its reason and charges nothing, a
"music" answer is served, and a plain task never reaches the model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app import build_app
from bot.settings import Settings, load_settings
from core.errors import NotAboutMusic
from core.models import UserRef
from tests.fakes import model_script as ms
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI

ALICE = UserRef("console", "alice", "console")
# Georgian, a language the lexical check does not know: it is unsure, not refusing.
GEORGIAN_SONGS = "ქართული სიმღერები საღამოსთვის"
GEORGIAN_WEATHER = "როგორი ამინდი იქნება ხვალ თბილისში"
NOT_MUSIC = {"title": "-", "genres": [], "moods": [], "energy": 0.5, "songs": [], "queries": [],
             "is_music_request": False, "reason": "ეს ამინდის კითხვაა, არა მუსიკის."}  # fmt: skip


def _ollama_settings(server: FakeOllama, tmp_path: Path, chain: str = "ollama,offline") -> Settings:
    return load_settings({
        "AI_PROVIDERS": chain, "OLLAMA_BASE_URL": server.base_url,
        "DATABASE_FILENAME": str(tmp_path / "bot.db"),
    }, env_file=None)  # fmt: skip


async def test_ollama_judges_an_unsure_prompt_as_music_and_it_is_served(
    ollama_server: FakeOllama, tmp_path: Path
) -> None:
    ollama_server.chat.push(ms.answer(ms.strategy(is_music_request=True)))
    async with build_app(_ollama_settings(ollama_server, tmp_path)) as app:
        playlist = await app.engine.generate(ALICE, GEORGIAN_SONGS, 10)
    assert playlist.provider == "ollama" and playlist.tracks
    sent = ollama_server.requests_to("/api/chat")[0].body
    assert "is_music_request" in sent["format"]["properties"]
    assert "is_music_request" in sent["messages"][-1]["content"]


async def test_ollama_judging_not_music_refuses_with_its_reason_and_charges_nothing(
    ollama_server: FakeOllama, tmp_path: Path
) -> None:
    ollama_server.chat.push(ms.answer(NOT_MUSIC))
    async with build_app(_ollama_settings(ollama_server, tmp_path)) as app:
        with pytest.raises(NotAboutMusic) as refused:
            await app.engine.generate(ALICE, GEORGIAN_WEATHER, 10)
        used = (await app.engine.limits_status(ALICE)).playlists_used_today
    assert refused.value.user_message == NOT_MUSIC["reason"]
    assert used == 0
    assert len(ollama_server.requests_to("/api/chat")) == 1  # no repair for a refusal


async def test_openai_judging_not_music_refuses_too(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.chat.push(ms.answer(NOT_MUSIC))
    settings = load_settings({
        "AI_PROVIDERS": "openai", "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": f"{openai_server.base_url}/v1", "DATABASE_FILENAME": str(tmp_path / "b.db"),
    }, env_file=None)  # fmt: skip
    async with build_app(settings) as app:
        with pytest.raises(NotAboutMusic):
            await app.engine.generate(ALICE, GEORGIAN_WEATHER, 10)
        assert (await app.engine.limits_status(ALICE)).playlists_used_today == 0
    sent = openai_server.requests_to("/v1/chat/completions")[0].body
    assert "is_music_request" in json.dumps(sent["response_format"])


async def test_a_plain_task_is_refused_before_the_model_is_asked(
    ollama_server: FakeOllama, tmp_path: Path
) -> None:
    async with build_app(_ollama_settings(ollama_server, tmp_path)) as app:
        with pytest.raises(NotAboutMusic):
            await app.engine.generate(ALICE, "what is the capital of France", 10)
    assert not ollama_server.requests_to("/api/chat")


async def test_when_the_model_is_down_the_offline_fallback_keeps_the_doubt_a_refusal(
    ollama_server: FakeOllama, tmp_path: Path
) -> None:
    ollama_server.chat.always(ms.status(500, "down"))
    async with build_app(_ollama_settings(ollama_server, tmp_path)) as app:
        with pytest.raises(NotAboutMusic):
            await app.engine.generate(ALICE, GEORGIAN_SONGS, 10)
        assert (await app.engine.limits_status(ALICE)).playlists_used_today == 0
