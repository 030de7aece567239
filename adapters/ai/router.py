"""The fallback chain of chat models (``AI_PROVIDERS``), itself a ``ChatModel``.

``plan`` asks each provider in order and returns the first strategy; the answer
names the provider that produced it.  A provider that times out, refuses,
rate-limits, rejects the key or answers outside the schema (after its one repair)
hands over to the next.  Some failures also rest a provider for a while, so the
next request does not wait on it again: a 429 for its Retry-After, a hang or a
missing model for half a minute, a refused key for five minutes.  A 429 from the
last provider that could still answer (no other provider after it in the chain, or
all of them resting; ``offline`` counts when named) is waited out instead, when its
Retry-After fits in that provider's timeout: at most twice, never longer in all than
the timeout.  When no provider answers, ``ProviderUnavailable`` says why, per provider; the engine refunds the
quota.

``health`` reports every provider (reachable, model present).  Checks run as
background tasks bounded in time and their results are kept for a while; a health
call waits briefly for fresh results and otherwise shows the last known state, and
a playlist request never waits on a health check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from adapters.ai.errors import (
    ModelMissing,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderTimeout,
)
from core import wording
from core.errors import ProviderUnavailable, StrategyInvalid
from core.models import DependencyStatus, ProviderReport, StrategyAnswer, StrategyRequest
from core.ports import ChatModel

log = logging.getLogger(__name__)

# How long a provider rests after a failure of each kind (rate limits use Retry-After).
REST_AFTER_S: dict[type[ProviderError], float] = {
    ProviderTimeout: 30.0,
    ModelMissing: 30.0,
    ProviderAuthError: 300.0,
}
MAX_REST_S = 900.0
# How often the last provider left is asked again after a 429 it can wait out.
RATE_LIMIT_RETRIES = 2


@dataclass
class _ProviderState:
    rest_until: float = 0.0
    last_error: str = ""
    status: DependencyStatus | None = None
    checked_at: float = -math.inf
    check: asyncio.Task[None] | None = None
    # Bumped by every change of a request's outcome, so a check that started before the
    # change cannot pin its stale result for a whole TTL.
    epoch: int = 0


def _timeout_of(provider: ChatModel) -> float:
    """The provider's own timeout (0 when it has none: such a provider is never waited for)."""
    timeout = getattr(provider, "timeout", None)
    return float(timeout) if isinstance(timeout, int | float) and not isinstance(timeout, bool) else 0.0


def _rest_for(error: ProviderError, scale: float = 1.0) -> float:
    """How long ``error`` rests its provider; ``scale`` stretches the fixed rests (not 429s)."""
    if isinstance(error, ProviderRateLimited):
        return min(max(error.retry_after, 1.0), MAX_REST_S)
    for kind, seconds in REST_AFTER_S.items():
        if isinstance(error, kind):
            return seconds * scale
    return 0.0


