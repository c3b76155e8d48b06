"""B10: resident memory of `casino dev` after 100,000 rounds over 1,000 players, against its
resident size right after start-up. Players are made over the API (registered, logged in,
verified, funded, each with a dice session); the rounds are played by `--clients` callers back
to back, the players in turn; the size is read from /proc once the server is quiet again.
Target: growth <= 50 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from .common import Figure, print_table
from .load import Casino, Pool, open_files, resident_mib, round_requests


async def run(players: int, rounds: int, clients: int) -> tuple[float, float, int]:
    with Casino() as casino:
        await asyncio.sleep(2)
        start_mib = resident_mib(casino.pid)
        began = time.perf_counter()
        made = await casino.players(players)
        print(f"B10: {players} players made in {time.perf_counter() - began:.0f} s; resident "
              f"{resident_mib(casino.pid):.0f} MiB")  # fmt: skip
        make = round_requests(made)
        counter = iter(range(rounds))
        failures: dict[int, int] = {}
        began = time.perf_counter()
        async with Pool(casino.base_url, clients) as pool:

            async def caller() -> None:
                for i in counter:
                    status = await pool.send(make(i))
                    if status != 201:
                        failures[status] = failures.get(status, 0) + 1

            await asyncio.gather(*(caller() for _ in range(clients)))
        elapsed = time.perf_counter() - began
        await asyncio.sleep(5)  # the last projections and queue batches
        end_mib = resident_mib(casino.pid)
        files = open_files(casino.pid)
        print(f"B10: {rounds:,} rounds in {elapsed:.0f} s ({rounds / elapsed:,.0f}/s), "
              f"{sum(failures.values())} refused {failures}; resident {start_mib:.0f} MiB after "
              f"start-up, {end_mib:.0f} MiB after; {files} open files")  # fmt: skip
    return start_mib, end_mib, sum(failures.values())


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args(argv)
    start, end, failed = asyncio.run(run(args.players, args.rounds, args.clients))
    growth = (end - start) * 1.048576  # MiB to MB
    figures = [Figure("B10", f"casino dev RSS growth (MB) after {args.rounds:,} rounds, "
                      f"{args.players:,} players", growth, 50.0, "MB", "<= 1.0",
                      growth <= 50 and failed == 0)]  # fmt: skip
    print_table(figures)
    return figures


if __name__ == "__main__":
    main()
