"""B1: settled rounds per second, one player, sequential, through the core and the `WalletDO`
on the local runtime (no HTTP): BET + WIN + round + outbox + idempotency rows per round, durable
before the answer. Baseline: the same rows written by raw `sqlite3`, one transaction per round,
same journal (WAL) and sync (NORMAL) settings.

Between two rounds the round's projection alarm runs (the outbox drained, its position moved:
one more storage transaction), as it does in `casino dev` and on the edge: a call to the object
is an await at which it runs. Until 2026-12-04 the local host ran a call inline, so no alarm ran
inside the timed loop and B1 left that work out."""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import tempfile
import time
from pathlib import Path

from api.services import SystemClock
from local_runtime.actors import ActorHost
from wallet_do.schema import STATEMENTS
from wallet_do.wallet import Wallet, WalletDeps

from .common import Figure, print_table
from .wallet_scaling import NullDB, seed


def record(i: int) -> dict:
    return {"round_id": f"r{i}", "session_id": "s", "game_id": "dice", "nonce": i,
            "server_seed_hash": "h", "client_seed": "c", "rtp_bps": 9700, "stake": 100,
            "params": {"target": 5000}, "outcome": {"roll": 1, "win": True}, "payout": 194,
            "expected_payout": 97.0, "payout_variance": 9409.0}  # fmt: skip


async def ours(rounds: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        host = ActorHost(Path(tmp), lambda n, s: Wallet(s, WalletDeps(SystemClock(), NullDB())))
        seed(host, "p", 1)
        host._acquire("p").storage.conn.execute(
            "UPDATE events SET amount = 1000000000, balance_after = 1000000000"
        )
        stub = host.get("p")
        start = time.perf_counter()
        for i in range(rounds):
            answer = await stub.call("settle_round", {"player_id": "p", "idempotency_key": f"k{i}",
                                                      "request_hash": "x", "round": record(i)})  # fmt: skip
            assert answer["status"] == 201, answer
        elapsed = time.perf_counter() - start
        host.close()
    return rounds / elapsed


def baseline(rounds: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "raw.sqlite", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        for statement in STATEMENTS:
            conn.execute(statement)
        conn.execute("INSERT INTO events VALUES (1, 'DEPOSIT', 1000000000, 1000000000, 't', 's')")
        balance, seq = 1_000_000_000, 1
        start = time.perf_counter()
        for i in range(rounds):
            body = json.dumps(record(i))
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO events VALUES (?, 'BET', 100, ?, 't', ?)",
                (seq + 1, balance - 100, f"round:r{i}"),
            )
            conn.execute(
                "INSERT INTO events VALUES (?, 'WIN', 194, ?, 't', ?)",
                (seq + 2, balance + 94, f"round:r{i}"),
            )
            conn.execute("INSERT INTO outbox (topic, payload) VALUES ('wallet_event', ?)", (body,))
            conn.execute("INSERT INTO outbox (topic, payload) VALUES ('wallet_event', ?)", (body,))
            conn.execute(
                "INSERT INTO rounds VALUES (?, 's', 'dice', ?, 'h', 100, 194, ?, 't', ?)",
                (f"r{i}", i, seq + 1, body),
            )
            conn.execute("INSERT INTO outbox (topic, payload) VALUES ('round', ?)", (body,))
            conn.execute("INSERT INTO idempotency VALUES (?, 'x', 201, ?, 't')", (f"k{i}", body))
            conn.execute("COMMIT")
            seq, balance = seq + 2, balance + 94
        elapsed = time.perf_counter() - start
        conn.close()
    return rounds / elapsed


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    a = sorted(asyncio.run(ours(args.rounds)) for _ in range(args.repeats))[args.repeats // 2]
    b = sorted(baseline(args.rounds) for _ in range(args.repeats))[args.repeats // 2]
    figures = [Figure("B1", "settled rounds/s via WalletDO vs raw sqlite3 same rows", a, b,
                      "1/s", ">= 0.5", a / b >= 0.5)]  # fmt: skip
    print_table(figures)
    return figures


if __name__ == "__main__":
    main()
