"""What every language-model provider shares: the prompt, the timeout, one repair.

A provider subclass only says how to send a conversation to its service and how to
append a repair turn; ``StructuredProvider.plan`` does the rest: it builds the
strategy prompt, bounds each call by the provider's timeout, checks the answer with
``core.strategy.parse_strategy``, asks once more with the problem spelled out when
the answer fails the schema, and otherwise raises ``ProviderBadOutput`` so the
router hands over to the next provider.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from adapters.ai.errors import ProviderBadOutput, ProviderTimeout
from core.errors import StrategyInvalid
from core.models import DependencyStatus, Strategy, StrategyAnswer, StrategyRequest
from core.prompting import StrategyPrompt, build_prompt, repair_text, suggestion_target
from core.strategy import parse_strategy

log = logging.getLogger(__name__)

Message = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Completion:
    """One answer of a model: the payload to check and the turn to keep in the conversation."""

    payload: object  # JSON text, or an already decoded object (a tool call's input)
    turn: Message  # the assistant's message as the service wants it sent back
    call_id: str | None = None  # a tool call to answer with the repair (Anthropic)


class StructuredProvider(ABC):
    """A ``ChatModel`` that asks a language model for a schema-checked strategy."""

    name: str

    def __init__(self, *, name: str, model: str, timeout: float) -> None:
        self.name = name
        self.model = model
        self.timeout = timeout

    # --- what a provider implements -----------------------------------------------------
    @abstractmethod
    def _first_messages(self, prompt: StrategyPrompt) -> list[Message]:
        """The conversation that opens a request."""

    @abstractmethod
    async def _complete(self, messages: list[Message]) -> Completion:
        """Sends the conversation; raises a ``ProviderError`` when the service fails."""

    def _repair_messages(self, completion: Completion, problem: str) -> list[Message]:
        """The turns that ask for a corrected answer (a plain follow-up by default)."""
        return [completion.turn, {"role": "user", "content": repair_text(problem)}]

    @abstractmethod
    async def health(self) -> DependencyStatus:
        """Reachable, and the model present; bounded by the caller."""

    # --- the shared request -------------------------------------------------------------
    async def plan(self, request: StrategyRequest) -> StrategyAnswer:
        """A strategy for ``request``; one repair attempt when the answer fails the schema."""
        messages = self._first_messages(build_prompt(request))
        completion = await self._bounded(messages)
        try:
            strategy = parse_strategy(_unfenced(completion.payload))
        except StrategyInvalid as first:
            log.info("%s answered outside the schema (%s); asking once more", self.name, first)
            messages = [*messages, *self._repair_messages(completion, str(first))]
            completion = await self._bounded(messages)
            try:
                strategy = parse_strategy(_unfenced(completion.payload))
            except StrategyInvalid as second:
                raise ProviderBadOutput(
                    self.name, f"answer failed the strategy schema after a repair ({second})"
                ) from None
        return StrategyAnswer(strategy=_trimmed(strategy, request), provider=self.name)

    async def _bounded(self, messages: list[Message]) -> Completion:
        try:
            async with asyncio.timeout(self.timeout):
                return await self._complete(messages)
        except TimeoutError:
            raise ProviderTimeout(self.name, f"no answer within {self.timeout:g} s") from None


def _unfenced(payload: object) -> object:
    """JSON text without the Markdown code fence some models wrap it in."""
    if isinstance(payload, str):
        text = payload.strip()
        if text.startswith("```") and text.endswith("```"):
            text = text[3:-3]
            first_line, _, rest = text.partition("\n")
            return rest if first_line.strip().isalpha() or not first_line.strip() else text
    return payload


def _trimmed(strategy: Strategy, request: StrategyRequest) -> Strategy:
    """Drops suggestions past what was asked for, so a flood of them costs no searches."""
    limit = suggestion_target(request.count)
    keep = tuple(n for n in strategy.keep if n <= len(request.previous_tracks))
    if len(strategy.songs) <= limit and keep == strategy.keep:
        return strategy
    return dataclasses.replace(strategy, songs=strategy.songs[:limit], keep=keep)
