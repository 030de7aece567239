"""What every language-model provider shares: the prompt, the timeout, one repair.

A provider subclass only says how to send a conversation to its service and how to
append a repair turn; ``StructuredProvider.plan`` does the rest: it builds the
strategy prompt, bounds each call by the provider's timeout, checks the answer with
``core.strategy.parse_strategy``, asks once more with the problem spelled out when
the answer fails the schema, and otherwise raises ``ProviderBadOutput`` so the
router hands over to the next provider.

Every call is bounded in output: the schema caps the songs at what the request's
count needs (a grammar-constrained local model then closes the list), and the output
tokens are capped at what such a plan takes (``output_token_bound``), so a model
cannot generate until its context is full.  An answer the service cut at that bound
is "too long": the repair says so without sending the cut answer back whole, and a
second cut is ``ProviderTooLong``.  A usable plan with a few bad fields is kept
(``core.strategy.read_strategy`` clamps or drops them); each kind of correction is
logged once per provider.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from adapters.ai.errors import ProviderBadOutput, ProviderTimeout, ProviderTooLong
from core.errors import StrategyInvalid
from core.models import DependencyStatus, Strategy, StrategyAnswer, StrategyRequest
from core.prompting import StrategyPrompt, build_prompt, repair_text, suggestion_target
from core.strategy import StrategyReading, read_strategy, strategy_schema

log = logging.getLogger(__name__)

Message = dict[str, Any]

# What one plan costs in output tokens, generously: a song is {"title": ..., "artist": ...}
# (about 15 tokens, room left for long names and indentation); the fixed part is the
# title, description, genres, moods, numbers, the queries and the JSON around them.
TOKENS_PER_SONG = 40
PLAN_TOKENS = 600
TOKENS_PER_KEPT_TRACK = 4
# At most this much of a failed answer goes back with its repair: a long or cut answer
# sent back whole can overflow a small context (llama.cpp then refuses with HTTP 400).
REPAIR_ECHO_CHARS = 1500


def output_token_bound(request: StrategyRequest) -> int:
    """The most output tokens a plan for ``request`` needs (the cap sent with each call)."""
    return (
        PLAN_TOKENS
        + suggestion_target(request.count) * TOKENS_PER_SONG
        + len(request.previous_tracks) * TOKENS_PER_KEPT_TRACK
    )


@dataclass(frozen=True, slots=True)
class Ask:
    """The bounds of one planning call: the schema (songs capped) and the output tokens."""

    schema: dict[str, Any]
    max_tokens: int
    max_songs: int

    @classmethod
    def for_request(cls, request: StrategyRequest) -> Ask:
        songs = suggestion_target(request.count)
        keep = max(1, len(request.previous_tracks))
        return cls(strategy_schema(max_songs=songs, max_keep=keep), output_token_bound(request), songs)


@dataclass(frozen=True, slots=True)
class Completion:
    """One answer of a model: the payload to check and the turn to keep in the conversation."""

    payload: object  # JSON text, or an already decoded object (a tool call's input)
    turn: Message  # the assistant's message as the service wants it sent back
    call_id: str | None = None  # a tool call to answer with the repair (Anthropic)
    cut: bool = False  # the service stopped the answer at the output bound ("length")


class StructuredProvider(ABC):
    """A ``ChatModel`` that asks a language model for a schema-checked strategy."""

    name: str

    def __init__(self, *, name: str, model: str, timeout: float) -> None:
        self.name = name
        self.model = model
        self.timeout = timeout
        self._logged_corrections: set[str] = set()

    # --- what a provider implements -----------------------------------------------------
    @abstractmethod
    def _first_messages(self, prompt: StrategyPrompt) -> list[Message]:
        """The conversation that opens a request."""

    @abstractmethod
    async def _complete(self, messages: list[Message], ask: Ask) -> Completion:
        """Sends the conversation with ``ask``'s schema and output bound; raises a
        ``ProviderError`` when the service fails."""

    def _repair_messages(self, completion: Completion, problem: str) -> list[Message]:
        """The turns that ask for a corrected answer (a plain follow-up by default)."""
        return [clipped_turn(completion), {"role": "user", "content": repair_text(problem)}]

    @abstractmethod
    async def health(self) -> DependencyStatus:
        """Reachable, and the model present; bounded by the caller."""

    # --- the shared request -------------------------------------------------------------
    async def plan(self, request: StrategyRequest) -> StrategyAnswer:
        """A strategy for ``request``; one repair attempt when the answer is unusable."""
        ask = Ask.for_request(request)
        messages = self._first_messages(build_prompt(request))
        completion = await self._bounded(messages, ask)
        try:
            reading = _read(completion, ask)
        except StrategyInvalid as first:
            log.info("%s answered %s; asking once more", self.name,
                     "too long" if completion.cut else f"outside the schema ({first})")
            messages = [*messages, *self._repair_messages(completion, str(first))]
            completion = await self._bounded(messages, ask)
            try:
                reading = _read(completion, ask)
            except StrategyInvalid as second:
                if completion.cut:
                    raise ProviderTooLong(
                        self.name, f"answer cut off at {ask.max_tokens} tokens, again after a repair"
                    ) from None
                raise ProviderBadOutput(
                    self.name, f"answer failed the strategy schema after a repair ({second})"
                ) from None
        self._log_corrections(reading)
        return StrategyAnswer(strategy=_trimmed(reading.strategy, request), provider=self.name)

    def _log_corrections(self, reading: StrategyReading) -> None:
        """What checking fixed in an answer, each kind once per provider (then DEBUG)."""
        fresh = [c for c in reading.corrections if _correction_kind(c) not in self._logged_corrections]
        self._logged_corrections.update(_correction_kind(c) for c in reading.corrections)
        if fresh:
            log.warning("%s's plan needed corrections, kept the rest: %s", self.name, "; ".join(fresh))
        elif reading.corrections:
            log.debug("%s's plan needed corrections: %s", self.name, "; ".join(reading.corrections))

    async def _bounded(self, messages: list[Message], ask: Ask) -> Completion:
        try:
            async with asyncio.timeout(self.timeout):
                return await self._complete(messages, ask)
        except TimeoutError:
            raise ProviderTimeout(self.name, f"no answer within {self.timeout:g} s") from None


def _read(completion: Completion, ask: Ask) -> StrategyReading:
    """The answer's strategy; a cut answer is unusable whatever part of it arrived."""
    if completion.cut:
        raise StrategyInvalid(
            f"it was cut off at the limit of {ask.max_tokens} tokens. Keep it shorter: at most "
            f"{ask.max_songs} songs, short strings, and close the JSON object"
        )
    return read_strategy(_unfenced(completion.payload))


def _correction_kind(correction: str) -> str:
    """A correction without its numbers ("energy 1.7 out of 0..1" -> "energy  out of .."),
    so the same fault with another value is not news."""
    return "".join(c for c in correction if not c.isdigit())


def answer_text(payload: object) -> str:
    """A completion's payload as text (a tool call's input as JSON)."""
    return payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)


def clip(text: str, limit: int = REPAIR_ECHO_CHARS) -> str:
    """``text`` cut to ``limit`` characters, marked when cut."""
    return text if len(text) <= limit else text[:limit] + " ...[cut]"


def clipped_turn(completion: Completion) -> Message:
    """The assistant's turn to send back with a repair, its text clipped when long."""
    content = completion.turn.get("content")
    if isinstance(content, str) and len(content) <= REPAIR_ECHO_CHARS and not completion.cut:
        return completion.turn
    text = content if isinstance(content, str) else answer_text(completion.payload)
    return {"role": "assistant", "content": clip(text) or "(no answer)"}


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
