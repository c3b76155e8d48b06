"""docs/api.md lists every endpoint the application serves, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from api.app import create_app

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def served() -> list[str]:
    """Every operation of the served OpenAPI document, in route order."""
    rows = []
    for path, operations in create_app().openapi()["paths"].items():
        for method, operation in operations.items():
            rows.append(f"| {method.upper()} {path} | {operation['summary']} |")
    assert rows, "the application serves no route"
    return rows


def test_the_reference_table_is_the_served_routes() -> None:
    documented = [
        line
        for line in DOC.read_text().splitlines()
        if re.match(r"^\| (GET|POST|PUT|PATCH|DELETE) /", line)
    ]
    expected = served()
    assert sorted(documented) == sorted(expected), "docs/api.md should list:\n" + "\n".join(
        expected
    )
