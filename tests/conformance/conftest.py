"""The conformance cases run inside Pyodide (`node tests/conformance/harness.mjs`), not under
pytest on CPython: keep pytest from collecting them."""

collect_ignore_glob = ["cases/*.py", "runtime/*"]
