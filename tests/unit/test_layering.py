"""bot/ is the lower layer: nothing under bot/ imports the actions package (data flows down only)."""

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_bot_never_imports_actions():
    offenders = {
        str(path.relative_to(BOT.parent)): sorted(
            m for m in _imported_modules(path) if m == "actions" or m.startswith("actions.")
        )
        for path in BOT.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
