"""`casino verify` and `casino simulate`: stdlib and the core only (no server, no state).

verify: the round list as `GET /v1/sessions/{id}/rounds` returns it (`{"rounds": [...]}`), a bare
list, or `{"revealed_server_seed": ..., "rounds": [...]}`; rounds of other seeds are skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from casino.fairness import server_seed_hash
from casino.games import GAMES
from casino.simulate import Tally, play_range, report
from casino.verify import verify_rounds


def verify_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="casino verify", description="recompute rounds from a revealed seed"
    )
    parser.add_argument("file", help="the rounds JSON, or - for standard input")
    parser.add_argument("--seed", help="the revealed server seed (else taken from the file)")
    args = parser.parse_args(argv)
    with sys.stdin if args.file == "-" else open(args.file, encoding="utf-8") as handle:
        data = json.load(handle)
    rounds = data if isinstance(data, list) else data.get("rounds", [])
    seed = args.seed or (data.get("revealed_server_seed") if isinstance(data, dict) else None)
    if not seed:
        parser.error("give --seed or a file with revealed_server_seed")
    checked, problems = verify_rounds(seed, rounds)
    for problem in problems:
        print(f"MISMATCH {problem}")
    print(f"{checked} rounds under seed hash {server_seed_hash(seed)}: "
          f"{checked - len(problems)} match, {len(problems)} mismatch")  # fmt: skip
    return 1 if problems or checked == 0 else 0


CHUNK = 250_000


def _progress(done: int, total: int, started: float) -> None:
    width = 30
    filled = width * done // total
    rate = done / max(time.perf_counter() - started, 1e-9)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {rate:,.0f}/s")
    sys.stderr.flush()


def simulate_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="casino simulate", description="RTP by simulation")
    parser.add_argument("--game", required=True, choices=sorted(GAMES))
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--rtp-bps", type=int)
    parser.add_argument("--stake", type=int, default=100)
    parser.add_argument("--params", default=None, help="JSON, e.g. '{\"target\": 5000}'")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    game = GAMES[args.game]
    rtp = args.rtp_bps or game.default_rtp_bps
    raw: Any = json.loads(args.params) if args.params else game.describe(rtp)["example_params"]
    params = game.validate_params(raw, rtp)
    seed, client_seed = secrets.token_bytes(32).hex(), "simulate"
    chunks = [(n, min(CHUNK, args.rounds - n)) for n in range(0, args.rounds, CHUNK)]
    tally, started = Tally(0, 0, 0), time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as pool:
        futures = [
            pool.submit(play_range, args.game, rtp, params, args.stake, seed, client_seed, n, c)
            for n, c in chunks
        ]
        for future in futures:
            tally = tally + future.result()
            _progress(tally.rounds, args.rounds, started)
    elapsed = time.perf_counter() - started
    result = report(args.game, rtp, params, args.stake, tally)
    sys.stderr.write("\n")
    print(f"game {args.game}, params {json.dumps(params)}, stake {args.stake}, rtp {rtp} bps")
    print(f"rounds {tally.rounds:,} in {elapsed:.1f} s ({tally.rounds / elapsed:,.0f}/s)")
    print(f"actual RTP      {result.actual * 100:.4f}%")
    print(f"theoretical RTP {result.theoretical * 100:.4f}% "
          f"(99% interval {result.low * 100:.4f}% .. {result.high * 100:.4f}%)")  # fmt: skip
    print("within the interval" if result.within else "OUTSIDE the 99% interval")
    print(f"server seed {seed} (hash {server_seed_hash(seed)}), client seed {client_seed!r}")
    return 0
