"""Start-up under load: what the benchmark found slow, kept as tests.

* Adapters used to start one after another, so Telegram only began polling after Discord
  had waited two seconds for its servers; now the chats start side by side after the web
  side (which must be up before any chat can send a sign-in link).
* The catalogue used to load on the first request (1.4 s for the first user and the first
  ``/health``); the long-running bot now loads it in the background at start, then keeps
  that heap out of the garbage collector's full passes, which had stalled the event loop
  for a tenth of a second under a burst of users.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot import app as app_module
from bot.runner import run_adapters
from core.replies import Reply
from data.catalogue.demo import DemoCatalogue
from tests.faults.support import eventually, wired


async def logged(log: list[str], line: str) -> bool:
    return line in log


@dataclass
class SlowAdapter:
    name: str
    start_s: float = 0.0
    fails: bool = False
    log: list[str] = field(default_factory=list)

    async def start(self) -> None:
        self.log.append(f"start {self.name}")
        await asyncio.sleep(self.start_s)
        if self.fails:
            raise RuntimeError(f"{self.name} could not start")
        self.log.append(f"up {self.name}")

    async def stop(self) -> None:
        self.log.append(f"stop {self.name}")

    async def send(self, conversation: str, reply: Reply) -> None: ...


async def test_a_slow_platform_does_not_hold_up_the_others_and_they_stop_in_reverse() -> None:
    log: list[str] = []
    web = SlowAdapter("web", 0.01, log=log)
    discord = SlowAdapter("discord", 0.5, log=log)
    telegram = SlowAdapter("telegram", 0.01, log=log)
    ready = asyncio.Event()
    started = time.perf_counter()
    runner = asyncio.create_task(run_adapters([web, discord, telegram], until=ready.wait()))
    assert await eventually(lambda: logged(log, "up telegram"), within_s=2, every_s=0.005)
    assert time.perf_counter() - started < 0.3  # not after Discord's half second
    assert log.index("up web") < log.index("start discord")  # the web side first, alone
    assert await eventually(lambda: logged(log, "up discord"), within_s=2, every_s=0.005)
    ready.set()
    await runner
    assert [line for line in log if line.startswith("stop")] == [
        "stop telegram", "stop discord", "stop web"]


async def test_a_platform_that_cannot_start_stops_the_others_and_says_why() -> None:
    log: list[str] = []
    adapters = [SlowAdapter("web", log=log), SlowAdapter("discord", 0.05, fails=True, log=log),
                SlowAdapter("telegram", 0.01, log=log)]
    with pytest.raises(RuntimeError, match="discord could not start"):
        await run_adapters(adapters, until=asyncio.Event().wait())
    assert [line for line in log if line.startswith("stop")] == ["stop telegram", "stop web"]


@pytest.fixture
def fresh_catalogue(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoCatalogue]:
    """A catalogue nobody has loaded yet (the process-wide one usually is), and no frozen heap
    left behind for the rest of the test session."""
    catalogue = DemoCatalogue()
    monkeypatch.setattr(app_module, "shared_catalogue", lambda: catalogue)
    yield catalogue
    gc.unfreeze()


async def test_the_running_bot_loads_its_catalogue_before_anyone_asks(
    tmp_path: Path, fresh_catalogue: DemoCatalogue
) -> None:
    async with wired(tmp_path, AI_PROVIDERS="offline") as app:
        await asyncio.sleep(0.2)
        assert not fresh_catalogue.is_loaded  # a one-shot command pays on its first request
    frozen_before = gc.get_freeze_count()
    async with app_module.build_app(app.settings, warm_up=True):
        async def loaded() -> bool:
            return fresh_catalogue.is_loaded

        async def frozen() -> bool:
            return gc.get_freeze_count() > frozen_before

        assert await eventually(loaded, within_s=30)  # nobody asked for anything
        assert await eventually(frozen, within_s=10)  # out of the full collections


# --- an exposed web side needs its operator tokens (issue 15) ---------------------------
def _serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
           **env: str) -> tuple[int, str]:
    """``python -m bot serve`` in this process with ``env``; (exit code, stderr)."""
    from bot.cli import main

    for name in ("STATUS_TOKEN", "METRICS_TOKEN", "METRICS_ENABLED", "PUBLIC_BASE_URL",
                 "WEB_HOST", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_TOKEN", "SPOTIFY_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_FILENAME", str(tmp_path / "serve.db"))
    monkeypatch.setenv("AI_PROVIDERS", "offline")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main(["--env-file", str(tmp_path / "absent.env"), "serve"])
    return code, capsys.readouterr().err


def test_serve_refuses_to_start_exposed_without_a_status_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _serve(tmp_path, monkeypatch, capsys, PUBLIC_BASE_URL="https://bot.example.org")
    assert code == 2
    assert "Configuration error: STATUS_TOKEN must be set" in err


def test_serve_refuses_to_start_exposed_with_metrics_but_no_metrics_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _serve(tmp_path, monkeypatch, capsys, WEB_HOST="0.0.0.0",
                       STATUS_TOKEN="status-token-0123456789", METRICS_ENABLED="true")
    assert code == 2
    assert "Configuration error: METRICS_TOKEN must be set when METRICS_ENABLED=true" in err
