"""The REST API answers failures through the conversation layer's one error policy.

A refusal says its own message with the status its code maps to (``WIRE``); an
unexpected failure is logged once and answered with the one apology every chat gives.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.rest_api import WIRE, ApiConfig, RestApi, wire_error
from core import wording
from core.actions import error_reply
from core.engine import Engine, EngineConfig
from core.errors import CatalogueQuotaExceeded, DraftNotFound, NotYourPlaylist
from core.identity import UserKeys
from core.models import DependencyStatus, LimitSettings, StrategyAnswer, StrategyRequest
from core.replies import TextReply
from core.validation import LexicalValidator
from data.sqlite_store import SqliteStore
from tests.integration.rest_support import catalogue


class BrokenModel:
    """A model with a bug in it: not a refusal, an exception nobody planned for."""

    name = "broken"

    async def plan(self, request: StrategyRequest) -> StrategyAnswer:
        raise RuntimeError("a bug in the model adapter")

    async def health(self) -> DependencyStatus:
        return DependencyStatus("model", True, "broken")


@pytest.fixture
async def broken(tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    store = SqliteStore(tmp_path / "errors.db")
    await store.open()
    engine = Engine(store=store, model=BrokenModel(), catalogue=catalogue(),
                    validator=LexicalValidator(), keys=UserKeys(b"e" * 32),
                    config=EngineConfig(defaults=LimitSettings(max_playlists_per_day=3)))
    app = web.Application()
    app.add_routes(RestApi(engine, ApiConfig()).routes())
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
        await store.close()


async def test_an_unexpected_failure_is_a_500_with_the_one_apology_logged_once(
    broken: TestClient[Any, Any], caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        r = await broken.post("/generate-playlist",
                              json={"device_id": "dev-1", "prompt": "calm jazz for studying"})
        body = await r.json()
    assert r.status == 500
    assert body == {"error": {"code": "internal", "message": wording.SORRY()}}
    logged = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert "a bug in the model adapter" not in r.headers.get("Content-Type", "") + str(body)


async def test_an_unexpected_failure_charges_nothing(broken: TestClient[Any, Any]) -> None:
    await broken.post("/generate-playlist",
                      json={"device_id": "dev-1", "prompt": "calm jazz for studying"})
    r = await broken.get("/rate-limit-status/dev-1")
    assert r.status == 200 and (await r.json())["requests_made_today"] == 0


def test_someone_elses_playlist_and_a_missing_one_are_the_same_404() -> None:
    mine = wire_error(error_reply(DraftNotFound("No playlist 7."), "refine"))
    theirs = wire_error(error_reply(NotYourPlaylist("That is Bob's playlist."), "refine"))
    assert (mine.status, mine.code, mine.message) == (404, "not_found",
                                                      "No such playlist for this device.")
    assert (theirs.status, theirs.code, theirs.message) == (mine.status, mine.code, mine.message)


def test_a_spent_catalogue_quota_is_a_503_saying_so() -> None:
    error = wire_error(error_reply(CatalogueQuotaExceeded("Spotify's search quota is spent."),
                                   "generate"))
    assert (error.status, error.code, error.message) == (
        503, "catalogue_quota", "Spotify's search quota is spent.")


def test_a_refusal_without_a_row_of_its_own_is_a_422_with_its_message() -> None:
    error = wire_error(TextReply("That isn't about music.", error=True, code="not_about_music"))
    assert "not_about_music" not in WIRE
    assert (error.status, error.code, error.message) == (
        422, "not_about_music", "That isn't about music.")
