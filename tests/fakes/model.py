"""A chat model that answers with prepared strategies (implements our ChatModel port)."""

from __future__ import annotations

from core.errors import ProviderUnavailable
from core.models import DependencyStatus, Strategy, StrategyAnswer, StrategyRequest


class ScriptedModel:
    name = "scripted"

    def __init__(self, *strategies: Strategy) -> None:
        self.strategies = list(strategies)
        self.requests: list[StrategyRequest] = []
        self.down = False

    async def plan(self, request: StrategyRequest) -> StrategyAnswer:
        self.requests.append(request)
        if self.down:
            raise ProviderUnavailable("No language model is answering right now; nothing was charged.")
        strategy = self.strategies[min(len(self.requests), len(self.strategies)) - 1]
        return StrategyAnswer(strategy=strategy, provider=self.name)

    async def health(self) -> DependencyStatus:
        return DependencyStatus("model:scripted", not self.down)
