"""B4: the cost of a deposit and of a balance read does not grow with the ledger's length.

A player's ledger is seeded with N prior events (a consistent chain, written straight into the
WalletDO's storage), then deposits and balance reads are timed through the real `Wallet` on the
local runtime and compared with the same after 10 events.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from api.services import SystemClock
from local_runtime.actors import ActorHost
from wallet_do.wallet import Wallet, WalletDeps

from .common import Figure, print_table


class NullDB:
    """D1 is off the hot path (the outbox drains it later); this benchmark measures the DO. The
    projection's statements are accepted and dropped, so an alarm that runs succeeds."""

    def prepare(self, sql):  # noqa: ANN001, ANN201
        return _NullStatement()

    async def batch(self, statements):  # noqa: ANN001, ANN201
        return [[] for _ in statements]


class _NullStatement:
    def bind(self, *params):  # noqa: ANN002, ANN201
        return self


def seed(host: ActorHost, name: str, events: int) -> None:
    live = host._acquire(name)
    storage = live.storage
    balance = 0
    rows = []
    for seq in range(1, events + 1):
        balance += 100
        rows.append((seq, "DEPOSIT", 100, balance, "2026-01-01T00:00:00.000Z", f"seed:{seq}"))
    storage.conn.execute("BEGIN")
    storage.conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", rows)
    storage.conn.execute("COMMIT")
    host._release(live)


async def measure(host: ActorHost, name: str, deposits: int, reads: int) -> tuple[float, float]:
    stub = host.get(name)
    start = time.perf_counter()
    for i in range(deposits):
        await stub.call(
            "deposit",
            {"player_id": name, "idempotency_key": f"b{i}", "request_hash": str(i),
             "amount": 100, "method": "pix", "ref": f"bench:{i}"},
        )  # fmt: skip
    deposit_cost = (time.perf_counter() - start) / deposits
    start = time.perf_counter()
    for _ in range(reads):
        await stub.call("balance", {})
    return deposit_cost, (time.perf_counter() - start) / reads


async def run(events: int, deposits: int, reads: int, repeats: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        host = ActorHost(
            Path(tmp), lambda n, s: Wallet(s, WalletDeps(clock=SystemClock(), db=NullDB()))
        )
        seed(host, "small", 10)
        seed(host, "large", events)
        small, large = [], []
        for _ in range(repeats):
            small.append(await measure(host, "small", deposits, reads))
            large.append(await measure(host, "large", deposits, reads))
        # Alarms were scheduled for the projection; they would call D1: cancel them.
        host.close()
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    dep_small, dep_large = med([s[0] for s in small]), med([x[0] for x in large])
    read_small, read_large = med([s[1] for s in small]), med([x[1] for x in large])
    return [
        Figure("B4", f"deposit cost (s) after {events:,} events vs 10", dep_large, dep_small,
               "s", "<= 1.1", dep_large / dep_small <= 1.1),
        Figure("B4", f"balance read cost (s) after {events:,} events vs 10", read_large,
               read_small, "s", "<= 1.1", read_large / read_small <= 1.1),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--deposits", type=int, default=300)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.events, args.deposits, args.reads, args.repeats))
    print_table(figures)
    return figures


if __name__ == "__main__":
    main()
