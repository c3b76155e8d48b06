"""`casino simulate`: the command-line shell over `casino.simulate` (arguments, a process pool
across the cores, a progress bar on stderr, the report on stdout)."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from typing import Any

from casino.errors import DomainError
from casino.fairness import is_server_seed, server_seed_hash
from casino.games import GAMES
from casino.simulate import CHUNK, SimulationStats, simulate


def _progress_bar(started: float) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        rate = done / max(time.perf_counter() - started, 1e-9)
        bar = "#" * filled + "." * (width - filled)
        sys.stderr.write(f"\r[{bar}] {done:,}/{total:,} rounds, {rate:,.0f}/s")
        sys.stderr.flush()

    return show


def _params(game_id: str, args: argparse.Namespace) -> dict[str, Any] | None:
    if args.params is not None:
        loaded: dict[str, Any] = json.loads(args.params)
        return loaded
    if args.target is not None:
        key = "target_multiplier_x100" if game_id == "limbo" else "target"
        return {key: args.target}
    return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casino simulate", description="RTP by simulation through the real core"
    )
    parser.add_argument("--game", required=True, choices=sorted(GAMES))
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--rtp-bps", type=int, help="default: the game's default RTP")
    parser.add_argument("--stake", type=int, default=100, help="minor units (default 100)")
    parser.add_argument("--target", type=int, help="dice: target; limbo: target_multiplier_x100")
    parser.add_argument("--params", help="JSON params, e.g. '{\"target\": 5000}'")
    parser.add_argument(
        "--workers", type=int, default=0, help="processes (default: one per core; 1: no pool)"
    )
    parser.add_argument("--server-seed", help="replay with this server seed (64 hex)")
    parser.add_argument("--client-seed", default="simulate")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="print the statistics as JSON")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when the actual RTP is outside the 99%% interval",
    )
    return parser


def _seed_source(args: argparse.Namespace) -> Callable[[int], bytes] | None:
    """Fresh server seeds, or the one of `--server-seed` replayed; None (after saying why on
    stderr) when that one is not a server seed."""
    if args.server_seed is None:
        return secrets.token_bytes
    if not is_server_seed(args.server_seed):
        print("casino simulate: --server-seed must be 64 lowercase hex", file=sys.stderr)
        return None
    return _replay(args.server_seed)


def _run(
    args: argparse.Namespace,
    seed_source: Callable[[int], bytes],
    progress: Callable[[int, int], None] | None,
) -> SimulationStats:
    """The simulation itself, across a process pool when there is more than one chunk."""
    rtp = args.rtp_bps if args.rtp_bps is not None else GAMES[args.game].default_rtp_bps
    workers = args.workers or os.cpu_count() or 1
    parallel = workers > 1 and args.rounds > CHUNK
    with ProcessPoolExecutor(max_workers=workers) if parallel else nullcontext() as pool:
        return simulate(
            args.game,
            args.rounds,
            rtp,
            _params(args.game, args),
            seed_source,
            stake=args.stake,
            client_seed=args.client_seed,
            progress=progress,
            executor=pool,
        )


def _print_text(stats: SimulationStats, elapsed: float) -> None:
    print(
        f"game {stats.game_id}, params {json.dumps(stats.params)}, stake {stats.stake}, "
        f"rtp {stats.rtp_bps} bps"
    )
    print(f"rounds {stats.rounds:,} in {elapsed:.1f} s ({stats.rounds / elapsed:,.0f}/s)")
    print(f"actual RTP      {stats.actual * 100:.4f}%")
    print(
        f"theoretical RTP {stats.theoretical * 100:.4f}% (exact {stats.theoretical_exact}), "
        f"sigma {stats.sigma:.4f}"
    )
    print(
        f"99% interval    {stats.low * 100:.4f}% .. {stats.high * 100:.4f}%: "
        + ("within" if stats.within else "OUTSIDE")
    )
    print(
        f"server seed {stats.server_seed} (hash {server_seed_hash(stats.server_seed)}), "
        f"client seed {stats.client_seed!r}"
    )


def _print_report(args: argparse.Namespace, stats: SimulationStats, elapsed: float) -> None:
    if args.json:
        print(json.dumps(stats.as_dict() | {"seconds": round(elapsed, 3)}, indent=2))
    else:
        _print_text(stats, elapsed)


def main(argv: list[str] | None = None) -> int:
    """`casino simulate --game G --rounds N [--rtp-bps R] [--stake S] [--target T]`."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    seed_source = _seed_source(args)
    if seed_source is None:
        return 2
    started = time.perf_counter()
    progress = None if args.quiet else _progress_bar(started)
    try:
        stats = _run(args, seed_source, progress)
    except (DomainError, ValueError) as error:
        detail = error.detail if isinstance(error, DomainError) else str(error)
        print(f"casino simulate: {detail}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    if progress is not None:
        sys.stderr.write("\n")
    _print_report(args, stats, elapsed)
    return 1 if args.strict and not stats.within else 0


def _replay(server_seed: str) -> Callable[[int], bytes]:
    def token_bytes(n: int) -> bytes:
        return bytes.fromhex(server_seed)

    return token_bytes
