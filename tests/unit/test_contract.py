"""The repository's contract: CI runs the README's test command, word for word."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[str]:
    return re.findall(r"```sh\n(python3 -m venv[^\n]*)\n```", (ROOT / "README.md").read_text())


def test_readme_has_one_run_and_one_test_command() -> None:
    run, test = _readme_commands()
    assert run.endswith("python -m bot")
    assert test.endswith("python -m pytest")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    test = _readme_commands()[1]
    assert test in (ROOT / ".ci" / "run").read_text().splitlines()
