"""E1: the CPU of each endpoint in the edge's Python (bench/pyodide_requests.mjs: the Worker as
wrangler bundles it, in Pyodide 314 in Node, its Durable Objects hosted in the same Pyodide,
miniflare's D1, KV and R2), against the paid plan's default CPU limit per request (30 s; the
Free plan's 10 ms is exceeded by a PBKDF2 login alone, so the paid plan is assumed).

The process's CPU per request is split into the harness's sql.js stand-in of the objects'
SQLite (WebAssembly, every statement parsed anew: the edge's SQLite is native), miniflare's D1
client (~10 ms of this process's CPU per query; on the edge D1 runs elsewhere while the Worker
waits), and the rest, `python`: our Python in Pyodide with its JS glue, the figure that is the
edge's. A request's figure includes the Durable Object calls it makes, which the edge bills to
the objects; `with alarms` adds the projection the request armed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

from .common import Figure, print_table

ROOT = Path(__file__).resolve().parents[1]
PAID_PLAN_CPU_MS = 30_000.0


def measure(requests: int) -> dict:
    subprocess.run(["bash", "scripts/vendor_python_modules.sh"], cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    result = subprocess.run(
        ["node", str(ROOT / "bench" / "pyodide_requests.mjs"), str(requests)],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"bench/pyodide_requests.mjs failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100, help="of each kind")
    args = parser.parse_args(argv)
    found = measure(args.requests)
    print(f"E1: CPU per request in Pyodide, medians of {args.requests} (ms): total, of it the "
          "sql.js stand-in, miniflare's D1 client, and our Python")  # fmt: skip
    for kind, k in found["kinds"].items():
        alarms = (
            f", with alarms {k['python_with_alarms_ms']:.1f}"
            if "python_with_alarms_ms" in k
            else ""
        )
        print(f"  {kind:14} {k['total_ms']:6.1f}  sql.js {k['storage_ms']:5.1f}  d1 "
              f"{k['d1_ms']:5.1f}  python {k['python_ms']:6.1f}{alarms}")  # fmt: skip
    worst = max(k["python_ms"] for k in found["kinds"].values())
    round_ms = found["kinds"]["round"]["python_with_alarms_ms"]
    ok = not found["alarm_failures"]
    figures = [
        Figure("E1", "Pyodide CPU of a round with its alarms (ms) vs the paid plan's 30 s", round_ms,
               PAID_PLAN_CPU_MS, "ms", "<= 1.0", ok and round_ms <= PAID_PLAN_CPU_MS),
        Figure("E1", "Pyodide CPU of the costliest request kind (ms) vs 30 s", worst,
               PAID_PLAN_CPU_MS, "ms", "<= 1.0", ok and worst <= PAID_PLAN_CPU_MS),
    ]  # fmt: skip
    print_table(figures)
    return figures


if __name__ == "__main__":
    main()
