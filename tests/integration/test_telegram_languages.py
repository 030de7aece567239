"""Telegram in the user's language: their app's ``language_code``, or the one they pinned."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import wording
from tests.fakes.telegram_server import private_chat, tg_user
from tests.integration.language_support import catalogues
from tests.integration.telegram_support import ALICE, running_bot

__all__ = ["catalogues"]  # the fixture, used by name

pytestmark = pytest.mark.usefixtures("catalogues")

SPANISH_ALICE = {**ALICE, "language_code": "es"}
SPANISH_DM = private_chat(SPANISH_ALICE)


async def test_a_user_whose_app_speaks_spanish_is_answered_in_spanish(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.say(SPANISH_DM, SPANISH_ALICE, "/help")
        help_text = bot.last(SPANISH_DM).text
        assert help_text.startswith("Comandos:") and "/playlist <petición> [número]" in help_text
        await bot.say(SPANISH_DM, SPANISH_ALICE, "relaxing jazz for studying")
        answer = bot.last(SPANISH_DM)
        assert answer.text.startswith("Relaxing Jazz para Studying")  # the title's words too
        assert "planificadas por offline" in answer.text and "catálogo demo" in answer.text
        assert [b["text"] for b in answer.buttons()] == [
            "✏️ Ajustar", "🔄 Regenerar", "💾 Guardar en Spotify", "📋 URI"]


async def test_a_refusal_is_worded_in_the_users_language(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.say(SPANISH_DM, SPANISH_ALICE, "/frobnicate")
        assert "Comando desconocido: /frobnicate" in bot.last(SPANISH_DM).text


async def test_a_pinned_language_wins_over_the_apps(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.say(SPANISH_DM, SPANISH_ALICE, "/profile set language=en")
        await bot.say(SPANISH_DM, SPANISH_ALICE, "/help")
        assert bot.last(SPANISH_DM).text.startswith("Commands:")
        english = tg_user(1001, "Alice", "alice")  # the same person, app now in English
        await bot.say(private_chat(english), english, "/profile set language=es")
        await bot.say(private_chat(english), english, "/help")
        assert bot.last(private_chat(english)).text.startswith("Comandos:")


async def test_a_language_the_bot_does_not_speak_is_answered_in_english(tmp_path: Path) -> None:
    somebody = tg_user(1003, "Zed", "zed") | {"language_code": "tlh"}
    async with running_bot(tmp_path) as bot:
        await bot.say(private_chat(somebody), somebody, "/help")
        assert bot.last(private_chat(somebody)).text.startswith("Commands:")


async def test_the_command_menu_is_set_for_each_language_and_by_default_in_english(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        menus = bot.fake.command_menus
        default = {c["command"]: c["description"] for c in menus[("default", "")]}
        spanish = {c["command"]: c["description"] for c in menus[("default", "es")]}
        assert default["playlist"] == wording.COMMAND_MENU[0][1].msgid
        assert spanish["playlist"] == "Crea una playlist: /playlist <petición> [número]"
        assert spanish.keys() == default.keys()
        admins = {c["command"]: c["description"] for c in menus[("all_chat_administrators", "es")]}
        assert admins["settings"] == "Administradores: límites del grupo y su app de Spotify"
