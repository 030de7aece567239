"""The per-address budget: a sliding day, counted per client, bounded in memory."""

from __future__ import annotations

from adapters.web.rest_budget import ClientBudget


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_spent_budget_says_how_long_until_the_oldest_use_leaves_the_window() -> None:
    clock = Clock()
    budget = ClientBudget(2, 3600, clock)
    assert budget.take("203.0.113.1") == 0
    clock.now += 600
    assert budget.take("203.0.113.1") == 0
    assert budget.take("203.0.113.1") == 3000
    assert budget.take("203.0.113.2") == 0  # another address has its own budget


def test_uses_leave_the_window_and_the_budget_comes_back() -> None:
    clock = Clock()
    budget = ClientBudget(1, 60, clock)
    assert budget.take("a") == 0
    assert budget.take("a") > 0
    clock.now += 60
    assert budget.take("a") == 0


def test_a_budget_of_zero_is_no_budget() -> None:
    budget = ClientBudget(0, 60)
    assert all(budget.take("a") == 0 for _ in range(1000))


def test_refused_attempts_do_not_extend_the_wait() -> None:
    clock = Clock()
    budget = ClientBudget(1, 100, clock)
    budget.take("a")
    for _ in range(50):
        clock.now += 1
        budget.take("a")
    clock.now = 1000.0 + 100
    assert budget.take("a") == 0
