"""Shared test guards: no network beyond loopback, no developer .env or environment."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings, env_name
from tests.browser import browser_fixture, chromium_fixture  # noqa: F401  (fixtures)
from tests.fakes.anthropic_server import anthropic_server  # noqa: F401  (fixtures)
from tests.fakes.ollama_server import ollama_server  # noqa: F401  (fixtures)
from tests.fakes.openai_server import openai_server  # noqa: F401  (fixtures)
from tests.postgres_server import (  # noqa: F401  (fixtures)
    postgres_dsn,
    postgres_schema_dsn,
    postgres_server,
)

_LOOPBACK = ("127.", "::1", "localhost")
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_address(address: Any) -> None:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if not host.startswith(_LOOPBACK):
            raise RuntimeError(f"test tried to reach {host}: only 127.0.0.1 is allowed")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check_address(address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check_address(address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Every setting unset and a fresh working directory, so no .env can leak in."""
    for f in dataclasses.fields(Settings):
        monkeypatch.delenv(env_name(f), raising=False)
    monkeypatch.chdir(tmp_path)
    yield
