"""B8 and B12: the edge's Python (Pyodide 314 in Node, set up as the conformance harness sets
it up; bench/pyodide.mjs).

- B8: the core's settlement of a round (bench/core_round.py: params, draws, outcome, payout
  moments, BET and WIN decided and folded) in Pyodide against the same code on CPython in this
  process. Target: Pyodide time / CPython time <= 3.
- B12: the Worker's top-level import (the main module of `wrangler deploy --dry-run`'s bundle,
  under the edge's entropy rules) against a bare FastAPI app with one route, each in a fresh
  Pyodide of the same run (target ratio <= 1.3). Both compile their Python from source, as the
  import that Cloudflare's deploy-time snapshot is taken from does: python_modules/ ships no byte
  code (scripts/vendor_python_modules.sh removes it) and the harness writes none, so FastAPI,
  pydantic and Starlette are compiled in both imports (~670 ms of the bare app's), our modules,
  PyJWT, pyotp and the `workers` SDK in the Worker's only; the standard library comes
  precompiled in Pyodide for both. And Pyodide's heap (its WebAssembly memory, which never
  shrinks, so the figure is the peak) after one player's two concurrent 5 MiB document uploads,
  the largest the API takes, sent as base64 JSON (target <= 96 MiB).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from .common import Figure, print_table
from .core_round import timed

ROOT = Path(__file__).resolve().parents[1]


def node(*args: str) -> dict:
    result = subprocess.run(
        ["node", str(ROOT / "bench" / "pyodide.mjs"), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"bench/pyodide.mjs {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def b8(rounds: int, repeats: int) -> Figure:
    sys.path.insert(0, str(ROOT / "workers"))
    cpython = statistics.median(timed(rounds, repeats))
    pyodide = node("core", str(rounds), str(repeats))
    edge = statistics.median(pyodide["seconds"])
    print(f"B8: {rounds:,} rounds settled by the core: Pyodide {pyodide['pyodide']} {edge:.3f} s "
          f"(min {min(pyodide['seconds']):.3f}, max {max(pyodide['seconds']):.3f}), CPython "
          f"{cpython:.3f} s")  # fmt: skip
    return Figure("B8", "core round settlement: Pyodide time (s) vs CPython", edge, cpython, "s",
                  "<= 3.0", edge / cpython <= 3)  # fmt: skip


def b12(repeats: int, mib: float) -> list[Figure]:
    subprocess.run(["bash", "scripts/vendor_python_modules.sh"], cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    imports = node("import", str(repeats))
    entry, bare = imports["entry_median"], imports["bare_median"]
    print(f"B12: top-level import in Pyodide: entry {entry:.0f} ms (min {min(imports['entry_ms']):.0f}"
          f", max {max(imports['entry_ms']):.0f}), bare FastAPI app {bare:.0f} ms (min "
          f"{min(imports['bare_ms']):.0f}, max {max(imports['bare_ms']):.0f})")  # fmt: skip
    uploads = node("uploads", str(mib))
    heap = uploads["heap_mib"]
    print(f"B12: Pyodide heap {heap['before_import']:.0f} MiB before the import, "
          f"{heap['after_import']:.0f} after it, {heap['after_login']:.0f} after a login, "
          f"{heap['after_uploads']:.0f} after two concurrent {mib:g} MiB uploads "
          f"(answers {uploads['statuses']})")  # fmt: skip
    ok = uploads["statuses"] == [201, 201]
    return [
        Figure("B12", "Pyodide top-level import of the Worker (ms) vs a bare FastAPI app",
               entry, bare, "ms", "<= 1.3", entry / bare <= 1.3),
        Figure("B12", f"Pyodide heap (MiB) after two concurrent {mib:g} MiB uploads vs 96",
               heap["after_uploads"], 96.0, "MiB", "<= 1.0", ok and heap["after_uploads"] <= 96),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--import-repeats", type=int, default=3)
    parser.add_argument("--upload-mib", type=float, default=5)
    args = parser.parse_args(argv)
    figures = [b8(args.rounds, args.repeats), *b12(args.import_repeats, args.upload_mib)]
    print_table(figures)
    return figures


if __name__ == "__main__":
    main()