class ModelRouter:
    """``ChatModel`` that tries its providers in order and records who answered.

    It is also a ``core.ports.ProviderReports``: the status page shows each provider.
    """

    name = "models"

    def __init__(
        self,
        providers: Sequence[ChatModel],
        *,
        health_ttl_s: float = 30.0,
        health_timeout_s: float = 2.5,
        health_wait_s: float = 1.5,
        rest_s: float = REST_AFTER_S[ProviderTimeout],
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """``rest_s``: how long a provider that timed out or lost its model is skipped (a
        refused key rests ten times as long; a 429 rests for its Retry-After)."""
        if not providers:
            raise ValueError("the model chain needs at least one provider")
        self.providers = tuple(providers)
        self._states = {p.name: _ProviderState() for p in self.providers}
        self._health_ttl_s = health_ttl_s
        self._health_timeout_s = health_timeout_s
        self._health_wait_s = health_wait_s
        self._rest_scale = rest_s / REST_AFTER_S[ProviderTimeout]
        self._monotonic = monotonic
        self._sleep = sleep

    # --- planning ---------------------------------------------------------------------
    async def plan(self, request: StrategyRequest) -> StrategyAnswer:
        """The first provider's strategy that passes the schema; ProviderUnavailable if none."""
        problems: list[str] = []
        for index, provider in enumerate(self.providers):
            state = self._states[provider.name]
            wait = state.rest_until - self._monotonic()
            if wait > 0:
                problems.append(f"{provider.name}: {state.last_error} (resting {math.ceil(wait)} s)")
                continue
            try:
                answer = await self._ask(provider, request, index)
            except ProviderError as exc:
                self._failed(provider.name, exc.detail, _rest_for(exc, self._rest_scale))
            except ProviderUnavailable as exc:  # a ChatModel outside adapters/ai may say so
                self._failed(provider.name, exc.user_message, 0.0)
            except StrategyInvalid as exc:
                self._failed(provider.name, f"answer failed the strategy schema ({exc})", 0.0)
            except Exception as exc:  # a bug in one provider must not sink the chain
                log.exception("model provider %s failed unexpectedly", provider.name)
                self._failed(provider.name, f"failed ({type(exc).__name__})", 0.0)
            else:
                if state.last_error:  # it answers again: health re-checks at once
                    state.last_error = ""
                    state.checked_at = -math.inf
                    state.epoch += 1
                return answer
            problems.append(f"{provider.name}: {state.last_error}")
        raise ProviderUnavailable(wording.no_model_answered("; ".join(problems)))

    async def _ask(self, provider: ChatModel, request: StrategyRequest, index: int) -> StrategyAnswer:
        """``provider``'s plan; a 429 is waited out when nobody else is left to ask."""
        waited = 0.0
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            try:
                return await provider.plan(request)
            except ProviderRateLimited as exc:
                budget = _timeout_of(provider) - waited
                if attempt == RATE_LIMIT_RETRIES or exc.retry_after > budget or self._others_left(index):
                    raise
                log.info("model provider %s is rate limited and no other is left: waiting %g s",
                         provider.name, exc.retry_after)
                await self._sleep(exc.retry_after)
                waited += exc.retry_after
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _others_left(self, index: int) -> bool:
        """Whether a provider after ``index`` in the chain could still be asked (not resting)."""
        now = self._monotonic()
        return any(self._states[p.name].rest_until <= now for p in self.providers[index + 1:])

    def _failed(self, name: str, detail: str, rest_s: float) -> None:
        state = self._states[name]
        # The same failure again (Ollama not installed, say) is news only the first time.
        level = logging.INFO if detail == state.last_error else logging.WARNING
        state.last_error = detail
        state.checked_at = -math.inf  # news for health: check again at the next call
        state.epoch += 1
        if rest_s > 0:
            state.rest_until = self._monotonic() + rest_s
        log.log(level, "model provider %s failed: %s%s; trying the next one", name, detail,
                f" (resting {rest_s:g} s)" if rest_s else "")

    # --- health -----------------------------------------------------------------------
    async def health(self) -> DependencyStatus:
        """Every provider's state; fresh when checks finish quickly, else the last known."""
        now = self._monotonic()
        running: list[asyncio.Task[None]] = []
        for provider in self.providers:
            state = self._states[provider.name]
            if state.check is None and now - state.checked_at >= self._health_ttl_s:
                state.check = asyncio.get_running_loop().create_task(
                    self._check(provider, state), name=f"health-{provider.name}"
                )
            if state.check is not None:
                running.append(state.check)
        if running:
            await asyncio.wait(running, timeout=self._health_wait_s)
        return self.summary()

    def summary(self) -> DependencyStatus:
        """The last known state of every provider, without checking anything."""
        parts: list[str] = []
        usable = False
        for provider in self.providers:
            state = self._states[provider.name]
            status = state.status
            if status is None:
                parts.append(f"{provider.name}: checking")
                continue
            resting = state.rest_until > self._monotonic()
            # A provider whose last request failed is down until a request succeeds, even
            # when its probe answers (Ollama lists its models while every chat fails).
            failing = bool(state.last_error) and status.ok
            usable = usable or (status.ok and not resting and not failing)
            word = "ok" if status.ok and not failing else "DOWN"
            if resting:
                note = f", resting after: {state.last_error}"
            elif failing:
                note = f", its last request failed: {state.last_error}"
            else:
                note = ""
            parts.append(f"{provider.name}: {word} ({status.detail}{note})" if status.detail
                         else f"{provider.name}: {word}{note}")
        return DependencyStatus("model", usable, "; ".join(parts))

    def reports(self) -> list[ProviderReport]:
        """Each provider's last known health and most recent failure (the status page's view)."""
        now = self._monotonic()
        return [
            ProviderReport(
                name=provider.name,
                status=self._states[provider.name].status,
                last_error=self._states[provider.name].last_error,
                resting_s=max(0.0, self._states[provider.name].rest_until - now),
            )
            for provider in self.providers
        ]

    async def _check(self, provider: ChatModel, state: _ProviderState) -> None:
        epoch = state.epoch
        status: DependencyStatus | None = None
        try:
            async with asyncio.timeout(self._health_timeout_s):
                status = await provider.health()
        except TimeoutError:
            status = DependencyStatus(f"model:{provider.name}", False, "no answer in time")
        except Exception as exc:  # health reports failures, it never raises
            status = DependencyStatus(f"model:{provider.name}", False, type(exc).__name__)
        finally:
            state.check = None
            if state.epoch == epoch or state.status is None:
                state.status = status
            if state.epoch == epoch:
                state.checked_at = self._monotonic()

    async def aclose(self) -> None:
        """Cancels health checks in flight and stops each provider's background work."""
        for state in self._states.values():
            if state.check is not None:
                state.check.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await state.check
        for provider in self.providers:
            close = getattr(provider, "aclose", None)
            if close is not None:
                await close()
