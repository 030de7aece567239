"""Discord in the user's language: the client's ``interaction.locale``, or the one they pinned;
command and option descriptions localised when the commands are synced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core import wording
from tests.integration.discord_support import ALICE, Harness, final_message, running_bot
from tests.integration.language_support import catalogues

__all__ = ["catalogues"]  # the fixture, used by name

pytestmark = pytest.mark.usefixtures("catalogues")


async def _in(harness: Harness, locale: str, name: str, options: dict[str, Any] | None = None,
              *, sub: str | None = None) -> dict[str, Any]:
    payload = harness.guild.command(ALICE, name, options, sub=sub)
    payload["locale"] = locale
    return final_message(await harness.run(payload))


async def test_a_user_whose_discord_speaks_spanish_is_answered_in_spanish(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as harness:
        limits = await _in(harness, "es-ES", "limits")
        assert limits["embeds"][0]["title"] == "Tus límites aquí"
        playlist = await _in(harness, "es-ES", "playlist", {"prompt": "relaxing jazz", "count": 8})
        labels = [b["label"] for row in playlist["components"] for b in row["components"]]
        assert labels[:3] == ["Ajustar", "Regenerar", "Guardar en Spotify"]
        assert "8 canciones" in playlist["embeds"][-1]["footer"]["text"]


async def test_latin_american_spanish_falls_back_to_spanish(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as harness:
        limits = await _in(harness, "es-419", "limits")
        assert limits["embeds"][0]["title"] == "Tus límites aquí"


async def test_a_locale_without_a_catalogue_is_answered_in_english(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as harness:
        limits = await _in(harness, "zh-TW", "limits")  # no Traditional Chinese catalogue
        assert limits["embeds"][0]["title"] == wording.LIMITS_TITLE.msgid


async def test_a_pinned_language_wins_over_the_clients(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as harness:
        saved = await _in(harness, "en-US", "profile", {"language": "es"}, sub="set")
        assert "Language: es" in saved["embeds"][0]["description"]  # said in the old one
        limits = await _in(harness, "en-US", "limits")
        assert limits["embeds"][0]["title"] == "Tus límites aquí"
        await _in(harness, "en-US", "profile", {"language": "auto"}, sub="set")
        limits = await _in(harness, "en-US", "limits")
        assert limits["embeds"][0]["title"] == "Your limits here"


async def test_the_synced_commands_carry_spanish_descriptions(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as harness:
        synced = {c["name"]: c for c in harness.fake.commands[None]}
        playlist = synced["playlist"]
        assert playlist["description"] == "Make a Spotify playlist from a sentence"
        assert playlist["description_localizations"]["es-ES"] == (
            "Crea una playlist de Spotify a partir de una frase")
        assert playlist["description_localizations"]["es-419"] == (
            "Crea una playlist de Spotify a partir de una frase")
        count = {o["name"]: o for o in playlist["options"]}["count"]
        assert count["description_localizations"]["es-ES"] == (
            "Cuántas canciones (de 5 al máximo del servidor)")
        assert not playlist.get("name_localizations")  # names stay what people type
