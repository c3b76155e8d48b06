"""B11: the cost of a settled round does not grow with the player's history.

Two ledgers are seeded straight into their WalletDO storage, as `wallet_scaling.py` seeds events:
one with N prior rounds (default 1,000,000), one with 10. The history is a heavy player's: a
two-hour session every day ending at the time of day the benchmark runs (so every rolling window
of the limits starts inside a stretch of play), each round a BET and, every other round, a WIN;
with everything a settled round leaves behind (events, round records, idempotency records,
running totals of the money in play, stretches of play, the play session, an expired break). Then rounds are settled
through the real `Wallet` on the local runtime under Brazil's rules (mandatory loss and time
limits), so each one makes every read a round makes: the idempotency record, the ledger head,
exclusion, AML restriction, limits, the time limits' stretches of play, the loss limits' rolling
sums, the play session, the last stakes for the behaviour signals, the bonus. Target: the cost
after N rounds is at most 1.1 times the cost after 10.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from api.responsible import play_rules
from api.services import SystemClock
from casino.jurisdictions import from_dict
from casino.timefmt import parse_rfc3339, rfc3339
from local_runtime.actors import ActorHost
from wallet_do.wallet import Wallet, WalletDeps

from .common import Figure, print_table
from .wallet_scaling import NullDB

PROFILE = Path(__file__).resolve().parents[1] / "kv" / "jurisdictions" / "BR.json"
SESSION = timedelta(hours=2)
IDLE = timedelta(minutes=30)
STAKE, WIN = 100, 200
OPENING = 1_000_000_000


def rules() -> dict[str, Any]:
    return play_rules(from_dict(json.loads(PROFILE.read_text())))


def history(rounds: int, per_day: int, now: datetime) -> list[datetime]:
    """When each prior round was played, oldest first: `per_day` rounds a day in a two-hour
    session around this time of day (so each rolling window starts inside a session), and
    today's first half of it in the hour before now."""
    step = SESSION / per_day
    today = min(rounds, per_day // 2)
    times = [now - timedelta(seconds=1) - j * step for j in range(today)]
    for k in range(rounds - today):
        day, j = divmod(k, per_day)
        times.append(now - timedelta(days=day + 1) + SESSION / 2 - j * step)
    return sorted(times)


def stretches(times: list[datetime]) -> list[tuple[str, str, int]]:
    """The stretches of play (a pause longer than the idle timeout ends one), each with the
    milliseconds played before it."""
    spans = [[times[0], times[0]]]
    for at in times[1:]:
        if at - spans[-1][1] > IDLE:
            spans.append([at, at])
        spans[-1][1] = at
    rows, before = [], 0
    for a, b in spans:
        start, end = rfc3339(a), rfc3339(b)
        rows.append((start, end, before))
        before += (parse_rfc3339(end) - parse_rfc3339(start)) // timedelta(milliseconds=1)
    return rows


Rows = list[tuple[Any, ...]]


def _ledger(times: list[datetime], per_day: int) -> tuple[dict[str, Rows], int]:
    """What the rounds played at `times` left behind, table by table (events, rounds,
    idempotency records, running totals), and the last event's seq."""
    events: Rows = [(1, "DEPOSIT", OPENING, OPENING, rfc3339(times[0] - SESSION), "seed:deposit")]
    round_rows: Rows = []
    keys: Rows = []
    totals: Rows = [(rfc3339(times[0] - SESSION), 1, OPENING, 0, 0)]  # running totals per command
    bets = wins = 0
    seq, balance = 1, OPENING
    for i, at in enumerate(times):
        created = rfc3339(at)
        ref = f"round:seed-{i}"
        seq, balance = seq + 1, balance - STAKE
        events.append((seq, "BET", STAKE, balance, created, ref))
        bet_seq, payout = seq, WIN if i % 2 else 0
        if payout:
            seq, balance = seq + 1, balance + payout
            events.append((seq, "WIN", payout, balance, created, ref))
        bets, wins = bets + STAKE, wins + payout
        totals.append((created, seq, OPENING, bets, wins))
        record = json.dumps({"round_id": f"seed-{i}", "stake": STAKE, "payout": payout,
                             "outcome": {"roll": i % 10_000}, "created_at": created})  # fmt: skip
        round_rows.append((f"seed-{i}", f"s{i // per_day}", "dice", i, f"h{i // per_day}",
                           STAKE, payout, bet_seq, created, record))  # fmt: skip
        keys.append((f"seed-key-{i}", f"hash-{i}", 201, record, created))
    tables = {"events": events, "rounds": round_rows, "idempotency": keys, "flow_totals": totals}
    return tables, seq


def _meta(name: str, seq: int, times: list[datetime], now: datetime) -> Rows:
    """The object's meta rows: today's play session and a break that ended 40 days ago."""
    today = [at for at in times if now - at < SESSION]
    staked = STAKE * len(today)
    session = {"started_at": rfc3339(today[0]), "last_play_at": rfc3339(today[-1]),
               "rounds": len(today), "staked": staked, "won": staked,
               "last_reality_check_at": rfc3339(today[0])}  # fmt: skip
    pause = {"kind": "break", "until": rfc3339(now - timedelta(days=40)), "permanent": False}
    return [("player_id", name), ("projected_seq", str(seq)), ("play_session", json.dumps(session)),
            ("exclusion", json.dumps(pause))]  # fmt: skip


def _insert(conn: sqlite3.Connection, tables: dict[str, Rows], spans: Rows, meta: Rows) -> None:
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", tables["events"])
    conn.executemany(
        "INSERT INTO rounds (round_id, session_id, game_id, nonce, server_seed_hash, stake, "
        "payout, bet_seq, created_at, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        tables["rounds"],
    )
    conn.executemany("INSERT INTO idempotency VALUES (?, ?, ?, ?, ?)", tables["idempotency"])
    conn.executemany("INSERT INTO flow_totals VALUES (?, ?, ?, ?, ?)", tables["flow_totals"])
    conn.executemany(
        "INSERT INTO play_spans (started_at, last_at, before_ms) VALUES (?, ?, ?)", spans
    )
    conn.executemany("INSERT INTO meta VALUES (?, ?)", meta)
    conn.execute("COMMIT")


def seed(host: ActorHost, name: str, rounds: int, per_day: int, now: datetime) -> None:
    """`rounds` prior rounds (`per_day` a day) written straight into `name`'s WalletDO storage."""
    live = host._acquire(name)
    times = history(rounds, per_day, now)
    tables, seq = _ledger(times, per_day)
    spans = stretches(times)
    _insert(live.storage.conn, tables, spans, _meta(name, seq, times, now))
    host._release(live)


def record(name: str, i: int) -> dict[str, Any]:
    return {"round_id": f"{name}-{i}", "session_id": "bench", "game_id": "dice", "nonce": i,
            "server_seed_hash": "bench", "client_seed": "c", "rtp_bps": 9700, "stake": STAKE,
            "params": {"target": 5000}, "outcome": {"roll": 1, "win": i % 2 == 1},
            "payout": WIN if i % 2 else 0, "expected_payout": 97.0,
            "payout_variance": 9409.0}  # fmt: skip


async def measure(host: ActorHost, name: str, start: int, rounds: int) -> float:
    stub = host.get(name)
    play = rules()
    began = time.perf_counter()
    for i in range(start, start + rounds):
        answer = await stub.call(
            "settle_round",
            {"player_id": name, "idempotency_key": f"{name}-k{i}", "request_hash": "x",
             "round": record(name, i), "rg": play},
        )  # fmt: skip
        assert answer["status"] == 201, answer
    return (time.perf_counter() - began) / rounds


async def run(prior: int, per_day: int, rounds: int, repeats: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        host = ActorHost(Path(tmp), lambda n, s: Wallet(s, WalletDeps(SystemClock(), NullDB())))
        now = datetime.now(UTC)
        started = time.perf_counter()
        seed(host, "small", 10, per_day, now)
        seed(host, "large", prior, per_day, now)
        print(f"B11: seeded {prior:,} prior rounds in {time.perf_counter() - started:.0f} s")
        await measure(host, "small", 0, 20)  # the first round sets the mandatory limits
        await measure(host, "large", 0, 20)
        small, large = [], []
        for r in range(repeats):
            small.append(await measure(host, "small", 20 + r * rounds, rounds))
            large.append(await measure(host, "large", 20 + r * rounds, rounds))
        host.close()
    s, la = statistics.median(small), statistics.median(large)
    print(f"B11: round after 10: {s * 1e6:.0f} µs (min {min(small) * 1e6:.0f}, max "
          f"{max(small) * 1e6:.0f}); after {prior:,}: {la * 1e6:.0f} µs (min "
          f"{min(large) * 1e6:.0f}, max {max(large) * 1e6:.0f})")  # fmt: skip
    return [
        Figure("B11", f"settled round cost (s) after {prior:,} rounds vs 10", la, s, "s",
               "<= 1.1", la / s <= 1.1),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prior", type=int, default=1_000_000)
    parser.add_argument("--per-day", type=int, default=2_500, help="rounds in a day's session")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.prior, args.per_day, args.rounds, args.repeats))
    print_table(figures)
    return figures


if __name__ == "__main__":
    main()
