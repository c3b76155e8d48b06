"""Functions short enough to read at once: none in `workers/` or `local_runtime/` longer than 40
lines (ruff's mccabe limit in `make lint` bounds their branching)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 40


def long_functions(directory: Path, limit: int = LIMIT) -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted(directory.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > limit:
                    found[f"{path.relative_to(directory)}:{node.lineno} {node.name}"] = lines
    return found


def test_no_function_of_the_platform_is_longer_than_40_lines() -> None:
    assert long_functions(ROOT / "workers") == {}
    assert long_functions(ROOT / "local_runtime") == {}


def test_the_walk_finds_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(41))
    (tmp_path / "m.py").write_text(f"def f() -> None:\n{body}\n", encoding="utf-8")
    assert list(long_functions(tmp_path).values()) == [42]
