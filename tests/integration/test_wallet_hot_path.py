"""What a WalletDO command costs in storage, and the running totals behind the rolling limits:
one read of the ledger's meta per command, sums exact when a command's clock read and its
transaction come in a different order than another's, and ledgers of the old schema carried
over from their history."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from infra.storage_schema import migrate
from local_runtime.actors import ActorHost, LocalActorStorage
from wallet_do.schema import STEPS
from wallet_do.wallet import Wallet, WalletDeps

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 11, 25, 10, 30, 15, tzinfo=UTC)
BR_RULES = {
    "idle_minutes": 30,
    "reality_check_minutes": 60,
    "utc_offset_minutes": -180,
    "limits": {
        "required": ["loss", "time"],
        "defaults": {"loss_daily": 500_000, "time_daily": 480},
        "maxima": {},
    },
}


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


class NoD1:
    """Takes the projection's statements and drops them (D1 is not what is measured here)."""

    def prepare(self, sql):
        return self

    def bind(self, *params):
        return self

    async def batch(self, statements):
        return [[] for _ in statements]


class Counting(LocalActorStorage):
    statements: list[str] = []

    def exec(self, sql, *params):
        Counting.statements.append(sql)
        return super().exec(sql, *params)


@pytest.fixture
def wallet(tmp_path, monkeypatch):
    import local_runtime.actors as actors

    monkeypatch.setattr(actors, "LocalActorStorage", Counting)
    clock = Clock()
    host = ActorHost(tmp_path, lambda name, storage: Wallet(storage, WalletDeps(clock, NoD1())))
    yield host.get("p"), clock
    host.close()


def round_payload(i: int, stake: int = 100, payout: int = 0) -> dict:
    record = {"round_id": f"r{i}", "session_id": "s", "game_id": "dice", "nonce": i,
              "server_seed_hash": "h", "client_seed": "c", "rtp_bps": 9700, "stake": stake,
              "params": {"target": 5000}, "outcome": {"roll": 1}, "payout": payout,
              "expected_payout": 97.0, "payout_variance": 9409.0}  # fmt: skip
    return {"player_id": "p", "idempotency_key": f"k{i}", "request_hash": f"h{i}",
            "round": record, "rg": BR_RULES}  # fmt: skip


async def deposit(stub, amount: int, key: str) -> dict:
    return await stub.call("deposit", {"player_id": "p", "idempotency_key": key,
                                       "request_hash": key, "amount": amount, "method": "pix",
                                       "ref": key})  # fmt: skip


async def quiet(stub) -> None:
    """Let the last command's projection alarm run (its reads are not the next command's), then
    count from zero."""
    await stub._host.drain()
    Counting.statements.clear()


def meta_reads() -> int:
    return sum(
        1 for s in Counting.statements if "FROM meta" in s and s.lstrip().startswith("SELECT")
    )


async def test_a_deposit_and_a_round_each_read_the_ledgers_meta_once(wallet):
    stub, _ = wallet
    assert (await deposit(stub, 10_000, "d0"))["status"] == 201
    await stub.call("settle_round", round_payload(0))
    await quiet(stub)
    assert (await deposit(stub, 500, "d1"))["status"] == 201
    assert meta_reads() == 1
    await quiet(stub)
    answer = await stub.call("settle_round", round_payload(1, payout=194))
    assert answer["status"] == 201, answer
    assert meta_reads() == 1


async def test_a_repeated_command_is_answered_from_its_record_with_no_meta_read(wallet):
    stub, _ = wallet
    first = await deposit(stub, 700, "same")
    await quiet(stub)
    assert await deposit(stub, 700, "same") == first
    assert meta_reads() == 0


async def test_loss_limits_count_a_command_committed_after_a_later_one_exactly(wallet):
    """Two commands read the clock in one order and commit in the other (the first one waited
    at an await): the running totals still hold every amount at its own instant."""
    stub, clock = wallet
    assert (await deposit(stub, 1_000_000, "d0"))["status"] == 201
    limits = {"player_id": "p", "changes": {"loss_daily": 1_000, "time_daily": 480},
              "rules": BR_RULES["limits"]}  # fmt: skip
    answer = await stub.call("set_limits", limits)
    assert answer["status"] == 200, answer
    clock.at = T0 + timedelta(hours=2)
    assert (await stub.call("settle_round", round_payload(1, stake=400)))["status"] == 201
    clock.at = T0 + timedelta(hours=1)  # read earlier, committed later
    assert (await stub.call("settle_round", round_payload(2, stake=500)))["status"] == 201
    clock.at = T0 + timedelta(hours=2, minutes=1)
    refused = await stub.call("settle_round", round_payload(3, stake=101))
    assert refused["status"] == 403 and refused["body"]["error"]["code"] == "loss_limit_reached"
    assert (await stub.call("settle_round", round_payload(4, stake=100)))["status"] == 201
    # 25 hours after the earlier round it has left the daily window; the later one has not.
    clock.at = T0 + timedelta(hours=25, seconds=1)
    assert (await stub.call("settle_round", round_payload(5, stake=500)))["status"] == 201
    refused = await stub.call("settle_round", round_payload(6, stake=1))
    assert refused["status"] == 403 and refused["body"]["error"]["code"] == "loss_limit_reached"


