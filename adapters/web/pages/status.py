"""What the operator's status page shows, gathered in one bounded pass.

Adapters (connected or not), each model provider of the fallback chain (reachable, model
present, most recent error), the embedder, the catalogue, the database, and today's
counts.  Every check is bounded in time, so the page answers even when a dependency
hangs; the model chain's checks are the router's own (cached briefly, read through the
``core.ports.ProviderReports`` port), so refreshing the page does not hammer a provider.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from core.activity import Activity, ActivityCounts
from core.models import DependencyStatus, Health
from core.ports import ChatModel, Embedder, PromptValidator, ProviderReports

EMBEDDER_CHECK_TIMEOUT_S = 2.5
EMBEDDER_CHECK_TTL_S = 30.0  # an embedder check may cost an embedding call: not every refresh
# What the engine's health always has; anything else it reports goes under "other services".
_OWN_ROWS = frozenset({"database", "model", "catalogue", "embeddings"})


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the page: ``ok`` None means unknown (not checked, not running here)."""

    name: str
    ok: bool | None
    state: str
    detail: str = ""
    error: str = ""

    @property
    def css(self) -> str:
        return "unknown" if self.ok is None else ("ok" if self.ok else "down")

    @property
    def mark(self) -> str:
        """A symbol beside the word, so the state never rests on colour alone."""
        return "?" if self.ok is None else ("✓" if self.ok else "✗")


@dataclass(frozen=True, slots=True)
class StatusSnapshot:
    """Everything on the page at one moment."""

    generated_at: datetime
    started_at: datetime
    version: str
    adapters: tuple[Row, ...]
    models: tuple[Row, ...]
    embedder: Row
    catalogue: Row
    database: Row
    counts: ActivityCounts | None
    others: tuple[Row, ...] = ()  # further checks the bot registered (Spotify accounts, chat APIs)

    @property
    def ok(self) -> bool:
        """All good: nothing down (unknown rows do not count against it)."""
        rows = (*self.adapters, *self.models, self.embedder, self.catalogue, self.database,
                *self.others)
        return all(row.ok is not False for row in rows)


@runtime_checkable
class Connectable(Protocol):
    """An adapter that knows whether it is connected (Discord, Telegram)."""

    @property
    def connected(self) -> bool: ...


@runtime_checkable
class _Named(Protocol):
    name: str


@runtime_checkable
class _WithEmbedder(Protocol):
    """The embedding validator (``core.semantic_validation.SemanticValidator``)."""

    embedder: Embedder
    last_error: str


class StatusCollector:
    """Builds a ``StatusSnapshot`` from the running bot's parts."""

    def __init__(
        self,
        *,
        health: Callable[[], Awaitable[Health]],
        model: ChatModel,
        validator: PromptValidator,
        adapters: Callable[[], Sequence[object]] = tuple,
        configured_platforms: Sequence[str] = (),
        activity: Activity | None = None,
        version: str = "",
        clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._health = health
        self._model = model
        self._validator = validator
        self._adapters = adapters
        self._configured = tuple(configured_platforms)
        self._activity = activity
        self._version = version
        self._clock = clock or (lambda: datetime.now(UTC))
        self._monotonic = monotonic
        self._started_at = self._clock()
        self._embedder_row: Row | None = None
        self._embedder_checked = -float("inf")

    async def snapshot(self) -> StatusSnapshot:
        """One bounded pass over everything (the engine's health checks are bounded too)."""
        health = await self._health()
        by_name = {d.name: d for d in health.dependencies}
        embedder = await self._embedder(by_name.get("embeddings"))
        return StatusSnapshot(
            generated_at=self._clock(),
            started_at=self._started_at,
            version=self._version,
            adapters=self._adapter_rows(),
            models=self._model_rows(by_name.get("model")),
            embedder=embedder,
            catalogue=_dependency_row("Catalogue", by_name.get("catalogue")),
            database=_dependency_row("Database", by_name.get("database")),
            counts=self._activity.today() if self._activity is not None else None,
            others=tuple(_dependency_row(_label(d.name), d) for d in health.dependencies
                         if d.name not in _OWN_ROWS),
        )

    # --- adapters -------------------------------------------------------------------
    def _adapter_rows(self) -> tuple[Row, ...]:
        rows = [Row("web", True, "serving", "this page, /health and the OAuth callback")]
        running: dict[str, object] = {}
        for adapter in self._adapters():
            if isinstance(adapter, _Named):
                running[adapter.name] = adapter
        for name in (*self._configured, *[n for n in running if n not in self._configured]):
            adapter = running.get(name)
            if adapter is None:
                rows.append(Row(name, None, "not running here",
                                "configured, but this process does not run it (e.g. `serve`)"))
            elif isinstance(adapter, Connectable):
                connected = adapter.connected
                rows.append(Row(name, connected, "connected" if connected else "not connected"))
            else:
                rows.append(Row(name, True, "running"))
        return tuple(rows)

    # --- models -------------------------------------------------------------------
    def _model_rows(self, summary: DependencyStatus | None) -> tuple[Row, ...]:
        model = self._model
        if not isinstance(model, ProviderReports):  # one model, not a chain of providers
            return (_dependency_row(model.name, summary),)
        rows: list[Row] = []
        for report in model.reports():
            status = report.status
            error = report.last_error
            if report.resting_s > 0:
                error = f"{error} (resting {report.resting_s:.0f} s)"
            if status is None:
                rows.append(Row(report.name, None, "checking", error=error))
            elif status.ok and report.last_error:
                # It answers its probe, but its last real request failed: not usable yet.
                rows.append(Row(report.name, False, "failing", status.detail, error))
            else:
                rows.append(Row(report.name, status.ok, "ok" if status.ok else "down",
                                status.detail, error))
        return tuple(rows)

    async def _embedder(self, reported: DependencyStatus | None) -> Row:
        """The engine's embeddings check when it has one, else a check of our own (cached)."""
        validator = self._validator
        if not isinstance(validator, _WithEmbedder):
            return Row("Embedder", True, "not used",
                       f"prompts are checked by the {validator.name} check (EMBEDDING_PROVIDER=none)")
        name = f"Embedder ({validator.embedder.name})"
        if reported is not None:
            return Row(name, reported.ok, "ok" if reported.ok else "down", reported.detail,
                       validator.last_error)
        now = self._monotonic()
        if self._embedder_row is None or now - self._embedder_checked >= EMBEDDER_CHECK_TTL_S:
            try:
                status = await asyncio.wait_for(validator.embedder.health(), EMBEDDER_CHECK_TIMEOUT_S)
            except TimeoutError:
                status = DependencyStatus("embeddings", False, "no answer in time")
            except Exception as exc:  # the page reports failures, it never raises
                status = DependencyStatus("embeddings", False, type(exc).__name__)
            self._embedder_checked = now
            self._embedder_row = Row(name, status.ok, "ok" if status.ok else "down", status.detail)
        row = self._embedder_row
        return Row(row.name, row.ok, row.state, row.detail, validator.last_error)


def _label(name: str) -> str:
    """``spotify-accounts`` -> ``Spotify accounts``: dependency names as the page shows them."""
    text = name.replace("-", " ").replace("_", " ").replace(":", ": ")
    return text[:1].upper() + text[1:]


def _dependency_row(name: str, status: DependencyStatus | None) -> Row:
    if status is None:
        return Row(name, None, "unknown")
    return Row(name, status.ok, "ok" if status.ok else "down", status.detail)


__all__ = ["Connectable", "Row", "StatusCollector", "StatusSnapshot"]
