"""B3: HTTP rounds through `casino dev` (JWT, validation, both Durable Objects, D1 projection).

A fresh server with verified, funded players, each with a dice session. Saturation is measured
closed-loop (`--clients` callers back to back) for rounds and for the trivial authenticated
JSON endpoint BENCHMARKS.md names as the baseline, `GET /v1/wallet` (the contract's simplest
authenticated read), on the same server; `GET /healthz` (no token) is printed beside it. Latency is then measured open-loop at half the rounds' saturation rate: requests due at
a fixed rate, each timed from when it was due (waiting for a connection or for the server
counts). Target: rounds >= 0.35 of the trivial endpoint; p99 <= 25 ms at half rate.

The load generator runs on the same machine as the server (one asyncio process): its own CPU is
printed, and a client near 100% of a core means the figure is the client's, not the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics

from .common import Figure, print_table
from .load import Casino, balance_reads, closed_loop, healthz, open_loop, round_requests


async def run(players: int, clients: int, seconds: float, repeats: int) -> list[Figure]:
    with Casino() as casino:
        made = await casino.players(players)
        rounds, reads = round_requests(made), balance_reads(made)
        await closed_loop(casino.base_url, rounds, clients, 2.0, casino.pid)  # warm-up
        round_rates, trivial_rates, health_rates = [], [], []
        for _ in range(repeats):
            health = await closed_loop(casino.base_url, healthz, clients, seconds, casino.pid)
            trivial = await closed_loop(casino.base_url, reads, clients, seconds, casino.pid)
            saturated = await closed_loop(casino.base_url, rounds, clients, seconds, casino.pid)
            assert saturated.errors == 0, saturated.statuses
            assert trivial.errors == 0, trivial.statuses
            trivial_rates.append(trivial.rate)
            health_rates.append(health.rate)
            round_rates.append(saturated.rate)
            print(f"B3 saturation: rounds {saturated.rate:,.0f}/s (server CPU "
                  f"{saturated.server_cpu / saturated.done * 1000:.2f} ms/round, client CPU "
                  f"{saturated.client_cpu / saturated.seconds:.0%}), GET /v1/wallet "
                  f"{trivial.rate:,.0f}/s (client CPU {trivial.client_cpu / trivial.seconds:.0%})"
                  f", healthz {health.rate:,.0f}/s")  # fmt: skip
        peak = statistics.median(round_rates)
        base = statistics.median(trivial_rates)
        half = await open_loop(casino.base_url, rounds, peak / 2, seconds, casino.pid)
        p50, p99 = half.percentile_ms(50), half.percentile_ms(99)
        print(f"B3 rounds {peak:,.0f}/s (min {min(round_rates):,.0f}, max {max(round_rates):,.0f})"
              f", GET /v1/wallet {base:,.0f}/s (min {min(trivial_rates):,.0f}, max "
              f"{max(trivial_rates):,.0f}), healthz {statistics.median(health_rates):,.0f}/s "
              f"(ratio {peak / statistics.median(health_rates):.3f}); open loop at {peak / 2:,.0f}/s: {half.done} answered, "
              f"{half.errors} errors, p50 {p50:.1f} ms, p99 {p99:.1f} ms, max "
              f"{half.histogram.get_max_value() / 1000:.1f} ms; server CPU "
              f"{half.server_cpu / max(1, half.done) * 1000:.2f} ms/round")  # fmt: skip
    return [
        Figure("B3", f"HTTP rounds/s at saturation vs GET /v1/wallet/s ({clients} clients)", peak,
               base, "1/s", ">= 0.35", peak / base >= 0.35),
        Figure("B3", f"HTTP round p99 (ms), open loop at half peak ({peak / 2:,.0f}/s) vs 25 ms",
               p99, 25.0, "ms", "<= 1.0", p99 <= 25.0 and half.errors == 0),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--players", type=int, default=32)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.players, args.clients, args.seconds, args.repeats))
    print_table(figures)
    return figures


if __name__ == "__main__":
    main()
