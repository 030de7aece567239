"""The command line: ``python -m bot`` / ``echotuner``."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from bot.logging_setup import setup_logging
from bot.settings import (
    Settings,
    SettingsError,
    load_settings,
    render_env_sample,
    secret_values,
)
from core import i18n, wording
from core.errors import EchoTunerError
from core.guard import parse_count
from core.models import UserRef

if TYPE_CHECKING:
    from bot.app import App

EXIT_REFUSED = 1
EXIT_CONFIG = 2

def cli_user() -> UserRef:
    """The person at this terminal; the console and one-shot commands share it."""
    return UserRef("console", getpass.getuser(), "console")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="echotuner", description="Turn a sentence into a real Spotify playlist."
    )
    parser.add_argument("--env-file", default=".env", help="settings file (default: .env)")
    # Given before or after the command; the subcommands' copy only overrides when given.
    language = argparse.ArgumentParser(add_help=False)
    language.add_argument("--lang", default=argparse.SUPPRESS,
                          help="answer in this language (es, pt-BR, ...; default: your "
                               "profile's, else LANG's)")
    parser.add_argument("--lang", default=None, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start every configured chat platform (the default)")
    sub.add_parser("console", help="chat with the bot in this terminal", parents=[language])
    gen = sub.add_parser("generate", help="make one playlist and print it", parents=[language])
    gen.add_argument("prompt")
    gen.add_argument("--count", "-n", default=None, help="number of tracks")
    gen.add_argument("--json", action="store_true", help="print one JSON object")
    ref = sub.add_parser("refine", help="refine a playlist made earlier and print it",
                         parents=[language])
    ref.add_argument("draft_id", help="the draft id printed by generate")
    ref.add_argument("feedback")
    ref.add_argument("--json", action="store_true", help="print one JSON object")
    status = sub.add_parser("status", help="check the model, catalogue and database",
                            parents=[language])
    status.add_argument("--json", action="store_true")
    sub.add_parser("env-sample", help="print every setting with its default")
    sub.add_parser("serve", help="start only the web side (OAuth callback, /health, REST API, "
                   "Telegram webhook); run several behind a load balancer")
    sub.add_parser(
        "migrate", help="apply database migrations (SQLite or DATABASE_URL) and exit"
    )
    return parser


def terminal_languages(env: Mapping[str, str] | None = None) -> list[str]:
    """The terminal's languages, most wanted first: ``LANGUAGE`` (GNU's list), then the
    first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set (POSIX's order)."""
    env = os.environ if env is None else env
    tags = [tag for tag in env.get("LANGUAGE", "").split(":") if tag]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            tags.append(env[name])
            break
    return tags


async def _language(app: App, args: argparse.Namespace) -> str:
    """``--lang`` when given, else the user's pinned language, else the terminal's."""
    if args.lang:
        return i18n.negotiate(args.lang)
    return await app.actions.language(cli_user(), *terminal_languages())


def _refuse(message: str, code: int = EXIT_REFUSED) -> int:
    print(message, file=sys.stderr)
    return code


async def _one_shot(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build_app

    async with build_app(settings) as app:
        with i18n.speaking(await _language(app, args)):
            return await _one_shot_command(app, args)


async def _one_shot_command(app: App, args: argparse.Namespace) -> int:
    """``status``, ``generate`` or ``refine``, printed in the language being spoken."""
    from adapters.console.render import playlist_json, render_health, render_playlist

    engine = app.engine
    if args.command == "status":
        health = await engine.health()
        if args.json:
            print(json.dumps({"ok": health.ok, "dependencies": [
                {"name": d.name, "ok": d.ok, "detail": d.detail} for d in health.dependencies
            ]}))
        else:
            print(render_health(health))
        return 0 if health.ok else EXIT_REFUSED
    if args.command == "generate":
        count = None
        if args.count is not None:  # worded with this scope's range when it is no number
            limits = await engine.limit_settings(cli_user().scope)
            count = parse_count(args.count, max_songs=limits.max_songs)
        playlist = await engine.generate(cli_user(), args.prompt, count)
    else:
        try:
            draft_id = int(args.draft_id)
        except ValueError:
            return _refuse(wording.not_a_draft_id(args.draft_id))
        playlist = await engine.refine(cli_user(), args.feedback, draft_id)
    share_url = await app.sharing.share_url(playlist.draft_id) if app.sharing else None
    if args.json:
        body = playlist_json(playlist)
        if share_url is not None:  # PUBLIC_BASE_URL is set: `serve` shows this page
            body["share_url"] = share_url
        print(json.dumps(body, ensure_ascii=False))
    else:
        print(render_playlist(playlist))
        if share_url is not None:
            print(wording.page_line(share_url))
    return 0


def _write_stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    # Imported here so `env-sample` and `--help` stay instant.
    from adapters.console.adapter import ConsoleAdapter, stdin_lines
    from bot.app import build_app
    from bot.platforms import with_housekeeping
    from bot.runner import ChatAdapter, run_adapters
    from core.commands import TextCommands

    async with build_app(settings, warm_up=True) as app:
        interactive = sys.stdin.isatty()
        console = ConsoleAdapter(
            TextCommands(app.actions),
            stdin_lines(),
            _write_stdout,
            user=cli_user(),
            interactive=interactive,
            banner=wording.CONSOLE_BANNER if interactive else None,
            languages=terminal_languages(), chosen_language=args.lang,
        )
        app.notifier.register(console)
        adapters: list[ChatAdapter] = [console]
        if app.linking is not None:  # /link needs the OAuth callback
            from bot.platforms import web_side

            adapters.insert(0, web_side(app))
        await run_adapters(with_housekeeping(app, adapters), until=console.run(),
                           on_change=_adapter_gauge(app))
    return 0


async def _serve(settings: Settings) -> int:
    """The web side (OAuth callback, /health, REST API, Telegram webhook); one of many replicas."""
    from bot.app import build_app
    from bot.platforms import serve_adapters, with_housekeeping
    from bot.runner import run_adapters

    async with build_app(settings, warm_up=True) as app:
        await run_adapters(with_housekeeping(app, serve_adapters(app)),
                           on_change=_adapter_gauge(app))
    return 0


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    """Starts every configured platform; with none, the console."""
    from bot.app import build_app
    from bot.platforms import configured_adapters, with_housekeeping
    from bot.runner import run_adapters

    # Warm up only when a platform will run (with none, the console builds its own app).
    platforms = bool(settings.discord_token or settings.telegram_token)
    async with build_app(settings, warm_up=platforms) as app:
        adapters = configured_adapters(app)
        if adapters:
            await run_adapters(with_housekeeping(app, adapters), on_change=_adapter_gauge(app))
            return 0
    return await _console(settings, args)


def _adapter_gauge(app: App) -> Callable[[str, bool], None] | None:
    """The metrics' running-adapters gauge, when METRICS_ENABLED."""
    return app.metrics.adapter_state if app.metrics is not None else None


async def _migrate(settings: Settings) -> int:
    """Applies pending migrations on the configured database; starts nothing else."""
    from data.open_store import migrate_store

    report = await migrate_store(settings)
    print(report.describe())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "env-sample":
        sys.stdout.write(render_env_sample())
        return 0
    from data import locales  # Babel: not needed by env-sample or --help

    locales.install()
    try:
        settings = load_settings(env_file=args.env_file)
    except SettingsError as exc:
        with i18n.speaking(i18n.negotiate(args.lang, *terminal_languages())):
            return _refuse(wording.configuration_error(str(exc)), EXIT_CONFIG)
    setup_logging(
        settings.log_level,
        secret_values(settings),  # every secret=True setting, found in the settings table
        settings.log_format,
    )
    try:
        if args.command in {"generate", "refine", "status"}:
            return asyncio.run(_one_shot(settings, args))
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        if args.command == "console":
            return asyncio.run(_console(settings, args))
        if args.command == "serve":
            return asyncio.run(_serve(settings))
        return asyncio.run(_run(settings, args))
    except SettingsError as exc:  # found while wiring: a key PostgreSQL needs, the web side's tokens
        return _refuse(wording.configuration_error(str(exc)), EXIT_CONFIG)
    except EchoTunerError as exc:
        return _refuse(exc.user_message)
    except KeyboardInterrupt:
        return 130
