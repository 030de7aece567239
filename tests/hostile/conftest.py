"""Hypothesis profiles for the hostile-input tests.

``echotuner`` (the default) keeps the whole suite fast and repeatable: few examples,
derandomized (the same examples on every run, in CI and on a laptop), no example
database written into the working folder.  ``HYPOTHESIS_PROFILE=thorough`` runs many
more, random ones, by hand.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "echotuner", max_examples=25, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "thorough", max_examples=500, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "echotuner"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A failing 100 KB example is shown with a long repr; Hypothesis warns about that, and
    # filterwarnings=error would hide the actual failure behind the warning.
    for item in items:
        if "tests/hostile/" in str(item.fspath):
            item.add_marker(pytest.mark.filterwarnings("ignore:Generating overly large repr"))
