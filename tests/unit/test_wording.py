"""core.wording is the one catalogue of sentences: each named once, each said once."""

from __future__ import annotations

import ast
import collections
from pathlib import Path

import core.wording

SOURCE = Path(core.wording.__file__).read_text(encoding="utf-8")


def _assignments() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for node in ast.parse(SOURCE).body:
        if isinstance(node, ast.Assign):
            value = node.value.value if isinstance(node.value, ast.Constant) else None
            found.extend((target.id, value) for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.FunctionDef):
            found.append((node.name, None))
    return found


def test_every_name_is_defined_once() -> None:
    counts = collections.Counter(name for name, _ in _assignments())
    assert [name for name, n in counts.items() if n > 1] == []


def test_no_sentence_is_written_under_two_names() -> None:
    names = collections.defaultdict(list)
    for name, value in _assignments():
        if isinstance(value, str):
            names[value].append(name)
    assert {text: found for text, found in names.items() if len(found) > 1} == {}


def test_everything_exported_exists() -> None:
    assert [name for name in core.wording.__all__ if not hasattr(core.wording, name)] == []
