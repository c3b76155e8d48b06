"""B2: settled rounds per second over 1,000 players (1,000 ledgers) from 64 concurrent callers
in-process, through the core and the `WalletDO` on the local runtime (no HTTP), against B1's
one-player sequential figure measured in the same run. Target: ratio >= 0.9 (no collapse with
many ledgers) and the process's open files bounded (the host keeps at most `max_live` objects
open, each with its database, WAL and shared-memory files).

Each caller takes its players in turn (caller c plays players c, c + 64, ...), so every ledger
is visited as often as every other and the host's cache of live objects is exercised. The callers
interleave at every call, as on the edge (a call to a Durable Object is an await): until
2026-12-04 the local host ran an object's method inline, so the 64 callers ran one after another,
each through its own 16 ledgers, and 1,000 ledgers never competed for the live objects.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from api.services import SystemClock
from local_runtime.actors import CLOSING_LIMIT, ActorHost
from wallet_do.wallet import Wallet, WalletDeps

from . import settlement
from .common import Figure, print_table
from .wallet_scaling import NullDB, seed


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


async def ours(players: int, callers: int, rounds: int) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        host = ActorHost(Path(tmp), lambda n, s: Wallet(s, WalletDeps(SystemClock(), NullDB())))
        names = [f"p{i}" for i in range(players)]
        for name in names:
            seed(host, name, 1)
            host._acquire(name).storage.conn.execute(
                "UPDATE events SET amount = 1000000000, balance_after = 1000000000"
            )
            host._release(host._live[name])
        peak = open_files()
        counter = iter(range(10**9))

        async def caller(c: int) -> None:
            nonlocal peak
            mine = names[c::callers]
            for k in range(rounds // callers):
                name, i = mine[k % len(mine)], next(counter)
                answer = await host.get(name).call(
                    "settle_round",
                    {"player_id": name, "idempotency_key": f"k{i}", "request_hash": "x",
                     "round": settlement.record(i)},
                )  # fmt: skip
                assert answer["status"] == 201, answer
                if i % 97 == 0:
                    peak = max(peak, open_files())

        start = time.perf_counter()
        await asyncio.gather(*(caller(c) for c in range(callers)))
        elapsed = time.perf_counter() - start
        live = host.max_live
        await host.drain()
        host.close()
    return (rounds // callers) * callers / elapsed, peak, live


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--callers", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=6400)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    baseline_before = open_files()
    many, single, peaks = [], [], []
    for _ in range(args.repeats):
        rate, peak, live = asyncio.run(ours(args.players, args.callers, args.rounds))
        many.append(rate)
        peaks.append(peak)
        single.append(asyncio.run(settlement.ours(args.rounds // 2)))
    a, b = statistics.median(many), statistics.median(single)
    # Database, WAL and shm per live object and per object the closing thread has not closed
    # yet; the alarms.
    bound = baseline_before + 3 * (live + CLOSING_LIMIT) + 8
    print(f"B2: {a:,.0f} rounds/s over {args.players} ledgers (min {min(many):,.0f}, max "
          f"{max(many):,.0f}); one player {b:,.0f}/s (min {min(single):,.0f}, max "
          f"{max(single):,.0f}); open files peak {max(peaks)} (bound {bound})")  # fmt: skip
    figures = [
        Figure("B2", f"rounds/s, {args.players} ledgers, {args.callers} callers vs B1 one player",
               a, b, "1/s", ">= 0.9", a / b >= 0.9 and max(peaks) <= bound),
    ]  # fmt: skip
    print_table(figures)
    return figures


if __name__ == "__main__":
    main()
