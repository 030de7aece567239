"""The REST API in the language its ``Accept-Language`` asks for (English otherwise)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from adapters.web.languages import accepted_languages
from core.wording import REJECTION_REASON
from tests.integration.language_support import catalogues
from tests.integration.test_rest_api import api_client

__all__ = ["catalogues"]  # the fixture, used by name

pytestmark = pytest.mark.usefixtures("catalogues")

SPANISH_REFUSAL = ("Eso no parece una petición de música; prueba a describir un estado de ánimo, "
                   "un género, una actividad o un artista.")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    async for c in api_client(tmp_path, limit=10):
        yield c


async def _refusal(client: TestClient[Any, Any], accept: str | None) -> dict[str, Any]:
    headers = {"Accept-Language": accept} if accept is not None else {}
    response = await client.post("/generate-playlist", headers=headers, json={
        "prompt": "what is the capital of France?", "device_id": "phone-1"})
    assert response.status == 422
    body: dict[str, Any] = (await response.json())["error"]
    return body


async def test_a_refusal_is_worded_in_the_accepted_language(client: TestClient[Any, Any]) -> None:
    body = await _refusal(client, "es-ES,es;q=0.9,en;q=0.8")
    assert body == {"code": "not_about_music", "message": SPANISH_REFUSAL}


async def test_the_most_wanted_language_the_bot_speaks_is_chosen(
    client: TestClient[Any, Any],
) -> None:
    assert (await _refusal(client, "tlh;q=1, es;q=0.5, en;q=0.1"))["message"] == SPANISH_REFUSAL


async def test_without_a_language_the_bot_speaks_the_answer_is_english(
    client: TestClient[Any, Any],
) -> None:
    assert (await _refusal(client, None))["message"] == REJECTION_REASON.msgid
    assert (await _refusal(client, "tlh, x-klingon"))["message"] == REJECTION_REASON.msgid


async def test_a_playlist_title_is_in_the_accepted_language(client: TestClient[Any, Any]) -> None:
    response = await client.post("/generate-playlist", headers={"Accept-Language": "es"}, json={
        "prompt": "calm jazz for studying", "device_id": "phone-1", "count": 5})
    assert response.status == 200
    assert (await response.json())["title"] == "Calm Jazz para Studying"


def test_accept_language_is_read_by_quality_then_order() -> None:
    assert accepted_languages("fr;q=0.2, es-ES, de;q=0.9, *;q=0.1, it;q=0") == ["es-ES", "de", "fr"]
    assert accepted_languages(None) == [] and accepted_languages("q=oops;;,") == ["q=oops"]