async def test_a_ledger_of_the_old_schema_gets_running_totals_of_its_history(tmp_path):
    """Money in play and time at the table, from the events and stretches it already has."""
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row

    class Raw:
        def exec(self, sql, *params):
            return [dict(r) for r in conn.execute(sql, params).fetchall()]

        def transaction(self, fn):
            conn.execute("BEGIN")
            result = fn()
            conn.execute("COMMIT")
            return result

    migrate(Raw(), STEPS[:3])
    rows = [(1, "DEPOSIT", 5_000, 5_000, "2026-11-01T10:00:00.000Z", "d"),
            (2, "BET", 300, 4_700, "2026-11-02T10:00:00.000Z", "round:a"),
            (3, "WIN", 600, 5_300, "2026-11-02T10:00:00.000Z", "round:a"),
            (4, "WITHDRAWAL", 1_000, 4_300, "2026-11-03T10:00:00.000Z", "w"),
            (5, "BET", 200, 4_100, "2026-11-03T11:00:00.000Z", "round:b")]  # fmt: skip
    conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", rows)
    migrate(Raw(), STEPS[:4])  # running totals of money (step 4, shipped), then of time (5)
    spans = [("2026-11-02T09:00:00.000Z", "2026-11-02T10:00:00.250Z"),
             ("2026-11-03T10:00:00.000Z", "2026-11-03T11:00:00.000Z"),
             ("2026-11-04T10:00:00.000Z", "2026-11-04T10:00:00.001Z")]  # fmt: skip
    conn.executemany("INSERT INTO play_spans (started_at, last_at) VALUES (?, ?)", spans)
    migrate(Raw(), STEPS)
    before = [r[0] for r in conn.execute("SELECT before_ms FROM play_spans ORDER BY span_id")]
    assert before == [0, 3_600_250, 7_200_250]
    totals = [tuple(r) for r in conn.execute("SELECT * FROM flow_totals ORDER BY created_at, seq")]
    assert totals == [
        ("2026-11-01T10:00:00.000Z", 1, 5_000, 0, 0),
        ("2026-11-02T10:00:00.000Z", 2, 5_000, 300, 0),
        ("2026-11-02T10:00:00.000Z", 3, 5_000, 300, 600),
        ("2026-11-03T11:00:00.000Z", 5, 5_000, 500, 600),
    ]
    conn.close()


async def test_time_inside_each_window_from_running_totals_is_the_time_of_every_stretch(tmp_path):
    """Rounds at random moments over 40 days (pauses shorter and longer than the idle
    timeout): after each, the play inside every window of the time limits, as the limits see
    it, is what summing every stretch of play one by one gives."""
    import random

    from casino.limits import WINDOWS, played_seconds

    clock = Clock()
    host = ActorHost(tmp_path, lambda name, storage: Wallet(storage, WalletDeps(clock, NoD1())))
    stub = host.get("p")
    assert (await deposit(stub, 10**9, "d0"))["status"] == 201
    rules = {**BR_RULES, "limits": {}}
    rng = random.Random(12)
    idle = timedelta(minutes=30)
    for i in range(400):
        pause = rng.choice(
            [rng.uniform(1, 600), rng.uniform(1_800, 7_200), rng.uniform(3, 9) * 3600]
        )
        clock.at += timedelta(seconds=pause, microseconds=rng.randrange(10**6))
        answer = await stub.call("settle_round", {**round_payload(i), "rg": rules})
        assert answer["status"] == 201, answer
        rg = host._live["p"].obj.rg
        now = clock.now()
        fast, slow = rg.play_spans(now, idle), rg._all_spans(now, idle)
        assert len(fast) <= 3
        for window in WINDOWS.values():
            assert played_seconds(fast, now, window) == pytest.approx(
                played_seconds(slow, now, window), abs=1e-6
            )
    host.close()
