"""The console and the command line in the user's language: ``LANG`` (and co.), ``--lang``,
or the language pinned in their profile."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.ai.offline import OfflineStrategyProvider
from adapters.console.adapter import ConsoleAdapter
from core.actions import Actions
from core.commands import TextCommands
from core.engine import Engine
from core.identity import UserKeys
from core.models import UserRef
from core.validation import LexicalValidator
from core.wording import HELP
from data.sqlite_store import SqliteStore
from tests.fakes.catalogue import FakeCatalogue, make_track
from tests.integration.language_support import catalogues, translated_locales
from tests.integration.test_cli import run_bot

__all__ = ["catalogues"]  # the fixture, used by name

pytestmark = pytest.mark.usefixtures("catalogues")

USER = UserRef("console", "tester", "console")


def test_the_console_speaks_the_terminals_language(tmp_path: Path) -> None:
    done = run_bot("console", stdin="/help\n", cwd=tmp_path, env={"LANG": "es_ES.UTF-8"})
    assert done.returncode == 0, done.stderr
    assert "Comandos:" in done.stdout and "Commands:" not in done.stdout


def test_lang_chooses_the_language_whatever_the_terminals(tmp_path: Path) -> None:
    done = run_bot("--lang", "es", "console", stdin="/frobnicate\n", cwd=tmp_path,
                   env={"LANG": "en_US.UTF-8"})
    assert done.returncode == 0, done.stderr
    assert "Comando desconocido: /frobnicate. Escribe /help." in done.stdout


def test_a_one_shot_command_speaks_lang_too(tmp_path: Path) -> None:
    done = run_bot("generate", "relaxing jazz for studying", "--count", "5", "--lang", "es",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "5 canciones - planificadas por offline" in done.stdout
    assert "Ajústala con: /refine <qué cambiar>" in done.stdout


def test_an_unknown_terminal_language_is_answered_in_english(tmp_path: Path) -> None:
    done = run_bot("console", stdin="/help\n", cwd=tmp_path, env={"LANG": "tlh_QO.UTF-8"})
    assert done.returncode == 0, done.stderr
    assert "Commands:" in done.stdout


@pytest.fixture
async def commands(tmp_path: Path) -> AsyncIterator[TextCommands]:
    store = SqliteStore(tmp_path / "console.db")
    await store.open()
    catalogue = FakeCatalogue(make_track(n, f"Tune {n}", f"Artist {n}", "jazz") for n in range(40))
    engine = Engine(store=store, model=OfflineStrategyProvider(), catalogue=catalogue,
                    validator=LexicalValidator(), keys=UserKeys(b"c" * 32))
    try:
        yield TextCommands(Actions(engine))
    finally:
        await store.close()


async def _said(commands: TextCommands, line: str, **options: object) -> str:
    written: list[str] = []

    async def no_lines() -> AsyncIterator[str]:
        return
        yield  # pragma: no cover

    console = ConsoleAdapter(commands, no_lines(), written.append, user=USER, interactive=False,
                             **options)  # type: ignore[arg-type]
    await console.handle_line(line)
    return "".join(written)


async def test_a_pinned_language_wins_over_the_terminals(commands: TextCommands) -> None:
    await _said(commands, "/profile set language=es", languages=["en_US.UTF-8"])
    assert (await _said(commands, "/help", languages=["en_US.UTF-8"])).startswith("Comandos:")
    await _said(commands, "/profile set language=none", languages=["en_US.UTF-8"])
    assert (await _said(commands, "/help", languages=["en_US.UTF-8"])).startswith("Commands:")


@pytest.mark.parametrize("locale", translated_locales())
async def test_every_catalogue_answers_help_in_its_language(
    commands: TextCommands, locale: str
) -> None:
    said = await _said(commands, "/help", chosen_language=locale)
    assert said.strip() != HELP.msgid.strip()
    assert "/playlist" in said and "/profile set" in said  # the commands themselves stay
