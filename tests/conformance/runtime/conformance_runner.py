"""Finds and runs the conformance cases inside Pyodide: `cases/test_*.py`, each `test_*`
function (async or not) in definition order. The harness drives it one test at a time."""

from __future__ import annotations

import importlib
import inspect
import traceback
from typing import Any

_tests: dict[str, Any] = {}


def discover(modules: list[str]) -> list[list[str | None]]:
    """[[test id, import error or None], ...] for the given case modules."""
    found: list[list[str | None]] = []
    for module_name in modules:
        try:
            module = importlib.import_module(f"cases.{module_name}")
        except BaseException:  # noqa: BLE001 - a broken case file is a failure, not a crash
            found.append([f"{module_name}::<import>", traceback.format_exc()])
            continue
        functions = [
            (name, fn)
            for name, fn in vars(module).items()
            if name.startswith("test_")
            and inspect.isfunction(fn)
            and fn.__module__ == module.__name__
        ]
        functions.sort(key=lambda item: item[1].__code__.co_firstlineno)
        for name, fn in functions:
            test_id = f"{module_name}::{name}"
            _tests[test_id] = fn
            found.append([test_id, None])
    return found


async def run(test_id: str) -> str | None:
    """None when the test passed, else its traceback."""
    try:
        result = _tests[test_id]()
        if inspect.isawaitable(result):
            await result
    except BaseException:  # noqa: BLE001 - report every failure, keep going
        return traceback.format_exc()
    return None
