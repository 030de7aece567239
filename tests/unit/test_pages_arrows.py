"""The web adapter's arrows point inward: it imports core (and its own package), never
the composition root nor another adapter, not even for type checking."""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "adapters" / "web"
OUTWARD = ("bot", "adapters.ai", "adapters.music", "adapters.discord", "adapters.telegram",
           "adapters.console", "data")


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (function bodies, TYPE_CHECKING blocks)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def test_the_web_adapter_imports_neither_bot_nor_another_adapter_nor_the_stores() -> None:
    outward = {
        f"{path.relative_to(WEB.parent.parent)} -> {module}"
        for path in sorted(WEB.rglob("*.py"))
        for module in imported_modules(path)
        if any(module == root or module.startswith(root + ".") for root in OUTWARD)
    }
    assert outward == set()


def test_the_web_adapter_answers_with_the_reply_union_not_the_command_parser() -> None:
    server = imported_modules(WEB / "server.py")
    assert "core.replies" in server and "core.commands" not in server


def test_the_health_checks_module_does_not_import_the_app_that_calls_it() -> None:
    # bot.app registers the health checks while it wires; an import back is a circle.
    health = imported_modules(WEB.parent.parent / "bot" / "health.py")
    assert not {m for m in health if m == "bot" or m.startswith("bot.")}
