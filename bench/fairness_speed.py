"""B6: fairness draws per second through the core's derivation vs bare `hmac.new(...).digest()`."""

from __future__ import annotations

import argparse
import hashlib
import hmac
import time

from casino.fairness import Draws

from .common import Figure, print_table

SEED = "ab" * 32


def core(n: int) -> float:
    start = time.perf_counter()
    for nonce in range(n):
        Draws(SEED, "bench", nonce).below(10_000)
    return n / (time.perf_counter() - start)


def bare(n: int) -> float:
    key = SEED.encode()
    start = time.perf_counter()
    for nonce in range(n):
        hmac.new(key, f"bench:{nonce}:0".encode(), hashlib.sha256).digest()
    return n / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    ours = sorted(core(args.draws) for _ in range(args.repeats))[args.repeats // 2]
    base = sorted(bare(args.draws) for _ in range(args.repeats))[args.repeats // 2]
    figures = [Figure("B6", "fairness draws/s (core) vs bare hmac digests/s", ours, base,
                      "1/s", ">= 0.7", ours / base >= 0.7)]  # fmt: skip
    print_table(figures)
    return figures


if __name__ == "__main__":
    main()
