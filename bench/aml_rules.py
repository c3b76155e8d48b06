"""B7: the AML rules engine, events scored per second with the default rules on one core.

A realistic stream: 10,000 players, each event a deposit (10%), a withdrawal (2%), a bet (55%) or
a win (33%), a few seconds apart, amounts from R$ 1 to R$ 2.000, so windows fill and every rule
kind is evaluated. Absolute figure (no baseline): target >= 100,000 events/s.
"""

from __future__ import annotations

import argparse
import random
import time

from casino.aml import Engine, WalletEvent

from .common import Figure, print_table

KINDS = ("DEPOSIT",) * 10 + ("WITHDRAWAL",) * 2 + ("BET",) * 55 + ("WIN",) * 33


def stream(n: int, players: int, seed: int = 7) -> list[WalletEvent]:
    rng = random.Random(seed)
    seqs = [0] * players
    events = []
    for i in range(n):
        p = rng.randrange(players)
        seqs[p] += 1
        events.append(
            WalletEvent(
                f"p{p}:{seqs[p]}",
                f"p{p}",
                rng.choice(KINDS),
                rng.randint(100, 200_000),
                i // 50,
                seqs[p],
            )  # fmt: skip
        )
    return events


def rate(events: list[WalletEvent]) -> tuple[float, int]:
    engine = Engine()
    start = time.perf_counter()
    alerts = sum(len(engine.score(e)) for e in events)
    return len(events) / (time.perf_counter() - start), alerts


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--players", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    events = stream(args.events, args.players)
    runs = [rate(events) for _ in range(args.repeats)]
    rates = sorted(r for r, _ in runs)
    ours = rates[len(rates) // 2]
    print(f"B7: median {ours:,.0f} events/s (min {rates[0]:,.0f}, max {rates[-1]:,.0f}), "
          f"{runs[0][1]} alerts raised")  # fmt: skip
    figures = [Figure("B7", "AML rules: events/s scored, default rules, one core", ours, 100_000,
                      "1/s", ">= 1.0", ours >= 100_000)]  # fmt: skip
    print_table(figures)
    return figures


if __name__ == "__main__":
    main()
