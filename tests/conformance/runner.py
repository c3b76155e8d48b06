"""Runs the `async def test_*` functions of a conformance case module inside Pyodide."""

from __future__ import annotations

import importlib
import inspect
import traceback


async def run_module(module_name: str, only: str) -> list[list[str | None]]:
    module = importlib.import_module(f"cases.{module_name}")
    results: list[list[str | None]] = []
    for name, fn in inspect.getmembers(module, inspect.iscoroutinefunction):
        if not name.startswith("test_") or (only and only not in f"{module_name}::{name}"):
            continue
        try:
            await fn()
        except BaseException:  # noqa: BLE001 - report every failure, keep going
            results.append([name, traceback.format_exc()])
        else:
            results.append([name, None])
    return results
