"""What the status page shows about adapters and dependencies (adapters/web/pages/status.py)."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.ai.offline import OfflineStrategyProvider
from adapters.web.pages.status import StatusCollector
from core.activity import Activity
from core.models import (
    DependencyStatus,
    Health,
    ProviderReport,
    StrategyAnswer,
    StrategyRequest,
)
from core.validation import LexicalValidator


@dataclass
class Adapter:
    name: str
    connected: bool


@dataclass
class Console:
    name: str = "console"


async def healthy() -> Health:
    return Health((DependencyStatus("database", True, "SQLite"),
                   DependencyStatus("model", True, "offline: ok"),
                   DependencyStatus("catalogue", True, "demo"),
                   DependencyStatus("spotify-accounts", False, "503 from the accounts service")))


def collector(*adapters: object, configured: tuple[str, ...] = ()) -> StatusCollector:
    return StatusCollector(health=healthy, model=OfflineStrategyProvider(),
                           validator=LexicalValidator(), adapters=lambda: adapters,
                           configured_platforms=configured, activity=Activity(), version="1.2.3")


async def test_each_adapter_says_whether_it_is_connected_or_not_running_here() -> None:
    snapshot = await collector(Adapter("discord", True), Adapter("telegram", False), Console(),
                               configured=("discord", "telegram", "slack")).snapshot()
    states = {row.name: (row.ok, row.state) for row in snapshot.adapters}
    assert states == {
        "web": (True, "serving"),
        "discord": (True, "connected"),
        "telegram": (False, "not connected"),
        "slack": (None, "not running here"),
        "console": (True, "running"),
    }
    assert not snapshot.ok  # Telegram is down


async def test_dependencies_beyond_the_engines_own_are_listed_and_count_against_all_good() -> None:
    snapshot = await collector().snapshot()
    assert [(r.name, r.ok, r.detail) for r in snapshot.others] == [
        ("Spotify accounts", False, "503 from the accounts service")]
    assert (snapshot.database.ok, snapshot.catalogue.detail) == (True, "demo")
    assert snapshot.embedder.state == "not used" and "lexical" in snapshot.embedder.detail
    assert [r.name for r in snapshot.models] == ["offline"] and snapshot.version == "1.2.3"
    assert not snapshot.ok


@dataclass
class TwoProviders:
    """A model made of providers that reports each one (the ``ProviderReports`` port),
    without being the AI adapters' router: the page reads the port, not a class."""

    name: str = "chain"

    async def plan(self, request: StrategyRequest) -> StrategyAnswer:
        raise AssertionError("the status page never plans")

    async def health(self) -> DependencyStatus:
        return DependencyStatus("model", True, "two providers")

    def reports(self) -> list[ProviderReport]:
        return [ProviderReport("ollama", DependencyStatus("model:ollama", True, "llama3"), "", 0.0),
                ProviderReport("openai", DependencyStatus("model:openai", True, "gpt"),
                               "429 rate limited", 12.0),
                ProviderReport("anthropic", None, "", 0.0)]


async def test_a_model_that_reports_its_providers_gets_one_row_per_provider() -> None:
    collector = StatusCollector(health=healthy, model=TwoProviders(),
                                validator=LexicalValidator())
    rows = (await collector.snapshot()).models
    assert [(r.name, r.ok, r.state) for r in rows] == [
        ("ollama", True, "ok"), ("openai", False, "failing"), ("anthropic", None, "checking")]
    assert rows[1].error == "429 rate limited (resting 12 s)"
