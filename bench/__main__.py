"""`make bench` / `python -m bench`: run every benchmark and print one table.

python -m bench                      # every figure of docs/benchmarks.md
python -m bench --only B3,B11        # some of them
python -m bench --events 1000000     # B4's ledger length (default 100,000)
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from . import (
    aml_latency,
    aml_rules,
    audit_replay,
    edge_cpu,
    fairness_speed,
    http_rounds,
    import_time,
    many_ledgers,
    memory_growth,
    pyodide_limits,
    round_history,
    settlement,
    wallet_scaling,
)
from .common import Figure, print_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated ids (B1, B7b, ...)")
    parser.add_argument("--events", default="100000", help="B4: prior events")
    parser.add_argument("--prior", default="1000000", help="B11: prior rounds")
    args = parser.parse_args()
    benches: list[tuple[set[str], Callable[[], list[Figure]]]] = [
        ({"B1"}, lambda: settlement.main([])),
        ({"B2"}, lambda: many_ledgers.main([])),
        ({"B3"}, lambda: http_rounds.main([])),
        ({"B4"}, lambda: wallet_scaling.main(["--events", args.events])),
        ({"B5"}, lambda: audit_replay.main([])),
        ({"B6"}, lambda: fairness_speed.main([])),
        ({"B7"}, lambda: aml_rules.main([])),
        ({"B7b"}, lambda: aml_latency.main([])),
        ({"B8", "B12"}, lambda: pyodide_limits.main([])),
        ({"B9"}, lambda: import_time.main([])),
        ({"B10"}, lambda: memory_growth.main([])),
        ({"B11"}, lambda: round_history.main(["--prior", args.prior])),
        ({"E1"}, lambda: edge_cpu.main([])),
    ]
    wanted = {x.strip().upper() for x in args.only.split(",") if x.strip()}
    root = Path(__file__).resolve().parents[1]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, text=True,
                            capture_output=True).stdout.strip()  # fmt: skip
    started = time.time()
    figures: list[Figure] = []
    for ids, bench in benches:
        if not wanted or {i.upper() for i in ids} & wanted:
            figures += bench()
    print(f"\nAll figures ({time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}, commit "
          f"{commit}, {platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {time.time() - started:.0f} s)")  # fmt: skip
    print_table(figures)


if __name__ == "__main__":
    main()
