"""B5: audit replay, events per second verifying a player's whole chain (the `WalletDO`'s
`audit`: every event read in order and replayed by the core, each balance checked against the
fold), against a raw `SELECT` scan of the same rows with `sqlite3` on the same file. Target:
ratio >= 0.3.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from api.services import SystemClock
from local_runtime.actors import ActorHost
from wallet_do.wallet import Wallet, WalletDeps

from .common import Figure, print_table
from .wallet_scaling import NullDB, seed


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        host = ActorHost(Path(tmp), lambda n, s: Wallet(s, WalletDeps(SystemClock(), NullDB())))
        seed(host, "p", args.events)
        path = host._file("p")
        raw = sqlite3.connect(path)
        ours, scans = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            audit = asyncio.run(host.get("p").call("audit", {}))
            ours.append(args.events / (time.perf_counter() - start))
            assert audit["consistent"] and audit["events"] == args.events, audit
            start = time.perf_counter()
            rows = raw.execute("SELECT * FROM events ORDER BY seq").fetchall()
            scans.append(len(rows) / (time.perf_counter() - start))
        raw.close()
        host.close()
    a, b = statistics.median(ours), statistics.median(scans)
    print(f"B5: audit {a:,.0f} events/s (min {min(ours):,.0f}, max {max(ours):,.0f}); raw scan "
          f"{b:,.0f} rows/s (min {min(scans):,.0f}, max {max(scans):,.0f})")  # fmt: skip
    figures = [Figure("B5", f"audit replay events/s ({args.events:,}) vs raw SELECT scan", a, b,
                      "1/s", ">= 0.3", a / b >= 0.3)]  # fmt: skip
    print_table(figures)
    return figures


if __name__ == "__main__":
    main()
