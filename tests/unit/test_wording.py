"""core.wording is the one catalogue of sentences: each named once, each said once."""

from __future__ import annotations

import ast
import collections
from pathlib import Path

import core.wording
from core.i18n import Message

SOURCE = Path(core.wording.__file__).read_text(encoding="utf-8")


def _message_text(node: ast.expr) -> str | None:
    """The English of ``Message("...")``, else None."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Message"
            and node.args and isinstance(node.args[0], ast.Constant)):
        return str(node.args[0].value)
    return None


def _assignments() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for node in ast.parse(SOURCE).body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = _message_text(node.value)
            found.extend((target.id, value) for target in targets if isinstance(target, ast.Name))
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


def test_sentences_are_messages_not_strings_fixed_at_import() -> None:
    """A module-level ``str`` would be said in English whatever the user's language."""
    fixed = [name for name in core.wording.__all__
             if isinstance(getattr(core.wording, name), str)]
    assert fixed == []


def test_a_message_is_said_in_english_when_no_language_is_chosen() -> None:
    assert isinstance(core.wording.SORRY, Message)
    assert core.wording.SORRY() == core.wording.SORRY.msgid


def test_counts_take_their_plural_form() -> None:
    assert core.wording.sign_in_limited(1).endswith("in 1 minute.")
    assert core.wording.sign_in_limited(5).endswith("in 5 minutes.")
